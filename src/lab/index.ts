/**
 * The loopback device lab: a farm of emulated devices, one persona per 127.x address, each
 * serving the banners its real counterpart shows on the protocols it really exposes. It
 * backs the demo, the tests and the benchmark (DESIGN.md section 7).
 *
 * Safety: the lab binds loopback addresses only (the prefix must be 127.x.y) and its
 * servers never grant a login, accept mail or run anything a client sends.
 */
import { ThingscanError } from '../errors.js';
import { NOTHING, PERSONAS } from './personas.js';
import { startFtp } from './servers/ftp.js';
import { startHostile } from './servers/hostile.js';
import { startHttp } from './servers/http.js';
import { startRtsp } from './servers/rtsp.js';
import { startSmtp } from './servers/smtp.js';
import { startSnmp } from './servers/snmp.js';
import { startSsdp } from './servers/ssdp.js';
import { generateHostKeys, type SshHostKeys, startSsh } from './servers/ssh.js';
import { startTelnet } from './servers/telnet.js';
import { startHttps } from './servers/tls.js';
import { startUdpText } from './servers/udptext.js';
import type {
  HostRecorder,
  LabExpectation,
  PersonaDefinition,
  RunningServer,
  ServiceDefinition,
} from './types.js';
import { isUdpHostileMode } from './types.js';

export { PERSONAS } from './personas.js';
export * from './scale.js';
export type {
  FtpConfig,
  HostileMode,
  HttpConfig,
  HttpResponseSpec,
  LabExpectation,
  PersonaDefinition,
  ServiceDefinition,
  SmtpConfig,
  SnmpConfig,
  SshConfig,
  TelnetConfig,
  UdpTextConfig,
} from './types.js';

/** One service of a running lab host. */
export interface LabServiceInfo {
  /** Protocol spoken; `raw` for hostile peers and discovery responders. */
  readonly protocol:
    | 'telnet'
    | 'ssh'
    | 'smtp'
    | 'ftp'
    | 'http'
    | 'https'
    | 'rtsp'
    | 'ssdp'
    | 'snmp'
    | 'raw';
  /** Transport. */
  readonly transport: 'tcp' | 'udp';
  /** Port the real device uses. */
  readonly standardPort: number;
  /** Port actually bound (standard, or standard + offset). */
  readonly port: number;
}

/** One address of a running lab. */
export interface LabHost {
  /** Persona id, or `empty` for the address where nothing listens. */
  readonly id: string;
  /** Loopback address the persona is bound to. */
  readonly address: string;
  /** One line for humans. */
  readonly description: string;
  /** True for personas that exist to hurt the scanner. */
  readonly hostile: boolean;
  /** What a correct scan concludes about this address. */
  readonly expected: LabExpectation;
  /** Bound services, in persona order. */
  readonly services: readonly LabServiceInfo[];
}

/** Per-host tallies of what clients did. */
export interface LabHostCounters {
  /** TCP connections accepted plus UDP requests received. */
  connections: number;
  /** User names, passwords, SSH auth attempts (other than `none`) and SMTP AUTH seen. */
  credentialAttempts: number;
  /** SMTP MAIL, RCPT, DATA and BDAT commands seen. */
  mailCommands: number;
  /**
   * HTTP and HTTPS requests received, `METHOD target` in arrival order (the first
   * {@link MAX_REQUEST_LOG} kept): what a scan asked, path by path.
   */
  httpRequests: string[];
}

/** Lab-wide tallies (sums) and the same per host id. Live: read them at any time. */
export interface LabCounters {
  /** TCP connections accepted plus UDP requests received, all hosts. */
  connections: number;
  /** Credential attempts, all hosts (see {@link LabHostCounters.credentialAttempts}). */
  credentialAttempts: number;
  /** SMTP mail commands, all hosts. */
  mailCommands: number;
  /** Tallies per persona id. */
  byHost: Record<string, LabHostCounters>;
}

/** How to start the lab. */
export interface LabOptions {
  /** First three octets of the lab addresses; must be loopback (`127.x.y`). Default `127.77.0`. */
  prefix?: string;
  /**
   * Port placement: a number puts every service on standard port + that number (0 = the
   * standard ports); `auto` (default) tries the standard port and falls back to standard +
   * 10000 when binding it is not permitted (not root).
   */
  portOffset?: number | 'auto';
  /** Persona ids to start; default all. Addresses stay those of the full list. */
  personas?: readonly string[];
}

/** A started lab. */
export interface RunningLab {
  /** Every address, the empty one first, then personas in address order. */
  readonly hosts: readonly LabHost[];
  /** Every address incl. the empty one. */
  targets(): string[];
  /** Nmap-style port spec covering every bound port, e.g. "T:21,22,23,25,80,7676,U:161". */
  portSpec(): string;
  /** Live tallies of client behaviour. */
  readonly counters: LabCounters;
  /** Closes every server and destroys every open connection. Safe to call twice. */
  close(): Promise<void>;
}

/** HTTP request lines kept per host (a longer log is cut, not grown). */
export const MAX_REQUEST_LOG = 256;
/** Longest request line kept in the log, in characters. */
const MAX_REQUEST_LINE = 512;

/** Default prefix of lab addresses. */
export const DEFAULT_LAB_PREFIX = '127.77.0';
/** Offset used by `portOffset: 'auto'` when a standard port cannot be bound. */
export const DEFAULT_PORT_OFFSET = 10_000;
/** Last octet of the address where nothing listens. */
const EMPTY_OCTET = 9;
/** Last octet of the first persona. */
const FIRST_OCTET = 10;

/**
 * Starts the lab: persona i of {@link PERSONAS} on `${prefix}.${10 + i}`, nothing on
 * `${prefix}.9`. Rejects with a `ThingscanError` (`E_USAGE` for bad options, `E_IO` when a
 * port cannot be bound); servers already started are closed first.
 */
export async function startLab(options: LabOptions = {}): Promise<RunningLab> {
  const prefix = options.prefix ?? DEFAULT_LAB_PREFIX;
  const portOffset = options.portOffset ?? 'auto';
  validatePrefix(prefix);
  validateOffset(portOffset);
  const selected = selectPersonas(options.personas);

  const counters: LabCounters = {
    connections: 0,
    credentialAttempts: 0,
    mailCommands: 0,
    byHost: {},
  };
  const servers: RunningServer[] = [];
  const hosts: LabHost[] = [
    {
      id: 'empty',
      address: `${prefix}.${EMPTY_OCTET}`,
      description: 'Empty address: nothing listens',
      hostile: false,
      expected: NOTHING,
      services: [],
    },
  ];
  const needsSsh = selected.some(({ persona }) =>
    persona.services.some((s) => s.protocol === 'ssh'),
  );
  const keys = needsSsh ? generateHostKeys() : null;

  try {
    for (const { persona, index } of selected) {
      const address = `${prefix}.${FIRST_OCTET + index}`;
      const tally: LabHostCounters = {
        connections: 0,
        credentialAttempts: 0,
        mailCommands: 0,
        httpRequests: [],
      };
      counters.byHost[persona.id] = tally;
      const recorder: HostRecorder = {
        connection: () => {
          tally.connections++;
          counters.connections++;
        },
        credentialAttempt: () => {
          tally.credentialAttempts++;
          counters.credentialAttempts++;
        },
        mailCommand: () => {
          tally.mailCommands++;
          counters.mailCommands++;
        },
        httpRequest: (line) => {
          if (tally.httpRequests.length < MAX_REQUEST_LOG)
            tally.httpRequests.push(line.slice(0, MAX_REQUEST_LINE));
        },
      };
      const services: LabServiceInfo[] = [];
      for (const service of persona.services) {
        const server = await bindWithFallback(address, service.port, portOffset, (port) =>
          startService(address, port, service, recorder, keys),
        );
        servers.push(server);
        services.push({
          ...describeService(service),
          standardPort: service.port,
          port: server.port,
        });
      }
      hosts.push({
        id: persona.id,
        address,
        description: persona.description,
        hostile: persona.hostile,
        expected: persona.expected,
        services,
      });
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }

  let closing: Promise<void> | null = null;
  return {
    hosts,
    counters,
    targets: () => hosts.map((h) => h.address),
    portSpec: () => portSpec(hosts),
    close: () => {
      closing ??= Promise.all(servers.map((s) => s.close())).then(() => undefined);
      return closing;
    },
  };
}

function startService(
  address: string,
  port: number,
  service: ServiceDefinition,
  recorder: HostRecorder,
  keys: SshHostKeys | null,
): Promise<RunningServer> {
  switch (service.protocol) {
    case 'telnet':
      return startTelnet(address, port, service.telnet, recorder);
    case 'ssh':
      if (keys === null) throw new Error('host keys missing');
      return startSsh(address, port, service.ssh, keys, recorder);
    case 'smtp':
      return startSmtp(address, port, service.smtp, recorder);
    case 'ftp':
      return startFtp(address, port, service.ftp, recorder);
    case 'http':
      return startHttp(address, port, service.http, recorder);
    case 'snmp':
      return startSnmp(address, port, service.snmp, recorder);
    case 'udp-text':
      return startUdpText(address, port, service.udpText, recorder);
    case 'https':
      return startHttps(address, port, service.https, recorder);
    case 'rtsp':
      return startRtsp(address, port, service.rtsp, recorder);
    case 'ssdp':
      return startSsdp(address, port, service.ssdp, recorder);
    case 'hostile':
      return startHostile(address, port, service.mode, recorder);
  }
}

function describeService(
  service: ServiceDefinition,
): Pick<LabServiceInfo, 'protocol' | 'transport'> {
  switch (service.protocol) {
    case 'snmp':
      return { protocol: 'snmp', transport: 'udp' };
    case 'udp-text':
      return { protocol: 'raw', transport: 'udp' };
    case 'ssdp':
      return { protocol: 'ssdp', transport: 'udp' };
    case 'hostile':
      return { protocol: 'raw', transport: isUdpHostileMode(service.mode) ? 'udp' : 'tcp' };
    default:
      return { protocol: service.protocol, transport: 'tcp' };
  }
}

async function bindWithFallback(
  address: string,
  standardPort: number,
  portOffset: number | 'auto',
  start: (port: number) => Promise<RunningServer>,
): Promise<RunningServer> {
  const bindError = (port: number, err: unknown): ThingscanError =>
    new ThingscanError('E_IO', `lab: cannot bind ${address}:${port} (${errnoOf(err)})`, {
      cause: err,
    });
  const tryPort = async (port: number): Promise<RunningServer> => {
    try {
      return await start(port);
    } catch (err) {
      throw bindError(port, err);
    }
  };
  if (portOffset !== 'auto') return tryPort(standardPort + portOffset);
  try {
    return await start(standardPort);
  } catch (err) {
    const code = errnoOf(err);
    // Only "not permitted" means "not root": any other error would repeat on the high port.
    if (code !== 'EACCES' && code !== 'EPERM') throw bindError(standardPort, err);
  }
  return tryPort(standardPort + DEFAULT_PORT_OFFSET);
}

function errnoOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : String(err);
}

function portSpec(hosts: readonly LabHost[]): string {
  const tcp = new Set<number>();
  const udp = new Set<number>();
  for (const host of hosts) {
    for (const s of host.services) (s.transport === 'tcp' ? tcp : udp).add(s.port);
  }
  const list = (set: Set<number>): string => [...set].sort((a, b) => a - b).join(',');
  const parts: string[] = [];
  if (tcp.size > 0) parts.push(`T:${list(tcp)}`);
  if (udp.size > 0) parts.push(`U:${list(udp)}`);
  return parts.join(',');
}

function validatePrefix(prefix: string): void {
  const m = /^127\.(\d{1,3})\.(\d{1,3})$/.exec(prefix);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) {
    // The house rule is loopback only: refuse anything that could reach another machine.
    throw new ThingscanError('E_USAGE', `lab prefix must be loopback "127.x.y", got "${prefix}"`);
  }
}

function validateOffset(portOffset: number | 'auto'): void {
  if (portOffset === 'auto') return;
  const highest = Math.max(...PERSONAS.flatMap((p) => p.services.map((s) => s.port)));
  if (!Number.isInteger(portOffset) || portOffset < 0 || highest + portOffset > 65_535) {
    throw new ThingscanError('E_USAGE', `lab portOffset out of range: ${portOffset}`);
  }
}

function selectPersonas(
  ids: readonly string[] | undefined,
): { persona: PersonaDefinition; index: number }[] {
  const all = PERSONAS.map((persona, index) => ({ persona, index }));
  if (ids === undefined) return all;
  const known = new Set(PERSONAS.map((p) => p.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ThingscanError('E_USAGE', `unknown lab persona: ${unknown.join(', ')}`);
  }
  const wanted = new Set(ids);
  return all.filter(({ persona }) => wanted.has(persona.id));
}

/**
 * Scale mode of the lab: one process answering on tens of thousands of loopback addresses,
 * for the `scan` bench and the scale test. Each address gets a persona from a hash of the
 * address, so a scanner and a checker can agree on what every address should be without
 * talking to each other ({@link scalePersonaFor}).
 *
 * How it fits in one process. The open-files limit (20,000 here) rules out one listener per
 * address and port, so every TCP port is served by ONE wildcard listener (`0.0.0.0`), and a
 * connection's persona comes from the address it was made to (`socket.localAddress`). A
 * wildcard bind would expose the lab to the network, so it is refused unless the process
 * runs in a private network namespace whose only interface is loopback
 * ({@link privateNamespaceCheck}): `ip netns add NS; ip -n NS link set lo up;
 * ip netns exec NS thingscan lab --scale 50000`.
 *
 * Decisions, and why:
 * - Ports: a listener only on ports some persona serves (21, 22, 23, 25, 80). Other ports
 *   have no listener, so the kernel refuses them (`connection-refused`), as on a real host.
 *   A wildcard listener cannot refuse per address, so an address whose persona does not
 *   serve a listened port accepts and then resets after the simulated delay: the scanner
 *   records that port as `connection-closed`. It costs the same one round trip as a refusal.
 * - udp/161: Node cannot tell a wildcard UDP socket which address a datagram was sent to,
 *   so SNMP personas get one socket per address (up to `maxUdpSockets`); every other address
 *   stays silent on udp/161, like most hosts on the internet.
 * - Personas: the lab's non-hostile personas whose every service is telnet, SSH, SMTP, FTP,
 *   HTTP or SNMP on a default port (HTTPS, RTSP and SSDP personas are left out: their
 *   servers bind per address). Hostile personas belong to the hostile tests, not to a
 *   throughput bench.
 * - Delay and jitter (round trips, slow devices) are done here, without netem: each
 *   connection draws one delay in `delayMs ± jitterMs`; the greeting (or the reset) leaves
 *   that long after the accept, and every later request is handed to the server that long
 *   after it arrived, so each exchange costs one simulated round trip. TCP handshakes,
 *   refusals and SNMP replies are not delayed (the kernel or a per-address socket answers).
 * - HTTP bodies that print `{address}` show the first address of the persona's share, not
 *   the one asked: one HTTP server per persona keeps memory flat.
 */
import { statSync } from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { ThingscanError } from '../errors.js';
import { PERSONAS } from './personas.js';
import { handleFtp } from './servers/ftp.js';
import { createHttpServer } from './servers/http.js';
import { handleSmtp } from './servers/smtp.js';
import { startSnmp } from './servers/snmp.js';
import { generateHostKeys, sshAcceptor } from './servers/ssh.js';
import { handleTelnet } from './servers/telnet.js';
import type {
  HostRecorder,
  LabExpectation,
  PersonaDefinition,
  RunningServer,
  ServiceDefinition,
} from './types.js';

/** First address of the scale lab by default (a /10 of loopback: room for 4M addresses). */
export const SCALE_BASE = '127.64.0.1';
/** Most addresses a scale lab serves: the rest of 127.64.0.0/10 after the base. */
export const SCALE_MAX_HOSTS = 4_194_302;
/** SNMP sockets (one per SNMP persona address) at most; the open-files limit is 20,000. */
export const SCALE_MAX_UDP_SOCKETS = 8_000;

/** Protocols the scale lab can serve behind a wildcard listener (or per-address UDP). */
const SCALE_PROTOCOLS = new Set(['telnet', 'ssh', 'smtp', 'ftp', 'http', 'snmp']);
/** TCP ports of the default `iot` preset a scale persona may use. */
const SCALE_TCP_PORTS = new Set([
  21, 22, 23, 25, 80, 81, 443, 554, 587, 2222, 2323, 7547, 8000, 8080, 8081, 8443,
]);

/** One persona of the scale lab: its definition and its position in the hash table. */
export interface ScalePersona {
  /** Persona id (see `personas.ts`). */
  readonly id: string;
  /** What a correct scan concludes. */
  readonly expected: LabExpectation;
  /** The persona's services. */
  readonly definition: PersonaDefinition;
}

/**
 * Personas of scale mode, by id: fixed, so the address → persona map (and so bench figures)
 * does not move when personas are added to the lab. Each qualifies: non-hostile, every
 * service telnet, SSH, SMTP, FTP, HTTP or SNMP on a default port.
 */
const SCALE_PERSONA_IDS = [
  'busybox-router',
  'tplink-router',
  'mikrotik-router',
  'dlink-nas',
  'netgear-nas',
  'dreambox',
  'vuplus-duo2',
  'melita-stb',
  'realtek-player',
  'smart-fridge',
  'hp-printer',
  'hikvision-camera',
  'ubuntu-server',
  'windows-server',
  'debian-mail',
] as const;

/** The personas of scale mode, in {@link SCALE_PERSONA_IDS} order (see the file header). */
export const SCALE_PERSONAS: readonly ScalePersona[] = SCALE_PERSONA_IDS.flatMap((id) =>
  PERSONAS.filter((p) => p.id === id),
)
  .filter(
    (p) =>
      !p.hostile &&
      p.services.every(
        (s) =>
          SCALE_PROTOCOLS.has(s.protocol) &&
          (s.protocol === 'snmp' ? s.port === 161 : SCALE_TCP_PORTS.has(s.port)),
      ),
  )
  .map((p) => ({ id: p.id, expected: p.expected, definition: p }));

/** Options of {@link startScaleLab}. */
export interface ScaleLabOptions {
  /** Addresses served, from `base` on (≥ 1). */
  readonly hosts: number;
  /** First address (IPv4 loopback). Default {@link SCALE_BASE}. */
  readonly base?: string;
  /** Simulated one-way-and-back delay per exchange, ms. Default 0. */
  readonly delayMs?: number;
  /** Each connection's delay is drawn in `delayMs ± jitterMs` (never below 0). Default 0. */
  readonly jitterMs?: number;
  /** Most per-address SNMP sockets. Default {@link SCALE_MAX_UDP_SOCKETS}. */
  readonly maxUdpSockets?: number;
}

/** Live tallies of a scale lab. */
export interface ScaleLabCounters {
  /** TCP connections accepted plus SNMP requests received. */
  connections: number;
  /** TCP connections accepted (refused handshakes never reach the lab; SNMP not counted). */
  accepts: number;
  /** Most TCP connections accepted within any 1 s (sliding window over accept times). */
  acceptsMax1s: number;
  /** Accepted connections reset because the persona does not serve that port. */
  resets: number;
  /** User names, passwords, AUTH: must stay 0 for thingscan. */
  credentialAttempts: number;
  /** SMTP MAIL/RCPT/DATA: must stay 0 for thingscan. */
  mailCommands: number;
}

/** A running scale lab. */
export interface ScaleLab {
  /** First and last address served. */
  readonly first: string;
  readonly last: string;
  /** Number of addresses. */
  readonly hosts: number;
  /** Nmap-style spec of every port a persona serves, e.g. `T:21,22,23,25,80,U:161`. */
  readonly portSpec: string;
  /** Addresses whose SNMP persona got a UDP socket. */
  readonly snmpHosts: number;
  /** SNMP persona addresses left silent because `maxUdpSockets` was reached. */
  readonly snmpSkipped: number;
  readonly counters: ScaleLabCounters;
  /** Stops listening and destroys every open connection. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Whether this process may bind wildcard addresses: only inside a network namespace of its
 * own (not pid 1's) where no interface but loopback has an address.
 */
export function privateNamespaceCheck():
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string } {
  const outside = Object.entries(os.networkInterfaces())
    .filter(([, list]) => (list ?? []).some((a) => !a.internal))
    .map(([name]) => name);
  if (outside.length > 0) {
    return {
      ok: false,
      reason: `non-loopback interfaces have addresses here (${outside.join(', ')})`,
    };
  }
  // A second opinion where /proc allows it (it may not: pid 1 can be off limits, EACCES).
  // The interface check above is what makes a wildcard bind loopback-only.
  let self: number | null = null;
  let init: number | null = null;
  try {
    self = statSync('/proc/self/ns/net').ino;
    init = statSync('/proc/1/ns/net').ino;
  } catch {
    // Unreadable: rely on the interface check.
  }
  if (self !== null && self === init) {
    return { ok: false, reason: 'this is the host network namespace (same as pid 1)' };
  }
  return { ok: true };
}

/** IPv4 dotted quad → unsigned 32-bit integer; throws on anything else. */
export function ipv4ToInt(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new ThingscanError('E_USAGE', `not an IPv4 address: ${address}`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Unsigned 32-bit integer → dotted quad. */
export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The `i`-th address (0-based) of a scale lab starting at `base`. */
export function scaleAddress(i: number, base = SCALE_BASE): string {
  return intToIpv4(ipv4ToInt(base) + i);
}

/**
 * The persona an address gets: FNV-1a over the address's four bytes, then a final avalanche,
 * modulo the persona count. Deterministic, so any process can tell what an address should be.
 */
export function scalePersonaFor(address: string): ScalePersona {
  let n = ipv4ToInt(address);
  let h = 0x811c9dc5;
  for (let i = 0; i < 4; i++) {
    h ^= n & 0xff;
    h = Math.imul(h, 0x01000193);
    n >>>= 8;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return SCALE_PERSONAS[(h >>> 0) % SCALE_PERSONAS.length] as ScalePersona;
}

/** Every TCP port some scale persona serves, ascending. */
function scaleTcpPorts(): number[] {
  const ports = new Set<number>();
  for (const p of SCALE_PERSONAS) {
    for (const s of p.definition.services) if (s.protocol !== 'snmp') ports.add(s.port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Hands one accepted socket to a persona's server for one TCP service. */
type Serve = (socket: net.Socket) => void;

/**
 * Starts the scale lab. Rejects with `E_USAGE` outside a private network namespace or for
 * bad options, `E_IO` when a port cannot be bound; whatever was started is closed first.
 */
export async function startScaleLab(options: ScaleLabOptions): Promise<ScaleLab> {
  const hosts = options.hosts;
  const base = options.base ?? SCALE_BASE;
  const delayMs = options.delayMs ?? 0;
  const jitterMs = options.jitterMs ?? 0;
  const maxUdp = options.maxUdpSockets ?? SCALE_MAX_UDP_SOCKETS;
  const first = ipv4ToInt(base);
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > SCALE_MAX_HOSTS) {
    throw new ThingscanError(
      'E_USAGE',
      `scale lab: hosts must be 1..${SCALE_MAX_HOSTS}, got ${hosts}`,
    );
  }
  if (first >>> 24 !== 127 || (first + hosts - 1) >>> 24 !== 127) {
    throw new ThingscanError(
      'E_USAGE',
      `scale lab: ${base} + ${hosts} addresses leaves 127.0.0.0/8`,
    );
  }
  for (const [name, v] of [
    ['delay', delayMs],
    ['jitter', jitterMs],
    ['max UDP sockets', maxUdp],
  ] as const) {
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new ThingscanError('E_USAGE', `scale lab: ${name} must be ≥ 0, got ${v}`);
    }
  }
  const where = privateNamespaceCheck();
  if (!where.ok) {
    // The wildcard listeners would be reachable from the network: refuse, and say how.
    throw new ThingscanError(
      'E_USAGE',
      `scale lab: refusing to bind wildcard addresses: ${where.reason}. Run it in a private ` +
        'network namespace: ip netns add NS && ip -n NS link set lo up && ' +
        'ip netns exec NS thingscan lab --scale N',
    );
  }

  const counters: ScaleLabCounters = {
    connections: 0,
    accepts: 0,
    acceptsMax1s: 0,
    resets: 0,
    credentialAttempts: 0,
    mailCommands: 0,
  };
  const recorder: HostRecorder = {
    connection: () => {
      counters.connections++;
    },
    credentialAttempt: () => {
      counters.credentialAttempts++;
    },
    mailCommand: () => {
      counters.mailCommands++;
    },
  };
  // Accept times of the last second, oldest first (from `head` on): the sliding window of
  // `acceptsMax1s`, so a bench can compare the accept rate with a scanner's rate limit.
  const recent: number[] = [];
  let head = 0;
  const countAccept = (): void => {
    const now = performance.now();
    counters.accepts++;
    recent.push(now);
    while ((recent[head] as number) <= now - 1_000) head++;
    if (head > 4_096 && head * 2 > recent.length) {
      recent.splice(0, head);
      head = 0;
    }
    counters.acceptsMax1s = Math.max(counters.acceptsMax1s, recent.length - head);
  };
  // Servers built on `node:http` count connections themselves; we count at accept.
  const quiet: HostRecorder = { ...recorder, connection: () => {} };
  const sockets = new Set<net.Socket>();
  const keys = SCALE_PERSONAS.some((p) => p.definition.services.some((s) => s.protocol === 'ssh'))
    ? generateHostKeys()
    : null;
  const httpServers: http.Server[] = [];
  /** persona id → port → serve function. */
  const serveBy = new Map<string, Map<number, Serve>>();
  for (const persona of SCALE_PERSONAS) {
    const byPort = new Map<number, Serve>();
    for (const service of persona.definition.services) {
      const serve = makeServe(service, recorder, quiet, keys, base, sockets, httpServers);
      if (serve) byPort.set(service.port, serve);
    }
    serveBy.set(persona.id, byPort);
  }

  const drawDelay = (): number =>
    Math.max(0, Math.round(delayMs + (jitterMs > 0 ? (Math.random() * 2 - 1) * jitterMs : 0)));

  const servers: net.Server[] = [];
  const udp: RunningServer[] = [];
  let snmpHosts = 0;
  let snmpSkipped = 0;
  const closeAll = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await Promise.all([
      ...servers.map((s) => new Promise<void>((done) => s.close(() => done()))),
      ...udp.map((u) => u.close()),
    ]);
  };
  try {
    for (const port of scaleTcpPorts()) {
      const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
        sockets.add(socket);
        recorder.connection();
        countAccept();
        socket.on('error', () => socket.destroy());
        socket.once('close', () => sockets.delete(socket));
        socket.setTimeout(60_000, () => socket.destroy());
        const local = (socket.localAddress ?? '').replace(/^::ffff:/, '');
        let serve: Serve | undefined;
        try {
          serve = serveBy.get(scalePersonaFor(local).id)?.get(port);
        } catch {
          serve = undefined;
        }
        const wait = drawDelay();
        const go = (): void => {
          if (socket.destroyed) return;
          if (!serve) {
            counters.resets++;
            socket.resetAndDestroy();
            return;
          }
          delayIncoming(socket, wait);
          socket.resume();
          serve(socket);
        };
        if (wait > 0) setTimeout(go, wait);
        else go();
      });
      servers.push(server);
      await listenWildcard(server, port);
    }
    // SNMP personas: one socket per address, in batches so start-up stays short.
    const snmpAddresses: {
      address: string;
      service: Extract<ServiceDefinition, { protocol: 'snmp' }>;
    }[] = [];
    for (let i = 0; i < hosts; i++) {
      const address = intToIpv4(first + i);
      const service = scalePersonaFor(address).definition.services.find(
        (s): s is Extract<ServiceDefinition, { protocol: 'snmp' }> => s.protocol === 'snmp',
      );
      if (!service) continue;
      if (snmpAddresses.length >= maxUdp) snmpSkipped++;
      else snmpAddresses.push({ address, service });
    }
    for (let i = 0; i < snmpAddresses.length; i += 256) {
      const batch = snmpAddresses.slice(i, i + 256);
      const started = await Promise.allSettled(
        batch.map(({ address, service }) =>
          startSnmp(address, service.port, service.snmp, recorder),
        ),
      );
      for (const r of started) {
        if (r.status === 'fulfilled') udp.push(r.value);
        else throw r.reason;
      }
      snmpHosts += batch.length;
    }
  } catch (err) {
    await closeAll();
    for (const s of httpServers) s.close();
    if (err instanceof ThingscanError) throw err;
    throw new ThingscanError(
      'E_IO',
      `scale lab: cannot bind (${(err as NodeJS.ErrnoException)?.code ?? String(err)})`,
      {
        cause: err,
      },
    );
  }

  const tcpPorts = scaleTcpPorts();
  let closing: Promise<void> | null = null;
  return {
    first: intToIpv4(first),
    last: intToIpv4(first + hosts - 1),
    hosts,
    portSpec: `T:${tcpPorts.join(',')}${snmpHosts > 0 ? ',U:161' : ''}`,
    snmpHosts,
    snmpSkipped,
    counters,
    close: () => {
      closing ??= closeAll().then(() => {
        for (const s of httpServers) s.close();
      });
      return closing;
    },
  };
}

/** Builds the serve function of one TCP service; null for SNMP (served per address). */
function makeServe(
  service: ServiceDefinition,
  recorder: HostRecorder,
  quiet: HostRecorder,
  keys: ReturnType<typeof generateHostKeys> | null,
  base: string,
  sockets: Set<net.Socket>,
  httpServers: http.Server[],
): Serve | null {
  switch (service.protocol) {
    case 'telnet':
      return (socket) => handleTelnet(socket, service.telnet, recorder);
    case 'ftp':
      return (socket) => handleFtp(socket, service.ftp, recorder);
    case 'smtp':
      return (socket) => handleSmtp(socket, service.smtp, recorder);
    case 'ssh': {
      if (keys === null) throw new Error('host keys missing');
      return sshAcceptor(service.ssh, keys, recorder);
    }
    case 'http': {
      const server = createHttpServer(base, service.http, quiet, sockets);
      httpServers.push(server);
      return (socket) => server.emit('connection', socket);
    }
    default:
      return null;
  }
}

/**
 * Hands the socket's incoming data (and end) to its listeners `ms` later, so each request a
 * server answers costs one simulated round trip. One delay per connection keeps the order.
 * Servers reading the socket's handle directly (`node:http`) are only delayed at accept.
 */
function delayIncoming(socket: net.Socket, ms: number): void {
  if (ms <= 0) return;
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'data' || event === 'end') {
      setTimeout(() => emit(event, ...args), ms);
      return true;
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
}

function listenWildcard(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      // Accept errors (EMFILE under overload) must not crash the lab.
      server.on('error', () => {});
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // 0.0.0.0 only after privateNamespaceCheck(): loopback is the only interface here.
    server.listen({ host: '0.0.0.0', port, backlog: 4096, exclusive: true });
  });
}

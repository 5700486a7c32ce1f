/**
 * One port, start to finish: connect, let the server speak first, pick the protocol from
 * what it volunteered (SSH on 2323 is SSH), run that probe, and turn every failure into a
 * status. Only a silent TCP port gets an HTTP request; a port that spoke telnet never does.
 * TLS is never volunteered either: ports known to be TLS go straight to the HTTPS probe,
 * and a port whose HTTP attempt got no HTTP back (non-HTTP bytes, or closed at once), or
 * got the 400 by which a TLS server refuses plain text (nginx's "plain HTTP request was
 * sent to HTTPS port", {@link refusesPlainHttp}), gets one TLS attempt on a fresh
 * rate-limited connection, with HTTP inside when it works.
 * Once HTTP answered (plain or inside TLS), the engine's follow-up planner may name a few
 * vendor-telling paths (signatures' `followup:`, `src/match/followup.ts`): the same probe
 * GETs them on fresh connections to the same port, at most `DEFAULTS.maxFollowups`, and
 * their `http.followup.*` fields join the port's.
 *
 * A UDP port of no known protocol is asked in one protocol at a time, commonest first,
 * until one answers ({@link guessUdp}).
 *
 * `probesTried` lists every probe spent on the port (each follow-up request counts as one);
 * the engine turns it into the record's `scan.identified_by` and `scan.probes` fields
 * ({@link bookkeepingFields}).
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import { refusesPlainHttp } from '../../probes/https.js';
import type {
  Probe,
  ProbeContext,
  ProbeOutput,
  ProbeSettings,
  ProbeTimeouts,
  TcpProbe,
  UdpProbe,
} from '../../probes/types.js';
import { BoundedReader, isProbeFailure } from '../net/bounded.js';
import type { ProbeStatus, Protocol, Transport } from '../types.js';
import { DEFAULTS } from './defaults.js';

/** What the engine hands the runner for one port. */
export interface PortRunOptions {
  readonly host: string;
  readonly port: number;
  readonly transport: Transport;
  /** Probe registry (see `probes/index.ts`). */
  readonly probes: readonly Probe[];
  readonly timeouts: ProbeTimeouts;
  readonly maxBytes: number;
  readonly settings: ProbeSettings;
  /** Host deadline / scan stop. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Opens a rate-limited TCP connection to host:port (or to `port` of the same host, for a
   * UPnP description); rejects with `ProbeFailure`.
   */
  readonly openConnection: (port?: number) => Promise<net.Socket>;
  /**
   * Follow-up planner: given the fields of the port's first HTTP exchange, the paths to GET
   * next (softmatched signatures' `followup:`); absent or empty = none. At most
   * `DEFAULTS.maxFollowups` are used.
   */
  readonly followup?: (fields: Readonly<Record<string, string>>) => readonly string[];
}

/** Result of one port, before matching. */
export interface PortResult {
  readonly port: number;
  readonly transport: Transport;
  readonly protocol: Protocol;
  readonly status: ProbeStatus;
  /** Raw field values (uncapped here; the engine caps them). */
  readonly fields: Readonly<Record<string, string>>;
  /** Raw banner text, or null. */
  readonly banner: string | null;
  /** Probes run, in order (detection counts as part of the first). */
  readonly probesTried: readonly string[];
  readonly elapsedMs: number;
}

/** Suffix of a follow-up request's entry in `probesTried` (`http-followup`). */
const FOLLOWUP_SUFFIX = '-followup';

/** How long to keep listening once the first banner bytes arrived, for the rest of the burst. */
const GREETING_IDLE_MS = 250;

/** Statuses of an HTTP attempt after which the port may be TLS (a TLS server rejects plain text). */
const TLS_HINTS: ReadonlySet<ProbeStatus> = new Set(['protocol-error', 'connection-closed']);

/** Runs one port. Never throws: a thrown error inside a probe becomes `internal-error`. */
export async function runPort(options: PortRunOptions): Promise<PortResult> {
  const started = performance.now();
  const tried: string[] = [];
  const done = (
    protocol: Protocol,
    status: ProbeStatus,
    out?: Pick<ProbeOutput, 'fields' | 'banner'>,
  ): PortResult => {
    const fields = out?.fields ?? {};
    // A TLS service with no HTTP inside is recorded as `tls`, not `https`.
    const shown: Protocol =
      protocol === 'https' && status === 'ok' && fields['http.status'] === undefined
        ? 'tls'
        : protocol;
    return {
      port: options.port,
      transport: options.transport,
      protocol: shown,
      status,
      fields,
      banner: out?.banner ?? null,
      probesTried: [...tried],
      elapsedMs: Math.round(performance.now() - started),
    };
  };

  if (options.transport === 'udp') {
    const udp = options.probes.filter((p): p is UdpProbe => p.transport === 'udp');
    const own =
      udp.find((p) => p.ports.includes(options.port)) ?? (udp.length === 1 ? udp[0] : undefined);
    if (own) {
      tried.push(own.name);
      return guard(options, own.name, done, () => own.run(context(options)));
    }
    if (udp.length === 0) return done('unknown', 'skipped');
    return await guessUdp(options, udp, tried, done);
  }

  const { tcp, http, https, rtsp, byPort } = tcpRoles(options.probes);
  const expected = byPort.get(options.port);
  let socket: net.Socket;
  try {
    socket = await options.openConnection();
  } catch (error) {
    if (isProbeFailure(error)) return done(expected?.name ?? 'unknown', error.status);
    options.log.error({ err: error }, 'connect failed unexpectedly');
    return done(expected?.name ?? 'unknown', 'internal-error');
  }
  const reader = new BoundedReader(socket, { maxBytes: options.maxBytes, signal: options.signal });
  /**
   * Follow-up GETs after an HTTP answer, by the probe that got it (HTTP, or HTTPS inside
   * TLS); each request is one more probe of the port. The port's status never changes.
   */
  const followUp = async (result: PortResult): Promise<PortResult> => {
    const plan = options.followup;
    if (!plan || result.status !== 'ok' || options.signal.aborted) return result;
    if (result.fields['http.status'] === undefined) return result;
    const probe = tcp.find((p) => p.name === result.protocol);
    if (!probe?.followup) return result;
    let extra: Readonly<Record<string, string>> = {};
    try {
      const paths = plan(result.fields).slice(0, DEFAULTS.maxFollowups);
      if (paths.length === 0) return result;
      const out = await probe.followup(context(options), paths);
      for (let i = 0; i < Math.min(out.requests, paths.length); i++)
        tried.push(`${probe.name}${FOLLOWUP_SUFFIX}`);
      extra = out.fields;
    } catch (error) {
      // A bug in planning or in a follow-up costs the follow-up, not the port.
      options.log.error({ err: error, protocol: probe.name }, 'follow-up threw');
    }
    return done(result.protocol, result.status, {
      fields: { ...result.fields, ...extra },
      banner: result.banner,
    });
  };
  /** HTTP on this connection, then TLS on a fresh one when the answer was not HTTP. */
  const httpThenTls = async (probe: TcpProbe, greeting: Buffer): Promise<PortResult> => {
    tried.push(probe.name);
    const plain = await guard(options, probe.name, done, () =>
      probe.run(context(options), { reader, greeting }),
    );
    reader.close();
    if (options.signal.aborted) return plain;
    // An RTSP server on an odd port (10554 is common; AirPlay receivers on 5000) that
    // answered our GET (the HTTP probe sets http.protocol) gets the RTSP probe on a fresh
    // connection.
    if (rtsp && plain.status === 'ok' && plain.fields['http.protocol'] !== undefined) {
      const real = await runOnFreshConnection(options, rtsp, tried, done);
      return real?.status === 'ok' ? real : done(plain.protocol, plain.status, plain);
    }
    const refused = plain.status === 'ok' && refusesPlainHttp(plain.fields);
    if (!https || !(TLS_HINTS.has(plain.status) || refused)) return plain;
    const secure = await runOnFreshConnection(options, https, tried, done);
    // Not TLS either: the HTTP outcome stands, with the TLS attempt counted.
    return secure?.status === 'ok' ? secure : done(plain.protocol, plain.status, plain);
  };
  try {
    // A client-first protocol on its own port (HTTP on 80, TLS on 443, RTSP on 554) goes
    // straight to its probe.
    if (expected && !expected.serverFirst) {
      if (expected === http) return await followUp(await httpThenTls(expected, Buffer.alloc(0)));
      tried.push(expected.name);
      return await followUp(
        await guard(options, expected.name, done, () =>
          expected.run(context(options), { reader, greeting: Buffer.alloc(0) }),
        ),
      );
    }
    const wait = expected ? options.timeouts.readMs : options.timeouts.bannerMs;
    const first = await reader.read(wait);
    let greeting = first.data;
    if (greeting.length > 0 && first.end === 'matched') {
      // Banners often arrive in pieces (IAC offers, then text): collect the burst.
      const rest = await reader.readIdle(GREETING_IDLE_MS, GREETING_IDLE_MS);
      greeting = Buffer.concat([greeting, rest.data]);
    }
    if (greeting.length === 0) {
      if (first.end === 'aborted') return done(expected?.name ?? 'unknown', 'io-timeout');
      if (first.end === 'closed') return done(expected?.name ?? 'unknown', 'connection-closed');
      // Silent port: the one case where we speak first, with HTTP (then TLS).
      if (!http) return done(expected?.name ?? 'unknown', 'io-timeout');
      return await followUp(await httpThenTls(http, greeting));
    }
    const probe = pickByGreeting(tcp, greeting, expected);
    if (!probe) {
      // No probe speaks it: the burst itself is what signatures can read.
      const text = greeting.toString('latin1');
      return done('unknown', 'ok', {
        fields: { 'unknown.banner': text.replace(/\r\n?/g, '\n') },
        banner: text,
      });
    }
    tried.push(probe.name);
    return await guard(options, probe.name, done, () =>
      probe.run(context(options), { reader, greeting }),
    );
  } finally {
    reader.close();
  }
}

/** The TCP probes of a registry and the ones the runner calls by role. */
interface TcpRoles {
  readonly tcp: readonly TcpProbe[];
  readonly http: TcpProbe | undefined;
  readonly https: TcpProbe | undefined;
  readonly rtsp: TcpProbe | undefined;
  /** Port → the probe that claims it (absent: none does). */
  readonly byPort: ReadonlyMap<number, TcpProbe>;
}

/**
 * Per registry, worked out once: every port of every host asks the same questions of the
 * same (frozen) probe list, and answering them per port showed in the scan profile.
 */
const rolesOf = new WeakMap<readonly Probe[], TcpRoles>();

function tcpRoles(probes: readonly Probe[]): TcpRoles {
  let roles = rolesOf.get(probes);
  if (roles === undefined) {
    const tcp = probes.filter((p): p is TcpProbe => p.transport === 'tcp');
    const byPort = new Map<number, TcpProbe>();
    // The first probe in registry order that lists a port owns it, as `find` would say.
    for (const probe of tcp)
      for (const port of probe.ports) if (!byPort.has(port)) byPort.set(port, probe);
    roles = {
      tcp,
      http: tcp.find((p) => p.name === 'http'),
      https: tcp.find((p) => p.name === 'https'),
      rtsp: tcp.find((p) => p.name === 'rtsp'),
      byPort,
    };
    rolesOf.set(probes, roles);
  }
  return roles;
}

/** Runs a client-first probe on a new rate-limited connection; null when it cannot connect. */
async function runOnFreshConnection(
  options: PortRunOptions,
  probe: TcpProbe,
  tried: string[],
  done: (p: Protocol, s: ProbeStatus, out?: Pick<ProbeOutput, 'fields' | 'banner'>) => PortResult,
): Promise<PortResult | null> {
  let socket: net.Socket;
  try {
    socket = await options.openConnection();
  } catch {
    return null;
  }
  const reader = new BoundedReader(socket, { maxBytes: options.maxBytes, signal: options.signal });
  tried.push(probe.name);
  try {
    return await guard(options, probe.name, done, () =>
      probe.run(context(options), { reader, greeting: Buffer.alloc(0) }),
    );
  } finally {
    reader.close();
  }
}

/**
 * A UDP port no probe claims says nothing until asked in its own protocol: ask in one
 * protocol at a time, the commonest on the internet first ({@link UdpProbe.rarity}; registry
 * order breaks ties), and stop at the first answer, so an SNMP agent costs one probe and
 * a UPnP responder two. Each probe is counted as it is sent; the host deadline (`signal`)
 * stops the sequence. With no answer in any protocol, an answer no probe understood is
 * reported rather than silence.
 */
async function guessUdp(
  options: PortRunOptions,
  udp: readonly UdpProbe[],
  tried: string[],
  done: (p: Protocol, s: ProbeStatus, out?: Pick<ProbeOutput, 'fields' | 'banner'>) => PortResult,
): Promise<PortResult> {
  const order = udp
    .map((probe, index) => ({ probe, index }))
    .sort((a, b) => a.probe.rarity - b.probe.rarity || a.index - b.index)
    .map((x) => x.probe);
  let answered: PortResult | undefined;
  for (const probe of order) {
    if (options.signal.aborted) break;
    tried.push(probe.name);
    const result = await guard(options, probe.name, done, () => probe.run(context(options)));
    if (result.status === 'ok') return result;
    if (result.status !== 'io-timeout') answered ??= result;
  }
  // Rebuilt so that it counts every probe spent, not only those before it.
  return answered
    ? done(answered.protocol, answered.status, answered)
    : done('unknown', 'io-timeout');
}

/**
 * Chooses the server-first probe whose `detect` is most certain about the greeting; ties go
 * to the probe expected on this port, then to registry order. Client-first probes (HTTP)
 * are never chosen for a port that volunteered bytes.
 */
export function pickByGreeting(
  probes: readonly TcpProbe[],
  greeting: Buffer,
  expected?: TcpProbe,
): TcpProbe | undefined {
  let best: TcpProbe | undefined;
  let bestScore = 0;
  for (const probe of probes) {
    if (!probe.serverFirst) continue;
    const score = probe.detect(greeting);
    if (score > bestScore || (score === bestScore && score > 0 && probe === expected)) {
      best = probe;
      bestScore = score;
    }
  }
  return best;
}

function context(options: PortRunOptions): ProbeContext {
  return {
    host: options.host,
    port: options.port,
    signal: options.signal,
    timeouts: options.timeouts,
    maxBytes: options.maxBytes,
    log: options.log,
    settings: options.settings,
    connect: () => options.openConnection(),
    connectPort: (port: number) => options.openConnection(port),
  };
}

async function guard(
  options: PortRunOptions,
  protocol: Protocol,
  done: (p: Protocol, s: ProbeStatus, out?: Pick<ProbeOutput, 'fields' | 'banner'>) => PortResult,
  run: () => Promise<ProbeOutput>,
): Promise<PortResult> {
  try {
    const out = await run();
    return done(protocol, out.status, out);
  } catch (error) {
    if (isProbeFailure(error)) return done(protocol, error.status);
    // A bug in a probe costs one service, not the scan.
    options.log.error({ err: error, protocol }, 'probe threw');
    return done(protocol, 'internal-error');
  }
}

/**
 * The engine's bookkeeping fields of a port result: `scan.identified_by` (the probe that
 * identified the service, only when one did) and `scan.probes` (probes spent, at least 1:
 * a banner read is the first probe; follow-up requests included) and `scan.followups`
 * (follow-up requests among them, only when there were some). Signatures may not read them
 * (the loader refuses).
 */
export function bookkeepingFields(result: PortResult): Record<string, string> {
  const fields: Record<string, string> = {};
  // The probe whose protocol the result carries identified it; otherwise (a TLS service
  // with no HTTP inside is recorded as `tls`) the last one run did.
  const by = result.probesTried.includes(result.protocol)
    ? result.protocol
    : result.probesTried.at(-1);
  if (result.status === 'ok' && by !== undefined) fields['scan.identified_by'] = by;
  fields['scan.probes'] = String(Math.max(1, result.probesTried.length));
  // Follow-ups come after the protocol was known: said apart so probe economy can tell
  // "found the protocol" from "asked for the model".
  const followups = result.probesTried.filter((p) => p.endsWith(FOLLOWUP_SUFFIX)).length;
  if (followups > 0) fields['scan.followups'] = String(followups);
  return fields;
}

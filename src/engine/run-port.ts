/**
 * One port, start to finish: connect, let the server speak first, pick the protocol from
 * what it volunteered (SSH on 2323 is SSH), run that probe, and turn every failure into a
 * status. Only a silent TCP port gets an HTTP request; a port that spoke telnet never does.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
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
  /** Opens a rate-limited TCP connection to host:port; rejects with `ProbeFailure`. */
  readonly openConnection: () => Promise<net.Socket>;
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

/** How long to keep listening once the first banner bytes arrived, for the rest of the burst. */
const GREETING_IDLE_MS = 250;

/** Runs one port. Never throws: a thrown error inside a probe becomes `internal-error`. */
export async function runPort(options: PortRunOptions): Promise<PortResult> {
  const started = performance.now();
  const tried: string[] = [];
  const done = (
    protocol: Protocol,
    status: ProbeStatus,
    out?: Pick<ProbeOutput, 'fields' | 'banner'>,
  ): PortResult => ({
    port: options.port,
    transport: options.transport,
    protocol,
    status,
    fields: out?.fields ?? {},
    banner: out?.banner ?? null,
    probesTried: tried,
    elapsedMs: Math.round(performance.now() - started),
  });

  if (options.transport === 'udp') {
    const udp = options.probes.filter((p): p is UdpProbe => p.transport === 'udp');
    const probe = udp.find((p) => p.ports.includes(options.port)) ?? udp[0];
    if (!probe) return done('unknown', 'skipped');
    tried.push(probe.name);
    return guard(options, probe.name, done, () => probe.run(context(options)));
  }

  const tcp = options.probes.filter((p): p is TcpProbe => p.transport === 'tcp');
  const expected = tcp.find((p) => p.ports.includes(options.port));
  let socket: net.Socket;
  try {
    socket = await options.openConnection();
  } catch (error) {
    if (isProbeFailure(error)) return done(expected?.name ?? 'unknown', error.status);
    options.log.error({ err: error }, 'connect failed unexpectedly');
    return done(expected?.name ?? 'unknown', 'internal-error');
  }
  const reader = new BoundedReader(socket, { maxBytes: options.maxBytes, signal: options.signal });
  try {
    // A client-first protocol on its own port (HTTP on 80) goes straight to its probe.
    if (expected && !expected.serverFirst) {
      tried.push(expected.name);
      return await guard(options, expected.name, done, () =>
        expected.run(context(options), { reader, greeting: Buffer.alloc(0) }),
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
      // Silent port: the one case where we speak first, with HTTP.
      const http = tcp.find((p) => !p.serverFirst);
      if (!http) return done(expected?.name ?? 'unknown', 'io-timeout');
      tried.push(http.name);
      return await guard(options, http.name, done, () =>
        http.run(context(options), { reader, greeting }),
      );
    }
    const probe = pickByGreeting(tcp, greeting, expected);
    if (!probe) {
      return done('unknown', 'ok', { fields: {}, banner: greeting.toString('latin1') });
    }
    tried.push(probe.name);
    return await guard(options, probe.name, done, () =>
      probe.run(context(options), { reader, greeting }),
    );
  } finally {
    reader.close();
  }
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
    connect: options.openConnection,
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

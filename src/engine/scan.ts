/**
 * The scan engine: targets in, one {@link HostRecord} out per target, as soon as the host
 * finishes. Owns politeness (global connection rate, global host concurrency, per-host
 * connection cap) and time (a deadline per host that every probe obeys).
 */
import type net from 'node:net';
import pLimit from 'p-limit';
import pino, { type Logger } from 'pino';
import { PROBES } from '../../probes/index.js';
import type { Probe, ProbeSettings, ProbeTimeouts } from '../../probes/types.js';
import type { TargetError } from '../errors.js';
import { ThingscanError } from '../errors.js';
import { planFollowups } from '../match/followup.js';
import { identifyServices } from '../match/identify.js';
import type { ServiceInput } from '../match/matcher.js';
import { connectTcp, isProbeFailure } from '../net/bounded.js';
import { excerpt } from '../output/sanitize.js';
import { loadSignatures } from '../signatures/loader.js';
import type { SignatureLibrary } from '../signatures/model.js';
import type { ExcludeList } from '../targets/exclude.js';
import type { TargetItem } from '../targets/read.js';
import { readTargets } from '../targets/read.js';
import {
  DEVICE_CLASSES,
  type HostRecord,
  type HostStatus,
  SCHEMA_VERSION,
  type ServiceRecord,
} from '../types.js';
import { DEFAULT_PORT_SPEC, DEFAULTS, fieldCapOf } from './defaults.js';
import { type PortSpecItem, parsePortSpec } from './ports.js';
import { TokenBucket } from './rate.js';
import { bookkeepingFields, type PortResult, runPort } from './run-port.js';
import { scanThreaded } from './threads.js';

/** Hands out new-connection tokens: resolves when one is granted, rejects if `signal` aborts. */
export type ConnectionLimiter = Pick<TokenBucket, 'take'>;

/** Options of {@link scan}. Every field is optional; defaults are in `DEFAULTS`. */
export interface ScanOptions {
  /** Ports in Nmap syntax (`21-25,80,U:161`) or a parsed list. Default {@link DEFAULT_PORT_SPEC}. */
  readonly ports?: string | readonly PortSpecItem[];
  /** Probe names to use (default all): e.g. `['telnet', 'ssh']`. */
  readonly probes?: readonly string[];
  /** New connections per second across the scan. */
  readonly rate?: number;
  /**
   * Connection limiter shared beyond this scan (e.g. the fleet's Redis-backed bucket,
   * `src/fleet/`); when given it replaces the local `rate` bucket.
   */
  readonly limiter?: ConnectionLimiter;
  /** Hosts in flight at once. */
  readonly concurrency?: number;
  /** Connections in flight per host. */
  readonly perHost?: number;
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  readonly bannerWaitMs?: number;
  /** Whole-host deadline, ms. */
  readonly hostTimeoutMs?: number;
  /**
   * Wait for a UDP reply, ms (each SNMP attempt; capped by `readTimeoutMs`). Default
   * `DEFAULTS.udpWaitMs`.
   */
  readonly udpWaitMs?: number;
  /** Bytes accepted per connection. */
  readonly maxBytes?: number;
  /** SNMP read community; `null` turns community-based SNMP off. Default `public`. */
  readonly snmpCommunity?: string | null;
  readonly userAgent?: string;
  /** Addresses that get an `excluded` record and no traffic (applied to string targets). */
  readonly exclude?: ExcludeList;
  /** Allow CIDRs/ranges larger than the expansion limit in string targets. */
  readonly allowLarge?: boolean;
  /**
   * Follow-up requests: after a port's first HTTP exchange, GET the vendor-telling paths of
   * signatures it softmatched (at most `DEFAULTS.maxFollowups` per port). Default true.
   */
  readonly followups?: boolean;
  /** Pre-loaded signature library (else loaded from `signaturesDir` or the package). */
  readonly library?: SignatureLibrary;
  readonly signaturesDir?: string;
  /** pino logger (stderr in the CLI); default silent. */
  readonly logger?: Logger;
  /**
   * Stops the scan: no new target is read and hosts not started get no record (a resumed
   * scan picks them up). Hosts in flight keep going for `graceMs`; those still running then
   * are cut short and get status `error`.
   */
  readonly signal?: AbortSignal;
  /** After `signal` aborts, how long hosts in flight may still finish, ms. Default `DEFAULTS.interruptGraceMs`. */
  readonly graceMs?: number;
  /** Called for each bad target line (string input or reader errors). */
  readonly onTargetError?: (error: TargetError) => void;
  /**
   * Worker threads scanning side by side (default 1: this thread). Hosts in flight and the
   * connection rate are split between them; see `threads.ts`.
   */
  readonly threads?: number;
}

/**
 * What can be scanned: target lines (addresses, CIDRs, ranges) or items from `readTargets`.
 * A target item may carry its own `ports` (e.g. the open ports Nmap or masscan found): that
 * host is then scanned on those ports only, instead of `options.ports`.
 */
export type ScanInput =
  | Iterable<string | TargetItem | ScanTarget>
  | AsyncIterable<string | TargetItem | ScanTarget>;

/** A target item with optional per-target ports. */
export type ScanTarget = Extract<TargetItem, { kind: 'target' }> & {
  /** Ports for this host only; default the scan's `ports`. */
  readonly ports?: readonly PortSpecItem[];
};

/** Resolved settings for one scan. */
interface Plan {
  readonly ports: readonly PortSpecItem[];
  readonly probes: readonly Probe[];
  readonly timeouts: ProbeTimeouts;
  readonly settings: ProbeSettings;
  readonly maxBytes: number;
  readonly perHost: number;
  readonly hostTimeoutMs: number;
  /** Wait for a UDP reply (each SNMP attempt), ms: `min(readMs, udpWaitMs)`. */
  readonly udpWaitMs: number;
  readonly bucket: ConnectionLimiter;
  readonly library: SignatureLibrary;
  readonly followups: boolean;
  readonly log: Logger;
}

/** Marker for "the stop signal won the race against the next target". */
const STOPPED = Symbol('stopped');

/**
 * The scan's hard stop, passed on to every host in flight through ONE listener: an
 * EventTarget walks its listener list on every add and remove, and warns past ten, while a
 * scan keeps hundreds of hosts in flight.
 */
class HostStops {
  readonly signal: AbortSignal;
  readonly #hosts = new Set<(reason: unknown) => void>();
  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener(
      'abort',
      () => {
        for (const host of this.#hosts) host(signal.reason);
        this.#hosts.clear();
      },
      { once: true },
    );
  }
  /** Calls `onStop` when the scan stops (at once if it has); returns the unsubscriber. */
  subscribe(onStop: (reason: unknown) => void): () => void {
    if (this.signal.aborted) {
      onStop(this.signal.reason);
      return () => {};
    }
    this.#hosts.add(onStop);
    return () => this.#hosts.delete(onStop);
  }
}

/**
 * Scans targets and yields one record per distinct target, in completion order.
 * Memory stays flat: targets are pulled lazily, at most `concurrency` hosts are in flight.
 */
export async function* scan(
  input: ScanInput,
  options: ScanOptions = {},
): AsyncGenerator<HostRecord> {
  if (options.threads !== undefined && options.threads !== 1) {
    yield* scanThreaded(input, { ...options, threads: options.threads });
    return;
  }
  const plan = makePlan(options);
  const concurrency = positive(options.concurrency ?? DEFAULTS.concurrency, 'concurrency');
  const graceMs = options.graceMs ?? DEFAULTS.interruptGraceMs;
  const limit = pLimit(concurrency);
  const finished: HostRecord[] = [];
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  const waitForRecord = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  const stop = options.signal;
  // Hosts in flight obey `hard`, which aborts one grace period after `stop`.
  const hard = new AbortController();
  const hostStops = stop ? new HostStops(hard.signal) : undefined;
  let graceTimer: NodeJS.Timeout | null = null;
  let stopped: Promise<typeof STOPPED> | null = null;
  if (stop) {
    stopped = new Promise((resolve) => {
      const onStop = (): void => {
        graceTimer = setTimeout(() => hard.abort(stop.reason), graceMs);
        resolve(STOPPED);
        notify();
      };
      if (stop.aborted) onStop();
      else stop.addEventListener('abort', onStop, { once: true });
    });
  }
  let running = 0;

  const start = (ip: string, excluded: boolean, ports?: readonly PortSpecItem[]): void => {
    running++;
    void limit(async () => {
      try {
        // Queued but not started when the scan stopped: no record, a resume scans it.
        if (stop?.aborted) return;
        const record = excluded
          ? excludedRecord(ip, plan)
          : await scanHost(ip, ports ? { ...plan, ports } : plan, hostStops);
        finished.push(record);
      } finally {
        running--;
        notify();
      }
    });
  };

  const iterator = normalizeInput(input, options)[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (stop?.aborted) break;
      // A stop must not wait for the next target line (stdin may stay silent for ever).
      const next = stopped ? await Promise.race([iterator.next(), stopped]) : await iterator.next();
      if (next === STOPPED || next.done) break;
      const item = next.value;
      if (item.kind === 'error') {
        options.onTargetError?.(item.error);
        continue;
      }
      // Per-target ports (from Nmap/masscan/ZMap input) replace the scan's ports.
      start(item.ip, item.excluded, (item as ScanTarget).ports);
      while (finished.length > 0) yield finished.shift() as HostRecord;
      // Backpressure: pull the next target only when a slot is free.
      while (running >= concurrency && !stop?.aborted) {
        await waitForRecord();
        while (finished.length > 0) yield finished.shift() as HostRecord;
      }
    }
    while (running > 0 || finished.length > 0) {
      if (finished.length === 0) await waitForRecord();
      while (finished.length > 0) yield finished.shift() as HostRecord;
    }
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    // Not awaited: a pending read (stdin) would hold the return until the next line.
    void iterator.return?.(undefined)?.catch(() => undefined);
  }
}

/** Scan input as target items: strings are parsed (and checked against `exclude`) here. */
export async function* normalizeInput(
  input: ScanInput,
  options: ScanOptions,
): AsyncGenerator<TargetItem> {
  const iterator = (async function* () {
    yield* input as AsyncIterable<string | TargetItem>;
  })();
  const first = await iterator.next();
  if (first.done) return;
  if (typeof first.value !== 'string') {
    yield first.value;
    for await (const item of iterator) {
      if (typeof item === 'string')
        throw new ThingscanError('E_USAGE', 'scan input mixes strings and target items');
      yield item;
    }
    return;
  }
  // Strings are target lines: one reader for all of them, so duplicates are dropped and
  // line numbers count across the whole input.
  const firstLine = first.value;
  async function* lines(): AsyncGenerator<string> {
    yield firstLine;
    for await (const item of iterator) {
      if (typeof item !== 'string')
        throw new ThingscanError('E_USAGE', 'scan input mixes strings and target items');
      yield item;
    }
  }
  yield* readTargets([{ name: '<targets>', lines: lines() }], {
    exclude: options.exclude,
    allowLarge: options.allowLarge ?? false,
  });
}

function positive(n: number, name: string): number {
  if (!(Number.isFinite(n) && n > 0))
    throw new ThingscanError('E_USAGE', `${name} must be > 0, got ${n}`);
  return n;
}

function makePlan(options: ScanOptions): Plan {
  const ports =
    typeof options.ports === 'string' || options.ports === undefined
      ? parsePortSpec(options.ports ?? DEFAULT_PORT_SPEC)
      : options.ports;
  let probes: readonly Probe[] = PROBES;
  if (options.probes) {
    const wanted = new Set(options.probes);
    for (const name of wanted) {
      if (!PROBES.some((p) => p.name === name)) {
        throw new ThingscanError(
          'E_USAGE',
          `unknown probe '${name}' (known: ${PROBES.map((p) => p.name).join(', ')})`,
        );
      }
    }
    probes = PROBES.filter((p) => wanted.has(p.name));
  }
  const community =
    options.snmpCommunity === undefined ? DEFAULTS.snmpCommunity : options.snmpCommunity;
  return {
    ports,
    probes,
    timeouts: {
      connectMs: positive(options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs, 'connect timeout'),
      readMs: positive(options.readTimeoutMs ?? DEFAULTS.readTimeoutMs, 'read timeout'),
      bannerMs: positive(options.bannerWaitMs ?? DEFAULTS.bannerWaitMs, 'banner wait'),
    },
    settings: { userAgent: options.userAgent ?? DEFAULTS.userAgent, snmpCommunity: community },
    maxBytes: positive(options.maxBytes ?? DEFAULTS.maxBytes, 'max bytes'),
    perHost: positive(options.perHost ?? DEFAULTS.perHost, 'per-host'),
    hostTimeoutMs: positive(options.hostTimeoutMs ?? DEFAULTS.hostTimeoutMs, 'host timeout'),
    udpWaitMs: positive(options.udpWaitMs ?? DEFAULTS.udpWaitMs, 'UDP wait'),
    bucket:
      options.limiter ??
      // Infinity is allowed: no global limit (benches, a lab on loopback).
      new TokenBucket(
        options.rate === Number.POSITIVE_INFINITY
          ? options.rate
          : positive(options.rate ?? DEFAULTS.rate, 'rate'),
      ),
    library:
      options.library ??
      loadSignatures(options.signaturesDir === undefined ? {} : { dir: options.signaturesDir }),
    followups: options.followups ?? true,
    log: options.logger ?? pino({ level: 'silent' }),
  };
}

function baseRecord(ip: string, plan: Plan, startedAt: Date, status: HostStatus): HostRecord {
  return {
    schema: SCHEMA_VERSION,
    ip,
    status,
    iot: null,
    device: null,
    alternatives: [],
    services: [],
    started_at: startedAt.toISOString(),
    elapsed_ms: 0,
    signatures_version: plan.library.version,
  };
}

function excludedRecord(ip: string, plan: Plan): HostRecord {
  return baseRecord(ip, plan, new Date(), 'excluded');
}

/** Statuses meaning "nothing there": such ports are left out of the record. */
const SILENT = new Set(['connection-refused', 'connection-timeout', 'skipped']);

/** Scans one host; never throws (an internal failure becomes status `error`). */
async function scanHost(ip: string, plan: Plan, stops?: HostStops): Promise<HostRecord> {
  const startedAt = new Date();
  const t0 = performance.now();
  // One signal ends the host: its deadline, the scan's stop, or the network saying the
  // whole host is unreachable (EHOSTUNREACH, ENETUNREACH, as a router answers for an
  // address nobody holds: every other port would fail alike, so no more connections are
  // spent on it). Wired by hand: AbortSignal.any costs weak references per host.
  const down = new AbortController();
  const signal = down.signal;
  const deadline = setTimeout(
    () => down.abort(new DOMException('host deadline reached', 'TimeoutError')),
    plan.hostTimeoutMs,
  );
  const unsubscribe = stops?.subscribe((reason) => down.abort(reason));
  // A child logger per host and per port costs an object and bindings each: only when
  // debug lines can be written at all.
  const verbose = plan.log.isLevelEnabled('debug');
  const log = verbose ? plan.log.child({ ip }) : plan.log;
  let connections = 0;
  const connect = async (port: number): Promise<net.Socket> => {
    if (!signal.aborted) connections++;
    try {
      return await connectTcp({ host: ip, port, timeoutMs: plan.timeouts.connectMs, signal });
    } catch (error) {
      if (isProbeFailure(error) && error.hostUnreachable && !signal.aborted) {
        log.debug({ port, reason: error.message }, 'host unreachable: its other ports are skipped');
        down.abort(error);
      }
      throw error;
    }
  };
  try {
    const perHost = pLimit(plan.perHost);
    // UDP first and outside the per-host cap: a UDP exchange holds no connection on the
    // host, and a silent UDP port is the longest wait of a host (SNMP: v2c then v1), so it
    // runs alongside the TCP ports instead of holding one of their slots.
    const udpTimeouts: ProbeTimeouts = {
      ...plan.timeouts,
      readMs: Math.min(plan.timeouts.readMs, plan.udpWaitMs),
    };
    const runUdp = async (p: PortSpecItem): Promise<PortResult> => {
      await plan.bucket.take(signal).catch(() => undefined);
      return runPort({
        host: ip,
        port: p.port,
        transport: p.transport,
        probes: plan.probes,
        timeouts: udpTimeouts,
        maxBytes: plan.maxBytes,
        settings: plan.settings,
        signal,
        log: verbose ? log.child({ port: p.port, transport: p.transport }) : log,
        // No TCP to the UDP port itself; another port of the same host is allowed (the UPnP
        // description an SSDP reply names), rate-limited like every connection.
        openConnection: async (port?: number) => {
          if (port === undefined) throw new Error('no TCP connection for a UDP port');
          await plan.bucket.take(signal).catch(() => undefined);
          return connect(port);
        },
      });
    };
    // Planned on the fields as they will be matched (capped), so the plan and the verdict agree.
    const followup = plan.followups
      ? (fields: Readonly<Record<string, string>>) => planFollowups(plan.library, capFields(fields))
      : undefined;
    const udpRuns = new Map<PortSpecItem, Promise<PortResult>>();
    for (const p of plan.ports) if (p.transport === 'udp') udpRuns.set(p, runUdp(p));
    const results = await Promise.all(
      plan.ports.map(
        (p) =>
          udpRuns.get(p) ??
          perHost(async (): Promise<PortResult> => {
            // `port` defaults to this port; another port is the same host only (SSDP LOCATION).
            const openConnection = async (port = p.port) => {
              await plan.bucket.take(signal).catch(() => undefined);
              return connect(port);
            };
            return runPort({
              host: ip,
              port: p.port,
              transport: p.transport,
              probes: plan.probes,
              timeouts: plan.timeouts,
              maxBytes: plan.maxBytes,
              settings: plan.settings,
              signal,
              log: verbose ? log.child({ port: p.port, transport: p.transport }) : log,
              openConnection,
              ...(followup ? { followup } : {}),
            });
          }),
      ),
    );
    const answered = results.filter(
      (r) => !SILENT.has(r.status) && !(r.transport === 'udp' && r.status === 'io-timeout'),
    );
    const inputs: ServiceInput[] = answered.map((r) => ({
      port: r.port,
      transport: r.transport,
      protocol: r.protocol,
      fields: { ...capFields(r.fields), ...bookkeepingFields(r) },
    }));
    const verdict = identifyServices(plan.library, inputs);
    const services: ServiceRecord[] = answered.map((r, i) => {
      const label = verdict.services[i];
      return {
        port: r.port,
        transport: r.transport,
        protocol: r.protocol,
        status: r.status,
        product: label?.product ?? null,
        vendor: label?.vendor ?? null,
        version: label?.version ?? null,
        banner: r.banner === null ? null : excerpt(r.banner, DEFAULTS.bannerCap),
        fields: (inputs[i] as ServiceInput).fields,
        matches: label?.matches ?? [],
        elapsed_ms: r.elapsedMs,
      };
    });
    const device = verdict.device;
    let status: HostStatus;
    if (device) status = 'identified';
    else if (services.some((s) => s.status === 'ok')) status = 'unidentified';
    else if (services.length > 0 && services.every((s) => s.status === 'internal-error'))
      status = 'error';
    else if (services.length > 0) status = 'unidentified';
    else status = 'no-response';
    // Cut short by an interrupted scan: what it saw is kept, but the verdict is incomplete.
    if (stops?.signal.aborted) status = 'error';
    if (verbose) log.debug({ status, connections }, 'host done');
    return {
      ...baseRecord(ip, plan, startedAt, status),
      iot: device ? DEVICE_CLASSES[device.class] : null,
      device,
      alternatives: verdict.alternatives,
      services,
      elapsed_ms: Math.round(performance.now() - t0),
    };
  } catch (error) {
    log.error({ err: error }, 'host scan failed');
    return {
      ...baseRecord(ip, plan, startedAt, 'error'),
      elapsed_ms: Math.round(performance.now() - t0),
    };
  } finally {
    clearTimeout(deadline);
    unsubscribe?.();
  }
}

function capFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const cap = fieldCapOf(k);
    out[k] = v.length > cap ? v.slice(0, cap) : v;
  }
  return out;
}

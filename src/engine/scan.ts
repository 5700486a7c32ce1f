/**
 * The scan engine: targets in, one {@link HostRecord} out per target, as soon as the host
 * finishes. Owns politeness (global connection rate, global host concurrency, per-host
 * connection cap) and time (a deadline per host that every probe obeys).
 */
import pLimit from 'p-limit';
import pino, { type Logger } from 'pino';
import { PROBES } from '../../probes/index.js';
import type { Probe, ProbeSettings, ProbeTimeouts } from '../../probes/types.js';
import type { TargetError } from '../errors.js';
import { ThingscanError } from '../errors.js';
import { identifyServices } from '../match/identify.js';
import type { ServiceInput } from '../match/matcher.js';
import { connectTcp } from '../net/bounded.js';
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
import { DEFAULT_PORT_SPEC, DEFAULTS } from './defaults.js';
import { type PortSpecItem, parsePortSpec } from './ports.js';
import { TokenBucket } from './rate.js';
import { type PortResult, runPort } from './run-port.js';

/** Options of {@link scan}. Every field is optional; defaults are in `DEFAULTS`. */
export interface ScanOptions {
  /** Ports in Nmap syntax (`21-25,80,U:161`) or a parsed list. Default {@link DEFAULT_PORT_SPEC}. */
  readonly ports?: string | readonly PortSpecItem[];
  /** Probe names to use (default all): e.g. `['telnet', 'ssh']`. */
  readonly probes?: readonly string[];
  /** New connections per second across the scan. */
  readonly rate?: number;
  /** Hosts in flight at once. */
  readonly concurrency?: number;
  /** Connections in flight per host. */
  readonly perHost?: number;
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  readonly bannerWaitMs?: number;
  /** Whole-host deadline, ms. */
  readonly hostTimeoutMs?: number;
  /** Bytes accepted per connection. */
  readonly maxBytes?: number;
  /** SNMP read community; `null` turns community-based SNMP off. Default `public`. */
  readonly snmpCommunity?: string | null;
  readonly userAgent?: string;
  /** Addresses that get an `excluded` record and no traffic (applied to string targets). */
  readonly exclude?: ExcludeList;
  /** Allow CIDRs/ranges larger than the expansion limit in string targets. */
  readonly allowLarge?: boolean;
  /** Pre-loaded signature library (else loaded from `signaturesDir` or the package). */
  readonly library?: SignatureLibrary;
  readonly signaturesDir?: string;
  /** pino logger (stderr in the CLI); default silent. */
  readonly logger?: Logger;
  /** Stops the scan: hosts not started get no record; hosts in flight finish as `error`/partial. */
  readonly signal?: AbortSignal;
  /** Called for each bad target line (string input or reader errors). */
  readonly onTargetError?: (error: TargetError) => void;
}

/** What can be scanned: target lines (addresses, CIDRs, ranges) or items from `readTargets`. */
export type ScanInput = Iterable<string | TargetItem> | AsyncIterable<string | TargetItem>;

/** Resolved settings for one scan. */
interface Plan {
  readonly ports: readonly PortSpecItem[];
  readonly probes: readonly Probe[];
  readonly timeouts: ProbeTimeouts;
  readonly settings: ProbeSettings;
  readonly maxBytes: number;
  readonly perHost: number;
  readonly hostTimeoutMs: number;
  readonly bucket: TokenBucket;
  readonly library: SignatureLibrary;
  readonly log: Logger;
}

/**
 * Scans targets and yields one record per distinct target, in completion order.
 * Memory stays flat: targets are pulled lazily, at most `concurrency` hosts are in flight.
 */
export async function* scan(
  input: ScanInput,
  options: ScanOptions = {},
): AsyncGenerator<HostRecord> {
  const plan = makePlan(options);
  const concurrency = positive(options.concurrency ?? DEFAULTS.concurrency, 'concurrency');
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

  const start = (ip: string, excluded: boolean): void => {
    void limit(async () => {
      const record = excluded ? excludedRecord(ip, plan) : await scanHost(ip, plan, stop);
      finished.push(record);
      notify();
    });
  };

  for await (const item of normalize(input, options)) {
    if (stop?.aborted) break;
    if (item.kind === 'error') {
      options.onTargetError?.(item.error);
      continue;
    }
    start(item.ip, item.excluded);
    while (finished.length > 0) yield finished.shift() as HostRecord;
    // Backpressure: pull the next target only when a slot is free.
    while (limit.activeCount + limit.pendingCount >= concurrency) {
      await waitForRecord();
      while (finished.length > 0) yield finished.shift() as HostRecord;
    }
  }
  while (limit.activeCount + limit.pendingCount > 0 || finished.length > 0) {
    if (finished.length === 0) await waitForRecord();
    while (finished.length > 0) yield finished.shift() as HostRecord;
  }
}

async function* normalize(input: ScanInput, options: ScanOptions): AsyncGenerator<TargetItem> {
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
    bucket: new TokenBucket(positive(options.rate ?? DEFAULTS.rate, 'rate')),
    library:
      options.library ??
      loadSignatures(options.signaturesDir === undefined ? {} : { dir: options.signaturesDir }),
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
export async function scanHost(ip: string, plan: Plan, stop?: AbortSignal): Promise<HostRecord> {
  const startedAt = new Date();
  const t0 = performance.now();
  const signal = stop
    ? AbortSignal.any([stop, AbortSignal.timeout(plan.hostTimeoutMs)])
    : AbortSignal.timeout(plan.hostTimeoutMs);
  const log = plan.log.child({ ip });
  try {
    const perHost = pLimit(plan.perHost);
    const results = await Promise.all(
      plan.ports.map((p) =>
        perHost(async (): Promise<PortResult> => {
          const openConnection = async () => {
            await plan.bucket.take(signal).catch(() => undefined);
            return connectTcp({
              host: ip,
              port: p.port,
              timeoutMs: plan.timeouts.connectMs,
              signal,
            });
          };
          if (p.transport === 'udp') await plan.bucket.take(signal).catch(() => undefined);
          return runPort({
            host: ip,
            port: p.port,
            transport: p.transport,
            probes: plan.probes,
            timeouts: plan.timeouts,
            maxBytes: plan.maxBytes,
            settings: plan.settings,
            signal,
            log: log.child({ port: p.port, transport: p.transport }),
            openConnection,
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
      fields: capFields(r.fields),
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
  }
}

function capFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const cap = k === 'http.body' ? DEFAULTS.bodyCap : DEFAULTS.fieldCap;
    out[k] = v.length > cap ? v.slice(0, cap) : v;
  }
  return out;
}

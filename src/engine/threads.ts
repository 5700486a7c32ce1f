/**
 * The scan on several cores: `scan(input, { threads: N })` runs N worker threads, each a
 * plain {@link scan} over its share of the hosts, and merges their records.
 *
 * Why threads at all: at thousands of connections a second one Node thread is CPU-bound
 * (sockets, TLS, SSH, HTTP parsing, records; see `npm run bench -- scan`), not waiting on
 * the network. Matching alone is cheap; the whole per-host pipeline is what needs cores.
 *
 * Division of labour:
 * - this thread reads and parses the targets (errors, exclusions and `--resume` stay here),
 *   hands each host to the least busy worker, and yields records in completion order;
 * - a host belongs to one worker, so the per-host connection cap holds as in one thread;
 *   the hosts-in-flight budget and the connection rate are split evenly between workers,
 *   so their sums are the configured figures;
 * - each worker loads the signature library itself from its folder (`library.root` when a
 *   library object was given): compiled regexes cannot cross threads.
 *
 * Not supported with threads > 1: an external `limiter` (the fleet's Redis bucket: scale a
 * fleet with more worker processes instead), which is refused with a usage error.
 */
import { Worker } from 'node:worker_threads';
import { ThingscanError, type ThingscanErrorCode } from '../errors.js';
import type { HostRecord } from '../types.js';
import { DEFAULT_PORT_SPEC, DEFAULTS } from './defaults.js';
import { parsePortSpec } from './ports.js';
import { normalizeInput, type ScanInput, type ScanOptions, type ScanTarget } from './scan.js';

/** What a worker is started with: the serializable part of {@link ScanOptions}. */
export interface ThreadInit {
  readonly options: Omit<
    ScanOptions,
    | 'library'
    | 'limiter'
    | 'logger'
    | 'signal'
    | 'onTargetError'
    | 'exclude'
    | 'threads'
    | 'allowLarge'
  >;
  /** pino level for the worker's own logger (stderr). */
  readonly logLevel: string;
}

/** Messages from this thread to a worker. */
export type ToWorker =
  | {
      readonly kind: 'target';
      readonly ip: string;
      readonly excluded: boolean;
      readonly ports?: ScanTarget['ports'];
    }
  | { readonly kind: 'end' }
  | { readonly kind: 'stop' };

/** Messages from a worker to this thread. */
export type FromWorker =
  | { readonly kind: 'record'; readonly record: HostRecord }
  | { readonly kind: 'done' }
  | { readonly kind: 'fatal'; readonly code: ThingscanErrorCode; readonly message: string };

const WORKER_URL = new URL('./thread-worker.js', import.meta.url);

/** {@link scan} over `threads` worker threads (see the file header). */
export async function* scanThreaded(
  input: ScanInput,
  options: ScanOptions & { readonly threads: number },
): AsyncGenerator<HostRecord> {
  const threads = options.threads;
  if (!(Number.isInteger(threads) && threads >= 1)) {
    throw new ThingscanError('E_USAGE', `threads must be a whole number ≥ 1, got ${threads}`);
  }
  if (options.limiter) {
    throw new ThingscanError(
      'E_USAGE',
      'a shared connection limiter (fleet) cannot be split across threads: use one thread per worker process',
    );
  }
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  if (!(Number.isFinite(concurrency) && concurrency >= threads)) {
    throw new ThingscanError(
      'E_USAGE',
      `concurrency (${concurrency}) must be at least the number of threads (${threads})`,
    );
  }
  const rate = options.rate ?? DEFAULTS.rate;
  const share = Math.floor(concurrency / threads);
  const signaturesDir = options.library?.root ?? options.signaturesDir;
  const init: ThreadInit = {
    options: {
      ...(signaturesDir === undefined ? {} : { signaturesDir }),
      ...pickSerializable(options),
      // Parsed here once, so a bad port spec fails before any worker starts.
      ports:
        typeof options.ports === 'string' || options.ports === undefined
          ? parsePortSpec(options.ports ?? DEFAULT_PORT_SPEC)
          : options.ports,
      concurrency: share,
      rate: rate === Number.POSITIVE_INFINITY ? rate : rate / threads,
    },
    logLevel: options.logger?.level ?? 'silent',
  };

  const finished: HostRecord[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  const waitForNews = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });

  const outstanding: number[] = new Array<number>(threads).fill(0);
  const done: boolean[] = new Array<boolean>(threads).fill(false);
  const workers = Array.from({ length: threads }, (_, i) => {
    const worker = new Worker(WORKER_URL, {
      workerData: init,
      resourceLimits: { maxYoungGenerationSizeMb: 3 * DEFAULTS.semiSpaceMb },
    });
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'record') {
        outstanding[i] = (outstanding[i] ?? 1) - 1;
        finished.push(m.record);
      } else if (m.kind === 'done') {
        done[i] = true;
      } else {
        failure ??= new ThingscanError(m.code, m.message);
      }
      notify();
    });
    worker.on('error', (error) => {
      failure ??= new ThingscanError('E_INTERNAL', `scan thread ${i} failed: ${error.message}`, {
        cause: error,
      });
      notify();
    });
    worker.on('exit', (code) => {
      if (!done[i]) {
        failure ??= new ThingscanError('E_INTERNAL', `scan thread ${i} exited (${code})`);
        done[i] = true;
      }
      notify();
    });
    return worker;
  });
  const broadcast = (message: ToWorker): void => {
    for (const w of workers) w.postMessage(message);
  };

  const stop = options.signal;
  let stopping = false;
  const onStop = (): void => {
    if (stopping) return;
    stopping = true;
    broadcast({ kind: 'stop' });
    notify();
  };
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });

  const iterator = normalizeInput(input, options)[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (failure) throw failure;
      if (stopping) break;
      const next = await iterator.next();
      if (next.done || stopping) break;
      const item = next.value;
      if (item.kind === 'error') {
        options.onTargetError?.(item.error);
        continue;
      }
      // The least busy worker takes the host; when every worker is full, wait for a record.
      for (;;) {
        while (finished.length > 0) yield finished.shift() as HostRecord;
        if (failure) throw failure;
        let best = 0;
        for (let i = 1; i < threads; i++) {
          if ((outstanding[i] ?? 0) < (outstanding[best] ?? 0)) best = i;
        }
        if ((outstanding[best] ?? 0) < share || stopping) {
          if (!stopping) {
            outstanding[best] = (outstanding[best] ?? 0) + 1;
            const target = item as ScanTarget;
            workers[best]?.postMessage({
              kind: 'target',
              ip: target.ip,
              excluded: target.excluded,
              ...(target.ports ? { ports: target.ports } : {}),
            } satisfies ToWorker);
          }
          break;
        }
        await waitForNews();
      }
    }
    broadcast({ kind: 'end' });
    while (!done.every(Boolean) || finished.length > 0) {
      while (finished.length > 0) yield finished.shift() as HostRecord;
      if (failure) throw failure;
      if (!done.every(Boolean)) await waitForNews();
    }
    if (failure) throw failure;
  } finally {
    stop?.removeEventListener('abort', onStop);
    void iterator.return?.(undefined)?.catch(() => undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The options a worker can receive as they are (plain data). */
function pickSerializable(options: ScanOptions): ThreadInit['options'] {
  const {
    library: _library,
    limiter: _limiter,
    logger: _logger,
    signal: _signal,
    onTargetError: _onTargetError,
    exclude: _exclude,
    threads: _threads,
    allowLarge: _allowLarge,
    ...rest
  } = options;
  return rest;
}

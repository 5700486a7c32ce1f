/**
 * `worker`, the library side: take batches from the queue, scan them with the engine, and
 * write each record to the scan's Redis stream before the batch is acknowledged.
 *
 * Exactly once per (scan id, IP): a record is written by one Lua script that adds the IP
 * to the scan's `done` set and appends the record to the stream only if the IP was new.
 * A retried batch (worker killed, lock lost) first drops the IPs already done, so it
 * neither duplicates a record nor sends traffic to those hosts again.
 *
 * Redis is the source of truth. When it goes away, the worker stops granting connection
 * tokens (see `rate.ts`); if it stays away longer than `redisGraceMs` the worker gives up
 * with an `E_IO` error. The batch in flight is not acknowledged, so it stays in the queue
 * and is retried (BullMQ's stalled-job check) once Redis is back; records already
 * written stay written.
 */
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { scan } from '../engine/scan.js';
import type { ThingscanError } from '../errors.js';
import { formatNdjson } from '../output/ndjson.js';
import type { SignatureLibrary } from '../signatures/model.js';
import type { TargetItem } from '../targets/read.js';
import { WORKER_DEFAULTS } from './defaults.js';
import { checkBatchJob, scanOptionsOf } from './jobs.js';
import { QUEUE_NAME, rateKey, scanKeys, seenKey } from './keys.js';
import { RedisTokenBucket } from './rate.js';
import { connectRedis, redactUrl, redisError } from './redis.js';

/**
 * Writes one record once. KEYS[1] done set, KEYS[2] stream, KEYS[3] rescan-cache key;
 * ARGV[1] ip, ARGV[2] record JSON, ARGV[3] scan id, ARGV[4] cache TTL s (0 = none).
 * Returns 1 when written, 0 when the IP already had its record.
 */
const WRITE_SCRIPT = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('XADD', KEYS[2], '*', 'ip', ARGV[1], 'record', ARGV[2])
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
end
return 1
`;

interface StoreClient extends Redis {
  thingscanWrite(...args: Array<string | number>): Promise<number>;
}

/** Options of {@link startFleetWorker}. */
export interface FleetWorkerOptions {
  /** Redis URL. */
  readonly url: string;
  /** Key prefix shared with `enqueue` and `collect`. */
  readonly prefix: string;
  readonly concurrency?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly redisGraceMs?: number;
  readonly library: SignatureLibrary;
  /**
   * pino logger; events `batch-start`, `record` (debug), `batch-done` (with `late`: rate
   * grants renewed because the worker was late for them), `batch-failed` (with `final`).
   */
  readonly logger?: Logger;
  /** Also receives each record written (the local NDJSON copy), line without newline. */
  readonly sink?: (line: string) => Promise<void>;
}

/** How a worker ended. */
export type WorkerEnd =
  | { readonly kind: 'stopped'; readonly records: number; readonly batches: number }
  | { readonly kind: 'redis-lost'; readonly error: ThingscanError; readonly records: number };

/** A running worker. */
export interface FleetWorker {
  /** Settles when the worker has ended, by `stop()` or by losing Redis. */
  readonly ended: Promise<WorkerEnd>;
  /** Takes no new batch, lets batches in flight finish, disconnects. */
  stop(): Promise<WorkerEnd>;
  /**
   * Ends now: batches in flight are dropped unacknowledged (another worker retries them
   * after the lock expires; their records already written stay).
   */
  kill(): Promise<WorkerEnd>;
}

/**
 * Connects to Redis and starts consuming batches.
 *
 * @throws ThingscanError `E_IO` when Redis is unreachable at start.
 */
export async function startFleetWorker(options: FleetWorkerOptions): Promise<FleetWorker> {
  const log = options.logger ?? pino({ level: 'silent' });
  const grace = options.redisGraceMs ?? WORKER_DEFAULTS.redisGraceMs;
  const store = (await connectRedis(options.url, 'fail-fast')) as StoreClient;
  let bull: Redis;
  try {
    bull = await connectRedis(options.url, 'bullmq');
  } catch (error) {
    store.disconnect();
    throw error;
  }
  store.defineCommand('thingscanWrite', { numberOfKeys: 3, lua: WRITE_SCRIPT });

  let records = 0;
  let batches = 0;
  let downSince: number | null = null;
  let lastError: unknown = null;
  const inFlight = new Set<AbortController>();
  let settle: (end: WorkerEnd) => void = () => undefined;
  const ended = new Promise<WorkerEnd>((resolve) => {
    settle = resolve;
  });
  let ending = false;

  // A failed command while the connection is up (a script error) is not an outage.
  const noteDown = (error: unknown): void => {
    lastError = error;
    if (store.status !== 'ready') downSince ??= Date.now();
  };
  store.on('close', () => noteDown(new Error('connection closed')));
  store.on('error', (e: unknown) => noteDown(e));
  store.on('ready', () => {
    if (downSince !== null) log.warn({ event: 'redis-back' }, 'Redis is reachable again');
    downSince = null;
  });

  const processor = async (job: Job): Promise<{ written: number; skipped: number }> => {
    const data = checkBatchJob(job.data);
    const s = data.settings;
    const keys = scanKeys(options.prefix, data.scanId);
    const excluded = new Set(data.excluded);
    let todo = data.targets;
    if (todo.length > 0) {
      let flags: number[];
      try {
        flags = await store.smismember(keys.done, ...todo);
      } catch (error) {
        noteDown(error);
        throw redisError(options.url, `reading done set of batch ${job.id}`, error);
      }
      todo = todo.filter((_, i) => flags[i] !== 1);
    }
    log.info(
      {
        event: 'batch-start',
        job: job.id,
        scan: data.scanId,
        targets: data.targets.length,
        already: data.targets.length - todo.length,
      },
      'batch started',
    );
    const abort = new AbortController();
    inFlight.add(abort);
    const limiter = new RedisTokenBucket(
      store,
      rateKey(options.prefix),
      s.rate,
      s.burst ?? undefined,
      noteDown,
    );
    const items: TargetItem[] = todo.map((ip) => ({
      kind: 'target',
      ip,
      excluded: excluded.has(ip),
    }));
    let written = 0;
    try {
      for await (const record of scan(items, {
        ...scanOptionsOf(s),
        limiter,
        library: options.library,
        logger: log,
        // Ending the worker cuts hosts in flight short; their records are not written.
        signal: abort.signal,
        graceMs: 0,
      })) {
        // Redis lost for good: stop here; the batch stays unacknowledged and is retried.
        if (abort.signal.aborted) throw abort.signal.reason;
        const line = formatNdjson(record);
        let wrote: number;
        try {
          wrote = await store.thingscanWrite(
            keys.done,
            keys.records,
            seenKey(options.prefix, record.ip),
            record.ip,
            line,
            data.scanId,
            record.status === 'excluded' ? 0 : s.rescanAfterS,
          );
        } catch (error) {
          noteDown(error);
          throw redisError(
            options.url,
            `writing the record of ${record.ip} (batch ${job.id})`,
            error,
          );
        }
        if (wrote === 1) {
          written++;
          records++;
          await options.sink?.(line);
        }
        log.debug({ event: 'record', job: job.id, ip: record.ip, written: wrote === 1 }, 'record');
      }
    } finally {
      inFlight.delete(abort);
    }
    batches++;
    log.info(
      { event: 'batch-done', job: job.id, scan: data.scanId, written, late: limiter.renewed },
      'batch done',
    );
    return { written, skipped: data.targets.length - todo.length };
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: bull,
    prefix: options.prefix,
    concurrency: options.concurrency ?? WORKER_DEFAULTS.concurrency,
    lockDuration: options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? WORKER_DEFAULTS.stalledIntervalMs,
    // A batch whose workers keep dying is retried this many times before it is failed
    // (and kept in the failed set for inspection), not after the first death.
    maxStalledCount: 8,
  });
  worker.on('error', (error) => noteDown(error));
  worker.on('failed', (job, error) => {
    // BullMQ sets `finishedOn` when the job went to the failed set instead of a retry.
    const final = typeof job?.finishedOn === 'number';
    log.warn(
      { event: 'batch-failed', job: job?.id, final, err: error.message },
      final
        ? 'batch failed for good (collect reports it; enqueue --retry-failed puts it back)'
        : 'batch failed; BullMQ retries it',
    );
  });

  const disconnect = (): void => {
    store.disconnect();
    bull.disconnect();
  };

  // The watchdog: Redis away for longer than the grace period ends the worker.
  const watchdog = setInterval(() => {
    if (store.status === 'ready') downSince = null;
    if (ending || downSince === null || Date.now() - downSince < grace) return;
    ending = true;
    clearInterval(watchdog);
    const error = redisError(
      options.url,
      `the scan (unreachable for ${Math.round((Date.now() - downSince) / 1000)} s; batches in flight stay in the queue and are retried, records written stay)`,
      lastError,
    );
    log.error({ event: 'redis-lost', url: redactUrl(options.url) }, error.message);
    for (const c of inFlight) c.abort(error);
    // Closing talks to Redis, which is gone: do not wait on it for long.
    void Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 1_000).unref())])
      .catch(() => undefined)
      .finally(() => {
        disconnect();
        settle({ kind: 'redis-lost', error, records });
      });
  }, 250);

  const stop = async (): Promise<WorkerEnd> => {
    if (!ending) {
      ending = true;
      clearInterval(watchdog);
      await worker.close();
      disconnect();
      settle({ kind: 'stopped', records, batches });
    }
    return ended;
  };
  const kill = async (): Promise<WorkerEnd> => {
    ending = true;
    clearInterval(watchdog);
    for (const c of inFlight) c.abort(new Error('worker killed'));
    await Promise.race([
      worker.close(true),
      new Promise((r) => setTimeout(r, 1_000).unref()),
    ]).catch(() => undefined);
    disconnect();
    settle({ kind: 'stopped', records, batches });
    return ended;
  };
  return { ended, stop, kill };
}

/**
 * `collect`, the library side: drain a scan's record stream in order, as NDJSON lines.
 * The stream holds one entry per (scan id, IP) by construction (see `worker.ts`), so the
 * lines come out exactly once each; progress compares records to the enqueued count and
 * counts the batches that failed for good (see `failed.ts`), whose targets will get no
 * record unless someone re-enqueues them.
 */
import type { Redis } from 'ioredis';
import { type FailedBatch, failedBatches } from './failed.js';
import { scanKeys } from './keys.js';

/** Progress of a scan as `collect` sees it. */
export interface CollectProgress {
  /** Records read from the stream by this collect. */
  readonly collected: number;
  /** Records written by the workers (size of the `done` set). */
  readonly done: number;
  /** Targets enqueued under the scan id. */
  readonly enqueued: number;
  /** True once `enqueue` finished: `enqueued` is final. */
  readonly sealed: boolean;
  /** Batches that failed for good (BullMQ's failed set): nobody retries them by itself. */
  readonly failed: readonly FailedBatch[];
  /** Targets of those batches without a record. */
  readonly failedTargets: number;
}

/** Options of {@link collectRecords}. */
export interface CollectOptions {
  /** A dedicated fail-fast client (a blocking read occupies its connection). */
  readonly redis: Redis;
  readonly prefix: string;
  readonly scanId: string;
  /**
   * Keep reading until every enqueued target has its record or is in a batch that failed
   * for good (enqueue sealed).
   */
  readonly follow: boolean;
  /** Receives each record line (no newline), in stream order. */
  readonly write: (line: string) => Promise<void>;
  /** Called after each drained chunk and at the end. */
  readonly onProgress?: (progress: CollectProgress) => void;
  /** Stops a follow; what was read is kept. */
  readonly signal?: AbortSignal;
  /** Block time of one read while following, ms. Default 1000. */
  readonly blockMs?: number;
}

const CHUNK = 500;

/** Drains the stream; resolves with the final progress. Redis errors reject. */
export async function collectRecords(options: CollectOptions): Promise<CollectProgress> {
  const { redis } = options;
  const keys = scanKeys(options.prefix, options.scanId);
  let lastId = '0-0';
  let collected = 0;
  const progress = async (): Promise<CollectProgress> => {
    const [meta, done, failed] = await Promise.all([
      redis.hmget(keys.meta, 'enqueued', 'sealed'),
      redis.scard(keys.done),
      failedBatches(redis, options.prefix, options.scanId),
    ]);
    return {
      collected,
      done,
      enqueued: Number(meta[0] ?? 0),
      sealed: meta[1] === '1',
      failed,
      failedTargets: failed.reduce((n, f) => n + f.missing, 0),
    };
  };
  for (;;) {
    // Drain what is there.
    for (;;) {
      const entries = await redis.xrange(keys.records, `(${lastId}`, '+', 'COUNT', CHUNK);
      for (const [id, fields] of entries) {
        lastId = id;
        const i = fields.indexOf('record');
        const line = i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
        if (line === undefined) continue;
        collected++;
        await options.write(line);
      }
      if (entries.length < CHUNK) break;
    }
    const p = await progress();
    options.onProgress?.(p);
    if (!options.follow || options.signal?.aborted) return p;
    // Every target has its record, or never will (its batch failed for good).
    if (p.sealed && collected + p.failedTargets >= p.enqueued) return p;
    // Wait for new entries (or a timeout, to re-check the counts and the signal).
    await redis.xread(
      'COUNT',
      1,
      'BLOCK',
      options.blockMs ?? 1_000,
      'STREAMS',
      keys.records,
      lastId,
    );
  }
}

/**
 * `enqueue`, the library side: read targets, drop those another scan covered within the
 * rescan TTL, and push the rest in batches onto the queue.
 *
 * Idempotent per scan id: batch n of scan S is job `S.b<n>`, the per-batch count is
 * recorded once (HSETNX) and the rescan-cache keys hold the scan id that claimed them, so
 * enqueueing the same input twice under the same id adds no job and counts nothing twice.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TargetError } from '../errors.js';
import type { TargetItem } from '../targets/read.js';
import { type BatchJob, type FleetScanSettings, JOB_VERSION } from './jobs.js';
import { batchJobId, QUEUE_NAME, scanKeys, seenKey } from './keys.js';

/**
 * Claims addresses for a scan. KEYS = rescan-cache keys; ARGV[1] scan id, ARGV[2] TTL s.
 * Returns 1 per key free or already held by this scan (claimed now), 0 when another scan
 * covered the address within the TTL.
 */
const CLAIM_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == false then
    redis.call('SET', key, ARGV[1], 'EX', ARGV[2])
    out[i] = 1
  elseif holder == ARGV[1] then
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`;

/** Counts a batch once. KEYS[1] batches hash, KEYS[2] meta; ARGV[1] batch n, ARGV[2] size. */
const COUNT_SCRIPT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'enqueued', ARGV[2])
  redis.call('HINCRBY', KEYS[2], 'batches', 1)
  return 1
end
return 0
`;

interface EnqueueClient extends Redis {
  thingscanClaim(...args: Array<string | number>): Promise<number[]>;
  thingscanCount(...args: Array<string | number>): Promise<number>;
}

/** Options of {@link enqueueTargets}. */
export interface EnqueueOptions {
  /** A fail-fast client (see `connectRedis`). */
  readonly redis: Redis;
  /** The batch queue (`QUEUE_NAME`, same prefix). */
  readonly queue: Queue;
  /** Key prefix shared with the workers and `collect`. */
  readonly prefix: string;
  readonly scanId: string;
  /** Addresses per batch (≥ 1). */
  readonly batchSize: number;
  /** Scan settings for every batch; `rescanAfterS` 0 turns the rescan cache off. */
  readonly settings: FleetScanSettings;
  /** Told about each bad target line; reading goes on. */
  readonly onTargetError?: (error: TargetError) => void;
}

/** What {@link enqueueTargets} did. */
export interface EnqueueResult {
  /** Distinct addresses read. */
  readonly read: number;
  /** Addresses skipped because another scan covered them within the TTL. */
  readonly cached: number;
  /** Addresses in batches of this run. */
  readonly queued: number;
  /** Batches of this run. */
  readonly batches: number;
  /** Batches that were new (not already enqueued under this scan id). */
  readonly newBatches: number;
  /** Targets recorded for the scan id (all runs): the denominator of `collect`'s progress. */
  readonly enqueuedTotal: number;
}

/** Job options: retried after failures, kept long enough for a re-enqueue to see them. */
const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 86_400 },
  removeOnFail: false,
} as const;

/** Reads `items` and queues them in batches; bad lines go to `onTargetError`. */
export async function enqueueTargets(
  items: AsyncIterable<TargetItem> | Iterable<TargetItem>,
  options: EnqueueOptions,
): Promise<EnqueueResult> {
  const redis = options.redis as EnqueueClient;
  if (!redis.thingscanClaim) {
    redis.defineCommand('thingscanClaim', { lua: CLAIM_SCRIPT });
    redis.defineCommand('thingscanCount', { numberOfKeys: 2, lua: COUNT_SCRIPT });
  }
  const keys = scanKeys(options.prefix, options.scanId);
  const ttl = options.settings.rescanAfterS;
  let read = 0;
  let cached = 0;
  let queued = 0;
  let batches = 0;
  let newBatches = 0;
  let pending: Array<{ ip: string; excluded: boolean }> = [];

  const flush = async (): Promise<void> => {
    const candidates = pending;
    pending = [];
    let kept = candidates;
    const toClaim = candidates.filter((c) => !c.excluded);
    if (ttl > 0 && toClaim.length > 0) {
      const claimed = await redis.thingscanClaim(
        toClaim.length,
        ...toClaim.map((c) => seenKey(options.prefix, c.ip)),
        options.scanId,
        ttl,
      );
      const lost = new Set(toClaim.filter((_, i) => claimed[i] !== 1).map((c) => c.ip));
      cached += lost.size;
      kept = candidates.filter((c) => !lost.has(c.ip));
    }
    if (kept.length === 0) return;
    const n = batches++;
    const job: BatchJob = {
      v: JOB_VERSION,
      scanId: options.scanId,
      batch: n,
      targets: kept.map((c) => c.ip),
      excluded: kept.filter((c) => c.excluded).map((c) => c.ip),
      settings: options.settings,
    };
    // Count first, then add: a crash in between leaves a count with no job, which a
    // re-run of the same enqueue repairs (the job id is the same); never a job uncounted.
    if ((await redis.thingscanCount(keys.batches, keys.meta, n, kept.length)) === 1) newBatches++;
    await options.queue.add('batch', job, { ...JOB_OPTIONS, jobId: batchJobId(options.scanId, n) });
    queued += kept.length;
  };

  for await (const item of items) {
    if (item.kind === 'error') {
      options.onTargetError?.(item.error);
      continue;
    }
    read++;
    pending.push({ ip: item.ip, excluded: item.excluded });
    if (pending.length >= options.batchSize) await flush();
  }
  if (pending.length > 0) await flush();
  // Sealed: the enqueued count is final, `collect --follow` may stop once it is reached.
  await redis.hset(keys.meta, 'sealed', '1');
  const enqueuedTotal = Number((await redis.hget(keys.meta, 'enqueued')) ?? 0);
  return { read, cached, queued, batches, newBatches, enqueuedTotal };
}

/** Opens the batch queue on an existing client (closing the queue leaves the client open). */
export function openQueue(redis: Redis, prefix: string): Queue {
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
  // Errors surface on the commands that fail; the emitter must not crash the process.
  queue.on('error', () => undefined);
  return queue;
}

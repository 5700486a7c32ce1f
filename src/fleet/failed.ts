/**
 * Batches that failed for good: BullMQ moves a job to its failed set once its attempts are
 * used up (8 by default, see `enqueue.ts`), when its workers kept dying (`maxStalledCount`)
 * or at once when the job cannot succeed (`UnrecoverableError`, e.g. a job version this
 * worker does not read). Nobody retries such a batch by itself, so `collect` counts them and
 * names the targets left without a record, and `enqueue --retry-failed` puts them back.
 */
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { batchOfJobId, bullKeys, scanKeys } from './keys.js';

/** One batch of a scan in BullMQ's failed set. */
export interface FailedBatch {
  /** BullMQ job id (`<scan id>.b<n>`). */
  readonly jobId: string;
  /** Batch number. */
  readonly batch: number;
  /** BullMQ's `failedReason` (the last error), or '' when missing. */
  readonly reason: string;
  /** Targets of the batch that have no record. */
  readonly missing: number;
}

/** Failed-set members examined per ZSCAN step. */
const SCAN_COUNT = 1_000;

/** Job ids of scan `scanId` in the failed set (a ZSCAN with the scan's id pattern). */
async function failedJobIds(redis: Redis, prefix: string, scanId: string): Promise<string[]> {
  const ids = new Set<string>();
  let cursor = '0';
  do {
    // Scan ids are [A-Za-z0-9_.-] (checkScanId): nothing to escape in the glob.
    const [next, flat] = await redis.zscan(
      bullKeys.failed(prefix),
      cursor,
      'MATCH',
      `${scanId}.b*`,
      'COUNT',
      SCAN_COUNT,
    );
    cursor = next;
    // ZSCAN returns member, score, member, score, …
    for (let i = 0; i < flat.length; i += 2) {
      const id = flat[i] as string;
      if (batchOfJobId(scanId, id) !== null) ids.add(id);
    }
  } while (cursor !== '0');
  return [...ids];
}

/** The targets a job carries, or null when its data is not a target list. */
function targetsOf(data: string | null | undefined): string[] | null {
  try {
    const targets = (JSON.parse(data ?? 'null') as { targets?: unknown } | null)?.targets;
    return Array.isArray(targets) && targets.every((t) => typeof t === 'string') ? targets : null;
  } catch {
    return null;
  }
}

/** The batches of scan `scanId` that failed for good, in batch order. */
export async function failedBatches(
  redis: Redis,
  prefix: string,
  scanId: string,
): Promise<FailedBatch[]> {
  const keys = scanKeys(prefix, scanId);
  const out: FailedBatch[] = [];
  for (const jobId of await failedJobIds(redis, prefix, scanId)) {
    const batch = batchOfJobId(scanId, jobId) as number;
    const [data, reason] = await redis.hmget(bullKeys.job(prefix, jobId), 'data', 'failedReason');
    const targets = targetsOf(data);
    let missing: number;
    if (targets === null) {
      // Unreadable job data: count the whole batch as missing (its size was recorded).
      missing = Number((await redis.hget(keys.batches, String(batch))) ?? 0);
    } else if (targets.length === 0) {
      missing = 0;
    } else {
      const flags = await redis.smismember(keys.done, ...targets);
      missing = flags.filter((f) => f !== 1).length;
    }
    out.push({ jobId, batch, reason: reason ?? '', missing });
  }
  return out.sort((a, b) => a.batch - b.batch);
}

/**
 * Puts every failed batch of scan `scanId` back in the queue with fresh attempts. The
 * workers skip targets whose record is already written, so a retry adds no duplicate.
 * Returns the job ids moved back.
 */
export async function retryFailedBatches(
  redis: Redis,
  queue: Queue,
  prefix: string,
  scanId: string,
): Promise<string[]> {
  const retried: string[] = [];
  for (const jobId of await failedJobIds(redis, prefix, scanId)) {
    const job = await Job.fromId(queue, jobId);
    // Gone (removed by hand) or moved on since the scan: nothing to retry.
    if (!job || !(await job.isFailed())) continue;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    retried.push(jobId);
  }
  return retried;
}

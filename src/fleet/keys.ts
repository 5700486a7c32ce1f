/**
 * Names of everything the fleet keeps in Redis, in one place, so enqueue, worker and
 * collect cannot drift apart. Every key starts with the queue's prefix, so several fleets
 * (or a test and a bench) can share one Redis without seeing each other.
 */
import { ThingscanError } from '../errors.js';

/** BullMQ queue name of scan batches. */
export const QUEUE_NAME = 'thingscan-batches';
/** Default key prefix (BullMQ's own keys live under `${prefix}:${QUEUE_NAME}:…`). */
export const DEFAULT_PREFIX = 'thingscan';

/** Scan ids become key parts and job ids: short, printable, no `:` (BullMQ refuses it). */
const SCAN_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Checks a scan id.
 *
 * @throws ThingscanError `E_USAGE` unless 1–64 characters of `A-Z a-z 0-9 _ . -`.
 */
export function checkScanId(id: string): string {
  if (!SCAN_ID.test(id)) {
    throw new ThingscanError(
      'E_USAGE',
      `--scan-id wants 1-64 characters of A-Z a-z 0-9 _ . - (got '${id.slice(0, 80)}')`,
    );
  }
  return id;
}

/** Keys of one scan id. */
export interface ScanKeys {
  /** Hash: `enqueued` (targets), `batches` (count), `sealed` (1 once enqueue finished). */
  readonly meta: string;
  /** Hash: batch number → targets in it; makes re-enqueueing idempotent for the counts. */
  readonly batches: string;
  /** Set of IPs whose record is written: the dedupe of retried batches. */
  readonly done: string;
  /** Stream of records: fields `ip`, `record` (the NDJSON line without newline). */
  readonly records: string;
}

/** Keys of scan `scanId` under `prefix`. */
export function scanKeys(prefix: string, scanId: string): ScanKeys {
  const base = `${prefix}:scan:${scanId}`;
  return {
    meta: `${base}:meta`,
    batches: `${base}:batches`,
    done: `${base}:done`,
    records: `${base}:records`,
  };
}

/** Rescan-cache key of one address: holds the id of the scan that last covered it. */
export function seenKey(prefix: string, ip: string): string {
  return `${prefix}:seen:${ip}`;
}

/** The fleet-wide connection bucket (one per prefix: one rate for the whole fleet). */
export function rateKey(prefix: string): string {
  return `${prefix}:rate`;
}

/** BullMQ job id of batch `n` of a scan: the same input enqueued twice adds nothing. */
export function batchJobId(scanId: string, n: number): string {
  return `${scanId}.b${n}`;
}

/** Batch number of a job id of scan `scanId` (see {@link batchJobId}), or null for another scan's. */
export function batchOfJobId(scanId: string, jobId: string): number | null {
  if (!jobId.startsWith(`${scanId}.b`)) return null;
  const n = jobId.slice(scanId.length + 2);
  return /^(0|[1-9]\d{0,15})$/.test(n) ? Number(n) : null;
}

/**
 * BullMQ's own keys the fleet reads (layout `${prefix}:${queue}:…`, BullMQ's `QueueKeys`):
 * the sorted set of jobs that failed for good (attempts exhausted, or unrecoverable), and
 * the hash of one job (fields `data`, `failedReason`, …).
 */
export const bullKeys = {
  failed: (prefix: string): string => `${prefix}:${QUEUE_NAME}:failed`,
  job: (prefix: string, jobId: string): string => `${prefix}:${QUEUE_NAME}:${jobId}`,
} as const;

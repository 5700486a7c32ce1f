/**
 * The worker fleet (issue 8): a BullMQ queue in Redis feeds batches of targets to any
 * number of `thingscan worker` processes; records go to a Redis stream per scan id, read
 * back by `collect`. Politeness holds fleet-wide through one Redis token bucket.
 * See docs/fleet.md.
 */
export { type CollectOptions, type CollectProgress, collectRecords } from './collect.js';
export { DEFAULT_BATCH, WORKER_DEFAULTS } from './defaults.js';
export { parseDuration } from './duration.js';
export { type EnqueueOptions, type EnqueueResult, enqueueTargets, openQueue } from './enqueue.js';
export { type FailedBatch, failedBatches, retryFailedBatches } from './failed.js';
export { type BatchJob, checkBatchJob, type FleetScanSettings, JOB_VERSION } from './jobs.js';
export {
  batchJobId,
  batchOfJobId,
  bullKeys,
  checkScanId,
  DEFAULT_PREFIX,
  QUEUE_NAME,
  rateKey,
  type ScanKeys,
  scanKeys,
  seenKey,
} from './keys.js';
export { RedisTokenBucket } from './rate.js';
export { checkRedisUrl, connectRedis, redactUrl } from './redis.js';
export { JOB_INDEX_ENV, resolveShardText } from './shard-env.js';
export {
  type FleetWorker,
  type FleetWorkerOptions,
  startFleetWorker,
  type WorkerEnd,
} from './worker.js';

/**
 * Fleet defaults, apart from the modules that load BullMQ, so the CLI can describe its
 * flags without loading the queue library for every command.
 */

/** Addresses per batch: small enough that a lost batch costs little, large enough to keep a worker busy. */
export const DEFAULT_BATCH = 64;

/** Timing defaults of the worker. */
export const WORKER_DEFAULTS = {
  /** Batches scanned at once by one worker. */
  concurrency: 2,
  /**
   * How long a batch's lock lives without renewal (renewed every half), ms. A worker
   * killed mid-batch is noticed after at most this plus `stalledIntervalMs`.
   */
  lockDurationMs: 30_000,
  /** How often the worker looks for stalled batches of dead workers, ms. */
  stalledIntervalMs: 15_000,
  /** How long Redis may be unreachable before the worker gives up, ms. */
  redisGraceMs: 30_000,
} as const;

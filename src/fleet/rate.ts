/**
 * Fleet-wide politeness: one token bucket in Redis that every worker takes its new
 * connections from, so `--rate` holds for the whole fleet, not per worker.
 *
 * The bucket is a reservation (GCRA-like): one script call takes a token even when the
 * bucket is empty, leaving it in debt, and returns how long the caller must wait. Each
 * connection costs one round trip, waiters never poll, and over any window of T seconds at
 * most `burst + rate × T` connections are granted. Time comes from Redis (`TIME`), so worker
 * clocks do not matter.
 *
 * A grant is only good on time. A worker whose event loop stalls (a busy or overloaded
 * machine) wakes with a backlog of grants whose slots have passed; opening them all at once
 * would put a burst on the wire that the bucket never allowed. So a grant used more than
 * {@link LATE_MS} after its slot is dropped and a new one reserved (the dropped token is
 * lost: the fleet runs below `rate`, never above). Connections then keep within
 * `burst + rate × (T + LATE_MS)` over any window of T seconds, as measured by
 * `npm run bench -- fleet`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** Reserve one token. KEYS[1] bucket hash; ARGV[1] rate (tokens/s), ARGV[2] burst. Returns wait, ms. */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 60000)
if tokens >= 0 then
  return 0
end
return math.ceil(-tokens * 1000 / rate)
`;

/** Pause between attempts while Redis is away, ms. */
const RETRY_MS = 250;
/** A grant used later than this after its slot is renewed instead, ms. */
export const LATE_MS = 50;
/**
 * Renewals of one `take` at most: on a machine too loaded to ever be on time, a connection
 * still goes out (late) after this many, rather than never.
 */
const MAX_RENEWALS = 3;

interface TakeClient extends Redis {
  thingscanTake(key: string, rate: number, burst: number): Promise<number>;
}

/**
 * A token bucket shared through Redis, with the same `take(signal)` shape as the engine's
 * local `TokenBucket` (pass it as `ScanOptions.limiter`).
 *
 * While Redis is unreachable no token is granted: `take` keeps retrying until its signal
 * aborts, so an outage slows the fleet down instead of letting it run unlimited.
 */
export class RedisTokenBucket {
  readonly #redis: TakeClient;
  readonly #key: string;
  readonly #rate: number;
  readonly #burst: number;
  readonly #onError: (error: unknown) => void;
  #renewed = 0;

  /**
   * @param redis - a connected client (fail-fast: errors surface, nothing is queued).
   * @param key - the bucket's key; every worker of a fleet uses the same one.
   * @param rate - new connections per second for the whole fleet (finite, > 0).
   * @param burst - bucket size; default max(1, ceil(rate / 10)) like the local bucket.
   * @param onError - told about each failed attempt (the worker's Redis watchdog).
   */
  constructor(
    redis: Redis,
    key: string,
    rate: number,
    burst?: number,
    onError: (error: unknown) => void = () => undefined,
  ) {
    if (!(Number.isFinite(rate) && rate > 0))
      throw new RangeError(`rate must be finite and > 0, got ${rate}`);
    if (!(redis as unknown as Partial<TakeClient>).thingscanTake) {
      redis.defineCommand('thingscanTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    }
    this.#redis = redis as TakeClient;
    this.#key = key;
    this.#rate = rate;
    this.#burst = Math.max(1, burst ?? Math.ceil(rate / 10));
    this.#onError = onError;
  }

  /** Grants dropped and renewed because they would have been used late (see the file header). */
  get renewed(): number {
    return this.#renewed;
  }

  /**
   * Resolves when a token is granted and its slot is now; rejects with the signal's reason
   * if it aborts first.
   */
  async take(signal?: AbortSignal): Promise<void> {
    for (let renewals = 0; ; ) {
      signal?.throwIfAborted();
      const sent = performance.now();
      let wait: number;
      try {
        wait = Number(await this.#redis.thingscanTake(this.#key, this.#rate, this.#burst));
      } catch (error) {
        this.#onError(error);
        await sleep(RETRY_MS, undefined, signal ? { signal } : {});
        continue;
      }
      // Slept from the reply, so never early; the slot is at `sent + wait` at the latest
      // (Redis reserved it after `sent`), so lateness is measured from there.
      if (wait > 0) await sleep(wait, undefined, signal ? { signal } : {});
      if (performance.now() - (sent + wait) <= LATE_MS || renewals >= MAX_RENEWALS) return;
      renewals++;
      this.#renewed++;
    }
  }
}

/**
 * Global politeness: a token bucket for new connections per second.
 */
import { onAbort } from '../net/abort-hub.js';

/** Hands out at most `rate` tokens per second, with bursts of at most `burst`. */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  #queue: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #timer: NodeJS.Timeout | null = null;

  /**
   * @param rate tokens per second (> 0); `Infinity` disables limiting.
   * @param burst bucket size; defaults to max(1, rate / 10) so a scan starts gently.
   */
  constructor(rate: number, burst?: number) {
    if (!(rate > 0)) throw new RangeError(`rate must be > 0, got ${rate}`);
    this.#rate = rate;
    this.#burst = Math.max(1, burst ?? Math.ceil(rate / 10));
    this.#tokens = this.#burst;
    this.#last = performance.now();
  }

  /** Resolves when a token is granted; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (this.#rate === Number.POSITIVE_INFINITY) return Promise.resolve();
    this.#refill();
    if (this.#queue.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        resolve: () => {
          unwatch();
          resolve();
        },
        reject,
      };
      const abort = (): void => {
        const i = this.#queue.indexOf(entry);
        if (i >= 0) this.#queue.splice(i, 1);
        // Nobody waits any more: do not keep the process alive for a refill.
        if (this.#queue.length === 0 && this.#timer) {
          clearTimeout(this.#timer);
          this.#timer = null;
        }
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      const unwatch = onAbort(signal, abort);
      this.#queue.push(entry);
      this.#schedule();
    });
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#refill();
      while (this.#queue.length > 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        this.#queue.shift()?.resolve();
      }
      if (this.#queue.length > 0) this.#schedule();
    }, wait);
  }
}

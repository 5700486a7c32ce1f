/**
 * Progress on a terminal: one status line on stderr, redrawn in place, e.g.
 * `12,345/450,000 2.7%  512 hosts/s  ETA 14m05s  identified 23%  IoT 19%`.
 *
 * Only when the stream is a TTY: a piped or redirected stderr is a log, and a redrawn line
 * full of carriage returns would pollute it. The line holds numbers only (no remote text),
 * so nothing needs sanitizing.
 */
import type { HostRecord } from '../types.js';

/** Where progress goes: `process.stderr`, or any stream that says whether it is a TTY. */
export interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
  write(text: string): unknown;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Targets expected, or null when the list cannot be counted (stdin). */
  readonly total?: number | null;
  /** Redraw interval, ms. Default 500. */
  readonly intervalMs?: number;
  /** Clock for tests, ms. Default `performance.now`. */
  readonly now?: () => number;
}

/** Counts finished hosts and redraws the status line while active. */
export class Progress {
  readonly #stream: ProgressStream;
  readonly #now: () => number;
  readonly #started: number;
  #total: number | null;
  #done = 0;
  #identified = 0;
  #iot = 0;
  #timer: NodeJS.Timeout | null = null;
  #drawn = false;

  /**
   * Starts redrawing when `stream` is a TTY; otherwise every method is a no-op.
   *
   * @param stream - Usually `process.stderr`.
   * @param options - Total and redraw interval.
   */
  constructor(stream: ProgressStream, options: ProgressOptions = {}) {
    this.#stream = stream;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
    this.#total = options.total ?? null;
    if (this.active) {
      this.#timer = setInterval(() => this.draw(), options.intervalMs ?? 500);
      // Progress must never keep a finished scan alive.
      this.#timer.unref();
    }
  }

  /** True when the stream is a terminal. */
  get active(): boolean {
    return this.#stream.isTTY === true;
  }

  /** Sets the total once it is known (counted in the background). */
  setTotal(total: number | null): void {
    this.#total = total;
  }

  /** Counts one finished host. */
  add(record: HostRecord): void {
    this.#done++;
    if (record.status === 'identified') this.#identified++;
    if (record.iot === true) this.#iot++;
  }

  /** The status line for the current counts (no control characters). */
  line(): string {
    const elapsed = Math.max(1e-3, (this.#now() - this.#started) / 1000);
    const rate = this.#done / elapsed;
    const n = (v: number): string => v.toLocaleString('en-US');
    const pct = (v: number): string =>
      this.#done === 0 ? '0%' : `${Math.round((100 * v) / this.#done)}%`;
    const parts: string[] = [];
    if (this.#total !== null && this.#total > 0) {
      parts.push(
        `${n(this.#done)}/${n(this.#total)} ${((100 * this.#done) / this.#total).toFixed(1)}%`,
      );
    } else parts.push(`${n(this.#done)} done`);
    parts.push(`${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} hosts/s`);
    if (this.#total !== null && rate > 0 && this.#done < this.#total) {
      parts.push(`ETA ${duration((this.#total - this.#done) / rate)}`);
    }
    parts.push(`identified ${pct(this.#identified)}`, `IoT ${pct(this.#iot)}`);
    return parts.join('  ');
  }

  /** Redraws the line in place. */
  draw(): void {
    if (!this.active) return;
    const width = this.#stream.columns;
    const text = this.line();
    const fitted = width !== undefined && width > 1 ? text.slice(0, width - 1) : text;
    this.#stream.write(`\r\x1b[K${fitted}`);
    this.#drawn = true;
  }

  /** Stops redrawing and leaves the final line on the terminal, ending it with a newline. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (!this.active) return;
    this.draw();
    if (this.#drawn) this.#stream.write('\n');
  }
}

/** `1h02m`, `14m05s` or `42s`. */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (v: number): string => String(v).padStart(2, '0');
  if (h > 0) return `${h}h${two(m)}m`;
  if (m > 0) return `${m}m${two(s % 60)}s`;
  return `${s}s`;
}

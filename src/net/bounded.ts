/**
 * Sockets, time and bytes: the only place that opens TCP connections and reads from them.
 *
 * Every read has a deadline and every connection a byte cap, so whatever a hostile host
 * sends (nothing, one byte a second, an endless flood) costs at most `maxBytes` of memory
 * and `timeoutMs` of time. Probes never keep their own timers; they call these helpers.
 */
import net from 'node:net';
import type { ProbeStatus } from '../types.js';
import { onAbort } from './abort-hub.js';

/**
 * A network outcome raised inside a probe and turned into a status by the probe runner.
 * It carries no stack trace: refusals and timeouts are expected by the thousand in a scan,
 * are data rather than bugs, and capturing a stack for each cost measurable CPU.
 */
export class ProbeFailure extends Error {
  /** The status the service gets. */
  readonly status: ProbeStatus;
  /**
   * The network said the whole host is unreachable (EHOSTUNREACH, ENETUNREACH): every
   * other port of it would fail the same way.
   */
  readonly hostUnreachable: boolean;
  constructor(status: ProbeStatus, message: string, hostUnreachable = false) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'ProbeFailure';
    this.status = status;
    this.hostUnreachable = hostUnreachable;
  }
}

/** Type guard for {@link ProbeFailure}. */
export function isProbeFailure(value: unknown): value is ProbeFailure {
  return value instanceof ProbeFailure;
}

/** How to open one TCP connection. */
export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** Deadline for the TCP handshake, ms. */
  readonly timeoutMs: number;
  /** Aborts the attempt (host deadline, scan stop). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Opens a TCP connection. Rejects only with {@link ProbeFailure}
 * (`connection-refused`, `connection-timeout`, `connection-closed`).
 */
export function connectTcp(options: ConnectOptions): Promise<net.Socket> {
  const { host, port, timeoutMs, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ProbeFailure('connection-timeout', 'aborted before connect'));
      return;
    }
    const socket = net.connect({ host, port, noDelay: true });
    let settled = false;
    const finish = (error: ProbeFailure | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch();
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onConnect = (): void => finish(null);
    const onError = (err: NodeJS.ErrnoException): void => finish(failureFromErrno(err));
    const timer = setTimeout(
      () => finish(new ProbeFailure('connection-timeout', `no handshake in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', onConnect);
    socket.once('error', onError);
    const unwatch = onAbort(signal, () =>
      finish(new ProbeFailure('connection-timeout', 'aborted during connect')),
    );
  });
}

/** Maps a socket errno to a probe status. */
export function failureFromErrno(err: NodeJS.ErrnoException): ProbeFailure {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ProbeFailure('connection-refused', 'connection refused');
    case 'ETIMEDOUT':
      return new ProbeFailure('connection-timeout', err.code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ProbeFailure('connection-timeout', err.code, true);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ProbeFailure('connection-closed', err.code);
    default:
      return new ProbeFailure('connection-closed', err.code ?? err.message);
  }
}

/** Why a bounded read returned. */
export type ReadEnd = 'matched' | 'cap' | 'timeout' | 'closed' | 'aborted';

/** Result of a bounded read: the bytes consumed and why the read stopped. */
export interface ReadResult {
  readonly data: Buffer;
  readonly end: ReadEnd;
}

/**
 * Decides whether the unconsumed bytes hold a complete unit: returns its length in bytes
 * (the reader consumes and returns exactly that many), or `undefined` to wait for more.
 */
export type Framer = (buffered: Buffer) => number | undefined;

/** Options of a {@link BoundedReader}. */
export interface BoundedReaderOptions {
  /** Total bytes accepted from the peer over the connection's life; the rest is dropped. */
  readonly maxBytes: number;
  /** Aborts pending reads and destroys the socket. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Reads from a socket without ever holding more than `maxBytes`, with a deadline on every
 * read. Data arriving between reads is buffered (within the cap) so nothing is lost.
 */
export class BoundedReader {
  readonly #socket: net.Socket;
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #total = 0;
  #closed = false;
  #capped = false;
  #aborted = false;
  #wake: (() => void) | null = null;
  #detached = false;
  readonly #dataListener = (chunk: Buffer): void => this.#onData(chunk);
  readonly #closeListener = (): void => this.#onClose();
  /** Stops watching the signal (set once the reader watches one). */
  #unwatch: () => void = noop;
  readonly #onAbort = (): void => {
    this.#aborted = true;
    this.#socket.destroy();
    this.#wake?.();
  };

  constructor(socket: net.Socket, options: BoundedReaderOptions) {
    this.#socket = socket;
    this.#maxBytes = options.maxBytes;
    socket.on('data', this.#dataListener);
    socket.on('end', this.#closeListener);
    socket.on('close', this.#closeListener);
    // Errors after connect (reset) end the stream; the read sees `closed`.
    socket.on('error', this.#closeListener);
    if (options.signal?.aborted) this.#onAbort();
    else this.#unwatch = onAbort(options.signal, this.#onAbort);
  }

  /** The underlying socket, for writes. */
  get socket(): net.Socket {
    return this.#socket;
  }

  /** Total bytes received so far (capped at `maxBytes`). */
  get totalBytes(): number {
    return this.#total;
  }

  /** True once the peer closed or reset the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once the byte cap was reached. */
  get capped(): boolean {
    return this.#capped;
  }

  /** Bytes received and not yet consumed. */
  peek(): Buffer {
    return this.#flatten();
  }

  /**
   * Waits until `framer` finds a complete unit, the cap is hit, the peer closes, the
   * signal aborts, or `timeoutMs` passes. Without a framer, returns the first burst.
   */
  async read(timeoutMs: number, framer?: Framer): Promise<ReadResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const buffered = this.#flatten();
      if (buffered.length > 0) {
        const len = framer ? framer(buffered) : buffered.length;
        if (len !== undefined && len > 0) return { data: this.#consume(len), end: 'matched' };
      }
      if (this.#aborted) return { data: this.#consume(this.#buffered), end: 'aborted' };
      if (this.#capped) return { data: this.#consume(this.#buffered), end: 'cap' };
      if (this.#closed) return { data: this.#consume(this.#buffered), end: 'closed' };
      const left = deadline - Date.now();
      if (left <= 0) return { data: this.#consume(this.#buffered), end: 'timeout' };
      await this.#waitForData(left);
    }
  }

  /**
   * Reads until `framer` matches or the peer stops talking for `idleMs`, whichever first,
   * but never longer than `timeoutMs` in all. Useful for banners that come in pieces.
   */
  async readIdle(timeoutMs: number, idleMs: number, framer?: Framer): Promise<ReadResult> {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    for (;;) {
      const buffered = this.#flatten();
      if (framer && buffered.length > 0) {
        const len = framer(buffered);
        if (len !== undefined && len > 0) return { data: this.#consume(len), end: 'matched' };
      }
      if (this.#aborted) return { data: this.#consume(this.#buffered), end: 'aborted' };
      if (this.#capped) return { data: this.#consume(this.#buffered), end: 'cap' };
      if (this.#closed) return { data: this.#consume(this.#buffered), end: 'closed' };
      const left = deadline - Date.now();
      if (left <= 0) return { data: this.#consume(this.#buffered), end: 'timeout' };
      if (this.#buffered > 0 && this.#buffered === seen) {
        return { data: this.#consume(this.#buffered), end: 'matched' };
      }
      seen = this.#buffered;
      await this.#waitForData(this.#buffered > 0 ? Math.min(idleMs, left) : left);
    }
  }

  /** Writes bytes unless the connection is gone; never throws. */
  write(data: string | Buffer): boolean {
    if (this.#closed || this.#aborted || this.#socket.destroyed) return false;
    try {
      this.#socket.write(data);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Hands the socket over to another reader (undici for HTTP): stops listening to its data,
   * end, close and error events and pauses it, so the bytes that arrive next wait in the
   * socket for the new owner instead of landing here. Bytes already buffered here are not
   * passed on. The reader then behaves as closed; `close()` still destroys the socket and
   * the signal still aborts it. Safe to call twice.
   */
  detach(): net.Socket {
    if (!this.#detached) {
      this.#detached = true;
      this.#socket.removeListener('data', this.#dataListener);
      this.#socket.removeListener('end', this.#closeListener);
      this.#socket.removeListener('close', this.#closeListener);
      this.#socket.removeListener('error', this.#closeListener);
      // A reset after the new owner let go would otherwise be an unhandled 'error' event,
      // which crashes the process.
      this.#socket.on('error', noop);
      this.#socket.pause();
      this.#closed = true;
      this.#wake?.();
    }
    return this.#socket;
  }

  /** Destroys the socket and stops listening to the signal. Safe to call twice. */
  close(): void {
    this.#unwatch();
    this.#socket.destroy();
    this.#closed = true;
    this.#wake?.();
  }

  #onData(chunk: Buffer): void {
    if (this.#capped) return;
    const room = this.#maxBytes - this.#total;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(part);
    this.#buffered += part.length;
    this.#total += part.length;
    if (this.#total >= this.#maxBytes) {
      this.#capped = true;
      // Stop the flood at the source: we will not read another byte from this peer.
      this.#socket.pause();
    }
    this.#wake?.();
  }

  #onClose(): void {
    this.#closed = true;
    this.#wake?.();
  }

  #flatten(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  #consume(n: number): Buffer {
    const all = this.#flatten();
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return Buffer.from(taken);
  }

  #waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = null;
        resolve();
      }
      this.#wake = done;
    });
  }
}

function noop(): void {}

/** Framer: a complete line ending in `\n` (or `\r\n`). */
export const lineFramer: Framer = (buf) => {
  const i = buf.indexOf(0x0a);
  return i >= 0 ? i + 1 : undefined;
};

/**
 * Plumbing shared by the lab's protocol servers: binding with socket tracking (so `close()`
 * leaves nothing behind), bounded line reading and reply templating.
 *
 * Lab servers treat clients as hostile too: every connection has an idle timeout and every
 * input buffer a cap, so a runaway client cannot grow the lab's memory.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { HostRecorder, RunningServer } from '../types.js';

/** Idle time after which a lab connection is dropped, ms (real daemons time out too). */
export const DEFAULT_IDLE_MS = 60_000;

/** Longest command line a line-based lab server accepts, bytes. */
export const MAX_LINE_BYTES = 1024;

/** Options of {@link listenTcp}. */
export interface TcpListenOptions {
  readonly address: string;
  readonly port: number;
  readonly recorder: HostRecorder;
  /** Idle timeout per connection, ms; 0 disables it. */
  readonly idleMs?: number;
}

/**
 * Binds a TCP server and hands each accepted socket to `onSocket`. Resolves once the server
 * is listening; rejects with the bind error (EACCES, EADDRINUSE …) so the caller can fall back.
 */
export function listenTcp(
  options: TcpListenOptions,
  onSocket: (socket: net.Socket) => void,
): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    options.recorder.connection();
    // A client reset must never crash the lab; the socket just goes away.
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    if (idleMs > 0) {
      socket.setTimeout(idleMs, () => socket.destroy());
    }
    onSocket(socket);
  });
  return bindServer(server, options.address, options.port, sockets);
}

/**
 * Listens with an existing `net.Server` (e.g. one whose connections are handed to another
 * library) while tracking its sockets for {@link RunningServer.close}.
 */
export function bindServer(
  server: net.Server,
  address: string,
  port: number,
  sockets: Set<net.Socket>,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      // Later server errors (e.g. EMFILE on accept) are logged nowhere and must not throw.
      server.on('error', () => {});
      const bound = server.address();
      const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
      resolve({
        port: actualPort,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            sockets.clear();
            server.close(() => done());
          }),
      });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true });
  });
}

/** Binds a UDP socket; resolves once bound, rejects with the bind error. */
export function listenUdp(
  address: string,
  port: number,
  onMessage: (socket: dgram.Socket, message: Buffer, rinfo: dgram.RemoteInfo) => void,
): Promise<RunningServer> {
  const type = net.isIPv6(address) ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, reuseAddr: false });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.removeListener('listening', onListening);
      socket.close();
      reject(err);
    };
    const onListening = (): void => {
      socket.removeListener('error', onError);
      // A send to a vanished peer (ICMP unreachable) must not crash the lab.
      socket.on('error', () => {});
      socket.on('message', (message, rinfo) => onMessage(socket, message, rinfo));
      let closed = false;
      resolve({
        port: socket.address().port,
        close: () =>
          new Promise<void>((done) => {
            if (closed) {
              done();
              return;
            }
            closed = true;
            socket.close(() => done());
          }),
      });
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    socket.bind({ address, port, exclusive: true });
  });
}

/**
 * Splits a byte stream into CRLF/LF-terminated lines, holding at most `maxBytes` of an
 * unfinished line. Calls `onLine` with the line text (latin1, terminator stripped) and
 * `onOverflow` once when a line grows past the cap.
 */
export class LineSplitter {
  #pending: Buffer = Buffer.alloc(0);
  #overflowed = false;
  readonly #maxBytes: number;
  readonly #onLine: (line: string) => void;
  readonly #onOverflow: () => void;

  constructor(onLine: (line: string) => void, onOverflow: () => void, maxBytes = MAX_LINE_BYTES) {
    this.#onLine = onLine;
    this.#onOverflow = onOverflow;
    this.#maxBytes = maxBytes;
  }

  /** Feeds received bytes. */
  push(chunk: Buffer): void {
    if (this.#overflowed) return;
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (;;) {
      const nl = data.indexOf(0x0a);
      if (nl < 0) break;
      const end = nl > 0 && data[nl - 1] === 0x0d ? nl - 1 : nl;
      const line = data.subarray(0, end).toString('latin1');
      data = data.subarray(nl + 1);
      this.#onLine(line);
      if (this.#overflowed) return;
    }
    if (data.length > this.#maxBytes) {
      this.#overflowed = true;
      this.#pending = Buffer.alloc(0);
      this.#onOverflow();
      return;
    }
    this.#pending = Buffer.from(data);
  }
}

/** Values a reply template may use. */
export interface TemplateValues {
  readonly client: string;
  readonly helo?: string;
}

/** Replaces `{date}`, `{client}` and `{helo}` in a persona text. */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text
    .replaceAll('{date}', rfc5322Date(new Date()))
    .replaceAll('{client}', values.client)
    .replaceAll('{helo}', values.helo ?? values.client);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** `Wed, 26 Nov 2026 12:00:00 +0000`: the date format mail daemons print in greetings. */
export function rfc5322Date(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ` +
    `${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:` +
    `${two(date.getUTCSeconds())} +0000`
  );
}

/** Writes unless the socket is gone; lab servers never throw on a vanished client. */
export function safeWrite(socket: net.Socket, data: string | Uint8Array): void {
  if (socket.destroyed || !socket.writable) return;
  socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
}

/** Formats a reply of several lines as `code-text` … `code text`, CRLF-terminated. */
export function multiline(code: string, lines: readonly string[]): string {
  return lines.map((line, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${line}\r\n`).join('');
}

/**
 * One UDP request, one bounded reply: for discovery protocols that answer a single
 * datagram. The engine's deadline rules apply: a timeout, an abort signal, a byte cap,
 * and the socket is always closed.
 */
import net from 'node:net';
import { onAbort } from './abort-hub.js';
import { createSocket } from './udp-shared.js';

/** Options of {@link udpExchange}. */
export interface UdpExchangeOptions {
  readonly host: string;
  readonly port: number;
  readonly payload: Buffer;
  /** How long to wait for the first reply datagram, ms. */
  readonly timeoutMs: number;
  /** Bytes kept of the reply; the rest of the datagram is dropped. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal | undefined;
  /**
   * Accepts a datagram from another port of the target when this returns true for it: for
   * stacks that answer from a fresh socket (libupnp's SSDP replies). Unset: the target's
   * port only.
   */
  readonly otherPortReply?: ((message: Buffer) => boolean) | undefined;
}

/**
 * Sends `payload` and resolves with the first datagram that comes back from the target's
 * own address and port (or another port of it, see `otherPortReply`), capped, or null on
 * timeout/abort/error. Never throws.
 */
export function udpExchange(options: UdpExchangeOptions): Promise<Buffer | null> {
  const { host, port, payload, timeoutMs, maxBytes, signal, otherPortReply } = options;
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(null);
      return;
    }
    // The thread's shared datagram socket: only replies from host:port reach this one.
    const socket = createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (reply: Buffer | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch();
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    const unwatch = onAbort(signal, () => finish(null));
    socket.on('error', () => finish(null));
    socket.on('message', (message: Buffer, rinfo: { address: string; port: number }) => {
      // Only the target itself may answer: a reply from elsewhere is ignored.
      if (!sameAddress(rinfo.address, host)) return;
      if (rinfo.port !== port && !otherPortReply?.(message)) return;
      finish(Buffer.from(message.subarray(0, maxBytes)));
    });
    if (otherPortReply) socket.acceptAnyPort(host);
    socket.send(payload, port, host, (error: Error | null) => {
      if (error) finish(null);
    });
  });
}

function sameAddress(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/^::ffff:/, '').toLowerCase();
  return strip(a) === strip(b);
}

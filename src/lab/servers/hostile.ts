/**
 * Peers that exist to hurt a scanner: a tarpit that accepts and never speaks, a reset right
 * after accept, an endless flood, and random binary followed by a close. They prove the
 * scanner's deadlines and byte caps hold; none of them reads more than it must.
 */
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { HostileMode, HostRecorder, RunningServer } from '../types.js';
import { listenTcp } from './common.js';

/** How long a tarpit holds a silent connection, ms (close() ends it sooner). */
const TARPIT_HOLD_MS = 10 * 60_000;
/** Flood chunk size, bytes; the same buffer is written again and again. */
const FLOOD_CHUNK_BYTES = 16 * 1024;

/** Starts a hostile TCP server on `address:port`. */
export function startHostile(
  address: string,
  port: number,
  mode: HostileMode,
  recorder: HostRecorder,
): Promise<RunningServer> {
  const idleMs = mode === 'tarpit' || mode === 'flood' ? TARPIT_HOLD_MS : undefined;
  return listenTcp(
    idleMs === undefined ? { address, port, recorder } : { address, port, recorder, idleMs },
    (socket) => {
      switch (mode) {
        case 'tarpit':
          // Read and drop whatever comes so the peer's writes never block; answer nothing.
          socket.resume();
          return;
        case 'reset':
          socket.resetAndDestroy();
          return;
        case 'flood':
          flood(socket);
          return;
        case 'garbage':
          socket.resume();
          socket.end(garbage());
          return;
      }
    },
  );
}

/** Writes forever while the peer keeps reading; waits for 'drain' when it does not. */
function flood(socket: net.Socket): void {
  const chunk = randomBytes(FLOOD_CHUNK_BYTES);
  socket.resume();
  const pump = (): void => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/**
 * 64 to 576 random bytes, with a CR LF somewhere in the middle now and then so line-based
 * parsers see a "line" of binary as well as bytes with no line end.
 */
function garbage(): Buffer {
  const bytes = randomBytes(64 + (randomBytes(2).readUInt16BE(0) % 513));
  if (bytes[0]! % 2 === 0) {
    const at = 8 + (bytes[1]! % (bytes.length - 10));
    bytes[at] = 0x0d;
    bytes[at + 1] = 0x0a;
  }
  return bytes;
}

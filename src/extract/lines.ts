/**
 * Bounded line splitting for mail files and logs: whatever a file holds, one line costs at
 * most {@link MAX_LINE_BYTES} of memory (a longer line is cut, the rest skipped).
 */
import type { Readable } from 'node:stream';

/** Longest line kept, bytes. Header lines and log lines are far shorter. */
export const MAX_LINE_BYTES = 64 * 1024;

/** One line without its terminator; `cut` when it was longer than the limit. */
export interface Line {
  readonly bytes: Buffer;
  readonly cut: boolean;
}

/**
 * Yields the lines of a byte stream (LF or CR LF), each capped at `max` bytes.
 *
 * @param stream - File or stdin stream.
 * @param max - Byte cap per line.
 */
export async function* boundedLines(
  stream: Readable | NodeJS.ReadableStream | AsyncIterable<Buffer | string>,
  max = MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let cut = false;
  const finish = (): Line => {
    let bytes = Buffer.concat(parts, size);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
    parts = [];
    size = 0;
    const line = { bytes, cut };
    cut = false;
    return line;
  };
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    while (buf.length > 0) {
      const nl = buf.indexOf(0x0a);
      const piece = nl === -1 ? buf : buf.subarray(0, nl);
      const room = max - size;
      if (piece.length > room) {
        cut = true;
        if (room > 0) {
          parts.push(Buffer.from(piece.subarray(0, room)));
          size += room;
        }
      } else if (piece.length > 0) {
        // Copy: the chunk may be reused by the stream once we move on.
        parts.push(Buffer.from(piece));
        size += piece.length;
      }
      if (nl === -1) break;
      yield finish();
      buf = buf.subarray(nl + 1);
    }
  }
  if (size > 0 || cut) yield finish();
}

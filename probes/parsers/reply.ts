/**
 * SMTP (RFC 5321 §4.2) and FTP (RFC 959 §4.2) reply framing and parsing.
 *
 * A reply is one or more lines. A single-line reply is `ddd text`. A multi-line reply
 * starts `ddd-text` and ends at the first line `ddd text` with the same code; SMTP repeats
 * `ddd-` on every line, FTP allows free text in between. Servers in the field send bare LF
 * as often as CR LF, and hostile ones send replies that never end, so the framer accepts
 * both line ends and stops after {@link MAX_REPLY_LINES} lines.
 */
import type { BoundedReader, Framer, ReadEnd } from '../../src/net/bounded.js';
import type { ProbeOutput } from '../types.js';

/** Lines framed into one reply before it is cut (a real EHLO reply has about a dozen). */
export const MAX_REPLY_LINES = 64;

/** A parsed reply. */
export interface Reply {
  /** Reply code of the first line, 100..599 (any three digits are accepted). */
  readonly code: number;
  /** Text of each line with its `ddd-`/`ddd ` prefix and line end removed. */
  readonly lines: readonly string[];
  /** True when the terminating `ddd ` line was seen; false for a reply cut short. */
  readonly complete: boolean;
}

const LF = 0x0a;

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** True when `buf[at..]` starts with three digits. */
function hasCode(buf: Uint8Array, at: number): boolean {
  return isDigit(buf[at]) && isDigit(buf[at + 1]) && isDigit(buf[at + 2]);
}

/**
 * True when the line `buf[start..end)` (line end excluded) closes a reply with `code`:
 * the same three digits followed by a space, or by nothing at all (a bare `220`).
 */
function isLastLine(buf: Uint8Array, start: number, end: number, code: number[]): boolean {
  if (end - start < 3) return false;
  if (buf[start] !== code[0] || buf[start + 1] !== code[1] || buf[start + 2] !== code[2]) {
    return false;
  }
  let next = start + 3 < end ? buf[start + 3] : undefined;
  if (next === 0x0d && start + 4 === end) next = undefined;
  return next === undefined || next === 0x20;
}

/**
 * Builds a framer returning the length of one complete reply: through the line end of the
 * terminating line, or through the `maxLines`-th line when the reply does not end by then.
 * Bytes that do not start with a reply code are framed as one line, so the caller gets
 * them at once and can report a protocol error instead of waiting for the deadline.
 */
export function createReplyFramer(maxLines: number = MAX_REPLY_LINES): Framer {
  const cap = Math.max(1, maxLines);
  return (buf) => {
    let start = 0;
    let lines = 0;
    let code: number[] | null = null;
    for (;;) {
      const lf = buf.indexOf(LF, start);
      if (lf < 0) return undefined;
      const end = lf > start && buf[lf - 1] === 0x0d ? lf - 1 : lf;
      lines++;
      if (code === null) {
        if (!hasCode(buf, start)) return lf + 1;
        code = [buf[start] ?? 0, buf[start + 1] ?? 0, buf[start + 2] ?? 0];
      }
      if (isLastLine(buf, start, end, code)) return lf + 1;
      if (lines >= cap) return lf + 1;
      start = lf + 1;
    }
  };
}

/** Framer for one reply with the default line cap. */
export const replyFramer: Framer = createReplyFramer();

/**
 * Decodes bytes a server sent as text: UTF-8 when they are valid UTF-8, else Latin-1
 * (which never fails and keeps one character per byte, so nothing is lost).
 */
export function decodeText(buf: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
  }
}

/**
 * Parses one reply from the start of `buf` (complete or cut short). Returns null when the
 * bytes do not start with a three-digit code. Lines after the terminating line are ignored;
 * at most {@link MAX_REPLY_LINES} lines are kept.
 */
export function parseReply(buf: Uint8Array, maxLines: number = MAX_REPLY_LINES): Reply | null {
  if (!hasCode(buf, 0)) return null;
  const text = decodeText(buf);
  const raw = text.split('\n');
  // A trailing empty piece is the end of the last line, not a line.
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const codeText = text.slice(0, 3);
  const lines: string[] = [];
  let complete = false;
  for (const piece of raw) {
    if (lines.length >= Math.max(1, maxLines)) break;
    const line = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
    const sep = line.charAt(3);
    const coded = /^\d{3}/.test(line) && (sep === ' ' || sep === '-' || line.length === 3);
    lines.push(coded ? line.slice(4) : line);
    // Only a finished line (one followed by LF) can close the reply.
    const finished = lines.length < raw.length || text.endsWith('\n');
    if (coded && line.startsWith(codeText) && sep !== '-' && finished) {
      complete = true;
      break;
    }
  }
  return { code: Number(codeText), lines, complete };
}

/** A reply read off a connection, with whatever else was buffered. */
export interface ReplyRead {
  /** The reply's bytes (all bytes read when it never completed). */
  readonly data: Buffer;
  /** Bytes after the reply, already consumed from the reader: feed them to the next read. */
  readonly rest: Buffer;
  /** Why the read stopped; `matched` when the framer found a reply end or the line cap. */
  readonly end: ReadEnd;
}

/**
 * Reads one reply, starting with bytes already taken from the reader (`carry`, e.g. the
 * greeting the engine collected). Within the reader's deadline and byte cap; never throws.
 */
export async function readReply(
  reader: BoundedReader,
  carry: Buffer,
  timeoutMs: number,
  framer: Framer = replyFramer,
): Promise<ReplyRead> {
  const have = carry.length > 0 ? framer(carry) : undefined;
  if (have !== undefined && have > 0) {
    return { data: carry.subarray(0, have), rest: carry.subarray(have), end: 'matched' };
  }
  // The carried prefix is already consumed, so frame over prefix + new bytes and hand the
  // reader only the part that is its own.
  const withCarry: Framer =
    carry.length === 0
      ? framer
      : (buf) => {
          const len = framer(Buffer.concat([carry, buf]));
          return len === undefined ? undefined : Math.max(1, len - carry.length);
        };
  const read = await reader.read(timeoutMs, withCarry);
  return {
    data: carry.length === 0 ? read.data : Buffer.concat([carry, read.data]),
    rest: Buffer.alloc(0),
    end: read.end,
  };
}

/** Status when a read brought no reply at all. */
export function emptyStatus(end: ReadEnd): ProbeOutput['status'] {
  return end === 'closed' ? 'connection-closed' : 'io-timeout';
}

/**
 * Status of a reply cut short, by why the read stopped: the peer closed mid-reply, the
 * deadline passed, or the byte/line cap was hit (then what we have is all we are willing
 * to read, it is recorded, and the service counts as answered).
 */
export function cutStatus(end: ReadEnd): ProbeOutput['status'] {
  if (end === 'closed') return 'connection-closed';
  if (end === 'timeout' || end === 'aborted') return 'io-timeout';
  return 'ok';
}

/**
 * FTP probe.
 *
 * Ports: 21 (and any port whose greeting is a `220` reply naming FTP).
 * Sends: `QUIT` once the greeting is complete, nothing else.
 * Records: `ftp.greeting` (greeting lines, codes stripped, joined by LF; a `120` "ready
 *   in n minutes" reply is followed by the `220` that comes after it).
 * Never: USER, PASS (not even anonymous), SYST, FEAT, PASV/PORT, or any data connection.
 */
import type { FieldName } from '../src/signatures/fields.js';
import { cutStatus, decodeText, emptyStatus, parseReply, readReply } from './parsers/reply.js';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

const FTP_WORD = /FTP/i;
/** Mail servers on hosts named `ftp.…` must not read as FTP. */
const SMTP_WORD = /E?SMTP/i;
const GREETING_220 = /^220(?:[ -]|\r?\n|$)/;

/** A refusal greeting (`421` too many users, `530` not allowed): still FTP when it says so. */
const REFUSAL = /^[45]\d\d[ -]/;
const DELAYED = /^120[ -]/;

/**
 * FTP detection: 2 for a `220` greeting naming FTP (vsFTPd, ProFTPD, Pure-FTPd,
 * "Microsoft FTP Service" …) and not SMTP, 1 for any other `220` and for a `4xx`/`5xx`
 * refusal naming FTP or a `120` delay; the expected port settles ties.
 */
export function detectFtp(greeting: Buffer): 0 | 1 | 2 {
  const text = greeting.toString('latin1');
  if (GREETING_220.test(text)) return FTP_WORD.test(text) && !SMTP_WORD.test(text) ? 2 : 1;
  // 120 "service ready in n minutes" exists only in FTP.
  if (DELAYED.test(text)) return FTP_WORD.test(text) ? 2 : 1;
  return REFUSAL.test(text) && FTP_WORD.test(text) ? 1 : 0;
}

async function runFtp(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput> {
  const { reader } = conn;
  const readMs = ctx.timeouts.readMs;
  const fields: Record<string, string> = {};
  const set = (name: FieldName, lines: readonly string[]): void => {
    const text = lines.join('\n').trim();
    if (text.length > 0) fields[name] = text;
  };

  let read = await readReply(reader, conn.greeting, readMs);
  let reply = parseReply(read.data);
  if (!reply) {
    if (read.data.length === 0) return { status: emptyStatus(read.end), fields, banner: null };
    return { status: 'protocol-error', fields, banner: decodeText(read.data) };
  }
  let raw = decodeText(read.data);
  const lines = [...reply.lines];
  // RFC 959: 120 means "ready in nnn minutes", and the real greeting follows.
  if (reply.code === 120 && reply.complete) {
    read = await readReply(reader, read.rest, readMs);
    const next = parseReply(read.data);
    if (next) {
      lines.push(...next.lines);
      raw += decodeText(read.data);
      reply = next;
    } else if (read.data.length === 0) {
      set('ftp.greeting', lines);
      return { status: emptyStatus(read.end), fields, banner: raw.trim() };
    }
  }
  set('ftp.greeting', lines);
  const banner = raw.trim();
  if (!reply.complete) return { status: cutStatus(read.end), fields, banner };

  // Best effort: the 221 tells nothing we need, so its absence changes no status.
  reader.write('QUIT\r\n');
  await readReply(reader, read.rest, Math.min(readMs, 1_000));
  return { status: 'ok', fields, banner };
}

/** The FTP probe. */
export const ftpProbe: TcpProbe = {
  name: 'ftp',
  transport: 'tcp',
  ports: [21],
  serverFirst: true,
  detect: detectFtp,
  run: runFtp,
};

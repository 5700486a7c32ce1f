/**
 * SMTP probe.
 *
 * Ports: 25, 587 (and any port whose greeting is a `220` reply naming mail software).
 * Sends: `EHLO thingscan.invalid`, then `HELO thingscan.invalid` only if EHLO got a 5xx,
 *   then `QUIT` (a 5xx or other non-220 greeting gets only `QUIT`).
 * Records: `smtp.greeting` (greeting lines, codes stripped, joined by LF), `smtp.ehlo`
 *   (EHLO reply lines, first one is the server name; the HELO line when EHLO was refused).
 * Never: MAIL FROM, RCPT, DATA, AUTH, STARTTLS, VRFY, EXPN, or any mail.
 */
import type { FieldName } from '../src/signatures/fields.js';
import {
  cutStatus,
  decodeText,
  emptyStatus,
  parseReply,
  type Reply,
  readReply,
} from './parsers/reply.js';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

/** Name we announce: `.invalid` (RFC 2606) so no one mistakes it for a real mail host. */
export const SMTP_CLIENT_NAME = 'thingscan.invalid';

/** Words that make a `220` greeting mail, not FTP. */
const MAIL_WORDS = /\b(?:E?SMTP|mail|Postfix|Exim|Sendmail|Exchange)/i;
const SMTP_WORD = /E?SMTP/i;
const FTP_WORD = /FTP/i;

/** A `220` reply start: `220 `, `220-` or a bare `220` line. */
const GREETING_220 = /^220(?:[ -]|\r?\n|$)/;

/** A refusal greeting (`421` busy, `554` no service): still this protocol, said plainly. */
const REFUSAL = /^[45]\d\d[ -]/;

/**
 * SMTP detection: 2 for a `220` greeting naming SMTP or mail software, 1 for any other
 * `220` (FTP greets with 220 too; the expected port settles the tie) and for a `4xx`/`5xx`
 * refusal naming SMTP or mail. A greeting naming FTP and not (E)SMTP never scores 2, even
 * when its host name says "mail".
 */
export function detectSmtp(greeting: Buffer): 0 | 1 | 2 {
  const text = greeting.toString('latin1');
  const mail = SMTP_WORD.test(text) || (MAIL_WORDS.test(text) && !FTP_WORD.test(text));
  if (GREETING_220.test(text)) return mail ? 2 : 1;
  return REFUSAL.test(text) && mail ? 1 : 0;
}

async function runSmtp(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput> {
  const { reader } = conn;
  const readMs = ctx.timeouts.readMs;
  const fields: Record<string, string> = {};
  const set = (name: FieldName, reply: Reply): void => {
    const text = reply.lines.join('\n').trim();
    if (text.length > 0) fields[name] = text;
  };

  const first = await readReply(reader, conn.greeting, readMs);
  const greeting = parseReply(first.data);
  if (!greeting) {
    if (first.data.length === 0) {
      return { status: emptyStatus(first.end), fields, banner: null };
    }
    return { status: 'protocol-error', fields, banner: decodeText(first.data) };
  }
  set('smtp.greeting', greeting);
  const banner = decodeText(first.data).trim();
  const out = (status: ProbeOutput['status']): ProbeOutput => ({ status, fields, banner });
  if (!greeting.complete) return out(cutStatus(first.end));

  // Only a 220 greeting invites a session; 421/554 ones still want a polite QUIT.
  if (greeting.code === 220) {
    reader.write(`EHLO ${SMTP_CLIENT_NAME}\r\n`);
    let hello = await readReply(reader, first.rest, readMs);
    let reply = parseReply(hello.data);
    if (reply && reply.code >= 500 && reply.code < 600 && reply.complete) {
      reader.write(`HELO ${SMTP_CLIENT_NAME}\r\n`);
      hello = await readReply(reader, hello.rest, readMs);
      reply = parseReply(hello.data);
    }
    if (!reply) {
      if (hello.data.length > 0) return out('protocol-error');
      return out(emptyStatus(hello.end));
    }
    if (reply.code >= 200 && reply.code < 300) set('smtp.ehlo', reply);
    if (!reply.complete) return out(cutStatus(hello.end));
  }

  // Best effort: the 221 tells nothing we need, so its absence changes no status.
  reader.write('QUIT\r\n');
  await readReply(reader, Buffer.alloc(0), Math.min(readMs, 1_000));
  return out('ok');
}

/** The SMTP probe. */
export const smtpProbe: TcpProbe = {
  name: 'smtp',
  transport: 'tcp',
  ports: [25, 587],
  serverFirst: true,
  detect: detectSmtp,
  run: runSmtp,
};

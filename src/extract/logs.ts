/**
 * MTA logs: Postfix and Sendmail (syslog lines) and Exim (mainlog). Each line that records
 * a message arriving or being refused from a network client yields that client's address;
 * a log has no `Received:` chain, the logging server saw the peer itself.
 *
 * Formats read (facts about each MTA's default log lines):
 * - Postfix `smtpd[..]: QID: client=name[192.0.2.7]`, `NOQUEUE: reject: RCPT from
 *   name[192.0.2.7]: ...; helo=<x>`, and `cleanup[..]: QID: warning: header Subject: S from
 *   name[192.0.2.7];` (a hint only, not a message).
 * - Exim `<=` arrivals and `rejected` lines with `H=name (helo) [192.0.2.7]:port` and the
 *   optional `T="subject"`.
 * - Sendmail `QID: from=<..>, ..., relay=name [192.0.2.7]` and `ruleset=..., relay=..., reject=`.
 */
import { canonicalIp } from '../targets/address.js';

/** What one log line says, when it names a client. */
export interface LogEvent {
  /** Canonical client address. */
  readonly ip: string;
  /** Log time stamp, when readable. */
  readonly time: Date | null;
  /** True when the line stands for one message (or attempt); false for hint-only lines. */
  readonly message: boolean;
  /** Subject or HELO hint, raw (sanitize before showing). */
  readonly hint: string | null;
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/** `Nov 26 12:00:01 host prog[pid]: rest` or `2026-11-26T12:00:01.123+00:00 host prog[pid]: rest`. */
const SYSLOG =
  /^(?:([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)) \S+ ([\w./-]+)(?:\[\d+\])?: (.*)$/;
/** `2026-11-26 12:00:01 [+0100 ]rest` */
const EXIM_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)?(?: ([+-]\d{4}))? (.*)$/;

/** True when a line looks like a log line we read (used to sniff a file's kind). */
export function looksLikeLog(line: string): boolean {
  const s = SYSLOG.exec(line);
  if (s) return /postfix|sendmail|sm-mta|exim/i.test(s[7] ?? '');
  return EXIM_TIME.test(line) && /(?:<=|=>|\bH=|rejected)/.test(line);
}

function syslogTime(m: RegExpExecArray, year: number): Date | null {
  if (m[6]) {
    const d = new Date(m[6]);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const month = MONTHS.indexOf(m[1] ?? '') / 3;
  if (!Number.isInteger(month) || month < 0) return null;
  // Classic syslog has no year or zone: the caller's year, read as UTC.
  const d = new Date(Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Address inside `name[ip]` (Postfix) — the last bracket pair of the token. */
function postfixClient(text: string): string | null {
  const m = /\S*\[([0-9A-Fa-f:.]+)\]/.exec(text);
  return m ? canonicalIp((m[1] as string).replace(/^IPv6:/i, '')) : null;
}

/** The `[ip]` after `H=`, skipping the parenthesised HELO the client chose. */
function eximHost(rest: string): string | null {
  const at = rest.search(/\bH=/);
  if (at < 0) return null;
  let depth = 0;
  for (let i = at + 2; i < rest.length; i++) {
    const ch = rest[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === '[' && depth === 0) {
      const end = rest.indexOf(']', i);
      if (end < 0) return null;
      return canonicalIp(rest.slice(i + 1, end).replace(/^IPv6:/i, ''));
    } else if (depth === 0 && ch === ' ' && /^ [A-Z]=/.test(rest.slice(i, i + 3))) {
      return null;
    }
  }
  return null;
}

/**
 * Reads one log line.
 *
 * @param line - The line (any length; only a capped prefix is looked at by the caller).
 * @param year - Year for syslog time stamps, which carry none.
 * @returns The event, or null when the line names no client of interest.
 */
export function parseLogLine(line: string, year: number): LogEvent | null {
  const s = SYSLOG.exec(line);
  if (s) {
    const prog = (s[7] ?? '').toLowerCase();
    const rest = s[8] ?? '';
    const time = syslogTime(s, year);
    if (prog.includes('postfix')) {
      let m = /^[0-9A-Za-z]+: client=(\S+)/.exec(rest);
      if (m) {
        const ip = postfixClient(m[1] as string);
        return ip ? { ip, time, message: true, hint: null } : null;
      }
      m = /^NOQUEUE: reject: \S+ from (\S*?\[[^\]]*\]):/.exec(rest);
      if (m) {
        const ip = postfixClient(m[1] as string);
        const helo = /\bhelo=<([^>]*)>/.exec(rest)?.[1] ?? null;
        return ip ? { ip, time, message: true, hint: helo ? `helo ${helo}` : null } : null;
      }
      m = /: warning: header Subject: (.*) from (\S+?\[[0-9A-Fa-f:.]+\]);/.exec(rest);
      if (m) {
        const ip = postfixClient(m[2] as string);
        return ip ? { ip, time, message: false, hint: m[1] as string } : null;
      }
      return null;
    }
    if (prog.includes('sendmail') || prog.includes('sm-mta')) {
      if (!/(?:: from=|reject=)/.test(rest)) return null;
      const m = /\brelay=(?:[^\s,[]+ )?\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]/.exec(rest);
      const ip = m ? canonicalIp(m[1] as string) : null;
      return ip ? { ip, time, message: true, hint: null } : null;
    }
    return null;
  }
  const e = EXIM_TIME.exec(line);
  if (!e) return null;
  const rest = e[4] ?? '';
  if (!/^\S+ <= /.test(rest) && !/\brejected\b/.test(rest)) return null;
  const ip = eximHost(rest);
  if (!ip) return null;
  const zone = e[3] ? `${e[3].slice(0, 3)}:${e[3].slice(3)}` : 'Z';
  const d = new Date(`${e[1]}T${e[2]}${zone}`);
  const quoted = /\bT="((?:[^"\\]|\\.)*)"/.exec(rest)?.[1];
  // Exim escapes quotes and backslashes inside T="…".
  const subject = quoted === undefined ? null : quoted.replace(/\\(.)/g, '$1');
  return {
    ip,
    time: Number.isNaN(d.getTime()) ? null : d,
    message: true,
    hint: subject,
  };
}

/**
 * `Received:` headers: which address connected at each hop, and where the trustworthy part
 * of the chain ends.
 *
 * Each MTA prepends one `Received:` line, so the top line was written by the receiver's own
 * server and every line below it was written by the host before. Only hops written by a
 * trusted relay can be believed: the first hop (from the top) whose connecting address is
 * outside the trusted relays is the message's origin, and everything below it is whatever
 * that untrusted host chose to write, forged lines included. We never read past it.
 */
import { canonicalIp } from '../targets/address.js';
import type { ExcludeList } from '../targets/exclude.js';

/** Longest header value looked at: a Received line is short, a hostile one need not be. */
const MAX_RECEIVED = 4096;

/** What one `Received:` header says about its hop. */
export interface ReceivedHop {
  /** Canonical address of the host that connected, or null when the line names none. */
  readonly ip: string | null;
  /** True for a hop with no network peer (local pickup, `from userid`, LMTP from a socket). */
  readonly local: boolean;
  /** Time stamp after the last `;`, or null when missing or unreadable. */
  readonly date: Date | null;
}

/** Where a message came from, by its `Received:` chain. */
export type OriginResult =
  | {
      readonly kind: 'origin';
      /** Canonical address of the first untrusted hop. */
      readonly ip: string;
      /** 0-based index (from the top) of the header that recorded it. */
      readonly hop: number;
      /** Time the trusted receiver wrote that header, when readable. */
      readonly date: Date | null;
    }
  /** Every hop was trusted or local: the message was made inside the receiver's network. */
  | { readonly kind: 'internal' }
  /** A hop in the trusted part had a `from` clause we cannot read: we stop rather than guess. */
  | { readonly kind: 'unparsed'; readonly hop: number };

/** Joins folded lines and drops the header name, if present. */
export function unfold(raw: string): string {
  const text = raw.length > MAX_RECEIVED ? raw.slice(0, MAX_RECEIVED) : raw;
  return text
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/[\r\n]+/g, ' ')
    .replace(/^received:\s*/i, '')
    .trim();
}

/** Words that end the `from` clause when seen outside parentheses. */
const CLAUSE_END = /^(?:by|via|with|id|for)$/i;

/**
 * Splits the `from` clause into depth-0 text and depth-0 parenthesised groups (with their
 * nested content), stopping at `by`/`with`/`id`/`for`/`;` outside parentheses: a HELO name
 * in parentheses cannot end the clause early.
 */
function fromClause(value: string): { outside: string; groups: string[] } | null {
  const m = /^from\s+/i.exec(value);
  if (!m) return null;
  let depth = 0;
  let outside = '';
  let group = '';
  const groups: string[] = [];
  let word = '';
  for (let i = m[0].length; i < value.length; i++) {
    const ch = value[i] as string;
    if (depth === 0) {
      if (ch === ';') break;
      if (ch === '(') {
        depth = 1;
        group = '';
        word = '';
        continue;
      }
      if (/\s/.test(ch)) {
        if (CLAUSE_END.test(word)) {
          outside = outside.slice(0, outside.length - word.length);
          return { outside, groups };
        }
        word = '';
      } else {
        word += ch;
      }
      outside += ch;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth === 0) groups.push(group);
    else group += ch;
  }
  if (depth > 0) groups.push(group);
  return { outside, groups };
}

/** Drops what the connecting client said about itself (HELO/EHLO names). */
function withoutHelo(text: string): string {
  return text
    .replace(/\b(?:helo|ehlo)=\S*/gi, ' ')
    .replace(/^\s*(?:helo|ehlo)\s+\S*/i, ' ')
    .replace(/\((?:helo|ehlo)\s[^)]*\)/gi, ' ');
}

/** First valid bracketed address: `[192.0.2.7]`, `[IPv6:2001:db8::1]`, `[2001:db8::1]:25`. */
function bracketed(text: string): string | null {
  for (const m of text.matchAll(/\[(?:IPv6:)?([0-9A-Fa-f:.]{2,45})\]/g)) {
    const ip = canonicalIp(m[1] as string);
    if (ip) return ip;
  }
  return null;
}

/** A bare address written as a word (qmail `(192.0.2.7)`, Exchange `(10.0.0.5)`). */
function bare(text: string): string | null {
  for (const token of text.split(/[\s,]+/)) {
    const t = token.replace(/^IPv6:/i, '').replace(/^\[|\]$/g, '');
    const ip = canonicalIp(t);
    if (ip) return ip;
  }
  return null;
}

/**
 * Reads one `Received:` header value (folded or not, with or without its name).
 *
 * The address is taken from the last parenthesised group of the `from` clause, where
 * Postfix, Sendmail, Exim, qmail and Exchange write the TCP peer (`(rdns [192.0.2.7])`,
 * `([192.0.2.7]:54321 helo=x)`, `(192.0.2.7)`), preferring a bracketed address there; then
 * a bracketed address outside parentheses (Exim without reverse DNS: `from [192.0.2.7]
 * (helo=x)`). HELO/EHLO names are ignored: they are whatever the client typed.
 *
 * @param raw - Header value or full header line.
 */
export function parseReceived(raw: string): ReceivedHop {
  const value = unfold(raw);
  const semi = value.lastIndexOf(';');
  let date: Date | null = null;
  if (semi >= 0) {
    const d = new Date(value.slice(semi + 1).trim());
    if (!Number.isNaN(d.getTime())) date = d;
  }
  const clause = fromClause(value);
  if (clause === null) {
    // No `from`: the message entered here (e.g. `by mx (Postfix, from userid 1000)`).
    return { ip: null, local: true, date };
  }
  const last = clause.groups.at(-1);
  let ip: string | null = null;
  if (last !== undefined) {
    const cleaned = withoutHelo(last);
    ip = bracketed(cleaned) ?? bare(cleaned);
  }
  ip ??= bracketed(withoutHelo(clause.outside));
  if (ip === null && clause.groups.length === 0) ip = bare(clause.outside);
  const local =
    ip === null &&
    (/\bfrom userid\b/i.test(value) ||
      /^from\s+(?:localhost|local)\b(?![^;]*\[)/i.test(value) ||
      /\bwith\s+(?:local|LMTP|LMTPA)\b/i.test(value));
  return { ip, local, date };
}

/**
 * Walks `Received:` headers from the top and returns the first hop whose connecting address
 * is not trusted.
 *
 * Hops with no network peer are passed over; a hop in the trusted part whose `from`
 * clause cannot be read ends the walk as `unparsed`, because continuing would mean believing
 * lines that an untrusted host may have written.
 *
 * @param received - Header values in message order (top first).
 * @param trusted - The receiver's own relays.
 */
export function findOrigin(received: readonly string[], trusted: ExcludeList): OriginResult {
  for (let i = 0; i < received.length; i++) {
    const hop = parseReceived(received[i] as string);
    if (hop.ip === null) {
      if (hop.local) continue;
      return { kind: 'unparsed', hop: i };
    }
    if (trusted.has(hop.ip)) continue;
    return { kind: 'origin', ip: hop.ip, hop: i, date: hop.date };
  }
  return { kind: 'internal' };
}

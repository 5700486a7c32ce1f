/**
 * IP address parsing and canonical formatting, written by hand so that every rejection
 * carries a precise reason (`node:net` only says yes or no).
 *
 * IPv4 addresses are held as unsigned 32-bit numbers, IPv6 addresses as 128-bit bigints.
 * IPv6 text is written in the RFC 5952 canonical form: lower case, no leading zeros, the
 * longest run of two or more zero groups compressed to `::` (the first one on a tie).
 */
import { excerpt } from '../output/sanitize.js';

/** Outcome of a parse: a value, or the reason it was refused. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** A parsed address of either family. */
export type ParsedAddress =
  | { readonly family: 4; readonly value: number }
  | { readonly family: 6; readonly value: bigint };

/** Number of addresses in the IPv4 space. */
export const IPV4_SPACE = 2 ** 32;
/** Largest IPv6 address value. */
export const IPV6_MAX = (1n << 128n) - 1n;

/** `::ffff:0:0/96`: IPv4-mapped IPv6 addresses. */
const MAPPED_PREFIX = 0xffffn << 32n;

/** Quotes user input inside a reason: sanitized and short, because reasons reach terminals. */
export function quote(text: string): string {
  return `'${excerpt(text, 80)}'`;
}

function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

function fail<T>(reason: string): ParseResult<T> {
  return { ok: false, reason };
}

/**
 * Parses dotted-quad IPv4 text (exactly four decimal octets, no leading zeros).
 *
 * Leading zeros are refused because some tools read them as octal (`010` = 8): guessing
 * would scan the wrong host.
 *
 * @param text - Candidate address, already trimmed.
 * @returns The address as an unsigned 32-bit number, or a reason.
 */
export function parseIPv4(text: string): ParseResult<number> {
  const parts = text.split('.');
  if (parts.length !== 4) {
    return fail(
      `IPv4 address ${quote(text)} has ${parts.length} octet${parts.length === 1 ? '' : 's'}, expected 4`,
    );
  }
  let value = 0;
  for (const part of parts) {
    if (part === '') return fail(`empty IPv4 octet in ${quote(text)}`);
    if (!/^[0-9]+$/.test(part)) return fail(`invalid IPv4 octet ${quote(part)} in ${quote(text)}`);
    const n = Number(part);
    if (n > 255) return fail(`invalid IPv4 octet ${excerpt(part, 12)} in ${quote(text)}`);
    if (part.length > 1 && part.startsWith('0')) {
      return fail(
        `leading zero in IPv4 octet ${quote(part)} in ${quote(text)} (octal or decimal? write it without the zero)`,
      );
    }
    value = value * 256 + n;
  }
  return ok(value);
}

/** Parses one 1-4 digit hex group of an IPv6 address. */
function parseGroup(group: string, text: string): ParseResult<number> {
  if (group === '') return fail(`empty group in IPv6 address ${quote(text)}`);
  if (!/^[0-9a-fA-F]+$/.test(group)) {
    return fail(`invalid IPv6 group ${quote(group)} in ${quote(text)}`);
  }
  if (group.length > 4) {
    return fail(`IPv6 group ${quote(group)} in ${quote(text)} is longer than 4 hex digits`);
  }
  return ok(Number.parseInt(group, 16));
}

/** Parses a colon-separated list of groups; the last may be a dotted IPv4 tail. */
function parseGroups(parts: readonly string[], text: string, last: boolean): ParseResult<number[]> {
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (last && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (!v4.ok) return fail(`embedded IPv4 in ${quote(text)}: ${v4.reason}`);
      out.push(Math.floor(v4.value / 65536), v4.value % 65536);
      continue;
    }
    const group = parseGroup(part, text);
    if (!group.ok) return group;
    out.push(group.value);
  }
  return ok(out);
}

/**
 * Parses IPv6 text, with `::` compression and an optional dotted IPv4 tail
 * (`::ffff:192.0.2.1`). Zone indexes (`fe80::1%eth0`) are refused: a link-local scope is
 * not a scannable internet target.
 *
 * @param text - Candidate address, already trimmed, without brackets.
 * @returns The address as a 128-bit bigint, or a reason.
 */
export function parseIPv6(text: string): ParseResult<bigint> {
  if (text.includes('%')) return fail(`zone index not accepted in IPv6 address ${quote(text)}`);
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) {
    return fail(`more than one '::' in IPv6 address ${quote(text)}`);
  }
  let groups: number[];
  if (dbl === -1) {
    const parsed = parseGroups(text.split(':'), text, true);
    if (!parsed.ok) return parsed;
    if (parsed.value.length !== 8) {
      return fail(`IPv6 address ${quote(text)} has ${parsed.value.length} groups, expected 8`);
    }
    groups = parsed.value;
  } else {
    const headText = text.slice(0, dbl);
    const tailText = text.slice(dbl + 2);
    const head = parseGroups(headText === '' ? [] : headText.split(':'), text, false);
    if (!head.ok) return head;
    const tail = parseGroups(tailText === '' ? [] : tailText.split(':'), text, true);
    if (!tail.ok) return tail;
    const given = head.value.length + tail.value.length;
    // '::' stands for at least one zero group (RFC 4291 section 2.2).
    if (given > 7) {
      return fail(`IPv6 address ${quote(text)} has ${given} groups besides '::', at most 7`);
    }
    groups = [...head.value, ...new Array<number>(8 - given).fill(0), ...tail.value];
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return ok(value);
}

/**
 * Parses an address of either family. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`)
 * is returned as the IPv4 address it maps: a dual-stack mail log writes IPv4 senders that
 * way, and both spellings must dedupe and match exclusions as one host.
 *
 * @param text - Candidate address, already trimmed.
 * @returns The parsed address, or a reason.
 */
export function parseAddress(text: string): ParseResult<ParsedAddress> {
  if (text.includes(':')) {
    const v6 = parseIPv6(text);
    if (!v6.ok) return v6;
    if (isMappedIPv4(v6.value)) {
      return ok({ family: 4, value: Number(v6.value & 0xffffffffn) });
    }
    return ok({ family: 6, value: v6.value });
  }
  const v4 = parseIPv4(text);
  if (!v4.ok) return v4;
  return ok({ family: 4, value: v4.value });
}

/**
 * Writes an IPv4 address held as an unsigned 32-bit number in dotted-quad form.
 *
 * @param value - 0 to 2^32 - 1.
 */
export function formatIPv4(value: number): string {
  return `${Math.floor(value / 16777216) % 256}.${Math.floor(value / 65536) % 256}.${
    Math.floor(value / 256) % 256
  }.${value % 256}`;
}

/**
 * Writes an IPv6 address in RFC 5952 canonical form. Addresses in `::ffff:0:0/96` keep a
 * dotted IPv4 tail, as RFC 5952 section 5 recommends.
 *
 * @param value - 0 to 2^128 - 1.
 */
export function formatIPv6(value: bigint): string {
  if (isMappedIPv4(value)) return `::ffff:${formatIPv4(Number(value & 0xffffffffn))}`;
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // Longest run of at least two zero groups; the first wins a tie.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && groups[i] === 0) {
      if (runStart === -1) runStart = i;
    } else if (runStart !== -1) {
      const len = i - runStart;
      if (len > bestLen) {
        bestStart = runStart;
        bestLen = len;
      }
      runStart = -1;
    }
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Whether an IPv6 value lies in `::ffff:0:0/96` (an IPv4-mapped address). */
export function isMappedIPv4(value: bigint): boolean {
  return value >> 32n === MAPPED_PREFIX >> 32n;
}

/**
 * Canonical text of an address (dotted quad, or RFC 5952 IPv6; IPv4-mapped IPv6 becomes
 * IPv4), or null when `text` is not an address.
 *
 * @param text - Candidate address.
 */
export function canonicalIp(text: string): string | null {
  const parsed = parseAddress(text.trim());
  if (!parsed.ok) return null;
  return parsed.value.family === 4
    ? formatIPv4(parsed.value.value)
    : formatIPv6(parsed.value.value);
}

/**
 * One line of a target list: an address, a CIDR or an IPv4 range, with `#` comments.
 *
 * Accepted forms (surrounding whitespace ignored, `#` starts a comment anywhere):
 * - IPv4 `192.0.2.7`, IPv6 `2001:db8::7` (written back in RFC 5952 form), either one in
 *   brackets (`[2001:db8::7]`, as mail logs write them);
 * - CIDR `192.0.2.0/24`, `2001:db8::/120`; host bits are cleared (`192.0.2.7/24` is the
 *   whole /24, as most scanners read it);
 * - IPv4 ranges `192.0.2.10-20` (last octet) and `192.0.2.10-192.0.2.20`.
 *
 * Blocks expand lazily and only up to a size limit unless the caller allows more. Network
 * and broadcast addresses of IPv4 blocks are scanned like any other: spam can come from any
 * address, and a block on a target list is not necessarily a LAN.
 * Hostnames are refused: thingscan scans addresses and never resolves names.
 */

import { excerpt } from '../output/sanitize.js';
import {
  formatIPv4,
  formatIPv6,
  IPV4_SPACE,
  IPV6_MAX,
  isMappedIPv4,
  type ParseResult,
  parseAddress,
  parseIPv4,
  parseIPv6,
  quote,
} from './address.js';

/** Default largest number of addresses one CIDR or range may expand to. */
export const DEFAULT_MAX_EXPAND = 65_536;

/** Longest accepted line, comments included: target lines are short, garbage is not. */
export const MAX_LINE_LENGTH = 1024;

/** How a target was written. */
export type TargetKind = 'address' | 'cidr' | 'range';

/** An IPv4 target: a block of consecutive addresses `first..last` (inclusive). */
export interface Ipv4Target {
  /** Address family. */
  readonly family: 4;
  /** How the line wrote it. */
  readonly kind: TargetKind;
  /** First address, unsigned 32-bit. */
  readonly first: number;
  /** Last address (inclusive), unsigned 32-bit. */
  readonly last: number;
  /** Canonical text of the block (`192.0.2.0/24`, `192.0.2.1-192.0.2.9`, `192.0.2.1`). */
  readonly text: string;
}

/** An IPv6 target: a block of consecutive addresses `first..last` (inclusive). */
export interface Ipv6Target {
  /** Address family. */
  readonly family: 6;
  /** How the line wrote it (IPv6 has no range syntax). */
  readonly kind: 'address' | 'cidr';
  /** First address, 128-bit. */
  readonly first: bigint;
  /** Last address (inclusive), 128-bit. */
  readonly last: bigint;
  /** Canonical text of the block. */
  readonly text: string;
}

/** A parsed target line: a block of addresses of one family. */
export type TargetSpec = Ipv4Target | Ipv6Target;

/** Limits applied while parsing. */
export interface ParseOptions {
  /** Largest block a line may expand to. Default {@link DEFAULT_MAX_EXPAND}. */
  readonly maxExpand?: number | undefined;
  /** Accept blocks larger than `maxExpand` (the CLI's `--allow-large`). Default false. */
  readonly allowLarge?: boolean | undefined;
}

/**
 * Result of parsing one line: a target, `null` for a blank or comment line, or a reason.
 */
export type LineResult =
  | { readonly ok: true; readonly target: TargetSpec | null }
  | { readonly ok: false; readonly reason: string };

function refuse(reason: string): LineResult {
  return { ok: false, reason };
}

/** Number of addresses in a target. */
export function targetSize(target: TargetSpec): bigint {
  return target.family === 4
    ? BigInt(target.last - target.first + 1)
    : target.last - target.first + 1n;
}

/** Hostname syntax whose last label starts with a letter, as every top-level domain does. */
const HOSTNAME = /^(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*\.?$/i;
/** Start of an IPv4 range: a dotted quad (octets checked later) then `-`. */
const RANGE_START = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+-/;
/** An IPv4 address with a port, as logs sometimes write it. */
const V4_WITH_PORT = /^[0-9.]+:[0-9]+$/;

/**
 * Parses one line of a target list.
 *
 * @param line - Raw line (comments and surrounding whitespace allowed).
 * @param options - Expansion limit.
 * @returns The target, `null` when the line holds none, or a precise reason.
 */
export function parseTargetLine(line: string, options: ParseOptions = {}): LineResult {
  if (line.length > MAX_LINE_LENGTH) {
    return refuse(`line too long (${line.length} characters, limit ${MAX_LINE_LENGTH})`);
  }
  const hash = line.indexOf('#');
  const text = (hash === -1 ? line : line.slice(0, hash)).trim();
  if (text === '') return { ok: true, target: null };
  if (/\s/.test(text)) {
    return refuse(`several values on one line (${quote(text)}); write one target per line`);
  }
  const bracketed = /^\[([^\]]*)\]$/.exec(text);
  const body = bracketed ? (bracketed[1] ?? '') : text;
  const parsed = parseBody(body);
  if (!parsed.ok) return refuse(parsed.reason);
  const target = parsed.value;
  if (target.kind !== 'address') {
    const size = targetSize(target);
    const limit = options.maxExpand ?? DEFAULT_MAX_EXPAND;
    if (!options.allowLarge && size > BigInt(limit)) {
      const what = target.kind === 'cidr' ? 'CIDR' : 'range';
      return refuse(
        `${what} ${target.text} expands to ${size} addresses (limit ${limit}); pass --allow-large`,
      );
    }
  }
  return { ok: true, target };
}

/** Dispatches on the shape of a single token. */
function parseBody(body: string): ParseResult<TargetSpec> {
  if (body === '') return { ok: false, reason: 'empty brackets' };
  if (body.includes(':')) {
    if (V4_WITH_PORT.test(body)) {
      const colon = body.indexOf(':');
      return {
        ok: false,
        reason: `port suffix ${quote(body.slice(colon))} not accepted in ${quote(body)}; write the address alone`,
      };
    }
    if (body.includes('-')) {
      return {
        ok: false,
        reason: `IPv6 ranges are not supported (${quote(body)}); write a CIDR such as 2001:db8::/120`,
      };
    }
    return body.includes('/') ? parseCidr(body) : parseSingle(body);
  }
  if (body.includes('/')) return parseCidr(body);
  // A dotted-quad start makes it a range, even when the end looks like a name.
  if (RANGE_START.test(body)) return parseRange(body);
  if (HOSTNAME.test(body)) return hostnameRefused(body);
  if (body.includes('-')) return parseRange(body);
  if (body.includes('.') || /^[0-9]+$/.test(body)) return parseSingle(body);
  return {
    ok: false,
    reason: `unrecognised target ${quote(body)} (expected an IP address, a CIDR or an IPv4 range)`,
  };
}

function hostnameRefused(text: string): ParseResult<TargetSpec> {
  return {
    ok: false,
    reason: `hostname ${quote(text)} not accepted: thingscan scans addresses and never resolves names`,
  };
}

/** One address; an IPv4-mapped IPv6 address becomes IPv4. */
function parseSingle(body: string): ParseResult<TargetSpec> {
  const parsed = parseAddress(body);
  if (!parsed.ok) return parsed;
  const address = parsed.value;
  if (address.family === 4) {
    const text = formatIPv4(address.value);
    return {
      ok: true,
      value: { family: 4, kind: 'address', first: address.value, last: address.value, text },
    };
  }
  const text = formatIPv6(address.value);
  return {
    ok: true,
    value: { family: 6, kind: 'address', first: address.value, last: address.value, text },
  };
}

/** `address/prefix`; host bits are cleared. */
function parseCidr(body: string): ParseResult<TargetSpec> {
  const parts = body.split('/');
  if (parts.length !== 2) return { ok: false, reason: `more than one '/' in ${quote(body)}` };
  const [addressText = '', prefixText = ''] = parts;
  if (addressText === '')
    return { ok: false, reason: `missing address before '/' in ${quote(body)}` };
  if (!addressText.includes(':') && HOSTNAME.test(addressText)) return hostnameRefused(body);
  if (prefixText === '') {
    return { ok: false, reason: `missing prefix length after '/' in ${quote(body)}` };
  }
  const v6 = addressText.includes(':');
  const maxPrefix = v6 ? 128 : 32;
  if (!/^[0-9]{1,3}$/.test(prefixText) || (prefixText.length > 1 && prefixText.startsWith('0'))) {
    return { ok: false, reason: `bad prefix length /${excerpt(prefixText, 12)}` };
  }
  const prefix = Number(prefixText);
  if (prefix > maxPrefix) {
    return {
      ok: false,
      reason: `bad prefix length /${prefix} (IPv${v6 ? 6 : 4} allows /0 to /${maxPrefix})`,
    };
  }
  if (!v6) {
    const parsed = parseIPv4(addressText);
    if (!parsed.ok) return parsed;
    return { ok: true, value: v4Cidr(parsed.value, prefix) };
  }
  const parsed = parseIPv6(addressText);
  if (!parsed.ok) return parsed;
  const hostBits = BigInt(128 - prefix);
  const first = (parsed.value >> hostBits) << hostBits;
  const last = first | ((1n << hostBits) - 1n);
  // A block inside ::ffff:0:0/96 is an IPv4 block: keep one spelling per host.
  if (prefix >= 96 && isMappedIPv4(first)) {
    return { ok: true, value: v4Cidr(Number(first & 0xffffffffn), prefix - 96) };
  }
  return {
    ok: true,
    value: {
      family: 6,
      kind: 'cidr',
      first,
      last: last & IPV6_MAX,
      text: `${formatIPv6(first)}/${prefix}`,
    },
  };
}

/** The IPv4 block of `prefix` bits containing `address`. */
function v4Cidr(address: number, prefix: number): Ipv4Target {
  const size = 2 ** (32 - prefix);
  const first = address - (address % size);
  const last = Math.min(first + size - 1, IPV4_SPACE - 1);
  return { family: 4, kind: 'cidr', first, last, text: `${formatIPv4(first)}/${prefix}` };
}

/** `a.b.c.d-e` or `a.b.c.d-a.b.c.e` (inclusive). */
function parseRange(body: string): ParseResult<TargetSpec> {
  const parts = body.split('-');
  if (parts.length !== 2) return { ok: false, reason: `more than one '-' in range ${quote(body)}` };
  const [startText = '', endText = ''] = parts;
  if (startText === '') return { ok: false, reason: `missing range start in ${quote(body)}` };
  if (endText === '') return { ok: false, reason: `missing range end in ${quote(body)}` };
  const start = parseIPv4(startText);
  if (!start.ok) return { ok: false, reason: `bad range start: ${start.reason}` };
  let end: number;
  if (/^[0-9]+$/.test(endText)) {
    // Last-octet form: the end shares the first three octets of the start.
    const octet = Number(endText);
    if (octet > 255 || (endText.length > 1 && endText.startsWith('0'))) {
      return {
        ok: false,
        reason: `bad range end: invalid IPv4 octet ${excerpt(endText, 12)} in ${quote(body)}`,
      };
    }
    end = start.value - (start.value % 256) + octet;
  } else {
    const parsed = parseIPv4(endText);
    if (!parsed.ok) return { ok: false, reason: `bad range end: ${parsed.reason}` };
    end = parsed.value;
  }
  if (end < start.value) return { ok: false, reason: `range end before start in ${quote(body)}` };
  return {
    ok: true,
    value: {
      family: 4,
      kind: 'range',
      first: start.value,
      last: end,
      text: `${formatIPv4(start.value)}-${formatIPv4(end)}`,
    },
  };
}

/**
 * Addresses of a target in ascending order, as canonical text, one at a time: a block is
 * never materialised, so `127.0.0.0/8` costs nothing until it is iterated.
 *
 * @param target - A parsed target.
 */
export function* expandTarget(target: TargetSpec): Generator<string, void, undefined> {
  if (target.family === 4) {
    for (let v = target.first; v <= target.last; v++) yield formatIPv4(v);
    return;
  }
  for (let v = target.first; v <= target.last; v++) yield formatIPv6(v);
}

/**
 * Exclude lists (`--exclude`, `--exclude-file`): addresses and blocks that must never be
 * contacted. Same syntax and errors as target lines, with no size limit (excluding a large
 * block expands nothing).
 *
 * Blocks are stored as CIDRs grouped by prefix length, so a lookup masks the address once
 * per distinct prefix length present: at most 33 set probes for IPv4 and 129 for IPv6,
 * whatever the list size. IPv4 ranges are split into the few CIDRs that cover them exactly.
 */
import { TargetError } from '../errors.js';
import { parseAddress } from './address.js';
import { parseTargetLine, type TargetSpec } from './parse.js';
import type { TargetSource } from './read.js';

/** The smallest list of IPv4 CIDRs covering `first..last` exactly (at most 62). */
function ipv4RangeToCidrs(first: number, last: number): Array<{ network: number; prefix: number }> {
  const out: Array<{ network: number; prefix: number }> = [];
  let start = first;
  while (start <= last) {
    // Largest aligned block starting at `start` that does not pass `last`.
    let bits = 0;
    while (bits < 32 && start % 2 ** (bits + 1) === 0 && start + 2 ** (bits + 1) - 1 <= last) {
      bits++;
    }
    out.push({ network: start, prefix: 32 - bits });
    start += 2 ** bits;
  }
  return out;
}

/** Set of IPv4 and IPv6 blocks with prefix-length lookups. */
export class ExcludeList {
  /** IPv4 networks by prefix length. */
  readonly #v4 = new Map<number, Set<number>>();
  /** IPv6 networks by prefix length. */
  readonly #v6 = new Map<number, Set<bigint>>();
  /** Prefix lengths present, for the lookup loop. */
  #v4Prefixes: number[] = [];
  #v6Prefixes: number[] = [];
  #entries = 0;

  /** Number of CIDR entries held (a range counts as the CIDRs that cover it). */
  get size(): number {
    return this.#entries;
  }

  /**
   * Adds a parsed target (address, CIDR or range).
   *
   * @param target - From {@link parseTargetLine}.
   */
  add(target: TargetSpec): void {
    if (target.family === 4) {
      for (const { network, prefix } of ipv4RangeToCidrs(target.first, target.last)) {
        let set = this.#v4.get(prefix);
        if (set === undefined) {
          set = new Set();
          this.#v4.set(prefix, set);
          this.#v4Prefixes = [...this.#v4.keys()].sort((a, b) => a - b);
        }
        if (!set.has(network)) {
          set.add(network);
          this.#entries++;
        }
      }
      return;
    }
    // IPv6 targets are always a single address or one CIDR.
    const span = target.last - target.first + 1n;
    let prefix = 128;
    while (prefix > 0 && 1n << BigInt(128 - prefix) < span) prefix--;
    let set = this.#v6.get(prefix);
    if (set === undefined) {
      set = new Set();
      this.#v6.set(prefix, set);
      this.#v6Prefixes = [...this.#v6.keys()].sort((a, b) => a - b);
    }
    if (!set.has(target.first)) {
      set.add(target.first);
      this.#entries++;
    }
  }

  /**
   * Parses one exclude line and adds it.
   *
   * @param text - Raw line.
   * @param file - Source name for the error (`<args>` for `--exclude` values).
   * @param line - 1-based line number.
   * @returns null when the line was added or empty, else the error.
   */
  addLine(text: string, file: string, line: number): TargetError | null {
    const parsed = parseTargetLine(text, { allowLarge: true });
    if (!parsed.ok) return new TargetError(file, line, parsed.reason);
    if (parsed.target !== null) this.add(parsed.target);
    return null;
  }

  /**
   * Whether an IPv4 address (unsigned 32-bit) is excluded.
   *
   * @param value - Address.
   */
  hasIPv4(value: number): boolean {
    for (const prefix of this.#v4Prefixes) {
      const size = 2 ** (32 - prefix);
      if (this.#v4.get(prefix)?.has(value - (value % size))) return true;
    }
    return false;
  }

  /**
   * Whether an IPv6 address (128-bit) is excluded.
   *
   * @param value - Address.
   */
  hasIPv6(value: bigint): boolean {
    for (const prefix of this.#v6Prefixes) {
      const hostBits = BigInt(128 - prefix);
      if (this.#v6.get(prefix)?.has((value >> hostBits) << hostBits)) return true;
    }
    return false;
  }

  /**
   * Whether an address is excluded. Text that is not an address is never excluded.
   * IPv4-mapped IPv6 text is checked as the IPv4 address it maps.
   *
   * @param ip - Address text, any valid spelling.
   */
  has(ip: string): boolean {
    const parsed = parseAddress(ip.trim());
    if (!parsed.ok) return false;
    return parsed.value.family === 4
      ? this.hasIPv4(parsed.value.value)
      : this.hasIPv6(parsed.value.value);
  }
}

/** An exclude list and the lines that could not be read into it. */
export interface LoadedExcludeList {
  /** Every valid entry. */
  readonly list: ExcludeList;
  /** Bad lines, in source order. Callers should refuse to scan when any: a mistyped
   * exclusion silently dropped would contact a host that asked not to be contacted. */
  readonly errors: readonly TargetError[];
}

/**
 * Builds an exclude list from sources (`linesFromArgs(--exclude values)`,
 * `linesFromFile(--exclude-file)`).
 *
 * @param sources - Named line sources.
 * @returns The list and every bad line.
 */
export async function loadExcludeList(sources: Iterable<TargetSource>): Promise<LoadedExcludeList> {
  const list = new ExcludeList();
  const errors: TargetError[] = [];
  for (const source of sources) {
    let line = 0;
    for await (const text of source.lines) {
      line++;
      const error = list.addLine(
        line === 1 ? text.replace(/^\uFEFF/, '') : text,
        source.name,
        line,
      );
      if (error) errors.push(error);
    }
  }
  return { list, errors };
}

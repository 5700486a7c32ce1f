/**
 * Splitting one target list across n machines, ZMap's way: a seeded hash of the address
 * (not its position in the list) decides the shard, so every machine can read the same
 * list in any order, and shards 1/n … n/n cover it exactly once as long as they share the
 * seed. Position-based splits (every n-th line) break as soon as one machine's list is
 * filtered or reordered differently; an address hash does not.
 */
import { ThingscanError } from '../errors.js';

/** Shard `index` (1-based) of `count`, with the seed every machine must share. */
export interface ShardSpec {
  /** 1-based shard number, 1 ≤ index ≤ count. */
  readonly index: number;
  /** Number of shards, ≥ 1. */
  readonly count: number;
  /** Seed of the hash (any unsigned 32-bit integer). Default 0. */
  readonly seed: number;
}

/**
 * Parses `i/n` (1-based, as `--shard 2/3`) and a seed.
 *
 * @throws ThingscanError `E_USAGE` on anything but `1 ≤ i ≤ n`, integers, seed 0 … 2^32−1.
 */
export function parseShard(text: string, seed = 0): ShardSpec {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new ThingscanError('E_USAGE', `--shard wants i/n with 1 <= i <= n, got '${text}'`);
  }
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new ThingscanError('E_USAGE', `--seed wants an integer 0..4294967295, got ${seed}`);
  }
  return { index, count, seed };
}

/**
 * The shard (1-based) an address belongs to: FNV-1a over the seed and the canonical
 * address text, then Murmur3's finaliser so nearby addresses spread evenly.
 * Canonical text (as `readTargets` yields it) makes the result the same on every machine.
 */
export function shardOf(ip: string, count: number, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < ip.length; i++) {
    h ^= ip.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) % count) + 1;
}

/** True when `ip` belongs to `shard`. */
export function inShard(ip: string, shard: ShardSpec): boolean {
  return shard.count === 1 || shardOf(ip, shard.count, shard.seed) === shard.index;
}

/**
 * A set of IPv4 addresses that stays small whether the list is sparse or dense.
 *
 * Addresses are grouped by their /16. A /16 starts as a `Set` of 16-bit host parts (a few
 * bytes per address, fine for scattered spam senders) and turns into an 8 KiB bitmap once it
 * holds enough addresses that the bitmap is smaller. So a million scattered addresses cost
 * tens of megabytes, and an allowed `127.0.0.0/8` costs 2 MiB instead of overflowing V8's
 * 2^24-entry limit on a single `Set`.
 */

/** Bytes of a /16 bitmap. */
const BITMAP_BYTES = 65536 / 8;
/** Entries after which a /16's Set becomes a bitmap (a Set entry costs well over 16 bytes). */
const PROMOTE_AT = 512;

/** Set of IPv4 addresses held as unsigned 32-bit numbers. */
export class Ipv4Set {
  readonly #chunks = new Map<number, Set<number> | Uint8Array>();
  #size = 0;

  /** Number of distinct addresses held. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds an address.
   *
   * @param value - Unsigned 32-bit address.
   * @returns true when the address was not in the set yet.
   */
  add(value: number): boolean {
    const high = Math.floor(value / 65536);
    const low = value % 65536;
    const chunk = this.#chunks.get(high);
    if (chunk === undefined) {
      this.#chunks.set(high, new Set([low]));
      this.#size++;
      return true;
    }
    if (chunk instanceof Uint8Array) {
      const byte = low >> 3;
      const bit = 1 << (low & 7);
      const old = chunk[byte] ?? 0;
      if (old & bit) return false;
      chunk[byte] = old | bit;
      this.#size++;
      return true;
    }
    if (chunk.has(low)) return false;
    chunk.add(low);
    this.#size++;
    if (chunk.size >= PROMOTE_AT) {
      const bitmap = new Uint8Array(BITMAP_BYTES);
      for (const v of chunk) bitmap[v >> 3] = (bitmap[v >> 3] ?? 0) | (1 << (v & 7));
      this.#chunks.set(high, bitmap);
    }
    return true;
  }

  /**
   * Whether an address is in the set.
   *
   * @param value - Unsigned 32-bit address.
   */
  has(value: number): boolean {
    const chunk = this.#chunks.get(Math.floor(value / 65536));
    if (chunk === undefined) return false;
    const low = value % 65536;
    if (chunk instanceof Uint8Array) return ((chunk[low >> 3] ?? 0) & (1 << (low & 7))) !== 0;
    return chunk.has(low);
  }
}

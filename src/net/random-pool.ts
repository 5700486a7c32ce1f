/**
 * Random bytes for protocol fields that must look random but guard no secret of ours: SSH
 * padding and KEXINIT cookies (the scanner never reaches encryption), and the like.
 * `crypto.randomBytes` costs a call into OpenSSL each time, which showed up in the scan
 * profile at a few small calls per host; this draws them from one pooled buffer,
 * refilled from the same CSPRNG when used up.
 */
import { randomFillSync } from 'node:crypto';

/** Pool size: a few hundred hosts' worth of padding per refill. */
const POOL_BYTES = 8192;

const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` fresh random bytes in a buffer of their own (never shared with a later call). */
export function pooledRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(n));
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  offset += n;
  return out;
}

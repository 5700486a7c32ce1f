/**
 * MurmurHash3 x86 32-bit (Austin Appleby's public-domain algorithm, written here from its
 * description) and the favicon hash convention that search engines popularised: hash the
 * base64 text of the icon, wrapped as Python's `base64.encodebytes` wraps it.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3 x86_32's state after the first `blocks` 4-byte blocks of `data` (before the
 * tail and the final mix), unsigned. The lab uses it to pad an icon to a chosen hash.
 */
export function murmur3Blocks(data: Uint8Array, blocks: number, seed = 0): number {
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 1) {
    const o = i * 4;
    let k =
      (data[o] ?? 0) |
      ((data[o + 1] ?? 0) << 8) |
      ((data[o + 2] ?? 0) << 16) |
      ((data[o + 3] ?? 0) << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return h >>> 0;
}

/**
 * MurmurHash3 x86_32 of `data` with `seed`, as an unsigned 32-bit integer.
 * Blocks are read little-endian, as the reference implementation does on x86.
 */
export function murmur3x86_32(data: Uint8Array, seed = 0): number {
  const len = data.length;
  const blocks = len >>> 2;
  let h = murmur3Blocks(data, blocks, seed) | 0;
  const tail = blocks * 4;
  let k = 0;
  // The tail bytes fold in from the highest one down, like the reference switch fall-through.
  switch (len & 3) {
    case 3:
      k ^= (data[tail + 2] ?? 0) << 16;
      k ^= (data[tail + 1] ?? 0) << 8;
      k ^= data[tail] ?? 0;
      break;
    case 2:
      k ^= (data[tail + 1] ?? 0) << 8;
      k ^= data[tail] ?? 0;
      break;
    case 1:
      k ^= data[tail] ?? 0;
      break;
    default:
      break;
  }
  if ((len & 3) !== 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Base64 with a newline after every 76 characters and after the last line, the layout of
 * Python's `base64.encodebytes` (empty input gives empty text).
 */
export function base64Lines(data: Uint8Array): string {
  const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += `${b64.slice(i, i + 76)}\n`;
  return out;
}

/**
 * Favicon hash in the widespread convention: MurmurHash3 x86_32 (seed 0) of
 * {@link base64Lines} of the icon bytes, as a signed 32-bit integer.
 */
export function faviconMmh3(icon: Uint8Array): number {
  return murmur3x86_32(Buffer.from(base64Lines(icon), 'latin1'), 0) | 0;
}

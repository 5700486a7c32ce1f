/**
 * Builds small, valid 16x16 ICO files for the lab's web servers. Each persona gets its own
 * colours and pattern, so favicon hashes (md5, mmh3) differ per device as they do in the
 * field, without shipping any vendor's artwork.
 */
import { base64Lines, murmur3Blocks } from '../../probes/parsers/mmh3.js';
import type { HttpResponseSpec } from './types.js';

/** Drawing of a lab favicon: two colours and a simple pattern. */
export interface FaviconSpec {
  /** Background colour, `[r, g, b]`. */
  readonly background: readonly [number, number, number];
  /** Foreground colour, `[r, g, b]`. */
  readonly foreground: readonly [number, number, number];
  /** Where the foreground goes. */
  readonly pattern: 'square' | 'diagonal' | 'stripes' | 'dot' | 'frame';
  /** Shodan-style mmh3 the icon must have (see {@link forgeFaviconMmh3}); default its own. */
  readonly mmh3?: number;
}

/**
 * Stand-in icons that several personas of one maker serve alike, as one maker's firmware
 * serves the same icon on every model. Lab drawings, not the makers' artwork; where the
 * field's favicon hash of that maker is a published fact, the drawing is padded so that
 * its Shodan-style mmh3 equals it ({@link forgeFaviconMmh3}): signatures then read the
 * real hash, and the lab exercises them without shipping anyone's artwork. The md5 and
 * sha256 of a lab icon stay its own.
 */
export const SHARED_ICONS = {
  /** Hikvision cameras (personas `hikvision-camera` and `favicon-camera`). */
  hikvision: {
    background: [200, 20, 30],
    foreground: [255, 255, 255],
    pattern: 'square',
    // The mmh3 favicon hash widely published for Hikvision camera web interfaces.
    mmh3: 999357577,
  },
} as const satisfies Record<string, FaviconSpec>;

const SIZE = 16;

/** Encodes a 16x16 32-bit ICO (BMP payload, bottom-up rows, empty AND mask). */
export function makeFavicon(spec: FaviconSpec): Uint8Array {
  const icon = drawFavicon(spec);
  return spec.mmh3 === undefined ? icon : forgeFaviconMmh3(icon, spec.mmh3);
}

/**
 * A 200 response serving the icon of `spec`, drawn (and padded to its hash) when first
 * served rather than when the persona list is built: padding takes a search of about
 * 16,000 hashes, which every command importing the lab would otherwise pay at start-up.
 */
export function iconResponse(
  headers: HttpResponseSpec['headers'],
  spec: FaviconSpec,
  type = 'image/x-icon',
): HttpResponseSpec {
  let body: Uint8Array | null = null;
  return {
    status: 200,
    headers: [...headers, ['Content-Type', type]],
    get body() {
      body ??= makeFavicon(spec);
      return body;
    },
  };
}

function drawFavicon(spec: FaviconSpec): Uint8Array {
  const pixelBytes = SIZE * SIZE * 4;
  const maskBytes = SIZE * 4; // 1 bit per pixel, rows padded to 32 bits
  const imageBytes = 40 + pixelBytes + maskBytes;
  const buf = Buffer.alloc(6 + 16 + imageBytes);
  // ICONDIR: reserved, type 1 (icon), one image.
  buf.writeUInt16LE(0, 0);
  buf.writeUInt16LE(1, 2);
  buf.writeUInt16LE(1, 4);
  // ICONDIRENTRY.
  buf.writeUInt8(SIZE, 6);
  buf.writeUInt8(SIZE, 7);
  buf.writeUInt8(0, 8);
  buf.writeUInt8(0, 9);
  buf.writeUInt16LE(1, 10);
  buf.writeUInt16LE(32, 12);
  buf.writeUInt32LE(imageBytes, 14);
  buf.writeUInt32LE(22, 18);
  // BITMAPINFOHEADER; height is doubled because the AND mask follows the colour rows.
  const h = 22;
  buf.writeUInt32LE(40, h);
  buf.writeInt32LE(SIZE, h + 4);
  buf.writeInt32LE(SIZE * 2, h + 8);
  buf.writeUInt16LE(1, h + 12);
  buf.writeUInt16LE(32, h + 14);
  buf.writeUInt32LE(0, h + 16);
  buf.writeUInt32LE(pixelBytes + maskBytes, h + 20);
  let p = h + 40;
  for (let row = SIZE - 1; row >= 0; row--) {
    for (let col = 0; col < SIZE; col++) {
      const [r, g, b] = inPattern(spec.pattern, row, col) ? spec.foreground : spec.background;
      buf.writeUInt8(b, p);
      buf.writeUInt8(g, p + 1);
      buf.writeUInt8(r, p + 2);
      buf.writeUInt8(0xff, p + 3);
      p += 4;
    }
  }
  return new Uint8Array(buf);
}

function inPattern(pattern: FaviconSpec['pattern'], row: number, col: number): boolean {
  switch (pattern) {
    case 'square':
      return row >= 4 && row < 12 && col >= 4 && col < 12;
    case 'diagonal':
      return Math.abs(row - col) <= 1;
    case 'stripes':
      return row % 4 < 2;
    case 'dot':
      return (row - 7.5) ** 2 + (col - 7.5) ** 2 <= 16;
    case 'frame':
      return row < 2 || row > 13 || col < 2 || col > 13;
  }
}

// ---------------------------------------------------------------------------------------
// Padding an icon to a chosen favicon hash. The hash is MurmurHash3 x86_32 over the icon's
// base64 text in lines of 76 characters, each ending in a newline. Every step of it can be
// undone, so for a chosen result the last 4-byte block of that text is determined by the
// state before it. The icon gets trailing bytes (icon readers ignore them) sized so that
// the text ends in a 4-character line and a newline, making its last block
// `q2 q3 q4 \n`: the last three base64 digits. A counter in the padding is stepped until
// the determined block is three base64 digits and a newline (1 chance in 16,384).

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const M_C1 = 0xcc9e2d51;
const M_C2 = 0x1b873593;

/** Multiplicative inverse of an odd number modulo 2^32 (Newton's iteration). */
function inverse(a: number): number {
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}

const rotr = (x: number, r: number): number => ((x >>> r) | (x << (32 - r))) >>> 0;

/** Undoes MurmurHash3's final mix. */
function unmix(hash: number): number {
  let h = hash >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, inverse(0xc2b2ae35));
  h ^= (h >>> 13) ^ (h >>> 26);
  h = Math.imul(h, inverse(0x85ebca6b));
  h ^= h >>> 16;
  return h >>> 0;
}

/** The last block (little-endian) that takes state `before` to final hash `target`. */
function lastBlockFor(before: number, target: number, length: number): number {
  const after = (unmix(target) ^ length) >>> 0;
  const x = Math.imul((after - 0xe6546b64) | 0, inverse(5)) >>> 0;
  const mixed = (rotr(x, 13) ^ before) >>> 0;
  return Math.imul(rotr(Math.imul(mixed, inverse(M_C2)) >>> 0, 15), inverse(M_C1)) >>> 0;
}

const forged = new Map<string, Uint8Array>();

/**
 * `icon` with trailing bytes so that its Shodan-style mmh3 (signed) is `target`.
 * Deterministic; memoised per icon and target.
 */
export function forgeFaviconMmh3(icon: Uint8Array, target: number): Uint8Array {
  const memo = `${Buffer.from(icon).toString('base64')}:${target}`;
  const known = forged.get(memo);
  if (known) return known;
  // Size: a multiple of 3 bytes (no '=' padding) whose base64 ends in a 4-digit line after
  // a multiple-of-4 count of lines, so the text length is a multiple of 4.
  let size = icon.length + 7;
  for (; ; size++) {
    const digits = (size / 3) * 4;
    const lines = Math.ceil(digits / 76);
    if (size % 3 === 0 && digits % 76 === 4 && lines % 4 === 0) break;
  }
  const out = Buffer.alloc(size);
  out.set(icon);
  const last = size - 3;
  // The first of the last three bytes: its top 6 bits give q1 (fixed here, 'Q' = 16).
  const q1 = 16;
  for (let counter = 0; counter < 1 << 24; counter++) {
    out.writeUIntLE(counter, icon.length, 3);
    out[last] = q1 << 2;
    const text = Buffer.from(base64Lines(out), 'latin1');
    const length = text.length;
    const k = lastBlockFor(murmur3Blocks(text, length / 4 - 1), target >>> 0, length);
    const q = [k & 0xff, (k >>> 8) & 0xff, (k >>> 16) & 0xff].map((c) =>
      B64.indexOf(String.fromCharCode(c)),
    );
    if (k >>> 24 !== 0x0a || q.some((i) => i < 0)) continue;
    const [q2, q3, q4] = q as [number, number, number];
    out[last] = (q1 << 2) | (q2 >> 4);
    out[last + 1] = ((q2 & 15) << 4) | (q3 >> 2);
    out[last + 2] = ((q3 & 3) << 6) | q4;
    const result = new Uint8Array(out);
    forged.set(memo, result);
    return result;
  }
  throw new Error(`no padding found for favicon hash ${target}`);
}

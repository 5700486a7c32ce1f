/**
 * Builds small, valid 16x16 ICO files for the lab's web servers. Each persona gets its own
 * colours and pattern, so favicon hashes (md5, mmh3) differ per device as they do in the
 * field, without shipping any vendor's artwork.
 */

/** Drawing of a lab favicon: two colours and a simple pattern. */
export interface FaviconSpec {
  /** Background colour, `[r, g, b]`. */
  readonly background: readonly [number, number, number];
  /** Foreground colour, `[r, g, b]`. */
  readonly foreground: readonly [number, number, number];
  /** Where the foreground goes. */
  readonly pattern: 'square' | 'diagonal' | 'stripes' | 'dot' | 'frame';
}

/**
 * Stand-in icons that several personas of one maker serve alike, as one maker's firmware
 * serves the same icon on every model. Lab drawings, not the makers' artwork: a signature
 * reading their hashes says so and stays experimental.
 */
export const SHARED_ICONS = {
  /** Hikvision cameras (personas `hikvision-camera` and `favicon-camera`). */
  hikvision: { background: [200, 20, 30], foreground: [255, 255, 255], pattern: 'square' },
} as const satisfies Record<string, FaviconSpec>;

const SIZE = 16;

/** Encodes a 16x16 32-bit ICO (BMP payload, bottom-up rows, empty AND mask). */
export function makeFavicon(spec: FaviconSpec): Uint8Array {
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

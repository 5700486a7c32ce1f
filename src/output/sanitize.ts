/**
 * Making remote text safe to show.
 *
 * Everything a scanned host sends is hostile: a banner can carry ANSI escape sequences that
 * rewrite the operator's terminal, C1 controls that some terminals also obey (U+009B is a
 * CSI), bidi overrides that reorder what is displayed, or bytes that are not text at all.
 * These helpers turn such characters into visible escapes (`\x1b`, `\u0085`) so the
 * evidence stays readable and nothing reaches a terminal raw.
 */

/**
 * Characters that never reach output raw: C0 controls, DEL, C1 controls, Unicode format
 * characters (bidi overrides, zero-width characters, BOM, tags), line and paragraph
 * separators, lone surrogates (matched one by one thanks to the `u` flag) and U+FFFD, the
 * mark a decoder leaves where bytes were not valid text.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}\ufffd]/u;
const UNSAFE_GLOBAL = new RegExp(UNSAFE.source, 'gu');

/** Short escapes for the three controls every banner is full of, for readability. */
const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  9: '\\t',
  10: '\\n',
  13: '\\r',
};

/** Visible escape for one unsafe code point. */
function escapeCodePoint(cp: number): string {
  const short = SHORT_ESCAPES[cp];
  if (short !== undefined) return short;
  if (cp <= 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Escapes every control or invisible character of `s` visibly and keeps printable Unicode.
 *
 * Tab, LF and CR become `\t`, `\n`, `\r`; other C0 controls and DEL become `\xHH` (ESC is
 * `\x1b`, so an ANSI sequence shows as `\x1b[31m`); C1 controls, format characters (bidi
 * overrides, zero-width, BOM), U+2028/U+2029, lone surrogates and U+FFFD become `\uHHHH`
 * (`\u{HHHHH}` above the BMP). Backslashes are kept as they are: the output is for human
 * eyes, not a reversible encoding.
 *
 * @param s - Any string, typically decoded from remote bytes.
 * @returns A string with no control, format or separator character left.
 */
export function sanitizeForTerminal(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_GLOBAL, (ch) => escapeCodePoint(ch.codePointAt(0) ?? 0));
}

/**
 * Sanitizes `s` and caps the result at `max` code points, ending with `…` when cut.
 *
 * Works piecewise so that a huge input costs only what is kept, and never cuts an escape
 * (`\x1b`) or a surrogate pair in half.
 *
 * @param s - Any string.
 * @param max - Maximum length of the result in code points, ellipsis included (at least 1).
 * @returns The sanitized excerpt.
 */
export function excerpt(s: string, max: number): string {
  const limit = Math.max(1, Math.floor(max));
  const pieces: string[] = [];
  let used = 0;
  for (const ch of s) {
    const piece = UNSAFE.test(ch) ? escapeCodePoint(ch.codePointAt(0) ?? 0) : ch;
    const len = piece.length === 1 ? 1 : [...piece].length;
    if (used + len > limit) {
      // Drop whole pieces until the ellipsis fits, so no escape is left half-written.
      while (used + 1 > limit && pieces.length > 0) {
        const last = pieces.pop() ?? '';
        used -= [...last].length;
      }
      pieces.push('…');
      return pieces.join('');
    }
    pieces.push(piece);
    used += len;
  }
  return pieces.join('');
}

/**
 * Decodes banner bytes into text: UTF-8 when the bytes are valid UTF-8, otherwise latin1,
 * which maps every byte to one character so nothing is lost or replaced.
 *
 * The result still contains whatever controls the host sent; pass it to
 * {@link sanitizeForTerminal} or {@link excerpt} before showing it.
 *
 * @param buf - Raw bytes read from a service (already capped by the caller).
 * @returns The decoded text.
 */
export function bytesToText(buf: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading BOM as U+FEFF, which the sanitizer then shows: it is
    // evidence like any other byte.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
  }
}

/** Whether a code point takes two terminal columns (East Asian wide/fullwidth, emoji). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}]/u;

/** Terminal columns taken by one code point of already sanitized text. */
function charWidth(ch: string): number {
  if (ZERO_WIDTH.test(ch)) return 0;
  return isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
}

/**
 * Approximate number of terminal columns `s` takes (combining marks 0, East Asian wide
 * characters 2, everything else 1). Meant for already sanitized text.
 *
 * @param s - Sanitized text.
 * @returns Width in columns.
 */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) width += charWidth(ch);
  return width;
}

/**
 * Cuts already sanitized text to at most `width` terminal columns, ending with `…` when
 * cut, and pads it with spaces to exactly `width` columns when `pad` is set.
 *
 * @param s - Sanitized text.
 * @param width - Column budget (at least 1).
 * @param pad - Pad with trailing spaces to `width`.
 * @returns The fitted text.
 */
export function fitWidth(s: string, width: number, pad = false): string {
  const budget = Math.max(1, Math.floor(width));
  let out = s;
  let used = displayWidth(s);
  if (used > budget) {
    out = '';
    used = 0;
    for (const ch of s) {
      const w = charWidth(ch);
      if (used + w > budget - 1) break;
      out += ch;
      used += w;
    }
    out += '…';
    used += 1;
  }
  return pad && used < budget ? out + ' '.repeat(budget - used) : out;
}

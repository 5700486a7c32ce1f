/**
 * Text helpers for HTTP responses: the page title and the authentication realm.
 *
 * Bodies come from hostile servers, so everything here is a single forward scan over a
 * bounded input (no regex backtracking over the body, no DOM), and outputs are capped.
 */

/** Longest title we return, in characters; real titles are a few dozen. */
export const MAX_TITLE_LENGTH = 1024;

/** How far into the body a `<title>` may start; the engine caps the body anyway. */
const MAX_SCAN = 64 * 1024;

/** Named entities common in device pages; the rest stay as written. */
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  middot: '\u00b7',
  ndash: '\u2013',
  mdash: '\u2014',
  laquo: '\u00ab',
  raquo: '\u00bb',
  hellip: '\u2026',
};

/**
 * Returns the text of the first `<title>` element, entities decoded and whitespace
 * collapsed, or null when there is none (or it is empty).
 *
 * The bytes between the tags are decoded with `charset` (the Content-Type header's) when
 * Node knows it, else with the charset the page declares in a `<meta>` tag near its start
 * (router pages in Japanese, Chinese or Russian declare Shift_JIS, GB2312 or windows-1251
 * there and nowhere else), else as UTF-8 when they are valid UTF-8, else as latin1 (which
 * never fails).
 */
export function extractTitle(body: Uint8Array, charset?: string | null): string | null {
  const bytes = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, MAX_SCAN));
  // latin1 maps bytes 1:1 to chars, so string offsets are byte offsets; lower-casing keeps
  // the length of every latin1 character, so the offsets survive it.
  const lower = bytes.toString('latin1').toLowerCase();
  let from = 0;
  for (;;) {
    const open = lower.indexOf('<title', from);
    if (open < 0) return null;
    const after = lower.charCodeAt(open + 6);
    // `<titlefoo>` is another tag; `<title>` / `<title lang=..>` are ours.
    if (after === 0x3e || isSpace(after) || after === 0x2f) {
      const gt = lower.indexOf('>', open + 6);
      if (gt < 0) return null;
      const close = lower.indexOf('</title', gt + 1);
      const end = close < 0 ? Math.min(bytes.length, gt + 1 + MAX_TITLE_LENGTH * 4) : close;
      const raw = decodeBytes(bytes.subarray(gt + 1, end), charset ?? metaCharset(lower));
      const text = collapseWhitespace(decodeEntities(raw)).slice(0, MAX_TITLE_LENGTH);
      return text === '' ? null : text;
    }
    from = open + 6;
  }
}

/** How far into a page a `<meta>` charset declaration is looked for. */
const META_SCAN = 4096;

/**
 * The charset a page declares in its first bytes, lower-cased: `<meta charset="gb2312">`
 * or `<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">`; null when
 * none, or UTF-8/UTF-16 (left to the UTF-8 guess). `lower` is the body as latin1,
 * lower-cased. Bounded tags, one forward scan.
 */
export function metaCharset(lower: string): string | null {
  const head = lower.slice(0, META_SCAN);
  const tag = /<meta\b[^<>]{0,512}>/g;
  for (let m = tag.exec(head); m !== null; m = tag.exec(head)) {
    const found = /\bcharset\s*=\s*["']?([a-z0-9._:-]{1,40})/.exec(m[0]);
    const label = found?.[1];
    if (label === undefined) continue;
    // UTF-8 is what the guess tries first anyway; a page cannot really be UTF-16 if its
    // declaration is readable as ASCII (browsers read that as UTF-8 too).
    return /^(?:utf-?8|utf-?16(?:le|be)?|unicode)$/.test(label) ? null : label;
  }
  return null;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}

function decodeBytes(bytes: Buffer, charset?: string | null): string {
  if (charset) {
    try {
      return new TextDecoder(charset, { fatal: false }).decode(bytes);
    } catch {
      // Unknown label: fall through to the guesses below.
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Decodes `&name;`, `&#123;` and `&#x1F;` references; unknown or invalid ones stay as is. */
export function decodeEntities(text: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const amp = text.indexOf('&', i);
    if (amp < 0) return out + text.slice(i);
    out += text.slice(i, amp);
    // Entity names and numbers are short: bound the look-ahead so `&` floods stay linear.
    const semi = text.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) {
      out += '&';
      i = amp + 1;
      continue;
    }
    const name = text.slice(amp + 1, semi);
    const decoded = decodeEntity(name);
    if (decoded === null) {
      out += '&';
      i = amp + 1;
    } else {
      out += decoded;
      i = semi + 1;
    }
  }
}

function decodeEntity(name: string): string | null {
  if (name.startsWith('#x') || name.startsWith('#X')) {
    return /^[0-9a-fA-F]{1,6}$/.test(name.slice(2))
      ? codePoint(Number.parseInt(name.slice(2), 16))
      : null;
  }
  if (name.startsWith('#')) {
    return /^[0-9]{1,7}$/.test(name.slice(1))
      ? codePoint(Number.parseInt(name.slice(1), 10))
      : null;
  }
  return Object.hasOwn(NAMED_ENTITIES, name) ? (NAMED_ENTITIES[name] ?? null) : null;
}

function codePoint(n: number): string | null {
  if (n <= 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
  return String.fromCodePoint(n);
}

/** Replaces every run of whitespace (including no-break spaces) with one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/**
 * The `realm` parameter of a `WWW-Authenticate` value for the Basic or Digest scheme
 * (`Basic realm="NETGEAR DGN1000"`), quoted or token form; null when absent.
 */
export function parseRealm(wwwAuthenticate: string): string | null {
  const value = wwwAuthenticate.slice(0, 4096);
  const lower = value.toLowerCase();
  let from = 0;
  for (;;) {
    const at = lower.indexOf('realm', from);
    if (at < 0) return null;
    from = at + 5;
    // Must be a parameter name, not part of another word.
    const before = at === 0 ? 0x20 : lower.charCodeAt(at - 1);
    if (!(isSpace(before) || before === 0x2c)) continue;
    let i = at + 5;
    while (isSpace(lower.charCodeAt(i))) i += 1;
    if (lower[i] !== '=') continue;
    i += 1;
    while (isSpace(lower.charCodeAt(i))) i += 1;
    // Several challenges may share the header (`Negotiate, Basic realm=...`): the realm
    // counts when a Basic or Digest scheme precedes it.
    if (!/\b(basic|digest)\b/.test(lower.slice(0, at))) return null;
    if (value[i] === '"') {
      let out = '';
      for (let j = i + 1; j < value.length; j += 1) {
        const c = value[j];
        if (c === '\\' && j + 1 < value.length) {
          out += value[j + 1];
          j += 1;
        } else if (c === '"') {
          return out;
        } else {
          out += c;
        }
      }
      // Unterminated quote: keep what was sent rather than nothing.
      return out;
    }
    const m = /^[^\s,]*/.exec(value.slice(i));
    return m?.[0] ?? '';
  }
}

/** The `charset` parameter of a Content-Type value, lower-cased, or null. */
export function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})/i.exec(contentType.slice(0, 512));
  return m?.[1]?.toLowerCase() ?? null;
}

/**
 * The fields the HTTP probe derives from a response, beside the ones it keeps as sent
 * (status, headers, body): the Server line, the page title, the Basic/Digest realm, the
 * generator meta tag and the redirect target. One function, so the held-out runner derives
 * them from a written entry exactly as the probe derives them from the wire.
 */
import type { FieldName } from '../../src/signatures/fields.js';
import { charsetOf, extractTitle, parseRealm } from './html.js';

/** Longest `<meta name="generator">` content kept. */
const MAX_GENERATOR = 256;

/**
 * Content of `<meta name="generator" content="…">` in the first bytes of a page, or null.
 * One linear pass over `<meta` tags; attribute order and quoting vary, so both are handled.
 */
export function extractGenerator(body: Buffer): string | null {
  const text = body.toString('latin1');
  const tag = /<meta\b[^>]{0,1024}>/gi;
  for (let m = tag.exec(text); m !== null; m = tag.exec(text)) {
    const attrs = m[0];
    const name = /\bname\s*=\s*["']?([^"'\s>]{1,64})/i.exec(attrs)?.[1];
    if (name?.toLowerCase() !== 'generator') continue;
    const content = /\bcontent\s*=\s*(?:"([^"]{0,1024})"|'([^']{0,1024})'|([^\s>]{1,1024}))/i.exec(
      attrs,
    );
    const value = (content?.[1] ?? content?.[2] ?? content?.[3] ?? '').trim();
    return value === '' ? null : value.slice(0, MAX_GENERATOR);
  }
  return null;
}

/** First value of a header (names lower-cased), or null. */
function firstHeader(headers: readonly (readonly [string, string])[], name: string): string | null {
  for (const [n, v] of headers) if (n === name) return v;
  return null;
}

/**
 * `http.server`, `http.title`, `http.realm`, `http.generator` and `http.location` of a
 * response with these headers (names lower-cased, in order) and body; absent ones left out.
 */
export function derivedHttpFields(
  headers: readonly (readonly [string, string])[],
  body: Buffer,
): Partial<Record<FieldName, string>> {
  const fields: Partial<Record<FieldName, string>> = {};
  const server = firstHeader(headers, 'server');
  if (server !== null) fields['http.server'] = server;
  const title = extractTitle(body, charsetOf(firstHeader(headers, 'content-type') ?? ''));
  if (title !== null) fields['http.title'] = title;
  for (const [name, value] of headers) {
    if (name !== 'www-authenticate') continue;
    const realm = parseRealm(value);
    if (realm !== null) {
      fields['http.realm'] = realm;
      break;
    }
  }
  const generator = extractGenerator(body);
  if (generator !== null) fields['http.generator'] = generator;
  const location = firstHeader(headers, 'location');
  if (location !== null) fields['http.location'] = location;
  return fields;
}

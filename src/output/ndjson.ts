/**
 * NDJSON: one host record per line on stdout (DESIGN.md section 3).
 */
import type { HostRecord } from '../types.js';

/**
 * Characters `JSON.stringify` leaves raw but that a terminal or a line splitter may act
 * on: DEL and C1 controls (U+009B is a CSI for some terminals), U+2028/U+2029 (line
 * terminators for older JavaScript parsers), and invisible format characters (bidi
 * overrides, zero-width, BOM). They only ever occur inside JSON strings, so replacing them
 * with `\uHHHH` escapes keeps the JSON valid and the data unchanged.
 */
const RAW_UNSAFE =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * Serialises one host record as a single NDJSON line, keys in the record's construction
 * order (the contract order of DESIGN.md section 3 when the record is built that way).
 *
 * The result has no trailing newline and never contains a raw newline or control
 * character: the caller writes `line + '\n'`.
 *
 * @param record - The host record.
 * @returns One line of JSON.
 */
export function formatNdjson(record: HostRecord): string {
  return escapeJsonControls(JSON.stringify(record));
}

/**
 * Replaces the characters `JSON.stringify` leaves raw but a terminal may act on (DEL, C1
 * controls, U+2028/U+2029, bidi and other format characters) with `\uHHHH` escapes. Safe
 * on any JSON text, since they can only occur inside strings; used for NDJSON records and
 * for log lines, which carry remote text too.
 *
 * @param json - JSON text (one or more lines).
 * @returns The same JSON with those characters escaped.
 */
export function escapeJsonControls(json: string): string {
  return json.replace(RAW_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Output of `thingscan extract`: a target list (pipe-able into `thingscan scan -i -`), CSV
 * or NDJSON. Hints come from mail and are sanitized and capped before they get here.
 */
import { csvCell } from '../output/csv.js';
import { excerpt } from '../output/sanitize.js';
import type { Origin } from './index.js';

/** Output formats of `extract`. */
export const EXTRACT_FORMATS = ['list', 'csv', 'json'] as const;
/** One of {@link EXTRACT_FORMATS}. */
export type ExtractFormat = (typeof EXTRACT_FORMATS)[number];

/** Longest comment on a list line: target lines are refused past 1024 characters. */
const COMMENT_CAP = 300;

/**
 * One target-list line: the address, then a `#` comment with the count, the time span and
 * the hints (the target parser ignores everything after `#`).
 */
export function formatListLine(o: Origin): string {
  const parts = [`${o.messages} message${o.messages === 1 ? '' : 's'}`];
  if (o.first_seen && o.last_seen) {
    parts.push(o.first_seen === o.last_seen ? o.first_seen : `${o.first_seen}..${o.last_seen}`);
  }
  if (o.hints.length > 0) parts.push(o.hints.map((h) => `"${h.replaceAll('"', "'")}"`).join(' '));
  // Hints are already free of control characters; the cap keeps the line a valid target.
  return `${o.ip}  # ${excerpt(parts.join(', '), COMMENT_CAP)}\n`;
}

/** CSV columns of `extract --format csv`. */
export const ORIGIN_CSV_COLUMNS = ['ip', 'messages', 'first_seen', 'last_seen', 'hints'] as const;

/** One CSV row (with `\n`). Hints are joined with ` | `. */
export function formatOriginCsv(o: Origin): string {
  return `${[o.ip, String(o.messages), o.first_seen ?? '', o.last_seen ?? '', o.hints.join(' | ')]
    .map(csvCell)
    .join(',')}\n`;
}

/** Formats every origin in the chosen format (CSV with its header line). */
export function formatOrigins(origins: readonly Origin[], format: ExtractFormat): string {
  switch (format) {
    case 'list':
      return origins.map(formatListLine).join('');
    case 'csv':
      return `${ORIGIN_CSV_COLUMNS.join(',')}\n${origins.map(formatOriginCsv).join('')}`;
    case 'json':
      return origins.map((o) => `${JSON.stringify(o)}\n`).join('');
  }
}

/**
 * CSV export (RFC 4180): a header row, CRLF line ends, quoting where needed.
 *
 * CSV files get opened in spreadsheets, where a cell starting with `=`, `+`, `-` or `@` is
 * a formula: a banner-derived product name like `=HYPERLINK(...)` would run in the
 * analyst's spreadsheet. Such cells get a leading apostrophe, which spreadsheets read as
 * "this is text". Remote text is also passed through {@link sanitizeForTerminal}.
 */
import type { HostRecord } from '../types.js';
import { openPorts } from './common.js';
import { sanitizeForTerminal } from './sanitize.js';

/** CSV columns, in order. */
export const CSV_COLUMNS = [
  'ip',
  'status',
  'iot',
  'class',
  'vendor',
  'vendor_id',
  'product',
  'model',
  'os_family',
  'os_version',
  'confidence',
  'nat_gateway_suspected',
  'signatures',
  'open_ports',
] as const;

/** One of {@link CSV_COLUMNS}. */
export type CsvColumn = (typeof CSV_COLUMNS)[number];

const FORMULA_START = /^\s*[=+\-@]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * Makes one CSV cell: sanitizes it, neutralises a formula start with a leading apostrophe,
 * and quotes it when it holds a comma, a quote, a line break or edge whitespace.
 *
 * @param value - Raw cell text.
 * @returns The cell as written in the file.
 */
export function csvCell(value: string): string {
  let text = sanitizeForTerminal(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Cell values of one record, by column. */
function cells(record: HostRecord): Record<CsvColumn, string> {
  const d = record.device;
  return {
    ip: record.ip,
    status: record.status,
    iot: record.iot === null ? '' : String(record.iot),
    class: d?.class ?? '',
    vendor: d?.vendor ?? '',
    vendor_id: d?.vendor_id ?? '',
    product: d?.product ?? '',
    model: d?.model ?? '',
    os_family: d?.os.family ?? '',
    os_version: d?.os.version ?? '',
    confidence: d ? String(d.confidence) : '',
    nat_gateway_suspected: d ? String(d.nat_gateway_suspected) : '',
    signatures: d ? d.signatures.join(' ') : '',
    open_ports: openPorts(record),
  };
}

/** The header row, with its CRLF. */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/**
 * One record as a CSV row, with its CRLF. Null values are empty cells; lists (signatures,
 * open ports) are space-separated.
 *
 * @param record - The host record.
 */
export function formatCsvRow(record: HostRecord): string {
  const values = cells(record);
  return `${CSV_COLUMNS.map((c) => csvCell(values[c])).join(',')}\r\n`;
}

/**
 * Records as a whole CSV document: header row, then one row per record.
 *
 * @param records - Host records.
 */
export function formatCsv(records: Iterable<HostRecord>): string {
  let out = csvHeader();
  for (const record of records) out += formatCsvRow(record);
  return out;
}

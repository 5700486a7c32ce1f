/**
 * Human-readable table: one row per host, for a terminal.
 *
 * Every cell passes {@link sanitizeForTerminal} (product names and vendors come from
 * signatures, but their captures come from remote banners) and is cut to its column width.
 * Colour is only used when asked for: `NO_COLOR` and TTY detection belong to the CLI.
 */
import type { HostRecord, HostStatus } from '../types.js';
import { iotLabel, openPorts } from './common.js';
import { fitWidth, sanitizeForTerminal } from './sanitize.js';

/** Options of {@link formatTable} and {@link createTableWriter}. */
export interface TableOptions {
  /** Emit ANSI colours for status and IoT cells. */
  readonly color: boolean;
  /**
   * Total line width in columns (e.g. the terminal width). The OPEN column takes what is
   * left, at least 10 columns. When unset, OPEN is never cut.
   */
  readonly width?: number | undefined;
  /**
   * Width of the IP column. {@link formatTable} fits it to the longest address; the
   * streaming writer cannot look ahead and defaults to 15 (dotted quad). An address longer
   * than the column is never cut, it pushes its row to the right.
   */
  readonly ipWidth?: number | undefined;
}

/** A column: header, fixed width, cell extractor. */
interface Column {
  readonly header: string;
  readonly width: number;
  readonly cell: (record: HostRecord) => string;
}

const SEPARATOR = '  ';
const MIN_OPEN_WIDTH = 10;
const DEFAULT_IP_WIDTH = 15;

/** Columns between IP and OPEN, with widths that hold every vocabulary value. */
const MIDDLE: readonly Column[] = [
  { header: 'STATUS', width: 12, cell: (r) => r.status },
  { header: 'IOT', width: 3, cell: (r) => iotLabel(r) },
  { header: 'CLASS', width: 16, cell: (r) => r.device?.class ?? '-' },
  { header: 'VENDOR', width: 16, cell: (r) => r.device?.vendor ?? '-' },
  { header: 'PRODUCT/MODEL', width: 26, cell: (r) => productModel(r) },
  { header: 'CONF', width: 4, cell: (r) => (r.device ? r.device.confidence.toFixed(2) : '-') },
];

function productModel(record: HostRecord): string {
  const parts = [record.device?.product, record.device?.model].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return parts.length > 0 ? parts.join(' ') : '-';
}

const STATUS_COLORS: Readonly<Record<HostStatus, string>> = {
  identified: '32', // green
  unidentified: '33', // yellow
  'no-response': '2', // dim
  excluded: '2',
  error: '31', // red
};

const IOT_COLORS: Readonly<Record<'yes' | 'no' | '?', string>> = {
  yes: '1;35', // bold magenta: the answer the operator is looking for
  no: '36',
  '?': '2',
};

function paint(text: string, sgr: string, color: boolean): string {
  return color ? `\u001b[${sgr}m${text}\u001b[0m` : text;
}

/** Column layout for a given IP width and total width. */
function layout(ipWidth: number, width: number | undefined): { ip: number; open: number | null } {
  if (width === undefined) return { ip: ipWidth, open: null };
  const fixed = ipWidth + MIDDLE.reduce((sum, c) => sum + c.width, 0);
  const separators = SEPARATOR.length * (MIDDLE.length + 1);
  return { ip: ipWidth, open: Math.max(MIN_OPEN_WIDTH, width - fixed - separators) };
}

function headerLine(ip: number, open: number | null): string {
  const cells = [fitWidth('IP', ip, true), ...MIDDLE.map((c) => fitWidth(c.header, c.width, true))];
  cells.push(open === null ? 'OPEN' : fitWidth('OPEN', open));
  return `${cells.join(SEPARATOR)}\n`;
}

function rowLine(record: HostRecord, ip: number, open: number | null, color: boolean): string {
  const ipText = sanitizeForTerminal(record.ip);
  const cells = [ipText.length >= ip ? ipText : fitWidth(ipText, ip, true)];
  for (const column of MIDDLE) {
    const text = fitWidth(sanitizeForTerminal(column.cell(record)), column.width, true);
    if (column.header === 'STATUS') cells.push(paint(text, STATUS_COLORS[record.status], color));
    else if (column.header === 'IOT') cells.push(paint(text, IOT_COLORS[iotLabel(record)], color));
    else cells.push(text);
  }
  const ports = sanitizeForTerminal(openPorts(record)) || '-';
  cells.push(open === null ? ports : fitWidth(ports, open));
  return `${cells.join(SEPARATOR)}\n`;
}

/**
 * Formats records as a table with a header line; every line ends with `\n`.
 *
 * @param records - Host records, in output order.
 * @param options - Colour and width.
 * @returns The table text (header only when there are no records).
 */
export function formatTable(records: readonly HostRecord[], options: TableOptions): string {
  const longestIp = records.reduce((max, r) => Math.max(max, sanitizeForTerminal(r.ip).length), 2);
  const { ip, open } = layout(options.ipWidth ?? longestIp, options.width);
  let out = headerLine(ip, open);
  for (const record of records) out += rowLine(record, ip, open, options.color);
  return out;
}

/** A streaming table: rows are written as hosts finish. */
export interface TableWriter {
  /** Writes one host's row (and the header before the first row). */
  write(record: HostRecord): void;
  /** Writes the header if no row was written, so an empty scan still shows its columns. */
  end(): void;
}

/**
 * Creates a streaming table writer: the header once, then one row per host as it
 * finishes. Column widths are fixed up front (see {@link TableOptions.ipWidth}).
 *
 * @param write - Sink for text chunks, e.g. `(s) => process.stderr.write(s)`.
 * @param options - Colour and width.
 */
export function createTableWriter(
  write: (chunk: string) => void,
  options: TableOptions,
): TableWriter {
  const { ip, open } = layout(options.ipWidth ?? DEFAULT_IP_WIDTH, options.width);
  let headerDone = false;
  const header = (): void => {
    if (headerDone) return;
    headerDone = true;
    write(headerLine(ip, open));
  };
  return {
    write(record) {
      header();
      write(rowLine(record, ip, open, options.color));
    },
    end() {
      header();
    },
  };
}

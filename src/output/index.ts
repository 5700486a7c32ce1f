/**
 * Output formats: NDJSON records, a terminal table, CSV, the end-of-scan summary, and the
 * sanitizer every piece of remote text goes through.
 */
export { iotLabel, openPorts } from './common.js';
export {
  CSV_COLUMNS,
  type CsvColumn,
  csvCell,
  csvHeader,
  formatCsv,
  formatCsvRow,
} from './csv.js';
export { escapeJsonControls, formatNdjson } from './ndjson.js';
export {
  bytesToText,
  displayWidth,
  excerpt,
  fitWidth,
  sanitizeForTerminal,
} from './sanitize.js';
export { Summary, type SummaryJson } from './summary.js';
export { createTableWriter, formatTable, type TableOptions, type TableWriter } from './table.js';

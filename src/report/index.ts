/**
 * Reports over saved results: terminal text, JSON and a self-contained HTML page.
 */
export { DEFAULT_MAX_ROWS } from './defaults.js';
export { escapeHtml, type HtmlOptions, renderHtml } from './html.js';
export {
  EXPOSURE_PROTOCOLS,
  type ProductCount,
  productName,
  Report,
  type ReportJson,
} from './model.js';
export { type BadRecordLine, readRecords, recordsFromStream } from './read.js';
export { formatReportText, type ReportTextOptions } from './text.js';

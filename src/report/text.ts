/**
 * The report on a terminal, in the shape of the field report: totals, shares, classes,
 * vendors, products, NAT gateways and exposure. Vendor and product names come from the
 * signature library, but records are files anyone can edit: every name is sanitized.
 */
import { sanitizeForTerminal } from '../output/sanitize.js';
import { EXPOSURE_PROTOCOLS, productName, type ReportJson } from './model.js';

function pct(n: number, of: number): string {
  if (of === 0) return '0%';
  const p = (100 * n) / of;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}

function list(entries: ReadonlyArray<readonly [string, number]>, of: number): string {
  if (entries.length === 0) return '(none)';
  return entries.map(([name, n]) => `${sanitizeForTerminal(name)} ${n} (${pct(n, of)})`).join(', ');
}

/** Options of {@link formatReportText}. */
export interface ReportTextOptions {
  /** Bold headings (ANSI). Default false; callers honour `NO_COLOR` and TTY checks. */
  readonly color?: boolean;
}

/**
 * The report as text lines, each ending with `\n`.
 *
 * @param r - Report data.
 * @param options - Colour.
 */
export function formatReportText(r: ReportJson, options: ReportTextOptions = {}): string {
  const bold = (s: string): string => (options.color ? `\x1b[1m${s}\x1b[22m` : s);
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${bold(label.padEnd(20))}${value}`);
  };
  row('hosts scanned', String(r.hosts));
  row('responsive', `${r.responsive} (${pct(r.responsive, r.hosts)})`);
  row('identified', `${r.identified} (${pct(r.identified, r.hosts)})`);
  row(
    'IoT',
    `${r.iot} (${pct(r.iot, r.hosts)} of scanned, ${pct(r.iot, r.identified)} of identified)`,
  );
  row(
    'NAT gateways',
    `${r.nat_gateway_suspected} (${pct(r.nat_gateway_suspected, r.identified)} of identified: the mail may come from a machine behind them)`,
  );
  row('by class', list(Object.entries(r.classes), r.identified));
  row('by vendor', list(Object.entries(r.vendors), r.identified));
  row(
    'top products',
    r.products.length === 0
      ? '(none)'
      : r.products.map((p) => `${sanitizeForTerminal(productName(p))} ${p.hosts}`).join(', '),
  );
  row(
    'exposure',
    EXPOSURE_PROTOCOLS.map((p) => `${p} ${r.exposure[p]} (${pct(r.exposure[p], r.hosts)})`).join(
      ', ',
    ),
  );
  if (r.bad_lines > 0) row('bad lines', `${r.bad_lines} (skipped)`);
  return lines.map((l) => `${l}\n`).join('');
}

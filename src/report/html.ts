/**
 * `thingscan report --html`: one self-contained page. Charts are inline SVG drawn here, the
 * table is plain HTML, and a short inline script sorts and filters it. Nothing is fetched:
 * a Content-Security-Policy allows only this page's own style and script (by hash), so even
 * a banner that slipped past escaping could not load or run anything.
 *
 * Every text that came from a scanned host (banners, fields, names in an edited record) is
 * HTML-escaped and stripped of control characters before it is written.
 */
import { createHash } from 'node:crypto';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { DEVICE_CLASSES, type DeviceClass, type HostRecord } from '../types.js';
import { DEFAULT_MAX_ROWS } from './defaults.js';
import { EXPOSURE_PROTOCOLS, productName, type ReportJson } from './model.js';

/** Characters of a banner shown per service. */
const BANNER_CAP = 300;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return sanitizeForTerminal(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const esc = escapeHtml;

function pct(n: number, of: number): string {
  return of === 0 ? '0%' : `${Math.round((100 * n) / of)}%`;
}

/** One bar of a chart. */
interface Bar {
  readonly label: string;
  readonly value: number;
  /** CSS class of the bar. */
  readonly kind: string;
}

/** A horizontal bar chart as inline SVG. */
function barChart(id: string, title: string, bars: readonly Bar[], total: number): string {
  const rowH = 22;
  const labelW = 170;
  const barW = 240;
  const width = labelW + barW + 90;
  const height = Math.max(1, bars.length) * rowH + 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const body =
    bars.length === 0
      ? `<text x="4" y="18" class="muted">no data</text>`
      : bars
          .map((b, i) => {
            const y = 4 + i * rowH;
            const w = Math.max(b.value > 0 ? 2 : 0, Math.round((barW * b.value) / max));
            return (
              `<g><title>${esc(b.label)}: ${b.value}</title>` +
              `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(cut(b.label, 24))}</text>` +
              `<rect class="bar ${b.kind}" x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" rx="2"></rect>` +
              `<text x="${labelW + w + 6}" y="${y + 15}">${b.value} (${pct(b.value, total)})</text></g>`
            );
          })
          .join('');
  return (
    `<figure class="chart"><figcaption>${esc(title)}</figcaption>` +
    `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">${body}</svg></figure>`
  );
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Sort key for an address: IPv4 octets padded so text order is numeric order. */
function ipKey(ip: string): string {
  return ip.includes(':')
    ? `6:${ip}`
    : `4:${ip
        .split('.')
        .map((o) => o.padStart(3, '0'))
        .join('.')}`;
}

function cell(text: string, sortKey?: string): string {
  const v = sortKey === undefined ? '' : ` data-v="${esc(sortKey)}"`;
  return `<td${v}>${esc(text)}</td>`;
}

/** The evidence behind a row: signatures, then each service with its matches and banner. */
function evidenceCell(r: HostRecord): string {
  const sigs = r.device?.signatures ?? [];
  const head =
    sigs.length > 0
      ? `<div class="sigs">${sigs.map((s) => `<code>${esc(s)}</code>`).join(' ')}</div>`
      : '';
  if (r.services.length === 0)
    return `<td>${head}<span class="muted">no service answered</span></td>`;
  const items = r.services
    .map((s) => {
      const software = [s.vendor, s.product, s.version].filter((x) => x).join(' ');
      const matches = s.matches
        .map(
          (m) =>
            `<code>${esc(m.signature)}</code> ${m.score.toFixed(2)}${m.evidence.length > 0 ? ` [${esc(m.evidence.join(', '))}]` : ''}`,
        )
        .join('; ');
      const banner = s.banner ? `<pre>${esc(cut(s.banner, BANNER_CAP))}</pre>` : '';
      return (
        `<li><b>${s.port}/${esc(s.transport)} ${esc(s.protocol)}</b> ${esc(s.status)}` +
        `${software ? ` — ${esc(software)}` : ''}${matches ? `<br>${matches}` : ''}${banner}</li>`
      );
    })
    .join('');
  const n = r.services.length;
  return `<td>${head}<details><summary>${n} service${n === 1 ? '' : 's'}</summary><ul>${items}</ul></details></td>`;
}

function row(r: HostRecord): string {
  const d = r.device;
  const iot = r.iot === null ? '?' : r.iot ? 'yes' : 'no';
  const ports = r.services
    .filter((s) => s.status === 'ok')
    .map((s) => `${s.port}/${s.protocol}`)
    .join(' ');
  return (
    `<tr class="${r.iot === true ? 'iot' : r.iot === false ? 'pc' : 'unk'}">` +
    cell(r.ip, ipKey(r.ip)) +
    cell(r.status) +
    cell(iot) +
    cell(d?.class ?? '') +
    cell(d?.vendor ?? '') +
    cell(d?.product ?? '') +
    cell(d?.model ?? '') +
    cell(d ? d.confidence.toFixed(2) : '', d ? String(d.confidence) : '-1') +
    cell(d?.nat_gateway_suspected ? 'yes' : '') +
    cell(ports) +
    evidenceCell(r) +
    '</tr>'
  );
}

const STYLE = `
:root{--fg:#1d2330;--muted:#6b7385;--line:#d9dde6;--iot:#d9622b;--pc:#3d6fb6;--other:#8a93a6;--bg:#fff}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.muted{color:var(--muted);fill:var(--muted)}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.kpi{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:130px}
.kpi b{display:block;font-size:22px}.charts{display:flex;flex-wrap:wrap;gap:24px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}figcaption{font-weight:600;margin-bottom:4px}
svg text{font:12px system-ui,sans-serif;fill:var(--fg)}rect.bar.iot{fill:var(--iot)}rect.bar.pc{fill:var(--pc)}rect.bar.other{fill:var(--other)}
#filter{font:inherit;padding:6px 10px;width:min(480px,100%);border:1px solid var(--line);border-radius:4px}
#count{margin-left:12px;color:var(--muted)}table{border-collapse:collapse;width:100%;margin-top:10px}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f4f6fa;position:sticky;top:0}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
tr.iot td:first-child{border-left:3px solid var(--iot)}tr.pc td:first-child{border-left:3px solid var(--pc)}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f7f9;padding:4px;margin:4px 0;max-width:60ch;font-size:12px}
ul{margin:4px 0;padding-left:18px}code{font-size:12px}.sigs{margin-bottom:2px}.note{color:var(--muted)}
`;

const SCRIPT = `(() => {
  const table = document.getElementById('hosts');
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const texts = rows.map((r) => r.textContent.toLowerCase());
  const filter = document.getElementById('filter');
  const count = document.getElementById('count');
  const apply = () => {
    const terms = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    rows.forEach((r, i) => {
      const ok = terms.every((t) => texts[i].includes(t));
      r.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' hosts shown';
  };
  filter.addEventListener('input', apply);
  const heads = Array.from(table.tHead.rows[0].cells);
  heads.forEach((th, col) => {
    th.addEventListener('click', () => {
      const dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach((h) => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      const key = (r) => { const c = r.cells[col]; return c.dataset.v !== undefined ? c.dataset.v : c.textContent; };
      const num = th.dataset.type === 'num';
      const sorted = rows.slice().sort((a, b) => {
        const x = key(a); const y = key(b);
        return dir * (num ? Number(x) - Number(y) : x.localeCompare(y));
      });
      body.append(...sorted);
    });
  });
  apply();
})();`;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /** Page title. Default "thingscan report". */
  readonly title?: string;
  /** Time shown as "generated". Default now. */
  readonly generatedAt?: Date;
  /** Rows beyond this many are left out (with a note). Default {@link DEFAULT_MAX_ROWS}. */
  readonly maxRows?: number;
}

/**
 * Renders the report page.
 *
 * @param report - Counts from {@link Report.toJSON}.
 * @param records - Host records for the table (only the first `maxRows` are written; a
 *   caller streaming a large file may pass just those).
 * @param options - Title, time, row cap.
 * @returns A complete HTML document.
 */
export function renderHtml(
  report: ReportJson,
  records: readonly HostRecord[],
  options: HtmlOptions = {},
): string {
  const title = options.title ?? 'thingscan report';
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const shown = records.slice(0, maxRows);
  const classBars: Bar[] = Object.entries(report.classes).map(([c, n]) => ({
    label: c,
    value: n ?? 0,
    kind: DEVICE_CLASSES[c as DeviceClass] ? 'iot' : 'pc',
  }));
  const vendorEntries = Object.entries(report.vendors);
  const vendorBars: Bar[] = vendorEntries
    .slice(0, 12)
    .map(([v, n]) => ({ label: v, value: n, kind: 'iot' }));
  const rest = vendorEntries.slice(12).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) vendorBars.push({ label: 'other vendors', value: rest, kind: 'other' });
  const exposureBars: Bar[] = EXPOSURE_PROTOCOLS.map((p) => ({
    label: p,
    value: report.exposure[p],
    kind: p === 'telnet' ? 'iot' : 'other',
  }));
  const kpi = (label: string, value: string, sub: string): string =>
    `<div class="kpi"><span class="muted">${esc(label)}</span><b>${esc(value)}</b><span class="muted">${esc(sub)}</span></div>`;
  const products =
    report.products.length === 0
      ? '<p class="muted">no product identified</p>'
      : `<ol>${report.products.map((p) => `<li>${esc(productName(p))} <span class="muted">(${esc(p.class)})</span>: ${p.hosts}</li>`).join('')}</ol>`;
  const heads: Array<[string, string]> = [
    ['IP', 'text'],
    ['status', 'text'],
    ['IoT', 'text'],
    ['class', 'text'],
    ['vendor', 'text'],
    ['product', 'text'],
    ['model', 'text'],
    ['confidence', 'num'],
    ['NAT', 'text'],
    ['open ports', 'text'],
    ['evidence', 'text'],
  ];
  const csp = [
    "default-src 'none'",
    `style-src 'sha256-${sha256(STYLE)}'`,
    `script-src 'sha256-${sha256(SCRIPT)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const generated = (options.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<div class="muted">generated ${esc(generated)} by thingscan</div>
<div class="kpis">
${kpi('hosts scanned', String(report.hosts), `${report.responsive} responsive`)}
${kpi('identified', String(report.identified), pct(report.identified, report.hosts))}
${kpi('IoT', String(report.iot), `${pct(report.iot, report.hosts)} of scanned, ${pct(report.iot, report.identified)} of identified`)}
${kpi('NAT gateways', String(report.nat_gateway_suspected), `${pct(report.nat_gateway_suspected, report.identified)} of identified`)}
</div>
<div class="charts">
${barChart('chart-classes', 'Device classes', classBars, report.identified)}
${barChart('chart-vendors', 'Vendors', vendorBars, report.identified)}
${barChart('chart-exposure', 'Exposure (hosts with the port answering)', exposureBars, report.hosts)}
</div>
<h2>Top products</h2>
${products}
<h2>Hosts</h2>
<input id="filter" type="search" placeholder="filter: words that must all appear (e.g. nas telnet)" aria-label="filter hosts"><span id="count"></span>
${report.hosts > shown.length ? `<p class="note">showing the first ${shown.length} of ${report.hosts} hosts</p>` : ''}
<table id="hosts">
<thead><tr>${heads.map(([h, t]) => `<th data-type="${t}">${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${shown.map(row).join('\n')}
</tbody>
</table>
<p class="note">A banner tells what is exposed at an address, not what sent the mail: NAT gateways may front an infected computer.</p>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/**
 * `thingscan report`: the field-report counts from records, the terminal text, `--json`,
 * bad input lines, and the HTML page's escaping and CSP (the page in a browser is tested
 * in report-html.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { DeviceVerdict, HostRecord, ServiceRecord } from '../src/index.js';
import { formatReportText, Report, renderHtml } from '../src/report/index.js';
import { runCli } from './support/cli.js';

function service(port: number, protocol: ServiceRecord['protocol'], banner: string): ServiceRecord {
  return {
    port,
    transport: protocol === 'snmp' ? 'udp' : 'tcp',
    protocol,
    status: 'ok',
    product: null,
    vendor: null,
    version: null,
    banner,
    fields: {},
    matches: [],
    elapsed_ms: 3,
  };
}

function device(partial: Partial<DeviceVerdict> & Pick<DeviceVerdict, 'class'>): DeviceVerdict {
  return {
    vendor: null,
    vendor_id: null,
    product: null,
    model: null,
    os: { vendor: null, family: null, name: null, version: null },
    cpe: [],
    confidence: 0.9,
    nat_gateway_suspected: partial.class === 'router',
    signatures: ['x/y'],
    ...partial,
  };
}

function record(
  ip: string,
  d: DeviceVerdict | null,
  services: ServiceRecord[],
  status?: HostRecord['status'],
): HostRecord {
  return {
    schema: 1,
    ip,
    status: status ?? (d ? 'identified' : services.length > 0 ? 'unidentified' : 'no-response'),
    iot: d ? d.class !== 'computer' : null,
    device: d,
    alternatives: [],
    services,
    started_at: '2026-11-27T01:00:00.000Z',
    elapsed_ms: 10,
    signatures_version: '0.1.0',
  };
}

/** Ten hosts shaped like a small field report. */
const RECORDS: HostRecord[] = [
  record(
    '192.0.2.1',
    device({ class: 'router', vendor: 'TP-Link', product: 'Archer', model: 'C7' }),
    [service(23, 'telnet', 'login:'), service(80, 'http', 'HTTP/1.1 200 OK')],
  ),
  record(
    '192.0.2.2',
    device({ class: 'router', vendor: 'TP-Link', product: 'Archer', model: 'C7' }),
    [service(23, 'telnet', 'login:')],
  ),
  record(
    '192.0.2.3',
    device({ class: 'nas', vendor: 'D-Link', product: 'ShareCenter', model: 'DNS-320' }),
    [
      service(22, 'ssh', 'SSH-2.0-dropbear'),
      service(23, 'telnet', 'login:'),
      service(25, 'smtp', '220 nas ESMTP'),
    ],
  ),
  record(
    '192.0.2.4',
    device({ class: 'set-top-box', vendor: 'Dream Multimedia', product: 'Dreambox' }),
    [service(21, 'ftp', '220 ftp')],
  ),
  record('192.0.2.5', device({ class: 'computer', vendor: null, product: null }), [
    service(22, 'ssh', 'SSH-2.0-OpenSSH_9.6'),
    service(25, 'smtp', '220 mx ESMTP Postfix'),
  ]),
  record('192.0.2.6', null, [service(8080, 'http', '<script>alert(1)</script>')]),
  record('192.0.2.7', null, []),
  record('192.0.2.8', null, []),
  record('192.0.2.9', null, [], 'excluded'),
  record('2001:db8::1', device({ class: 'unknown-embedded' }), [service(23, 'telnet', '# ')]),
];

describe('Report', () => {
  test('counts the field-report figures', () => {
    const report = new Report();
    for (const r of RECORDS) report.add(r);
    const j = report.toJSON();
    assert.equal(j.hosts, 10);
    assert.equal(j.responsive, 7);
    assert.equal(j.identified, 6);
    assert.equal(j.iot, 5);
    assert.equal(j.iot_share, 0.5);
    assert.equal(j.iot_share_of_identified, 0.8333);
    assert.equal(j.nat_gateway_suspected, 2);
    assert.deepEqual(j.classes, {
      router: 2,
      nas: 1,
      'set-top-box': 1,
      computer: 1,
      'unknown-embedded': 1,
    });
    assert.deepEqual(j.vendors, { 'TP-Link': 2, 'D-Link': 1, 'Dream Multimedia': 1 });
    assert.deepEqual(
      j.products.map((p) => [p.vendor, p.product, p.model, p.hosts]),
      [
        ['TP-Link', 'Archer', 'C7', 2],
        ['D-Link', 'ShareCenter', 'DNS-320', 1],
        ['Dream Multimedia', 'Dreambox', null, 1],
      ],
    );
    assert.deepEqual(j.exposure, { telnet: 4, ssh: 2, smtp: 2, ftp: 1, http: 2, snmp: 0 });
  });

  test('the text has every line of the field report', () => {
    const report = new Report();
    for (const r of RECORDS) report.add(r);
    const text = formatReportText(report.toJSON());
    assert.match(text, /^hosts scanned\s+10$/m);
    assert.match(text, /^responsive\s+7 \(70%\)$/m);
    assert.match(text, /^IoT\s+5 \(50% of scanned, 83% of identified\)$/m);
    assert.match(text, /^NAT gateways\s+2 /m);
    assert.match(text, /^by class\s+router 2 \(33%\), nas 1/m);
    assert.match(text, /^by vendor\s+TP-Link 2/m);
    assert.match(text, /^top products\s+TP-Link Archer C7 2, D-Link ShareCenter DNS-320 1/m);
    assert.match(text, /^exposure\s+telnet 4 \(40%\), ssh 2 \(20%\), smtp 2 \(20%\)/m);
    assert.ok(!text.includes('\x1b'), 'no colour unless asked');
    assert.ok(formatReportText(report.toJSON(), { color: true }).includes('\x1b[1m'));
  });
});

describe('renderHtml', () => {
  const report = new Report();
  for (const r of RECORDS) report.add(r);
  const html = renderHtml(report.toJSON(), RECORDS, { generatedAt: new Date(0) });

  test('hostile banners are escaped, never markup', () => {
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });

  test('a CSP forbids every remote load; nothing references another origin', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.ok(!/unsafe-inline/.test(csp));
    assert.ok(!/\b(?:src|href)=["']?(?:https?:)?\/\//i.test(html), 'a remote reference');
  });

  test('one table row per record, a row cap with a note', () => {
    assert.equal(html.match(/<tr class=/g)?.length, 10);
    const capped = renderHtml(report.toJSON(), RECORDS.slice(0, 3), { maxRows: 3 });
    assert.equal(capped.match(/<tr class=/g)?.length, 3);
    assert.match(capped, /showing the first 3 of 10 hosts/);
  });
});

describe('thingscan report (CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-report-'));
  const file = path.join(dir, 'out.ndjson');
  writeFileSync(
    file,
    `${RECORDS.map((r) => JSON.stringify(r)).join('\n')}\nnot json\n{"schema":2}\n`,
  );

  test('text on stdout, bad lines named on stderr, exit 3', async () => {
    const run = await runCli(['report', file]);
    assert.equal(run.code, 3);
    assert.match(run.stdout, /^hosts scanned\s+10$/m);
    assert.match(run.stdout, /^bad lines\s+2 /m);
    assert.match(run.stderr, /out\.ndjson:11: not JSON/);
    assert.match(run.stderr, /out\.ndjson:12: not a schema-1 host record/);
  });

  test('--json is one JSON line; - reads stdin; --html writes the page', async () => {
    const html = path.join(dir, 'r.html');
    const run = await runCli(['report', '-', '--json', '--html', html], {
      input: RECORDS.map((r) => JSON.stringify(r)).join('\n'),
    });
    assert.equal(run.code, 0, run.stderr);
    const j = JSON.parse(run.stdout);
    assert.equal(j.hosts, 10);
    assert.equal(j.iot, 5);
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/);
  });

  test('a missing results file is exit 1 with its name', async () => {
    const run = await runCli(['report', path.join(dir, 'none.ndjson')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /none\.ndjson: ENOENT/);
  });
});

/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): the page
 * renders, the SVG charts are drawn with sizes, filtering and sorting work, hostile banners
 * stay text, nothing is fetched, and a screenshot is written.
 *
 * CI installs chromium: when it is missing this test FAILS, it never skips.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { DeviceClass, HostRecord } from '../src/index.js';
import { Report, renderHtml } from '../src/report/index.js';

/** Where Debian's chromium package puts the browser. */
const CHROMIUM = '/usr/bin/chromium';
/** Flags for a quiet, sandbox-free headless run that reaches no network service. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\u001b[31m';

function host(
  i: number,
  cls: DeviceClass | null,
  vendor: string | null,
  banner: string,
): HostRecord {
  return {
    schema: 1,
    ip: `192.0.2.${i}`,
    status: cls ? 'identified' : 'unidentified',
    iot: cls ? cls !== 'computer' : null,
    device: cls
      ? {
          class: cls,
          vendor,
          vendor_id: vendor ? vendor.toLowerCase().replace(/[^a-z0-9]+/g, '-') : null,
          product: vendor ? `${vendor} box` : null,
          model: null,
          os: { vendor: null, family: 'linux', name: null, version: null },
          cpe: [],
          confidence: i / 100,
          nat_gateway_suspected: cls === 'router',
          signatures: [`${(vendor ?? 'generic').toLowerCase()}/thing`],
        }
      : null,
    alternatives: [],
    services: [
      {
        port: 23,
        transport: 'tcp',
        protocol: 'telnet',
        status: 'ok',
        product: null,
        vendor: null,
        version: null,
        banner,
        fields: { 'telnet.banner': banner },
        matches: [{ signature: 'x/thing', score: 0.9, evidence: ['login'] }],
        elapsed_ms: 5,
      },
    ],
    started_at: '2026-11-27T01:00:00.000Z',
    elapsed_ms: 10,
    signatures_version: '0.1.0',
  };
}

const RECORDS: HostRecord[] = [
  host(11, 'router', 'TP-Link', 'TL-WR841N login:'),
  host(12, 'router', 'TP-Link', 'TL-WR840N login:'),
  host(13, 'nas', 'D-Link', 'DNS-320 login:'),
  host(14, 'set-top-box', 'Dream Multimedia', 'dm800se login:'),
  host(15, 'computer', null, 'Ubuntu 22.04 LTS'),
  host(16, null, null, HOSTILE),
];

/** Loads a report page and collects every request and dialog it makes. */
async function openReport(
  browser: Browser,
  file: string,
): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  return { page, requests, dialogs };
}

/** Row count and figures the page shows; asserts the common expectations. */
async function checkReportPage(page: Page, rows: number, shot: string): Promise<void> {
  // Charts: three SVGs with a real size and at least one bar drawn with a width.
  const charts = page.locator('svg[role=img]');
  assert.equal(await charts.count(), 3);
  for (let i = 0; i < 3; i++) {
    const box = await charts.nth(i).boundingBox();
    assert.ok(box && box.width > 100 && box.height > 10, `chart ${i} has no size`);
  }
  const bars = await page.$$eval('svg rect.bar', (rs) =>
    rs.map((r) => Number(r.getAttribute('width'))),
  );
  assert.ok(bars.filter((w) => w > 0).length >= 3, `bars: ${bars.join(',')}`);
  const visible = (): Promise<number> => page.locator('#hosts tbody tr:not([hidden])').count();
  assert.equal(await visible(), rows);
  assert.match(
    (await page.locator('#count').textContent()) ?? '',
    new RegExp(`^${rows} of ${rows}`),
  );
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(existsSync(shot));
  assert.ok(statSync(shot).size > 10_000, `screenshot is ${statSync(shot).size} bytes`);
}

let browser: Browser;
let dir: string;

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`,
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  dir = mkdtempSync(path.join(tmpdir(), 'thingscan-html-'));
});

after(async () => {
  await browser?.close();
});

test('the report renders, draws its charts, filters, sorts, and fetches nothing', async () => {
  const report = new Report();
  for (const r of RECORDS) report.add(r);
  const file = path.join(dir, 'report.html');
  writeFileSync(file, renderHtml(report.toJSON(), RECORDS));
  const { page, requests, dialogs } = await openReport(browser, file);

  await checkReportPage(page, RECORDS.length, path.join(dir, 'report.png'));

  // Filtering: every word must appear in the row (evidence included).
  const visible = (): Promise<number> => page.locator('#hosts tbody tr:not([hidden])').count();
  await page.fill('#filter', 'router');
  assert.equal(await visible(), 2);
  await page.fill('#filter', 'router tl-wr841n');
  assert.equal(await visible(), 1);
  assert.match((await page.locator('#count').textContent()) ?? '', /^1 of 6 hosts shown/);
  await page.fill('#filter', '');
  assert.equal(await visible(), RECORDS.length);

  // Sorting: confidence is numeric; a second click reverses.
  const firstIp = (): Promise<string | null> =>
    page.locator('#hosts tbody tr').first().locator('td').first().textContent();
  const confidence = page.locator('#hosts th', { hasText: 'confidence' });
  await confidence.click();
  assert.equal(await firstIp(), '192.0.2.16'); // no verdict sorts first (-1)
  await confidence.click();
  assert.equal(await firstIp(), '192.0.2.15');
  assert.equal(await confidence.getAttribute('aria-sort'), 'descending');
  await page.locator('#hosts th', { hasText: 'vendor' }).click();
  assert.equal(await firstIp(), '192.0.2.15'); // empty vendor first, then D-Link …

  // The hostile banner is text on the page, and nothing it carried ran.
  await page.locator('#hosts tbody tr', { hasText: '192.0.2.16' }).locator('summary').click();
  assert.ok(
    (
      (await page.locator('#hosts tbody tr', { hasText: '192.0.2.16' }).textContent()) ?? ''
    ).includes('<script>window.__pwned=2</script>'),
  );
  assert.equal(
    await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    undefined,
  );
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('#hosts img').count(), 0);
  assert.deepEqual(
    requests.filter((u) => !u.startsWith('file://')),
    [],
    'the page made a network request',
  );
  await page.close();
});

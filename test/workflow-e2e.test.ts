/**
 * The analyst's workflow, end to end, as a shell pipeline:
 *
 *   thingscan extract test/fixtures/mail/lab | thingscan scan -i - -o out.ndjson
 *   thingscan report out.ndjson --html r.html
 *
 * against the loopback lab (the mail fixtures' origins are lab addresses on 127.77.163.x),
 * then every record is validated against the shipped JSON Schema and the page is opened in
 * headless chromium, which writes a screenshot.
 *
 * The fixtures' relays use 10.0.0.0/8 and 127.0.0.1, and their origins are loopback lab
 * addresses, so the default trust (loopback is a relay) is switched off and those relays
 * are named with --trusted. Before anything is scanned, every extracted address is checked
 * to be inside the lab's /24: this test never sends a packet off loopback.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import { chromium } from 'playwright-core';
import { type HostRecord, type RunningLab, startLab } from '../src/index.js';
import { CLI, FIXTURES, ROOT } from './support/paths.js';

const PREFIX = '127.77.163';
const MAIL = path.join(FIXTURES, 'mail', 'lab');
/** Personas the fixtures name, by the address each one has in the full lab list. */
const FIXTURE_HOSTS: Record<string, string> = {
  [`${PREFIX}.10`]: 'busybox-router',
  [`${PREFIX}.11`]: 'tplink-router',
  [`${PREFIX}.13`]: 'dlink-nas',
  [`${PREFIX}.14`]: 'netgear-nas',
  [`${PREFIX}.15`]: 'dreambox',
  [`${PREFIX}.19`]: 'samsung-tv',
  [`${PREFIX}.21`]: 'smart-fridge',
  [`${PREFIX}.24`]: 'ubuntu-server',
};

let lab: RunningLab;
let dir: string;

/** Runs a bash script with arguments ($1, $2 …), pipefail on. */
function bash(
  script: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail\n${script}`, 'workflow', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  lab = await startLab({
    prefix: PREFIX,
    portOffset: 10_000,
    personas: [...new Set(Object.values(FIXTURE_HOSTS))],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'thingscan-workflow-'));
});

after(async () => {
  await lab?.close();
});

test('mail -> targets -> scan -> report -> HTML, with every record schema-valid', async () => {
  // The fixtures are written against the lab's address plan: fail loudly if it moved.
  for (const host of lab.hosts.filter((h) => h.id !== 'empty')) {
    assert.equal(FIXTURE_HOSTS[host.address], host.id, `lab address ${host.address} moved`);
  }
  const extractArgs = [
    'extract',
    '--no-default-trusted',
    '--trusted',
    '10.0.0.0/8',
    '--trusted',
    '127.0.0.1',
    '--log-year',
    '2026',
    '-q',
    MAIL,
  ];

  // 1. What extract finds, checked before any traffic: lab addresses only.
  const targets = await bash('node "$@"', [CLI, ...extractArgs]);
  assert.equal(targets.code, 0, targets.stderr);
  const ips = targets.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/)[0] as string);
  assert.deepEqual([...ips].sort(), Object.keys(FIXTURE_HOSTS).sort());
  for (const ip of ips) assert.ok(ip.startsWith(`${PREFIX}.`), `${ip} is not a lab address`);

  // 2. The pipeline itself.
  const out = path.join(dir, 'out.ndjson');
  const pipeline = await bash(
    'cli="$1"; out="$2"; ports="$3"; shift 3; node "$cli" "$@" | node "$cli" scan -i - -o "$out" --ports "$ports" --read-timeout 1500 -q',
    [CLI, out, lab.portSpec(), ...extractArgs],
  );
  assert.equal(pipeline.code, 0, pipeline.stderr);
  const records = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HostRecord);
  assert.deepEqual(records.map((r) => r.ip).sort(), [...ips].sort());

  // 3. Every record validates against the shipped schema.
  const Ajv2020 = Ajv2020Module.default;
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  const check = ajv.compile(
    JSON.parse(readFileSync(path.join(ROOT, 'schema', 'host-record.schema.json'), 'utf8')),
  );
  for (const r of records) assert.ok(check(r), `${r.ip}: ${ajv.errorsText(check.errors)}`);

  // The labels the lab's devices should get.
  const byIp = new Map(records.map((r) => [r.ip, r]));
  assert.equal(byIp.get(`${PREFIX}.13`)?.device?.vendor_id, 'dlink');
  assert.equal(byIp.get(`${PREFIX}.13`)?.device?.class, 'nas');
  assert.equal(byIp.get(`${PREFIX}.24`)?.iot, false);
  const iot = records.filter((r) => r.iot === true).length;
  assert.ok(iot >= 6, `${iot} IoT hosts`);

  // 4. The report, text and HTML.
  const html = path.join(dir, 'r.html');
  const report = await bash('node "$1" report "$2" --html "$3"', [CLI, out, html]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^hosts scanned\s+8$/m);
  assert.match(report.stdout, new RegExp(`^IoT\\s+${iot} `, 'm'));
  assert.match(report.stdout, /^by vendor\s+.*D-Link 1/m);
  assert.match(report.stdout, /^exposure\s+telnet \d+/m);

  // 5. The page in headless chromium, and its screenshot.
  assert.ok(existsSync('/usr/bin/chromium'), 'install chromium (apt-get install -y chromium)');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href);
    assert.equal(await page.locator('svg[role=img]').count(), 3);
    const box = await page.locator('#chart-classes').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 20);
    assert.ok((await page.locator('#chart-classes rect.bar').count()) >= 3);
    const rows = page.locator('#hosts tbody tr:not([hidden])');
    assert.equal(await rows.count(), 8);
    await page.fill('#filter', 'nas');
    assert.equal(await rows.count(), 2);
    await page.fill('#filter', '');
    const shot = path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'screenshot is too small to show anything');
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file://')),
      [],
    );
  } finally {
    await browser.close();
  }
});

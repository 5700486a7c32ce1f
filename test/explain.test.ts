/**
 * `--explain` logic (`src/match/explain.ts`), offline: which evidence set each label, the
 * capture that set a model, hint evidence, software, near misses and sanitized excerpts;
 * and, through the CLI against the lab, `scan --explain` and `identify --record --explain`
 * printing the same explanation for the same record.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  explainIdentification,
  explainRecord,
  formatHostExplanation,
  type HostExplanation,
  type HostRecord,
  identifyServices,
  loadSignatures,
  type ServiceInput,
} from '../src/index.js';
import { startLab } from '../src/lab/index.js';
import { runCli } from './support/cli.js';

/** This file's lab prefix and port offset (see test/depth*-e2e for others in use). */
const PREFIX = '127.77.133';
const OFFSET = 10_133;

const library = loadSignatures();

function explainOf(services: ServiceInput[]) {
  return explainIdentification('192.0.2.7', identifyServices(library, services), services);
}

test('explain: the model label rests on the item that captured it', () => {
  const e = explainOf([
    {
      port: 80,
      transport: 'tcp',
      protocol: 'http',
      fields: {
        'http.title': 'ShareCenter',
        'http.body': '<div class="product">DNS-320</div>',
      },
    },
  ]);
  assert.deepEqual(
    e.labels.map((l) => [l.label, l.value]),
    [
      ['class', 'nas'],
      ['vendor', 'D-Link'],
      ['product', 'ShareCenter'],
      ['model', 'DNS-320'],
      ['os', 'linux'],
    ],
  );
  const model = e.labels.find((l) => l.label === 'model');
  assert.deepEqual(
    model?.evidence.map((ev) => [ev.port, ev.field, ev.signature, ev.evidence]),
    [[80, 'http.body', 'dlink/sharecenter', 'body-model']],
  );
  const cls = e.labels.find((l) => l.label === 'class');
  assert.deepEqual(cls?.evidence.map((ev) => ev.evidence).sort(), ['body-model', 'title']);
});

test('explain: excerpts are sanitized and capped', () => {
  const e = explainOf([
    {
      port: 80,
      transport: 'tcp',
      protocol: 'http',
      fields: {
        'http.title': 'ShareCenter',
        'http.body': `\u001b]0;pwned\u0007<b>DNS-325</b>${'x'.repeat(500)}`,
      },
    },
  ]);
  const text = formatHostExplanation(e);
  assert.ok(!text.includes('\u001b'), 'raw escape reached the terminal text');
  assert.ok(!text.includes('\u0007'));
  const model = e.labels.find((l) => l.label === 'model');
  assert.ok((model?.evidence[0]?.excerpt.length ?? 999) <= 80);
});

test('explain: a hint-only verdict shows the hint as the evidence of class and vendor', () => {
  const e = explainOf([
    {
      port: 161,
      transport: 'udp',
      protocol: 'snmp',
      fields: { 'snmp.sysObjectID': '1.3.6.1.4.1.6574.1' },
    },
  ]);
  const vendor = e.labels.find((l) => l.label === 'vendor');
  assert.equal(vendor?.value, 'Synology');
  assert.deepEqual(
    vendor?.evidence.map((ev) => [ev.field, ev.signature, ev.evidence, ev.excerpt]),
    [['snmp.sysObjectID', 'enrich/enterprise-number', 'enterprise 6574', '1.3.6.1.4.1.6574.1']],
  );
  assert.match(
    formatHostExplanation(e),
    /^192\.0\.2\.7: nas Synology \(confidence 0\.5\)\n {2}class: nas\n/,
  );
});

test('explain: nothing identified says so', () => {
  const e = explainOf([
    { port: 23, transport: 'tcp', protocol: 'telnet', fields: { 'telnet.banner': 'login:' } },
  ]);
  assert.equal(formatHostExplanation(e), '192.0.2.7: nothing identified\n');
});

test('explain: software per port and near misses below min_score', () => {
  const services: ServiceInput[] = [
    {
      port: 22,
      transport: 'tcp',
      protocol: 'ssh',
      fields: { 'ssh.ident': 'SSH-2.0-dropbear_2019.78', 'ssh.software': 'dropbear_2019.78' },
    },
    {
      // Cisco's heading with a password prompt alone (Quagga's vty prints the same) is a
      // medium item (0.6): below cisco/ios's 0.7. With "Username:" it would be IOS's.
      port: 23,
      transport: 'tcp',
      protocol: 'telnet',
      fields: { 'telnet.banner': '\nUser Access Verification\n\nPassword: ' },
    },
  ];
  const e = explainIdentification(
    '192.0.2.7',
    identifyServices(library, services, { includePartial: true }),
    services,
  );
  assert.deepEqual(
    e.software.map((s) => [s.port, s.value, s.evidence.map((ev) => ev.signature)]),
    [[22, 'Dropbear 2019.78', ['dropbear/dropbear']]],
  );
  const cisco = e.near_misses.find((n) => n.signature === 'cisco/ios');
  assert.deepEqual(
    [cisco?.score, cisco?.min_score, cisco?.evidence.map((ev) => [ev.port, ev.evidence])],
    [0.6, 0.7, [[23, 'telnet-uav']]],
  );
  const text = formatHostExplanation(e);
  assert.match(
    text,
    /\n {2}software: port 22\/ssh Dropbear 2019\.78\n {4}port 22\/ssh ssh\.software · dropbear\/dropbear · software · "dropbear_2019\.78"\n/,
  );
  assert.match(
    text,
    /\n {2}near miss: cisco\/ios score 0\.6 < min_score 0\.7\n {4}port 23\/telnet telnet\.banner · cisco\/ios · telnet-uav · "\\nUser Access Verification/,
  );
  // Without includePartial (the scan's own matching), no near misses are listed.
  assert.deepEqual(
    explainIdentification('192.0.2.7', identifyServices(library, services), services).near_misses,
    [],
  );
});

/** The explanation block of `ip` in a stderr text: its first line and the indented ones after. */
function block(stderr: string, ip: string): string {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${ip}: `));
  assert.ok(start >= 0, `no explanation of ${ip} in:\n${stderr}`);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
  return `${lines.slice(start, end < 0 ? undefined : end).join('\n')}\n`;
}

test('scan --explain and identify --record --explain print the same explanation', async () => {
  const personas = ['conflict-router', 'dlink-nas'];
  const lab = await startLab({ prefix: PREFIX, portOffset: OFFSET, personas });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thingscan-explain-'));
  try {
    const hosts = lab.hosts.filter((h) => personas.includes(h.id));
    const out = path.join(dir, 'out.ndjson');
    const scanned = await runCli([
      'scan',
      ...hosts.map((h) => h.address),
      '--ports',
      lab.portSpec(),
      '--read-timeout',
      '1000',
      '--banner-wait',
      '400',
      '--explain',
      '--quiet',
      '-o',
      out,
    ]);
    assert.equal(scanned.code, 0, scanned.stderr);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HostRecord);
    assert.equal(records.length, hosts.length);

    const identified = await runCli(['identify', '--record', out, '--explain']);
    assert.equal(identified.code, 0, identified.stderr);
    const lines = identified.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ip: string; explain: HostExplanation });

    for (const record of records) {
      assert.equal(record.status, 'identified', record.ip);
      const fromScan = block(scanned.stderr, record.ip);
      const fromIdentify = block(identified.stderr, record.ip);
      // Same text from both commands, with labels, evidence and the software per port.
      assert.equal(fromIdentify, fromScan);
      assert.match(fromScan, /\n {2}vendor: /);
      // Same JSON shape: identify's `explain` is the library's explanation of the record,
      // and the text both commands printed is that JSON, formatted.
      const json = lines.find((l) => l.ip === record.ip)?.explain;
      assert.deepEqual(json, explainRecord(library, record));
      assert.equal(formatHostExplanation(json as HostExplanation), fromScan);
    }
    // The NAS names its software per port (Dropbear on SSH among them).
    const nas = hosts.find((h) => h.id === 'dlink-nas')?.address as string;
    assert.match(block(scanned.stderr, nas), /\n {2}software: port \d+\/ssh Dropbear/);
    // The conflicting host shows its alternative in both.
    const conflict = hosts.find((h) => h.id === 'conflict-router')?.address as string;
    assert.match(block(scanned.stderr, conflict), /\n {2}alternative: router Peplink/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await lab.close();
  }
});

/**
 * End to end: the CLI scans the running lab from a list file and writes one schema-1
 * record per listed target, with the labels each persona should get.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type HostRecord, type RunningLab, startLab } from '../src/index.js';
import { runCli } from './support/cli.js';

const RECORD_KEYS = [
  'schema',
  'ip',
  'status',
  'iot',
  'device',
  'alternatives',
  'services',
  'started_at',
  'elapsed_ms',
  'signatures_version',
];
const DEVICE_KEYS = [
  'class',
  'vendor',
  'vendor_id',
  'product',
  'model',
  'os',
  'cpe',
  'confidence',
  'nat_gateway_suspected',
  'signatures',
];
const SERVICE_KEYS = [
  'port',
  'transport',
  'protocol',
  'status',
  'product',
  'vendor',
  'version',
  'banner',
  'fields',
  'matches',
  'elapsed_ms',
];

let lab: RunningLab;
let dir: string;
let records: HostRecord[];
let run: Awaited<ReturnType<typeof runCli>>;

before(async () => {
  lab = await startLab({ prefix: '127.77.240', portOffset: 10_000 });
  dir = mkdtempSync(path.join(tmpdir(), 'thingscan-e2e-'));
  const targets = lab.targets();
  const list = [
    '# suspects from the lab',
    targets[0],
    '',
    '127.77.240.300',
    'mail.example.com',
    ...targets.slice(1),
    `${targets[0]}   # a duplicate`,
    '127.77.240.0/33',
  ].join('\n');
  writeFileSync(path.join(dir, 'list.txt'), `${list}\n`);
  run = await runCli([
    'scan',
    '-i',
    path.join(dir, 'list.txt'),
    '-o',
    path.join(dir, 'out.ndjson'),
    '--ports',
    lab.portSpec(),
    '--read-timeout',
    '1500',
    '--banner-wait',
    '800',
    '--host-timeout',
    '12000',
    '--concurrency',
    '64',
    '--log-level',
    'error',
  ]);
  records = readFileSync(path.join(dir, 'out.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HostRecord);
});

after(async () => {
  await lab?.close();
});

test('exit code 3 and FILE:LINE for each bad line; the rest is scanned', () => {
  assert.equal(run.code, 3, run.stderr);
  const list = path.join(dir, 'list.txt');
  assert.match(run.stderr, new RegExp(`${list.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: .*300`));
  assert.match(run.stderr, /list\.txt:5: .*mail\.example\.com/);
  assert.match(run.stderr, /list\.txt:\d+: .*\/33/);
});

test('exactly one schema-1 record per distinct target, DESIGN field names in order', () => {
  const ips = records.map((r) => r.ip).sort();
  assert.deepEqual(ips, [...lab.targets()].sort());
  for (const r of records) {
    assert.deepEqual(Object.keys(r), RECORD_KEYS);
    assert.equal(r.schema, 1);
    if (r.device) assert.deepEqual(Object.keys(r.device), DEVICE_KEYS);
    for (const s of r.services) assert.deepEqual(Object.keys(s), SERVICE_KEYS);
  }
});

test('the empty address is no-response', () => {
  const empty = lab.hosts.find((h) => h.id === 'empty')?.address;
  const r = records.find((x) => x.ip === empty);
  assert.equal(r?.status, 'no-response');
  assert.equal(r?.iot, null);
  assert.deepEqual(r?.services, []);
});

test('every persona gets its expected class and vendor; computers are not IoT', () => {
  const wrong: string[] = [];
  for (const host of lab.hosts) {
    const r = records.find((x) => x.ip === host.address);
    const want = host.expected;
    if (want.class === null) {
      if (r?.device?.vendor_id) wrong.push(`${host.id}: labeled ${r.device.vendor_id}`);
      continue;
    }
    const got = `${r?.device?.class}/${r?.device?.vendor_id ?? null}/iot=${r?.iot}`;
    const ok =
      r?.device?.class === want.class &&
      (want.vendor_id === null || r?.device?.vendor_id === want.vendor_id) &&
      (want.iot === null || r?.iot === want.iot);
    if (!ok)
      wrong.push(`${host.id}: want ${want.class}/${want.vendor_id}/iot=${want.iot}, got ${got}`);
  }
  assert.deepEqual(wrong, []);
  const computers = lab.hosts.filter((h) => h.expected.class === 'computer');
  assert.ok(computers.length >= 2);
  for (const c of computers) assert.equal(records.find((r) => r.ip === c.address)?.iot, false);
});

test('routers carry nat_gateway_suspected; evidence points at ports', () => {
  const routers = records.filter((r) => r.device?.class === 'router');
  assert.ok(routers.length >= 2);
  for (const r of routers) {
    assert.equal(r.device?.nat_gateway_suspected, true);
    assert.ok(
      r.services.some((s) => s.matches.some((m) => r.device?.signatures.includes(m.signature))),
    );
  }
});

test('hostile personas never crash the scan and get no vendor', () => {
  for (const host of lab.hosts.filter((h) => h.hostile)) {
    const r = records.find((x) => x.ip === host.address);
    assert.ok(r, host.id);
    assert.notEqual(r.status, 'identified', host.id);
    for (const s of r.services) assert.notEqual(s.status, 'internal-error', `${host.id} ${s.port}`);
  }
});

test('the scanner never sent credentials or mail commands to any persona', () => {
  assert.equal(lab.counters.credentialAttempts, 0);
  assert.equal(lab.counters.mailCommands, 0);
  assert.ok(lab.counters.connections > 0);
});

test('summary on stderr counts IoT hosts', () => {
  assert.match(run.stderr, /hosts are IoT/);
});

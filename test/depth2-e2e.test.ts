/**
 * Identification depth, part 2, end to end through `scan()` (and the CLI for --explain)
 * against lab personas: a router named only by its sysObjectID, a camera named only by
 * the SNMPv3 engine ID it reveals to a discovery (no community known), and a host whose
 * telnet banner and sysObjectID name different makers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './support/cli.js';
import { labScan } from './support/lab-scan.js';

const PREFIX = '127.77.181';
const OFFSET = 10_181;
const PERSONAS = ['sysoid-router', 'engineid-camera', 'conflict-router'];

const fixture = labScan(PREFIX, OFFSET, PERSONAS, {
  readTimeoutMs: 1_000,
  bannerWaitMs: 400,
  hostTimeoutMs: 20_000,
});
const record = fixture.record;

test('identified only by its sysObjectID: a Peplink router, a suspected NAT gateway', () => {
  const r = record('sysoid-router');
  assert.equal(r.status, 'identified');
  assert.equal(r.device?.class, 'router');
  assert.equal(r.device?.vendor_id, 'peplink');
  assert.equal(r.device?.nat_gateway_suspected, true);
  assert.ok((r.device?.confidence ?? 1) <= 0.6);
  const snmp = r.services.find((s) => s.protocol === 'snmp');
  assert.deepEqual(snmp?.matches, [
    { signature: 'enrich/enterprise-number', score: 0.5, evidence: ['snmp.sysObjectID'] },
  ]);
});

test('identified only by its SNMPv3 engine ID: a Hikvision camera, community unknown', () => {
  const r = record('engineid-camera');
  assert.equal(r.status, 'identified');
  assert.equal(r.device?.class, 'camera');
  assert.equal(r.device?.vendor_id, 'hikvision');
  assert.equal(r.device?.nat_gateway_suspected, false);
  const snmp = r.services.find((s) => s.protocol === 'snmp');
  assert.equal(snmp?.fields['snmp.version'], 'v3');
  assert.equal(snmp?.fields['snmp.engine_enterprise'], '39165');
  assert.equal(snmp?.fields['snmp.engine_mac'], '08:54:11:3c:4d:5e');
  // No community answer: the system group is absent.
  assert.equal(snmp?.fields['snmp.sysDescr'], undefined);
  assert.deepEqual(r.device?.signatures.slice().sort(), [
    'enrich/enterprise-number',
    'enrich/mac-oui',
  ]);
});

test('conflicting makers: the signature verdict leads, the enterprise number is an alternative', () => {
  const r = record('conflict-router');
  assert.equal(r.device?.vendor_id, 'mikrotik');
  assert.equal(r.device?.nat_gateway_suspected, true);
  assert.deepEqual(
    r.alternatives.map((a) => [a.vendor_id, a.class, a.signatures]),
    [['peplink', 'router', ['enrich/enterprise-number']]],
  );
  assert.ok((r.alternatives[0]?.confidence ?? 1) < (r.device?.confidence ?? 0));
});

test('scan --explain prints, per label, the service, field, signature, evidence and excerpt', async () => {
  const hosts = fixture
    .lab()
    .hosts.filter((h) => h.id === 'conflict-router' || h.id === 'engineid-camera');
  const run = await runCli([
    'scan',
    ...hosts.map((h) => h.address),
    '--ports',
    fixture.lab().portSpec(),
    '--read-timeout',
    '1000',
    '--banner-wait',
    '400',
    '--explain',
    '--quiet',
    '--format',
    'ndjson',
  ]);
  assert.equal(run.code, 0, run.stderr);
  // stdout stays NDJSON only.
  for (const line of run.stdout.trim().split('\n')) JSON.parse(line);
  const conflict = hosts.find((h) => h.id === 'conflict-router')?.address as string;
  const camera = hosts.find((h) => h.id === 'engineid-camera')?.address as string;
  assert.match(run.stderr, new RegExp(`${conflict.replace(/\./g, '\\.')}: router MikroTik`));
  assert.match(
    run.stderr,
    /\n {2}vendor: MikroTik\n {4}port \d+\/telnet telnet\.banner · mikrotik\/routeros · telnet-version · "MikroTik v6\.47\.10/,
  );
  assert.match(run.stderr, /\n {2}os: linux RouterOS 6\.47\.10\n/);
  assert.match(
    run.stderr,
    /alternative: router Peplink \(confidence 0\.5\) from enrich\/enterprise-number/,
  );
  assert.match(run.stderr, new RegExp(`${camera.replace(/\./g, '\\.')}: camera Hikvision`));
  assert.match(
    run.stderr,
    /vendor: Hikvision\n {4}port \d+\/snmp snmp\.engine_enterprise · enrich\/enterprise-number · enterprise 39165 · "39165"\n {4}port \d+\/snmp snmp\.engine_mac · enrich\/mac-oui · MAC 08:54:11:3c:4d:5e/,
  );
  // The banner's line break is escaped, never written raw to the terminal.
  assert.ok(!/Long-term\)\nLogin/i.test(run.stderr));
});

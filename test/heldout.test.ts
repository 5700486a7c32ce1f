/**
 * The held-out sets: real-world banners written before reading the patterns.
 * test/fixtures/heldout/banners.yaml is the first set; blind.yaml a second one by another
 * author, scored once (blind) after the first set's fixes; blind2.yaml a third, written and
 * committed before its author read any pattern; blind3.yaml a fourth, written the same way
 * around residential CPE, ONTs and cheap recorders. The library must keep naming no
 * vendor on their generic banners and keep its accuracy above the floors below.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  formatRatio,
  heldoutServices,
  loadHeldout,
  loadSignatures,
  type Ratio,
  runHeldout,
} from '../src/index.js';
import { FIXTURES } from './support/paths.js';

const SET = path.join(FIXTURES, 'heldout', 'banners.yaml');
const BLIND = path.join(FIXTURES, 'heldout', 'blind.yaml');
const BLIND2 = path.join(FIXTURES, 'heldout', 'blind2.yaml');
const BLIND3 = path.join(FIXTURES, 'heldout', 'blind3.yaml');

// Floors: the figures measured after the held-out round (docs/benchmarks.md, library 0.1.0
// + the fixes of that round: class 221/227 = 97.4 %, vendor 176/182 = 96.7 %, product
// 50/53 = 94.3 %) minus a margin of about 3 points, so one or two entries may change label
// when a signature is reworked, but a regression across a family fails.
const FLOOR = { class: 0.94, vendor: 0.93, product: 0.9 } as const;

// The blind set scored class 72/79, vendor 62/70 when first run (docs/benchmarks.md) and
// 78/79, 68/70 after its misses were fixed; the floors keep a margin of about 3 points. It
// names no products, so it has no product floor.
const BLIND_FLOOR = { class: 0.95, vendor: 0.94 } as const;

// The third set scored class 92/133, vendor 71/121 blind (docs/benchmarks.md) and 128/133,
// 106/121 after its misses were fixed; 7 of the 15 vendor misses left are computers whose
// OS maker the set names and the library, by design, does not. Floors about 3 points under.
// Its 8 product labels mostly name models where the library names the line: no floor.
const BLIND2_FLOOR = { class: 0.93, vendor: 0.84 } as const;

// The fourth set scored class 73/138, vendor 54/116 blind (docs/benchmarks.md) and 121/138,
// 96/116 after its misses were fixed; most misses left are banners the library leaves
// unbranded by design (XiongMai ODM firmware, SoC reference boards) or that no second source
// confirms. Its 11 product labels name models where the library names the line: no floor.
const BLIND3_FLOOR = { class: 0.84, vendor: 0.79 } as const;

const share = (r: Ratio): number => (r.of === 0 ? 0 : r.hit / r.of);

test('held-out: no vendor on generic banners, no IoT class on computers, accuracy above the floors', () => {
  const report = runHeldout(loadSignatures(), loadHeldout(SET));
  assert.ok(report.entries >= 150, `only ${report.entries} held-out entries`);
  const claims = report.results
    .filter((r) => r.misses.includes('false-vendor') || r.misses.includes('false-iot'))
    .map((r) => `${r.entry.id}: ${r.got.class} ${r.got.vendor} [${r.got.signatures.join(', ')}]`);
  assert.deepEqual(claims, [], 'generic banners given a vendor, or computers an IoT class');
  assert.ok(report.falseVendor.of >= 40, 'the set must keep its generic banners');
  for (const key of ['class', 'vendor', 'product'] as const) {
    const r = report[key];
    assert.ok(
      share(r) >= FLOOR[key],
      `${key} accuracy ${formatRatio(r)} fell below ${FLOOR[key] * 100} %`,
    );
  }
});

test('blind held-out set: no false vendor or IoT claim, accuracy above its floors', () => {
  const report = runHeldout(loadSignatures(), loadHeldout(BLIND));
  assert.ok(report.entries >= 100, `only ${report.entries} blind entries`);
  const claims = report.results
    .filter((r) => r.misses.includes('false-vendor') || r.misses.includes('false-iot'))
    .map((r) => `${r.entry.id}: ${r.got.class} ${r.got.vendor} [${r.got.signatures.join(', ')}]`);
  assert.deepEqual(claims, [], 'generic banners given a vendor, or computers an IoT class');
  assert.ok(report.falseVendor.of >= 30, 'the set must keep its generic banners');
  for (const key of ['class', 'vendor'] as const) {
    const r = report[key];
    assert.ok(
      share(r) >= BLIND_FLOOR[key],
      `${key} accuracy ${formatRatio(r)} fell below ${BLIND_FLOOR[key] * 100} %`,
    );
  }
});

test('third held-out set (blind2): no false vendor or IoT claim, accuracy above its floors', () => {
  const report = runHeldout(loadSignatures(), loadHeldout(BLIND2));
  assert.ok(report.entries >= 150, `only ${report.entries} blind2 entries`);
  const claims = report.results
    .filter((r) => r.misses.includes('false-vendor') || r.misses.includes('false-iot'))
    .map((r) => `${r.entry.id}: ${r.got.class} ${r.got.vendor} [${r.got.signatures.join(', ')}]`);
  assert.deepEqual(claims, [], 'generic banners given a vendor, or computers an IoT class');
  assert.ok(report.falseVendor.of >= 20, 'the set must keep its generic banners');
  assert.ok(report.falseIot.of >= 20, 'the set must keep its computers');
  for (const key of ['class', 'vendor'] as const) {
    const r = report[key];
    assert.ok(
      share(r) >= BLIND2_FLOOR[key],
      `${key} accuracy ${formatRatio(r)} fell below ${BLIND2_FLOOR[key] * 100} %`,
    );
  }
});

test('fourth held-out set (blind3): no false vendor or IoT claim, accuracy above its floors', () => {
  const report = runHeldout(loadSignatures(), loadHeldout(BLIND3));
  assert.ok(report.entries >= 120, `only ${report.entries} blind3 entries`);
  const claims = report.results
    .filter((r) => r.misses.includes('false-vendor') || r.misses.includes('false-iot'))
    .map((r) => `${r.entry.id}: ${r.got.class} ${r.got.vendor} [${r.got.signatures.join(', ')}]`);
  assert.deepEqual(claims, [], 'generic banners given a vendor, or computers an IoT class');
  assert.ok(report.falseVendor.of >= 15, 'the set must keep its generic banners');
  assert.ok(report.falseIot.of >= 18, 'the set must keep its computers');
  for (const key of ['class', 'vendor'] as const) {
    const r = report[key];
    assert.ok(
      share(r) >= BLIND3_FLOOR[key],
      `${key} accuracy ${formatRatio(r)} fell below ${BLIND3_FLOOR[key] * 100} %`,
    );
  }
});

test('held-out: FTP and SMTP greetings written with reply codes are read as the probes record them', () => {
  const [ftp] = heldoutServices({
    'ftp.greeting': '220-Welcome\r\n220 FRITZ!Box7530 FTP server ready.',
  });
  assert.equal(ftp?.fields['ftp.greeting'], 'Welcome\nFRITZ!Box7530 FTP server ready.');
  const [smtp] = heldoutServices({ 'smtp.greeting': '220 mx.example.org ESMTP Postfix' });
  assert.equal(smtp?.fields['smtp.greeting'], 'mx.example.org ESMTP Postfix');
  // A value written without codes is kept as it is.
  const [plain] = heldoutServices({ 'ftp.greeting': 'JD FTP Server Ready' });
  assert.equal(plain?.fields['ftp.greeting'], 'JD FTP Server Ready');
});

test('held-out: entries become services as the probes record them', () => {
  const services = heldoutServices({
    'ssh.ident': 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2',
    'telnet.banner': '\nDebian GNU/Linux 12\n\nbackup login: \n',
    'ssdp.server': 'Synology/DSM/192.0.2.5',
    'upnp.manufacturer': 'Synology',
    'tls.subject': 'CN=example',
  });
  const by = new Map(services.map((s) => [s.protocol, s]));
  assert.deepEqual(by.get('ssh')?.fields, {
    'ssh.ident': 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2',
    'ssh.software': 'OpenSSH_9.2p1',
    'ssh.comment': 'Debian-2+deb12u2',
  });
  assert.equal(by.get('telnet')?.fields['telnet.prompt'], 'backup login:');
  assert.equal(by.get('telnet')?.fields['telnet.banner'], 'Debian GNU/Linux 12\n\nbackup login:');
  // Line ends are normalised as the telnet probe does (CR LF as LF).
  const [crlf] = heldoutServices({ 'telnet.banner': '\r\nF660\r\nLogin: ' });
  assert.equal(crlf?.fields['telnet.banner'], 'F660\nLogin:');
  assert.equal(crlf?.fields['telnet.prompt'], 'Login:');
  assert.equal(by.get('ssdp')?.fields['upnp.manufacturer'], 'Synology');
  assert.equal(by.get('ssdp')?.transport, 'udp');
  assert.equal(by.get('https')?.fields['tls.subject'], 'CN=example');
});

test('held-out: a typo in the set fails loudly instead of dropping a check', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heldout-'));
  try {
    const write = (body: string): string => {
      const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, body);
      return file;
    };
    const entry = (fields: string, expect: string) =>
      `entries:\n  - id: x\n    fields: ${fields}\n    expect: ${expect}\n    source: s\n`;
    assert.throws(
      () => loadHeldout(write(entry('{ ssh.identity: a }', '{ vendor: null }'))),
      /unknown field 'ssh\.identity'/,
    );
    assert.throws(
      () => loadHeldout(write(entry('{ ssh.ident: a }', '{ class: rooter }'))),
      /unknown class 'rooter'/,
    );
    assert.throws(
      () => loadHeldout(write(entry('{ ssh.ident: a }', '{ vendors: cisco }'))),
      /unknown expect key 'vendors'/,
    );
    assert.equal(loadHeldout(write(entry('{ ssh.ident: a }', '{ vendor: null }'))).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Nothing a host sends reaches a terminal raw: the CLI's table, CSV and logs (stderr, at
 * debug level) are checked byte by byte for ESC, other C0 controls, DEL, C1 controls
 * (U+009B is a CSI), bidi overrides and U+FFFD, after scanning personas whose banners are
 * full of them. NDJSON keeps the exact data, JSON-escaped, with no raw control either.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type HostRecord, type RunningLab, startLab } from '../src/index.js';
import { type CliRun, runCli } from './support/cli.js';

const PREFIX = '127.77.191';
const T = { timeout: 120_000 };

/** Control and invisible characters; LF is the only line end allowed (CSV adds CR LF). */
const RAW =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufffd]/u;

let lab: RunningLab;
let dir: string;
let table: CliRun;
let csv: CliRun;
let ndjson: CliRun;
let records: HostRecord[];

function scanArgs(extra: readonly string[]): string[] {
  return [
    'scan',
    ...lab.targets(),
    '--ports',
    lab.portSpec(),
    '--connect-timeout',
    '500',
    '--read-timeout',
    '1000',
    '--banner-wait',
    '500',
    '--host-timeout',
    '4000',
    '--log-level',
    'debug',
    ...extra,
  ];
}

before(async () => {
  lab = await startLab({
    prefix: PREFIX,
    portOffset: 10_000,
    personas: [
      'escape-banners',
      'honeypot',
      'garbage',
      'flood',
      'ssh-bad-ident',
      'redirect-away',
      'canary',
    ],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'thingscan-sanitize-'));
  const out = path.join(dir, 'out.ndjson');
  [table, csv, ndjson] = await Promise.all([
    runCli(scanArgs(['--format', 'table'])),
    // Without SNMP, the UDP port goes to the SSDP probe, whose LOCATION carries a CSI.
    runCli(scanArgs(['--format', 'csv', '--probes', 'telnet,ssh,smtp,ftp,http,ssdp'])),
    runCli(scanArgs(['-o', out, '--format', 'table'])),
  ]);
  records = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HostRecord);
});

after(async () => {
  await lab?.close();
});

/** The first raw character found, shown escaped, or null. */
function firstRaw(text: string, allowCr = false): string | null {
  const cleaned = allowCr ? text.replaceAll('\r\n', '\n') : text;
  const m = RAW.exec(cleaned);
  if (!m) return null;
  const at = m.index;
  return `U+${(m[0].codePointAt(0) ?? 0).toString(16)} near ${JSON.stringify(cleaned.slice(Math.max(0, at - 40), at + 10))}`;
}

test('the runs succeeded and saw the nasty banners', T, () => {
  for (const run of [table, csv, ndjson]) assert.equal(run.code, 0, run.stderr);
  assert.ok(table.stdout.length > 0 && csv.stdout.length > 0);
  const evil = records.find(
    (r) => r.ip === lab.hosts.find((h) => h.id === 'escape-banners')?.address,
  );
  assert.ok(evil && evil.services.length >= 3, 'escape-banners answered');
});

test('table output has no raw control or escape character', T, () => {
  assert.equal(firstRaw(table.stdout), null);
  assert.equal(firstRaw(ndjson.stdout), null);
});

test('CSV output has no raw control character (CR only in line ends)', T, () => {
  assert.equal(firstRaw(csv.stdout, true), null);
});

test('logs and summary on stderr have no raw control character', T, () => {
  for (const run of [table, csv, ndjson]) assert.equal(firstRaw(run.stderr), null);
  // Debug logging was on, so the log stream was really exercised.
  assert.ok(csv.stderr.length > 0);
});

test('NDJSON keeps the exact data, JSON-escaped, and no raw control in the file', T, () => {
  const raw = readFileSync(path.join(dir, 'out.ndjson'), 'utf8');
  assert.equal(firstRaw(raw), null);
  const evil = records.find(
    (r) => r.ip === lab.hosts.find((h) => h.id === 'escape-banners')?.address,
  );
  const telnet = evil?.services.find((s) => s.protocol === 'telnet');
  // Exact bytes survive in fields: ESC, OSC with BEL and the C1 CSI are all there.
  const banner = telnet?.fields['telnet.banner'] ?? '';
  assert.ok(banner.includes('\x1b[2J'), banner);
  assert.ok(banner.includes('\x1b]0;owned\x07'), banner);
  assert.ok(banner.includes('\u009b6n'), banner);
  // The sanitized excerpt shows them as visible escapes instead.
  assert.match(telnet?.banner ?? '', /\\x1b\[2J/);
});

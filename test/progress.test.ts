/**
 * Progress on stderr: drawn on a terminal (checked with an injected TTY stream and with the
 * CLI under a pseudo-terminal from util-linux `script`), absent when stderr is piped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Progress } from '../src/output/progress.js';
import type { HostRecord } from '../src/types.js';
import { runCli } from './support/cli.js';
import { BIN } from './support/paths.js';

/** This file's loopback prefix (see `grep -rn "127.77." test/`); nothing listens there. */
const PREFIX = '127.77.173';

function record(status: HostRecord['status'], iot: boolean | null): HostRecord {
  return {
    schema: 1,
    ip: '192.0.2.1',
    status,
    iot,
    device: null,
    alternatives: [],
    services: [],
    started_at: '2026-11-27T00:00:00.000Z',
    elapsed_ms: 1,
    signatures_version: '0',
  };
}

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 120, write: (t: string) => chunks.push(t) }, chunks };
}

test('on a TTY: done/total, hosts/s, ETA, identified and IoT shares, final line kept', () => {
  let now = 0;
  const { stream, chunks } = fakeStream(true);
  const progress = new Progress(stream, { total: 10, now: () => now, intervalMs: 60_000 });
  assert.equal(progress.active, true);
  progress.add(record('identified', true));
  progress.add(record('identified', false));
  progress.add(record('no-response', null));
  progress.add(record('unidentified', null));
  now = 2_000;
  assert.equal(progress.line(), '4/10 40.0%  2.0 hosts/s  ETA 3s  identified 50%  IoT 25%');
  progress.draw();
  assert.equal(chunks.at(-1), `\r\x1b[K${progress.line()}`);
  progress.stop();
  assert.equal(chunks.at(-1), '\n');
});

test('without a total the line counts what is done and shows no ETA', () => {
  const { stream } = fakeStream(true);
  const progress = new Progress(stream, { now: () => 1_000, intervalMs: 60_000 });
  progress.add(record('no-response', null));
  assert.doesNotMatch(progress.line(), /ETA|\d\//);
  assert.match(progress.line(), /^1 done {2}/);
  progress.stop();
});

test('not a TTY: nothing is ever written', () => {
  const { stream, chunks } = fakeStream(false);
  const progress = new Progress(stream, { total: 3, intervalMs: 1 });
  assert.equal(progress.active, false);
  progress.add(record('identified', true));
  progress.draw();
  progress.stop();
  assert.deepEqual(chunks, []);
});

const SCAN = [
  'scan',
  '--ports',
  'T:1',
  '--no-snmp',
  `${PREFIX}.10`,
  `${PREFIX}.11`,
  `${PREFIX}.12`,
];

test('CLI under a pseudo-terminal shows progress; piped it does not', async (t) => {
  const piped = await runCli(SCAN);
  assert.equal(piped.code, 0, piped.stderr);
  assert.doesNotMatch(piped.stderr, /hosts\/s/);
  assert.match(piped.stderr, /3 hosts scanned/, 'the summary is still there');

  if (!existsSync('/usr/bin/script')) {
    t.skip('util-linux script is not installed');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-progress-'));
  const out = path.join(dir, 'out.ndjson');
  // Through the installed command's launcher, as a user at a terminal runs it.
  const command = [BIN, ...SCAN, '-o', out].map((a) => `'${a}'`).join(' ');
  const tty = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8' });
  assert.equal(tty.status, 0, tty.stderr);
  assert.match(tty.stdout, /3\/3 100\.0% {2}[\d.]+ hosts\/s {2}identified 0% {2}IoT 0%/);
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 3);

  const quiet = spawnSync('script', ['-qfec', `${command} --quiet`, '/dev/null'], {
    encoding: 'utf8',
  });
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stdout, /hosts\/s/, '--quiet turns progress off');
});

/**
 * Scale guarantees of `thingscan scan`: `--shard i/n` splits a list so the shards cover it
 * exactly once, and a scan interrupted (SIGTERM, or SIGKILL with a record cut in half)
 * then resumed with `--resume` ends with exactly one record per target.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { inShard, parseShard, shardOf } from '../src/targets/shard.js';
import { runCli } from './support/cli.js';
import { CLI } from './support/paths.js';

/** This file's loopback prefix (see `grep -rn "127.77." test/`). */
const PREFIX = '127.77.172';
const PORT = 17_201;
const COUNT = 30;
const TARGETS = Array.from({ length: COUNT }, (_, i) => `${PREFIX}.${10 + i}`);
/** Silent ports keep each host busy for banner wait + read timeout, long enough to interrupt. */
const SLOW = [
  '--ports',
  `T:${PORT}`,
  '--no-snmp',
  '--banner-wait',
  '150',
  '--read-timeout',
  '200',
  '--connect-timeout',
  '1000',
  '--concurrency',
  '2',
  '--quiet',
];

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-resume-'));
const list = path.join(dir, 'targets.txt');

before(async () => {
  for (const host of TARGETS) {
    const server = net.createServer((socket) => {
      // Accept and say nothing; drop whatever the scanner sends.
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.resume();
    });
    server.listen({ host, port: PORT, exclusive: true });
    await once(server, 'listening');
    servers.push(server);
  }
  writeFileSync(list, `${TARGETS.join('\n')}\n`);
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** Every line of an NDJSON file, parsed (throws on a line that is not JSON). */
function records(file: string): Array<{ ip: string; status: string }> {
  const text = readFileSync(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'file ends with a complete line');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { ip: string; status: string });
}

function assertExactlyOnce(ips: readonly string[], expected: readonly string[]): void {
  const counts = new Map<string, number>();
  for (const ip of ips) counts.set(ip, (counts.get(ip) ?? 0) + 1);
  const dupes = [...counts].filter(([, n]) => n > 1).map(([ip]) => ip);
  assert.deepEqual(dupes, [], 'no target recorded twice');
  assert.deepEqual([...counts.keys()].sort(), [...expected].sort(), 'every target recorded');
}

/** Starts the CLI and resolves once `file` holds at least `lines` complete records. */
function startScan(args: readonly string[], file: string, lines: number) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const ready = new Promise<void>((resolve, reject) => {
    // Watching the output grow is waiting for a condition, not for a duration.
    const timer = setInterval(() => {
      const n = existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
      if (n >= lines) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`scan ended before ${lines} records: ${stderr}`));
    });
  });
  return { child, ready, exited, stderr: () => stderr };
}

test('shardOf is deterministic, seed-dependent and spreads addresses evenly', () => {
  const ips = Array.from({ length: 3000 }, (_, i) => `198.51.${i >> 8}.${i & 255}`);
  const sizes = [0, 0, 0];
  for (const ip of ips) {
    const s = shardOf(ip, 3, 7);
    assert.equal(shardOf(ip, 3, 7), s);
    sizes[s - 1] = (sizes[s - 1] ?? 0) + 1;
  }
  for (const n of sizes) assert.ok(n > 850 && n < 1150, `balanced shards: ${sizes.join(',')}`);
  const moved = ips.filter((ip) => shardOf(ip, 3, 7) !== shardOf(ip, 3, 8)).length;
  assert.ok(moved > 1000, 'another seed gives another split');
  const shards = [1, 2, 3].map((i) => parseShard(`${i}/3`, 7));
  for (const ip of ips) assert.equal(shards.filter((s) => inShard(ip, s)).length, 1);
  assert.throws(() => parseShard('0/3'), /1 <= i <= n/);
  assert.throws(() => parseShard('4/3'), /1 <= i <= n/);
  assert.throws(() => parseShard('1/3', -1), /--seed/);
});

test('--shard 1/3, 2/3, 3/3 with one seed cover the list exactly once', async () => {
  const ips: string[] = [];
  for (const i of [1, 2, 3]) {
    const out = path.join(dir, `shard-${i}.ndjson`);
    // Port 1 is closed everywhere: each host is over at once.
    const run = await runCli([
      'scan',
      '-i',
      list,
      '--shard',
      `${i}/3`,
      '--seed',
      '11',
      '--ports',
      'T:1',
      '--no-snmp',
      '--quiet',
      '-o',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const got = records(out).map((r) => r.ip);
    assert.ok(got.length > 0 && got.length < COUNT, `shard ${i} holds a part: ${got.length}`);
    ips.push(...got);
  }
  assertExactlyOnce(ips, TARGETS);
});

test('a scan stopped by SIGTERM and resumed ends with every target exactly once', async () => {
  const out = path.join(dir, 'term.ndjson');
  const summary = path.join(dir, 'term-summary.json');
  const first = startScan(['scan', '-i', list, ...SLOW, '-o', out, '--summary', summary], out, 6);
  await first.ready;
  first.child.kill('SIGTERM');
  const [code] = await first.exited;
  assert.equal(code, 130, first.stderr());
  const partial = records(out);
  assert.ok(partial.length < COUNT, `stopped before the end: ${partial.length}`);
  assert.equal(JSON.parse(readFileSync(summary, 'utf8')).interrupted, true);

  const second = await runCli(['scan', '-i', list, ...SLOW, '--resume', out]);
  assert.equal(second.code, 0, second.stderr);
  assertExactlyOnce(
    records(out).map((r) => r.ip),
    TARGETS,
  );
});

test('after SIGKILL and a record cut in half, --resume repairs the file and completes it', async () => {
  const out = path.join(dir, 'kill.ndjson');
  const first = startScan(['scan', '-i', list, ...SLOW, '-o', out], out, 5);
  await first.ready;
  first.child.kill('SIGKILL');
  await first.exited;
  // A kill can land in the middle of a write: leave the last record half written.
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const last = lines.pop() as string;
  writeFileSync(out, lines.map((l) => `${l}\n`).join(''));
  appendFileSync(out, last.slice(0, Math.floor(last.length / 2)));
  const cut = (JSON.parse(last) as { ip: string }).ip;

  const second = await runCli(['scan', '-i', list, ...SLOW, '--resume', out]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /partial last record/);
  const all = records(out);
  assertExactlyOnce(
    all.map((r) => r.ip),
    TARGETS,
  );
  assert.ok(
    all.slice(lines.length).some((r) => r.ip === cut),
    'the target of the cut record was scanned again',
  );
});

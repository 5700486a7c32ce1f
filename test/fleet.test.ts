/**
 * The worker fleet (issue 8) against a real Redis (test/support/redis.ts) and real
 * loopback servers: a worker killed mid-batch loses nothing and duplicates nothing, the
 * connection rate holds across two workers, Redis missing or going away is reported
 * clearly with the scan left resumable, and a batch that fails for good is reported by
 * `collect` (exit 1) and put back by `enqueue --retry-failed`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { bullKeys, QUEUE_NAME, scanKeys } from '../src/fleet/index.js';
import { type RunningLab, startLab } from '../src/index.js';
import { runCli } from './support/cli.js';
import { CLI } from './support/paths.js';
import { startRedis, type TestRedis } from './support/redis.js';

/** This file's loopback prefix (see `grep -rn "127.77." test/`). */
const PREFIX = '127.77.181';
const OFFSET = 31_000;
/** Ports every test-owned host listens on (lab telnet, ssh and http ports). */
const HOST_PORTS = [OFFSET + 23, OFFSET + 22, OFFSET + 80];
/** Slow hosts: accept and stay silent (banner wait, then an HTTP request nobody answers). */
const SLOW = Array.from({ length: 20 }, (_, i) => `${PREFIX}.${200 + i}`);
/** Fast hosts: an FTP greeting at once, one connection per port. */
const FAST = Array.from({ length: 40 }, (_, i) => `${PREFIX}.${100 + i}`);

const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-fleet-'));
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
/** Accept times (performance.now) of connections to FAST hosts. */
const fastAccepts: number[] = [];
/** Open connections and the maximum seen, per test-owned address. */
const open = new Map<string, number>();
const maxOpen = new Map<string, number>();
/** Every child this file starts: killed in `after()` so a failed test never hangs the run. */
const children = new Set<ChildProcess>();
let lab: RunningLab;
let redis: TestRedis;

/**
 * Counts a connection as open from its accept until the client's FIN or the close. The
 * maximum is read once the loop has handled the rest of the I/O that was ready with the
 * accept: one poll can report a new connection before the FIN of one the client already
 * closed, and counting then would charge the scanner for a socket it no longer holds.
 */
function track(address: string, socket: net.Socket): void {
  open.set(address, (open.get(address) ?? 0) + 1);
  setImmediate(() =>
    maxOpen.set(address, Math.max(maxOpen.get(address) ?? 0, open.get(address) ?? 0)),
  );
  sockets.add(socket);
  let counted = true;
  const release = (): void => {
    if (!counted) return;
    counted = false;
    open.set(address, (open.get(address) ?? 1) - 1);
  };
  socket.once('end', release);
  socket.once('close', () => {
    release();
    sockets.delete(socket);
  });
  socket.on('error', () => socket.destroy());
}

before(async () => {
  redis = await startRedis();
  lab = await startLab({ prefix: PREFIX, portOffset: OFFSET });
  for (const host of [...SLOW, ...FAST]) {
    for (const port of HOST_PORTS) {
      const fast = FAST.includes(host);
      const server = net.createServer((socket) => {
        track(host, socket);
        if (fast) {
          fastAccepts.push(performance.now());
          socket.end('220 test FTP server ready\r\n');
        }
        socket.resume();
      });
      server.listen({ host, port, exclusive: true });
      await once(server, 'listening');
      servers.push(server);
    }
  }
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await lab?.close();
  await redis?.stop();
});

/** A `thingscan worker` child with its log events. */
interface WorkerChild {
  readonly child: ChildProcess;
  readonly events: Array<Record<string, unknown>>;
  stderr(): string;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves at the first event matching `pred`. */
  waitFor(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function startWorker(url: string, prefix: string, extra: readonly string[] = []): WorkerChild {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--redis', url, '--prefix', prefix, '--log-level', 'debug', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(child);
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    pred: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }> = [];
  let text = '';
  let partial = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    text += d;
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      for (const w of [...waiters]) {
        if (w.pred(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    events,
    exited,
    stderr: () => text,
    waitFor: (pred) => {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        waiters.push({ pred, resolve });
        void exited.then(() => reject(new Error(`worker exited first:\n${text}`)));
      });
    },
  };
}

/** Short timeouts; `hostTimeout` must cover the wait for tokens when the rate binds. */
const scanFlags = (hostTimeout = 2_500): string[] => [
  '--banner-wait',
  '300',
  '--read-timeout',
  '400',
  '--connect-timeout',
  '500',
  '--host-timeout',
  String(hostTimeout),
  '--rescan-after',
  '0',
  '--quiet',
];

/** Runs `collect --follow`; fails with the worker's log if a worker exits before it ends. */
async function collectWhile(
  workers: readonly WorkerChild[],
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'collect', ...args, '--follow'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const collecting = (once(child, 'close') as Promise<[number | null]>).then(([code]) => ({
    code,
    stdout,
    stderr,
  }));
  const early = workers.map((w) =>
    w.exited.then(([code]) => {
      child.kill('SIGKILL');
      throw new Error(`worker exited (${code}) before collect ended:\n${w.stderr()}`);
    }),
  );
  return Promise.race([collecting, ...early]);
}

function ipsOf(ndjson: string): string[] {
  return ndjson
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { ip: string }).ip);
}

test('a worker killed with SIGKILL mid-batch: its batch is retried, collect has every target exactly once', {
  timeout: 120_000,
}, async () => {
  const prefix = 'fleet-a';
  // Batches of 6: five lab hosts then one slow host, so a batch's first records are out
  // well before it completes (the slow host takes more than a second).
  const labTargets = lab.targets();
  const targets: string[] = [];
  for (let i = 0, s = 0; i < labTargets.length; i += 5, s++) {
    targets.push(...labTargets.slice(i, i + 5), SLOW[s] as string);
  }
  const list = path.join(dir, 'a.txt');
  writeFileSync(list, `${targets.join('\n')}\n`);
  const enq = await runCli([
    'enqueue',
    '-i',
    list,
    '--redis',
    redis.url,
    '--prefix',
    prefix,
    '--scan-id',
    'kill',
    '--batch',
    '6',
    '--ports',
    lab.portSpec(),
    ...scanFlags(),
  ]);
  assert.equal(enq.code, 0, enq.stderr);
  assert.equal(enq.stdout, 'kill\n');

  const fast = ['--lock-duration', '1500', '--stalled-interval', '500'];
  const outA = path.join(dir, 'a-worker-a.ndjson');
  const outB = path.join(dir, 'a-worker-b.ndjson');
  const a = startWorker(redis.url, prefix, [...fast, '--concurrency', '1', '-o', outA]);
  // First record written of a batch: the rest of that batch is still being scanned.
  const hit = await a.waitFor((e) => e['event'] === 'record' && e['written'] === true);
  a.child.kill('SIGKILL');
  const killedJob = String(hit['job']);
  await a.exited;
  const queue = new Queue(QUEUE_NAME, {
    connection: { host: '127.0.0.1', port: redis.port },
    prefix,
  });
  try {
    assert.equal(
      await queue.getJobState(killedJob),
      'active',
      'the batch was killed before completion',
    );
    // Worker B scans three batches at once: the rest of the scan goes faster.
    const b = startWorker(redis.url, prefix, [...fast, '--concurrency', '3', '-o', outB]);
    const collected = await collectWhile(
      [b],
      ['--redis', redis.url, '--prefix', prefix, '--scan-id', 'kill'],
    );
    assert.equal(collected.code, 0, collected.stderr);
    const ips = ipsOf(collected.stdout);
    assert.equal(ips.length, targets.length, 'one line per target');
    assert.deepEqual([...ips].sort(), [...targets].sort(), 'every target exactly once');
    assert.match(collected.stderr, new RegExp(`${targets.length}/${targets.length} done`));
    // The retried batch skipped the hosts whose records the killed worker had written.
    const retry = await b.waitFor((e) => e['event'] === 'batch-start' && e['job'] === killedJob);
    assert.ok(Number(retry['already']) >= 1, JSON.stringify(retry));
    assert.equal(await queue.getJobState(killedJob), 'completed');
    const client = new Redis(redis.url);
    assert.equal(
      await client.xlen(scanKeys(prefix, 'kill').records),
      targets.length,
      'no duplicate in the stream',
    );
    client.disconnect();
    // Local copies: together never a duplicate.
    b.child.kill('SIGTERM');
    const [code] = await b.exited;
    assert.equal(code, 0, b.stderr());
    const local = [...ipsOf(readFileSync(outA, 'utf8')), ...ipsOf(readFileSync(outB, 'utf8'))];
    assert.equal(new Set(local).size, local.length);
    // Per-host cap across workers: an address is in one batch only.
    for (const ip of SLOW.slice(0, targets.length / 6)) assert.ok((maxOpen.get(ip) ?? 0) <= 2, ip);
  } finally {
    await queue.close();
  }
});

test('the connection rate holds across two workers (one Redis bucket), and the per-host cap too', {
  timeout: 120_000,
}, async () => {
  const prefix = 'fleet-b';
  const RATE = 40;
  const BURST = 2;
  fastAccepts.length = 0;
  const enq = await runCli([
    'enqueue',
    ...FAST,
    '--redis',
    redis.url,
    '--prefix',
    prefix,
    '--scan-id',
    'rate',
    '--batch',
    '5',
    '--ports',
    `T:${HOST_PORTS.join(',')}`,
    '--no-snmp',
    '--rate',
    String(RATE),
    '--burst',
    String(BURST),
    '--per-host',
    '2',
    ...scanFlags(20_000),
  ]);
  assert.equal(enq.code, 0, enq.stderr);
  const workers = [
    startWorker(redis.url, prefix, ['--concurrency', '4']),
    startWorker(redis.url, prefix, ['--concurrency', '4']),
  ];
  const collected = await collectWhile(workers, [
    '--redis',
    redis.url,
    '--prefix',
    prefix,
    '--scan-id',
    'rate',
  ]);
  assert.equal(collected.code, 0, collected.stderr);
  assert.equal(ipsOf(collected.stdout).length, FAST.length);
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  // Both workers did part of the work.
  for (const w of workers)
    assert.ok(
      w.events.some((e) => e['event'] === 'batch-done'),
      w.stderr(),
    );

  const t = [...fastAccepts].sort((x, y) => x - y);
  assert.equal(
    t.length,
    FAST.length * HOST_PORTS.length,
    'every port of every host was connected once',
  );
  // Over any window of W ms at most burst + rate·W/1000 connections, plus 15% of the
  // rate for timer jitter. Two workers with a bucket each would show about twice the rate.
  const slack = Math.ceil(RATE * 0.15);
  const W = 1_000;
  let worst = 0;
  for (let i = 0; i < t.length; i++) {
    let j = i;
    while (j < t.length && (t[j] as number) - (t[i] as number) <= W) j++;
    worst = Math.max(worst, j - i);
  }
  assert.ok(worst <= BURST + RATE + slack, `${worst} connections within ${W} ms, limit ${RATE}/s`);
  const span = ((t.at(-1) as number) - (t[0] as number)) / 1000;
  assert.ok(
    t.length - 1 <= BURST + RATE * span + slack,
    `${t.length} connections in ${span.toFixed(2)} s`,
  );
  for (const ip of FAST)
    assert.ok((maxOpen.get(ip) ?? 0) <= 2, `${ip}: ${maxOpen.get(ip)} connections at once`);
});

test('Redis unreachable at start: a clear error and exit 1 from enqueue, worker and collect', async () => {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const url = `redis://127.0.0.1:${port}`;
  for (const args of [
    ['enqueue', '192.0.2.1', '--redis', url],
    ['worker', '--redis', url],
    ['collect', '--redis', url, '--scan-id', 'x'],
  ]) {
    const run = await runCli(args);
    assert.equal(run.code, 1, `${args[0]}: ${run.stderr}`);
    assert.match(
      run.stderr,
      new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/?: connect ECONNREFUSED`),
    );
    assert.equal(run.stdout, '');
  }
  const bad = await runCli(['worker', '--redis', 'http://127.0.0.1:1']);
  assert.equal(bad.code, 2, bad.stderr);
});

test('Redis going away mid-scan: the worker stops with a clear error; jobs and records stay; a new worker finishes', {
  timeout: 120_000,
}, async () => {
  const persistent = await startRedis({ persist: true });
  const prefix = 'fleet-c';
  const targets = SLOW.slice(0, 10);
  try {
    const enq = await runCli([
      'enqueue',
      ...targets,
      '--redis',
      persistent.url,
      '--prefix',
      prefix,
      '--scan-id',
      'gone',
      '--batch',
      '2',
      '--ports',
      `T:${HOST_PORTS.join(',')}`,
      '--no-snmp',
      ...scanFlags(),
    ]);
    assert.equal(enq.code, 0, enq.stderr);
    const fast = ['--concurrency', '1', '--lock-duration', '1500', '--stalled-interval', '500'];
    const w = startWorker(persistent.url, prefix, [...fast, '--redis-grace', '1000']);
    let written = 0;
    await w.waitFor((e) => e['event'] === 'record' && e['written'] === true && ++written === 2);
    await persistent.kill();
    const [code] = await w.exited;
    assert.equal(code, 1, w.stderr());
    assert.match(
      w.stderr(),
      /thingscan worker: Redis at redis:\/\/127\.0\.0\.1:\d+\/? failed while the scan \(unreachable for \d+ s; batches in flight stay in the queue and are retried, records written stay\)/,
    );

    await persistent.restart();
    const client = new Redis(persistent.url);
    const keys = scanKeys(prefix, 'gone');
    const kept = await client.xlen(keys.records);
    assert.ok(kept >= 2, `records written before the outage stay (${kept})`);
    const queue = new Queue(QUEUE_NAME, {
      connection: { host: '127.0.0.1', port: persistent.port },
      prefix,
    });
    const counts = await queue.getJobCounts('active', 'wait', 'delayed', 'completed');
    assert.ok(
      (counts['active'] ?? 0) + (counts['wait'] ?? 0) + (counts['delayed'] ?? 0) >= 1,
      JSON.stringify(counts),
    );
    await queue.close();
    client.disconnect();

    const again = startWorker(persistent.url, prefix, fast);
    const collected = await collectWhile(
      [again],
      ['--redis', persistent.url, '--prefix', prefix, '--scan-id', 'gone'],
    );
    assert.equal(collected.code, 0, collected.stderr);
    assert.deepEqual(
      ipsOf(collected.stdout).sort(),
      [...targets].sort(),
      'every target exactly once',
    );
    again.child.kill('SIGTERM');
    assert.equal((await again.exited)[0], 0, again.stderr());
  } finally {
    await persistent.stop();
  }
});

test('a batch that fails for good: collect counts and names it, exits 1; enqueue --retry-failed puts it back', {
  timeout: 120_000,
}, async () => {
  const prefix = 'fleet-d';
  const scanId = 'doomed';
  const targets = FAST.slice(0, 8);
  const enq = await runCli([
    'enqueue',
    ...targets,
    '--redis',
    redis.url,
    '--prefix',
    prefix,
    '--scan-id',
    scanId,
    '--batch',
    '4',
    '--ports',
    `T:${HOST_PORTS.join(',')}`,
    '--no-snmp',
    ...scanFlags(),
  ]);
  assert.equal(enq.code, 0, enq.stderr);
  // Batch 1 as a newer enqueuer would write it: this worker refuses it (UnrecoverableError),
  // so BullMQ fails it at once, with no retry left.
  const client = new Redis(redis.url);
  const jobKey = bullKeys.job(prefix, `${scanId}.b1`);
  const original = (await client.hget(jobKey, 'data')) as string;
  const doomed = JSON.parse(original) as { v: number; targets: string[] };
  assert.deepEqual(doomed.targets, targets.slice(4));
  await client.hset(jobKey, 'data', JSON.stringify({ ...doomed, v: 2 }));
  const w = startWorker(redis.url, prefix, ['--concurrency', '1']);
  const collectArgs = ['--redis', redis.url, '--prefix', prefix, '--scan-id', scanId];
  try {
    // --follow ends although the scan will never be complete, and says why.
    const first = await collectWhile([w], collectArgs);
    assert.equal(first.code, 1, first.stderr);
    assert.deepEqual(ipsOf(first.stdout).sort(), targets.slice(0, 4).sort());
    assert.match(first.stderr, /4\/8 done, 1 batch failed for good \(4 targets without a record\)/);
    assert.match(
      first.stderr,
      /batch doomed\.b1 failed for good \(4 targets without a record\): bad batch job: version 2/,
    );
    assert.match(
      first.stderr,
      /thingscan enqueue --retry-failed --scan-id doomed --redis redis:\/\/127\.0\.0\.1:\d+\/? --prefix fleet-d/,
    );
    const failedEvent = await w.waitFor(
      (e) => e['event'] === 'batch-failed' && e['job'] === `${scanId}.b1`,
    );
    assert.equal(failedEvent['final'], true, JSON.stringify(failedEvent));
    // Without --follow too, and with --quiet: a failed batch is never silent.
    const snapshot = await runCli(['collect', ...collectArgs, '--quiet']);
    assert.equal(snapshot.code, 1, snapshot.stderr);
    assert.match(snapshot.stderr, /batch doomed\.b1 failed for good/);

    // The workers can read it again (as after an upgrade): --retry-failed puts it back.
    await client.hset(jobKey, 'data', original);
    const noId = await runCli(['enqueue', '--retry-failed', '--redis', redis.url]);
    assert.equal(noId.code, 2, noId.stderr);
    const retry = await runCli(['enqueue', '--retry-failed', ...collectArgs]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(retry.stdout, `${scanId}\n`);
    assert.match(retry.stderr, /re-enqueued 1 failed batch of scan doomed \(doomed\.b1\)/);
    const second = await collectWhile([w], collectArgs);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(ipsOf(second.stdout).sort(), [...targets].sort(), 'every target exactly once');
    assert.match(second.stderr, /8\/8 done/);
    assert.doesNotMatch(second.stderr, /failed for good/);
    w.child.kill('SIGTERM');
    assert.equal((await w.exited)[0], 0, w.stderr());
  } finally {
    client.disconnect();
  }
});

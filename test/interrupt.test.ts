/**
 * Interruptions (issue 6): SIGINT stops new work, lets hosts in flight finish, flushes
 * the NDJSON output and the summary, and exits with 130.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { scan } from '../src/index.js';
import { CLI } from './support/paths.js';

/** This file's loopback prefix (see `grep -rn "127.77." test/`). */
const PREFIX = '127.77.174';
const PORT = 17_401;
const COUNT = 40;
const TARGETS = Array.from({ length: COUNT }, (_, i) => `${PREFIX}.${10 + i}`);

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
let connections = 0;
let onConnection: () => void = () => {};
const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-interrupt-'));

before(async () => {
  for (const host of TARGETS) {
    const server = net.createServer((socket) => {
      connections++;
      onConnection();
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.resume();
    });
    server.listen({ host, port: PORT, exclusive: true });
    await once(server, 'listening');
    servers.push(server);
  }
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

test('SIGINT mid-scan: exit 130, every NDJSON line parses, summary written', async () => {
  const list = path.join(dir, 'targets.txt');
  const out = path.join(dir, 'out.ndjson');
  const summary = path.join(dir, 'summary.json');
  writeFileSync(list, `${TARGETS.join('\n')}\n`);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'scan',
      '-i',
      list,
      '-o',
      out,
      '--summary',
      summary,
      '--ports',
      `T:${PORT}`,
      '--no-snmp',
      '--banner-wait',
      '200',
      '--read-timeout',
      '200',
      '--concurrency',
      '3',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  // Interrupt once a few records are out: the scan is certainly mid-way then.
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 4) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    void exited.then(() => reject(new Error(`ended early: ${stderr}`)));
  });
  child.kill('SIGINT');
  const [code, signal] = await exited;
  assert.equal(signal, null, 'the process exits by itself, not by the signal');
  assert.equal(code, 130, stderr);
  assert.match(stderr, /SIGINT: stopping/);
  const text = readFileSync(out, 'utf8');
  assert.ok(text.endsWith('\n'));
  const lines = text.split('\n').filter(Boolean);
  const ips = lines.map((l) => (JSON.parse(l) as { ip: string }).ip);
  assert.ok(ips.length < COUNT, 'stopped before the end');
  assert.equal(new Set(ips).size, ips.length, 'no duplicates');
  for (const ip of ips) assert.ok(TARGETS.includes(ip));
  const json = JSON.parse(readFileSync(summary, 'utf8')) as { total: number; interrupted: boolean };
  assert.equal(json.interrupted, true);
  assert.equal(json.total, ips.length, 'the summary counts exactly the records written');
});

test('scan(): after the signal no new host starts; hosts past the grace period end as error', async () => {
  const stop = new AbortController();
  connections = 0;
  // Stop as soon as the first four hosts (the whole concurrency) are connected.
  onConnection = () => {
    if (connections === 4) stop.abort(new Error('test stop'));
  };
  const seen: Array<{ ip: string; status: string }> = [];
  try {
    for await (const record of scan(TARGETS, {
      ports: `T:${PORT}`,
      snmpCommunity: null,
      concurrency: 4,
      rate: 10_000,
      bannerWaitMs: 20_000,
      readTimeoutMs: 20_000,
      graceMs: 50,
      signal: stop.signal,
    })) {
      seen.push({ ip: record.ip, status: record.status });
    }
  } finally {
    onConnection = () => {};
  }
  assert.equal(seen.length, 4, 'one record per host in flight, none for hosts never started');
  for (const r of seen) assert.equal(r.status, 'error', `${r.ip} was cut short`);
  assert.equal(connections, 4, 'no host started after the stop');
});

test('scan(): hundreds of hosts may wait on one stop signal without a listener-leak warning', async () => {
  const stop = new AbortController();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };
  process.on('warning', onWarning);
  connections = 0;
  // Every host in flight at once (40 > the 10 listeners EventTarget warns about), then stop.
  onConnection = () => {
    if (connections === COUNT) stop.abort(new Error('test stop'));
  };
  let records = 0;
  try {
    for await (const record of scan(TARGETS, {
      ports: `T:${PORT}`,
      snmpCommunity: null,
      concurrency: COUNT,
      rate: 10_000,
      bannerWaitMs: 20_000,
      readTimeoutMs: 20_000,
      graceMs: 50,
      signal: stop.signal,
    })) {
      assert.equal(record.status, 'error', `${record.ip} was cut short by the stop`);
      records++;
    }
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    onConnection = () => {};
    process.off('warning', onWarning);
  }
  assert.equal(records, COUNT, 'every host in flight got its record');
  assert.deepEqual(
    warnings.filter((w) => w.includes('MaxListeners')),
    [],
    'one listener on the stop signal, not one per host',
  );
});

/**
 * The scan on several threads (`scan(…, { threads })`, `thingscan scan --threads`): the
 * same hosts get the same labels as on one thread, every target gets exactly one record,
 * a stop ends every thread, and options that cannot be split are refused up front.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ExcludeList, type HostRecord, loadSignatures, scan } from '../src/index.js';
import { type RunningLab, startLab } from '../src/lab/index.js';
import { runCli } from './support/cli.js';
import { scanLab } from './support/lab-scan.js';

const PREFIX = '127.77.193';
const OFFSET = 10_193;
const PERSONAS = [
  'busybox-router',
  'tplink-router',
  'dlink-nas',
  'dreambox',
  'hp-printer',
  'hikvision-camera',
  'ubuntu-server',
  'debian-mail',
];
const FAST = { readTimeoutMs: 1_000, bannerWaitMs: 400, udpWaitMs: 400, hostTimeoutMs: 20_000 };

let lab: RunningLab;
let targets: string[] = [];

before(async () => {
  lab = await startLab({ prefix: PREFIX, portOffset: OFFSET, personas: PERSONAS });
  targets = lab.hosts.map((h) => h.address);
});

after(async () => {
  await lab?.close();
});

/** What a record says about its host, minus timings and order-dependent details. */
function labels(r: HostRecord): unknown {
  return {
    status: r.status,
    iot: r.iot,
    class: r.device?.class ?? null,
    vendor: r.device?.vendor_id ?? null,
    model: r.device?.model ?? null,
    signatures: r.device?.signatures ?? [],
    services: r.services.map((s) => `${s.transport}/${s.port} ${s.protocol} ${s.status}`).sort(),
  };
}

test('threads: 2 and 3 threads label every lab host as one thread does, once each', async () => {
  const library = loadSignatures();
  const one = await scanLab(lab, targets, { ...FAST, library });
  assert.equal(one.size, targets.length);
  for (const threads of [2, 3]) {
    const many = await scanLab(lab, targets, { ...FAST, library, threads, concurrency: 6 });
    assert.deepEqual([...many.keys()].sort(), [...one.keys()].sort(), `threads=${threads}`);
    for (const [id, record] of one) {
      assert.deepEqual(labels(many.get(id) as HostRecord), labels(record), `${id}, ${threads}`);
    }
  }
});

test('threads: duplicates, exclusions and bad lines are handled before the threads', async () => {
  const bad: string[] = [];
  const seen: string[] = [];
  const exclude = new ExcludeList();
  exclude.addLine(`${PREFIX}.250`, 'test', 1);
  const input = [...targets, targets[1] as string, 'not-an-address', `${PREFIX}.250`];
  for await (const r of scan(input, {
    ...FAST,
    ports: lab.portSpec(),
    threads: 2,
    concurrency: 4,
    exclude,
    onTargetError: (e) => bad.push(e.message),
  })) {
    seen.push(`${r.ip} ${r.status}`);
  }
  assert.equal(bad.length, 1);
  assert.match(bad[0] ?? '', /not-an-address/);
  const ips = seen.map((s) => s.split(' ')[0]);
  assert.equal(new Set(ips).size, ips.length, 'one record per target');
  assert.equal(ips.length, targets.length + 1);
  assert.ok(seen.includes(`${PREFIX}.250 excluded`));
});

test('threads: a stop ends every thread; no target gets two records', async () => {
  const stop = new AbortController();
  // Many silent addresses (nothing listens on .200–.239): each takes a full UDP wait.
  const input = Array.from({ length: 40 }, (_, i) => `${PREFIX}.${200 + i}`);
  const seen: string[] = [];
  setTimeout(() => stop.abort(), 300);
  for await (const r of scan(input, {
    ...FAST,
    ports: 'T:1,U:9',
    threads: 2,
    concurrency: 4,
    udpWaitMs: 1_000,
    graceMs: 200,
    signal: stop.signal,
  })) {
    seen.push(r.ip);
  }
  assert.ok(seen.length < input.length, `stopped early (${seen.length} records)`);
  assert.equal(new Set(seen).size, seen.length);
  for (const ip of seen) assert.ok(input.includes(ip));
});

test('threads: options that cannot be split are refused with a usage error', async () => {
  const drain = async (options: Parameters<typeof scan>[1]): Promise<void> => {
    for await (const _ of scan([`${PREFIX}.1`], options)) {
      // Nothing: the options must be refused before any host.
    }
  };
  await assert.rejects(drain({ threads: 0 }), { code: 'E_USAGE' });
  await assert.rejects(drain({ threads: 1.5 }), { code: 'E_USAGE' });
  await assert.rejects(drain({ threads: 4, concurrency: 2 }), { code: 'E_USAGE' });
  await assert.rejects(drain({ threads: 2, limiter: { take: async () => undefined } }), {
    code: 'E_USAGE',
  });
  await assert.rejects(drain({ threads: 2, ports: 'T:99999' }), { code: 'E_USAGE' });
});

test('threads: `thingscan scan --threads 2` writes one record per target', async () => {
  const list = targets.slice(0, 5);
  const r = await runCli(
    [
      'scan',
      ...list,
      '--threads',
      '2',
      '--concurrency',
      '4',
      '--ports',
      lab.portSpec(),
      '--read-timeout',
      '1000',
      '--banner-wait',
      '400',
      '--quiet',
    ],
    {},
  );
  assert.equal(r.code, 0, r.stderr);
  const records = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as HostRecord);
  assert.deepEqual(records.map((x) => x.ip).sort(), [...list].sort());
});

/**
 * Bench section `fleet`: 1 vs 2 `thingscan worker` processes fed by one Redis queue,
 * against the scale lab (`lab --scale`, simulated round trips as in the `scan` bench), with
 * redis-server, the workers, the lab and the driver all inside one private network
 * namespace (see `netns.ts`): loopback only.
 *
 * Three runs: 1 and 2 workers with a rate too high to bind (scaling), then 2 workers with
 * a rate that binds, where the connection rate observed across the fleet must stay within
 * `rate + burst` over any 1 s. Two observers, both counting connections, not tokens:
 * - the lab's counters (`accepts`, `acceptsMax1s`): TCP connections it accepted. Refused
 *   handshakes (ports without a listener) never reach it;
 * - the namespace's kernel counter `Tcp: ActiveOpens` (/proc/net/snmp), read by the driver
 *   every 50 ms: every TCP connect the workers started, refused ones included.
 * UDP requests (udp/161, udp/1900) take tokens too and are in neither count.
 *
 * The driver (this file with `--driver`, in the namespace) enqueues the targets, samples the
 * counter and polls the scan's `done` count; it prints one JSON line.
 * Needs root, `ip netns` and `redis-server`; without them the section says why and skips.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_PORT_SPEC, DEFAULTS, LAUNCHER_NODE_FLAGS } from '../engine/defaults.js';
import {
  connectRedis,
  enqueueTargets,
  type FleetScanSettings,
  failedBatches,
  openQueue,
  scanKeys,
} from '../fleet/index.js';
import { intToIpv4, ipv4ToInt, SCALE_BASE } from '../lab/scale.js';
import { packageRoot } from '../paths.js';
import type { TargetItem } from '../targets/read.js';
import { createNetns, type Netns, netnsUnavailable } from './netns.js';
import { startLabProcess } from './scan.js';
import type { Bench } from './types.js';

/** One run: workers, fleet rate, lab hosts (all scanned). */
interface Run {
  readonly workers: number;
  readonly rate: number;
  readonly hosts: number;
}

/** Sizes and settings of one bench. */
interface Plan {
  readonly runs: readonly Run[];
  /** Simulated round trip and jitter, ms (as in the scan bench). */
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Addresses per queue job, and hosts of a batch scanned at once. */
  readonly batch: number;
  /** Batches one worker scans at once (`worker --concurrency`). */
  readonly workerConcurrency: number;
}

/** Fleet rate of the scaling runs: finite (jobs are JSON) and far above what 2 workers open. */
const UNBOUND = 1_000_000;

const QUICK: Plan = {
  runs: [
    { workers: 1, rate: UNBOUND, hosts: 2_000 },
    { workers: 2, rate: UNBOUND, hosts: 2_000 },
    { workers: 2, rate: 300, hosts: 600 },
  ],
  delayMs: 50,
  jitterMs: 10,
  batch: 64,
  workerConcurrency: 4,
};
const FULL: Plan = {
  ...QUICK,
  runs: [
    { workers: 1, rate: UNBOUND, hosts: 10_000 },
    { workers: 2, rate: UNBOUND, hosts: 10_000 },
    { workers: 2, rate: 500, hosts: 3_000 },
  ],
};

/** Where redis-server listens inside the namespace (nothing else there uses it). */
const REDIS_URL = 'redis://127.0.0.1:6379';
/** Kernel counter sampling period of the driver, ms. */
const SAMPLE_MS = 50;
/** A run that takes longer than this has hung: fail it. */
const RUN_DEADLINE_MS = 20 * 60_000;

/** What the driver prints. */
interface DriverResult {
  readonly hosts: number;
  readonly elapsedMs: number;
  /** TCP connects started in the namespace during the run (ActiveOpens delta). */
  readonly connects: number;
  /** Most connects within a window of at least 1 s (samples every 50 ms). */
  readonly connectsMax1s: number;
}

const SELF = fileURLToPath(import.meta.url);
const CLI = path.join(packageRoot(), 'dist', 'src', 'cli.js');

// ---------------------------------------------------------------------------------------
// Driver (runs inside the namespace)

/** `Tcp: ActiveOpens` of this process's network namespace. */
function activeOpens(): number {
  const lines = readFileSync('/proc/self/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Tcp:'));
  const names = (lines[0] ?? '').trim().split(/\s+/);
  const values = (lines[1] ?? '').trim().split(/\s+/);
  const v = Number(values[names.indexOf('ActiveOpens')]);
  if (!Number.isFinite(v)) throw new Error('no Tcp ActiveOpens in /proc/self/net/snmp');
  return v;
}

/** Most growth of a sampled counter over any window of at least `windowMs`. */
function maxOverWindow(
  samples: ReadonlyArray<readonly [number, number]>,
  windowMs: number,
): number {
  let worst = 0;
  for (let i = 0, j = 0; i < samples.length; i++) {
    const [ti, vi] = samples[i] as readonly [number, number];
    while (j < samples.length - 1 && (samples[j] as readonly [number, number])[0] < ti + windowMs)
      j++;
    worst = Math.max(worst, (samples[j] as readonly [number, number])[1] - vi);
  }
  return worst;
}

async function driver(args: string[]): Promise<void> {
  const get = (name: string): string => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? args[i + 1] : undefined;
    if (v === undefined) throw new Error(`driver: --${name} missing`);
    return v;
  };
  const prefix = get('prefix');
  const hosts = Number(get('hosts'));
  const settings = JSON.parse(get('settings')) as FleetScanSettings;
  const targets = readFileSync(get('targets'), 'utf8').split('\n').filter(Boolean).slice(0, hosts);
  const redis = await connectRedis(REDIS_URL);
  const queue = openQueue(redis, prefix);
  const keys = scanKeys(prefix, 'bench');
  const samples: Array<[number, number]> = [[performance.now(), activeOpens()]];
  const sampler = setInterval(() => samples.push([performance.now(), activeOpens()]), SAMPLE_MS);
  const t0 = performance.now();
  const items: TargetItem[] = targets.map((ip) => ({ kind: 'target', ip, excluded: false }));
  await enqueueTargets(items, {
    redis,
    queue,
    prefix,
    scanId: 'bench',
    batchSize: Number(get('batch')),
    settings,
  });
  // Poll the done count: the bench measures, it adds no event to the workers' path.
  let polls = 0;
  while ((await redis.scard(keys.done)) < targets.length) {
    if (performance.now() - t0 > RUN_DEADLINE_MS) throw new Error('driver: run deadline passed');
    if (++polls % 20 === 0) {
      const failed = await failedBatches(redis, prefix, 'bench');
      if (failed.length > 0)
        throw new Error(`driver: ${failed.length} batches failed: ${failed[0]?.reason}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const elapsedMs = performance.now() - t0;
  clearInterval(sampler);
  samples.push([performance.now(), activeOpens()]);
  await queue.close();
  redis.disconnect();
  const result: DriverResult = {
    hosts: targets.length,
    elapsedMs,
    connects: (samples.at(-1)?.[1] ?? 0) - (samples[0]?.[1] ?? 0),
    connectsMax1s: maxOverWindow(samples, 1_000),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------
// Orchestration (host namespace)

/**
 * A child in the namespace whose output is always drained (a full pipe would stall it)
 * and whose end is one promise made at spawn, so no later listener bookkeeping can miss it.
 */
interface Child {
  readonly child: ChildProcess;
  /** Settles with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  stdout(): string;
  /** The last 4000 characters of stderr. */
  stderrTail(): string;
  /** Resolves when `text` appears on stderr; rejects if the child exits first. */
  waitForStderr(text: string): Promise<void>;
}

function spawnIn(ns: Netns, command: string, args: readonly string[]): Child {
  const child = ns.spawn(command, args);
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ text: string; resolve: () => void }> = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
    for (const w of [...watchers]) {
      if (stderr.includes(w.text)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return {
    child,
    exited,
    stdout: () => stdout,
    stderrTail: () => stderr,
    waitForStderr: (text) =>
      new Promise((resolve, reject) => {
        if (stderr.includes(text)) {
          resolve();
          return;
        }
        watchers.push({ text, resolve });
        void exited.then(
          (code) => reject(new Error(`${command} exited (${code}) before '${text}': ${stderr}`)),
          reject,
        );
      }),
  };
}

/** SIGTERM, and SIGKILL if it has not ended 15 s later; resolves when it has ended. */
async function stop(c: Child): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  c.child.kill('SIGTERM');
  const hard = setTimeout(() => c.child.kill('SIGKILL'), 15_000);
  await c.exited.catch(() => undefined);
  clearTimeout(hard);
}

async function startRedisServer(ns: Netns, dir: string): Promise<Child> {
  const redis = spawnIn(ns, 'redis-server', [
    '--port',
    '6379',
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction',
    '--dir',
    dir,
  ]);
  // Redis logs to stdout: wait for its line, then keep draining.
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (redis.stdout().includes('Ready to accept connections')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    void redis.exited.then((code) => {
      clearInterval(check);
      reject(new Error(`redis-server exited (${code}): ${redis.stdout()}`));
    }, reject);
  });
  return redis;
}

async function runDriver(
  ns: Netns,
  args: string[],
  workers: readonly Child[],
): Promise<DriverResult> {
  const d = spawnIn(ns, process.execPath, [SELF, '--driver', ...args]);
  // A worker that dies ends the run with its log, instead of a driver waiting forever.
  // (Later ends, when the orchestrator stops the workers, settle promises nobody reads.)
  const early = workers.map((w) =>
    w.exited.then((code) => {
      d.child.kill('SIGKILL');
      throw new Error(`worker exited (${code}) during the run: ${w.stderrTail()}`);
    }),
  );
  const code = await Promise.race([d.exited, ...early]);
  const last = d.stdout().trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{'))
    throw new Error(`fleet driver failed (${code}): ${d.stderrTail()}`);
  return JSON.parse(last) as DriverResult;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The `fleet` bench section. */
export const bench: Bench = async ({ quick }) => {
  const plan = quick ? QUICK : FULL;
  const title = 'fleet: 1 vs 2 workers on one Redis queue (scale lab in a network namespace)';
  const why = netnsUnavailable();
  if (why) return { title, markdown: `Skipped: network namespaces unavailable (${why}).` };
  if (spawnSync('redis-server', ['--version']).error) {
    return {
      title,
      markdown: 'Skipped: `redis-server` is not installed (apt-get install -y redis-server).',
    };
  }
  const log = (s: string): boolean => process.stderr.write(`bench fleet: ${s}\n`);
  // The machine is shared: its load says how much the figures owe to other processes.
  const loadBefore = os.loadavg()[0] ?? 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thingscan-bench-fleet-'));
  const ns = createNetns('fleet');
  const rows: string[] = [];
  const notes: string[] = [];
  const hostsPerS: number[] = [];
  let portSpec = '';
  try {
    const redis = await startRedisServer(ns, dir);
    const most = Math.max(...plan.runs.map((r) => r.hosts));
    const base = ipv4ToInt(SCALE_BASE);
    const targets = path.join(dir, 'targets.txt');
    writeFileSync(
      targets,
      `${Array.from({ length: most }, (_, i) => intToIpv4(base + i)).join('\n')}\n`,
    );
    for (const [n, run] of plan.runs.entries()) {
      const bound = run.rate !== UNBOUND;
      const burst = Math.max(1, Math.ceil(run.rate / 10));
      const settings: FleetScanSettings = {
        ports: DEFAULT_PORT_SPEC,
        probes: null,
        rate: run.rate,
        burst: null,
        perHost: DEFAULTS.perHost,
        hostConcurrency: plan.batch,
        connectTimeoutMs: DEFAULTS.connectTimeoutMs,
        readTimeoutMs: DEFAULTS.readTimeoutMs,
        bannerWaitMs: DEFAULTS.bannerWaitMs,
        hostTimeoutMs: DEFAULTS.hostTimeoutMs,
        snmpCommunity: DEFAULTS.snmpCommunity,
        rescanAfterS: 0,
      };
      // A fresh lab per run: its counters are this run's.
      const lab = await startLabProcess(ns, run.hosts, plan.delayMs, plan.jitterMs);
      portSpec = lab.portSpec;
      const prefix = `bench-fleet-${n}`;
      const workers: Child[] = [];
      let result: DriverResult;
      try {
        for (let i = 0; i < run.workers; i++) {
          workers.push(
            spawnIn(ns, process.execPath, [
              ...LAUNCHER_NODE_FLAGS,
              CLI,
              'worker',
              '--redis',
              REDIS_URL,
              '--prefix',
              prefix,
              '--concurrency',
              String(plan.workerConcurrency),
            ]),
          );
        }
        await Promise.all(workers.map((w) => w.waitForStderr('"worker-ready"')));
        log(
          `run ${n + 1}/${plan.runs.length}: ${run.workers} worker(s), rate ${bound ? run.rate : 'unbound'}, ${run.hosts} hosts…`,
        );
        result = await runDriver(
          ns,
          [
            '--prefix',
            prefix,
            '--hosts',
            String(run.hosts),
            '--targets',
            targets,
            '--batch',
            String(plan.batch),
            '--settings',
            JSON.stringify(settings),
          ],
          workers,
        );
      } finally {
        await Promise.all(workers.map(stop));
      }
      const counters = JSON.parse(await lab.stop()) as { accepts?: number; acceptsMax1s?: number };
      const s = result.elapsedMs / 1000;
      const hps = result.hosts / s;
      hostsPerS.push(hps);
      log(`  ${fmt(hps, 1)} hosts/s, ${fmt(result.connects / s)} connects/s`);
      rows.push(
        `| ${run.workers} | ${bound ? `${run.rate} (burst ${burst})` : 'unbound'} | ${fmt(result.hosts)} | ${fmt(s, 1)} | ${fmt(hps, 1)} | ${counters.acceptsMax1s ?? '?'} | ${fmt((counters.accepts ?? 0) / s)} | ${result.connectsMax1s} | ${fmt(result.connects / s)} |`,
      );
      if (bound) {
        const limit = run.rate + burst;
        const worst = Math.max(result.connectsMax1s, counters.acceptsMax1s ?? 0);
        notes.push(
          `- Bound run (${run.workers} workers, --rate ${run.rate}, burst ${burst}): at most **${worst}** connections in any 1 s ${worst <= limit ? '≤' : '> (EXCEEDED)'} rate + burst = ${limit}; mean ${fmt(result.connects / s)} TCP connects/s.`,
        );
      }
    }
    await stop(redis);
  } finally {
    ns.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (hostsPerS[1] ?? 0) / Math.max(hostsPerS[0] ?? 1, 1e-9);
  const load = `load average (1 min) ${fmt(loadBefore, 1)} before, ${fmt(os.loadavg()[0] ?? 0, 1)} after, on ${os.cpus().length} cores`;
  return {
    title,
    markdown: [
      `Scale lab (${plan.delayMs} ± ${plan.jitterMs} ms per reply, served ports ${portSpec}), redis-server, workers and driver in one private network namespace. Scanned ports: default (\`${DEFAULT_PORT_SPEC}\`), default timeouts and per-host cap. Workers: \`thingscan worker --concurrency ${plan.workerConcurrency}\`, batches of ${plan.batch} hosts scanned at once; timed from enqueue to the last record in Redis. A fresh lab per run.`,
      '',
      '| workers | --rate (conn/s, fleet) | hosts | elapsed s | hosts/s | lab accepts, max in any 1 s | lab accepts/s (mean) | TCP connects, max in 1 s | TCP connects/s (mean) |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `- 2 workers ÷ 1 worker (unbound): **${fmt(ratio, 2)}×** hosts/s (${load}).`,
      ...notes,
      '- What is counted: *lab accepts* are TCP connections the scale lab accepted (its counters, a sliding 1 s window); refused handshakes (ports it has no listener on) never reach it. *TCP connects* are the namespace kernel counter `Tcp: ActiveOpens`, every connect the workers started, refused ones included, sampled every 50 ms (windows of at least 1 s). Both are connections, not tokens: UDP requests (udp/161, udp/1900) take tokens too, so tokens granted are more than either count.',
    ].join('\n'),
  };
};

if (
  process.argv[1] &&
  pathToFileURL(process.argv[1]).href === import.meta.url &&
  process.argv.includes('--driver')
) {
  driver(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}

/**
 * Bench section `fleet`: 1 vs 2 `thingscan worker` processes fed by one Redis queue,
 * against the loopback lab plus a crowd of fast hosts (an FTP greeting on one port each;
 * they log every accept so the fleet-wide connection rate can be measured).
 *
 * Three runs: 1 and 2 workers with a rate too high to bind (scaling), then 2 workers
 * with a rate that binds (the limit observed across the fleet, max over 1 s windows).
 * Needs `redis-server` (Debian package); without it the section says so and skips.
 * The scale lab (issue 5) needs a private network namespace, so it is not used here.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  connectRedis,
  enqueueTargets,
  type FleetScanSettings,
  openQueue,
  scanKeys,
} from '../fleet/index.js';
import { startLab } from '../lab/index.js';
import { packageRoot } from '../paths.js';
import type { TargetItem } from '../targets/read.js';
import type { Bench } from './types.js';

const PREFIX = '127.77.230';
const CROWD_PREFIX = '127.77.231';
const OFFSET = 40_000;
const CROWD_PORT = 41_021;

async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

async function startRedisServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-bench-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  child.stdout?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function startWorkerProcess(url: string, prefix: string): Promise<ChildProcess> {
  const cli = path.join(packageRoot(), 'dist', 'src', 'cli.js');
  const child = spawn(
    process.execPath,
    [cli, 'worker', '--redis', url, '--prefix', prefix, '--concurrency', '4'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${text}`)));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (text.includes('"worker-ready"')) {
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

export const bench: Bench = async ({ quick }) => {
  const title = 'fleet: 1 vs 2 workers on one Redis queue';
  if (spawnSync('redis-server', ['--version']).error) {
    return {
      title,
      markdown: 'Skipped: `redis-server` is not installed (apt-get install -y redis-server).',
    };
  }
  const crowdSize = quick ? 120 : 250;
  const redis = await startRedisServer();
  const lab = await startLab({ prefix: PREFIX, portOffset: OFFSET }).catch(
    async (error: unknown) => {
      await redis.stop();
      throw error;
    },
  );
  const accepts: number[] = [];
  const servers: net.Server[] = [];
  const crowd = Array.from({ length: crowdSize }, (_, i) => `${CROWD_PREFIX}.${1 + i}`);
  for (const host of crowd) {
    const server = net.createServer((socket) => {
      accepts.push(performance.now());
      socket.on('error', () => socket.destroy());
      socket.end('220 bench FTP server ready\r\n');
    });
    server.listen({ host, port: CROWD_PORT, exclusive: true });
    await once(server, 'listening');
    servers.push(server);
  }
  const labPorts = lab.portSpec().replace(/^T:/, '');
  const ports = `T:${CROWD_PORT},${labPorts}`;
  const targets = [...lab.targets(), ...crowd];
  const rows: string[] = [];
  const runs = [
    { workers: 1, rate: 5_000 },
    { workers: 2, rate: 5_000 },
    { workers: 2, rate: quick ? 150 : 200 },
  ];
  const hostsPerS: number[] = [];
  try {
    for (const [n, run] of runs.entries()) {
      const prefix = `bench-fleet-${Date.now()}-${n}`;
      const workers = await Promise.all(
        Array.from({ length: run.workers }, () => startWorkerProcess(redis.url, prefix)),
      );
      const client = await connectRedis(redis.url);
      const queue = openQueue(client, prefix);
      const settings: FleetScanSettings = {
        ports,
        probes: null,
        rate: run.rate,
        burst: null,
        perHost: 2,
        hostConcurrency: 32,
        connectTimeoutMs: 1_000,
        readTimeoutMs: 500,
        bannerWaitMs: 300,
        hostTimeoutMs: 3_000,
        snmpCommunity: 'public',
        rescanAfterS: 0,
      };
      accepts.length = 0;
      const labBefore = lab.counters.connections;
      const t0 = performance.now();
      const items: TargetItem[] = targets.map((ip) => ({ kind: 'target', ip, excluded: false }));
      await enqueueTargets(items, {
        redis: client,
        queue,
        prefix,
        scanId: 'bench',
        batchSize: 32,
        settings,
      });
      const keys = scanKeys(prefix, 'bench');
      // Poll the done count: the bench measures, it does not wait for a server to start.
      while ((await client.scard(keys.done)) < targets.length) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const elapsed = (performance.now() - t0) / 1000;
      process.stderr.write(`  run ${n}: all records in Redis after ${elapsed.toFixed(2)} s\n`);
      await queue.close();
      client.disconnect();
      // Stop the workers and wait until their pids are gone. (The 'exit' event of these
      // children was seen not to arrive here although the processes had ended; polling the
      // pid cannot miss the end.)
      await Promise.all(workers.map((w) => stopProcess(w)));
      const t = [...accepts].sort((a, b) => a - b);
      let worst = 0;
      for (let i = 0, j = 0; i < t.length; i++) {
        while (j < t.length && (t[j] as number) - (t[i] as number) <= 1_000) j++;
        worst = Math.max(worst, j - i);
      }
      const labConns = lab.counters.connections - labBefore;
      const hps = targets.length / elapsed;
      hostsPerS.push(hps);
      process.stderr.write(
        `  ${run.workers} worker(s), rate ${run.rate}/s: ${hps.toFixed(1)} hosts/s\n`,
      );
      rows.push(
        `| ${run.workers} | ${run.rate} | ${targets.length} | ${elapsed.toFixed(2)} | ${hps.toFixed(1)} | ${((t.length + labConns) / elapsed).toFixed(1)} | ${worst} |`,
      );
    }
  } finally {
    for (const s of servers) s.close();
    await lab.close();
    await redis.stop();
  }
  const ratio = (hostsPerS[1] ?? 0) / Math.max(hostsPerS[0] ?? 1, 1e-9);
  return {
    title,
    markdown: [
      `Targets: the lab (${lab.targets().length} addresses, ports ${lab.portSpec()}) plus ${crowdSize} fast hosts (FTP greeting on one port). Workers are \`thingscan worker --concurrency 4\` processes; batches of 32; timed from enqueue to the last record in Redis.`,
      '',
      '| workers | --rate (conn/s, fleet) | hosts | elapsed s | hosts/s | accepted conn/s (mean) | fast-host accepts, max in any 1 s |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `2 workers ÷ 1 worker (unbound rate): ${ratio.toFixed(2)}×. In the bound run the limit holds fleet-wide when the last column stays ≤ rate + burst (rate/10); refused handshakes also take tokens, so accepted connections are fewer than tokens.`,
    ].join('\n'),
  };
};

/** SIGTERM, then SIGKILL after 10 s; resolves once the pid no longer exists. */
async function stopProcess(child: {
  pid?: number | undefined;
  kill: (s: NodeJS.Signals) => boolean;
}): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  child.kill('SIGTERM');
  const started = performance.now();
  let killed = false;
  while (alive()) {
    if (!killed && performance.now() - started > 10_000) {
      child.kill('SIGKILL');
      killed = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

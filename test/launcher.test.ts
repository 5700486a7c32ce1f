/**
 * The installed command, `bin/thingscan`: a shell launcher that execs Node on the CLI with
 * the young-generation flag of DEFAULTS.semiSpaceMb, in one process (same pid: signals,
 * exit status and output are the command's own), found through npm's symlinks; a
 * semi-space size the user put in NODE_OPTIONS wins.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { DEFAULTS, LAUNCHER_NODE_FLAGS } from '../src/engine/defaults.js';
import { runNode, startCollecting } from './support/cli.js';
import { BIN, CLI } from './support/paths.js';

/** This file's loopback address, in its own 127.77.241 prefix (see `grep -rn "127.77." test/`). */
const HOST = '127.77.241.1';
const FLAG = `--max-semi-space-size=${DEFAULTS.semiSpaceMb}`;

// npm installs the command as a relative symlink (node_modules/.bin/thingscan -> ../…).
const work = mkdtempSync(path.join(tmpdir(), 'thingscan-launcher-'));
after(() => rmSync(work, { recursive: true, force: true }));
const LINK = path.join(work, 'thingscan');
symlinkSync(path.relative(work, BIN), LINK);

test('the launcher passes the semi-space size of DEFAULTS, the one place it is set', () => {
  const text = readFileSync(BIN, 'utf8');
  const sizes = [...text.matchAll(/--max-semi-space-size=(\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(sizes, [DEFAULTS.semiSpaceMb]);
  // What the benches give their processes is what the launcher gives the CLI.
  assert.deepEqual(LAUNCHER_NODE_FLAGS, [FLAG]);
});

/** A silent TCP service: keeps a scan busy (banner wait, then probes) while it is looked at. */
async function silentService(t: { after(fn: () => void): void }): Promise<{
  port: number;
  connected: Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let resolve: () => void = () => undefined;
  const connected = new Promise<void>((r) => {
    resolve = r;
  });
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    resolve();
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, connected };
}

/** Starts `thingscan scan` through the symlinked launcher; resolves once it has connected. */
async function scanThroughLauncher(
  t: { after(fn: () => void): void },
  env: NodeJS.ProcessEnv,
): Promise<{ pid: number; argv: string[]; stop: () => Promise<[number | null, string, string]> }> {
  const { port, connected } = await silentService(t);
  const run = startCollecting(LINK, ['scan', '--ports', `T:${port}`, HOST], {
    env: { ...env, NO_COLOR: '1' },
  });
  run.child.stdin?.end();
  const first = await Promise.race([connected.then(() => 'connected'), run.done]);
  assert.equal(first, 'connected', `the scan ended before connecting: ${run.output.stderr}`);
  const pid = run.child.pid as number;
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  return {
    pid,
    argv,
    stop: async () => {
      run.child.kill('SIGTERM');
      const { code, stdout, stderr } = await run.done;
      return [code, stdout, stderr];
    },
  };
}

test('scan through the launcher: one process running the CLI with the flag; SIGTERM is its own', async (t) => {
  if (!existsSync('/proc/self/cmdline')) {
    t.skip('needs /proc (Linux)');
    return;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  const scan = await scanThroughLauncher(t, env);
  // exec: the launcher's pid is now Node's, with the flag before the script.
  assert.equal(path.basename(scan.argv[0] as string), 'node');
  assert.equal(scan.argv[1], FLAG, scan.argv.join(' '));
  assert.equal(path.resolve(scan.argv[2] as string), CLI);
  assert.deepEqual(scan.argv.slice(3, 5), ['scan', '--ports']);
  const [code, stdout, stderr] = await scan.stop();
  assert.equal(code, 130, stderr);
  assert.match(stderr, /SIGTERM: stopping/);
  // The host in flight finished within the grace period: its record reached stdout.
  const records = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ip: string });
  assert.deepEqual(
    records.map((r) => r.ip),
    [HOST],
  );
});

test('a semi-space size in NODE_OPTIONS is left as the user chose it', async (t) => {
  if (!existsSync('/proc/self/cmdline')) {
    t.skip('needs /proc (Linux)');
    return;
  }
  const scan = await scanThroughLauncher(t, {
    ...process.env,
    NODE_OPTIONS: '--max-semi-space-size=8',
  });
  assert.ok(!scan.argv.some((a) => a.startsWith('--max-semi-space-size')), scan.argv.join(' '));
  assert.equal(path.resolve(scan.argv[1] as string), CLI);
  const [code] = await scan.stop();
  assert.equal(code, 130);
});

test('a short command through the launcher answers on stdout and exits with its status', async () => {
  const run = await runNode(
    [
      '-e',
      'require("node:child_process").execFileSync(process.argv[1], ["identify", "--protocol", "ssh"], { stdio: "inherit" })',
      LINK,
    ],
    {
      input: 'SSH-2.0-dropbear_2019.78\r\n',
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const verdict = JSON.parse(run.stdout) as { services: { product: string; version: string }[] };
  assert.equal(verdict.services[0]?.product, 'Dropbear');
  assert.equal(verdict.services[0]?.version, '2019.78');
  const bad = await runNode([
    '-e',
    'try { require("node:child_process").execFileSync(process.argv[1], ["scan", "--no-such-option"], { stdio: "pipe" }) } catch (e) { process.exitCode = e.status }',
    LINK,
  ]);
  assert.equal(bad.code, 2, 'a usage error keeps its exit status through the launcher');
});

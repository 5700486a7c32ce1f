/**
 * Start-up structure (not timing): a command loads only what it uses. The CLI registers
 * every command from a light definition module and imports the command's implementation
 * (`src/commands/<name>-run.ts`) only when it runs, and implementations import narrow
 * modules rather than the public index, so `thingscan identify` in a shell loop never
 * loads the scanner, its probes and protocol clients, the lab or the fleet; with the
 * compiled signature cache warm it does not load the YAML parser either.
 *
 * Loaded modules are recorded by `src/bench/module-log.ts` in a child process: ES modules
 * through a loader hook, CommonJS files from the require cache at exit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runNode } from './support/cli.js';
import { CLI, ROOT } from './support/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'thingscan-startup-'));
after(() => rmSync(work, { recursive: true, force: true }));

const HOOK = pathToFileURL(path.join(ROOT, 'dist', 'src', 'bench', 'module-log.js')).href;
const DIST = pathToFileURL(path.join(ROOT, 'dist')).href;

/** Packages only scanning, the fleet, logging or linting need. */
const HEAVY_PACKAGES = [
  'undici',
  'ssh2',
  'net-snmp',
  'telnet-client',
  'ioredis',
  'bullmq',
  'pino',
  'mailparser',
  'recheck',
  'ajv',
];

/** Our modules a command that does not scan has no use for. */
const HEAVY_MODULES = [
  '/probes/',
  '/src/lab/',
  '/src/engine/scan.js',
  '/src/engine/threads.js',
  '/src/index.js',
];

/**
 * Fleet modules the option definitions may load: the key prefix and worker defaults shown
 * in `enqueue`/`worker`/`collect --help` (constants, no Redis client).
 */
const FLEET_CONSTANTS = new Set(['/src/fleet/keys.js', '/src/fleet/defaults.js']);

let runs = 0;

/** Runs node with the module log preloaded; returns the loaded URLs and the run's output. */
async function loaded(
  args: readonly string[],
  options: { input?: string; cache: string },
): Promise<{ code: number | null; stdout: string; stderr: string; urls: string[] }> {
  const log = path.join(work, `modules-${runs++}.txt`);
  const run = await runNode(['--import', HOOK, ...args], {
    cwd: ROOT,
    env: { THINGSCAN_MODULE_LOG: log, THINGSCAN_CACHE_DIR: options.cache },
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  const urls = [...new Set(readFileSync(log, 'utf8').split('\n'))].filter((u) => u !== '');
  return { ...run, urls };
}

/** The package a URL belongs to (`@scope/name` or `name`), or null. */
function packageOf(url: string): string | null {
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return m?.[1] ?? null;
}

/** Loaded modules that a light start must not load, with the reason; empty when clean. */
function heavy(urls: readonly string[], also: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const url of urls) {
    const pkg = packageOf(url);
    if (pkg !== null) {
      if (HEAVY_PACKAGES.includes(pkg) || also.includes(pkg)) out.push(`package ${pkg}`);
      continue;
    }
    if (!url.startsWith(DIST)) continue;
    const rel = url.slice(DIST.length);
    if (HEAVY_MODULES.some((m) => rel.startsWith(m) || rel === m)) out.push(rel);
    else if (rel.startsWith('/src/fleet/') && !FLEET_CONSTANTS.has(rel)) out.push(rel);
  }
  return [...new Set(out)].sort();
}

const BANNER = 'SSH-2.0-dropbear_2019.78\n';

test('the module log records what a process loads (so the checks below can fail)', async () => {
  const cache = path.join(work, 'cache-probe');
  const r = await loaded(
    ['--input-type=module', '-e', `await import(${JSON.stringify(`${DIST}/src/index.js`)});`],
    { cache },
  );
  assert.equal(r.code, 0, r.stderr);
  // The public index exports the scanner and the lab: it loads both and their clients.
  const found = heavy(r.urls);
  for (const expected of ['package undici', 'package ssh2', 'package net-snmp', '/src/index.js'])
    assert.ok(found.includes(expected), `${expected} not recorded; recorded: ${found.join(', ')}`);
  assert.ok(found.some((u) => u.startsWith('/probes/')));
  assert.ok(found.some((u) => u.startsWith('/src/lab/')));
});

test('identify loads neither the scanner, the lab, the fleet nor their clients; nor YAML on a warm cache', async () => {
  const cache = path.join(work, 'cache-identify');
  const args = [CLI, 'identify', '--protocol', 'ssh'];
  const cold = await loaded(args, { input: BANNER, cache });
  assert.equal(cold.code, 0, cold.stderr);
  assert.deepEqual(heavy(cold.urls), []);
  // The first run parsed the YAML and wrote the compiled cache; the next one reads it.
  const warm = await loaded(args, { input: BANNER, cache });
  assert.equal(warm.code, 0, warm.stderr);
  assert.deepEqual(heavy(warm.urls, ['yaml']), []);
  assert.equal(warm.stdout, cold.stdout);
  const out = JSON.parse(warm.stdout) as { device: { signatures: string[] } };
  assert.deepEqual(out.device.signatures, ['dropbear/dropbear']);
});

test('the module behind identify imports narrow modules, not the public index', async () => {
  const cache = path.join(work, 'cache-module');
  const url = `${DIST}/src/commands/identify-run.js`;
  const r = await loaded(['--input-type=module', '-e', `await import(${JSON.stringify(url)});`], {
    cache,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(heavy(r.urls, ['yaml']), []);
});

test('--help and scan --help load no command implementation', async () => {
  const cache = path.join(work, 'cache-help');
  for (const args of [['--help'], ['scan', '--help'], ['identify', '--help']]) {
    const r = await loaded([CLI, ...args], { cache });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('thingscan'), 'help printed');
    const runs = r.urls.filter((u) => /\/src\/commands\/[^/]+-run\.js$/.test(u));
    assert.deepEqual(runs, [], `thingscan ${args.join(' ')}`);
    assert.deepEqual(heavy(r.urls, ['yaml']), [], `thingscan ${args.join(' ')}`);
  }
});

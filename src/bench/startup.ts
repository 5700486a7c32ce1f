/**
 * Bench section `startup`: how long the CLI takes before it does any work, because
 * analysts run `thingscan identify` in shell loops and other tools spawn it.
 *
 * 1. Wall time of whole CLI runs (spawn to exit, median of N; the commands take turns
 *    so load on a shared machine falls on all of them alike): `--help`, `scan --help`,
 *    `identify --protocol ssh` on a one-line banner, `sig lint` on one file, and a bare
 *    `node -e ''` as the floor no command can beat. Beside each, the modules the run
 *    loaded (recorded by `module-log.ts`), all and under node_modules.
 * 2. What imports cost: each module imported alone in a fresh process (median of N). A
 *    module's figure includes everything it imports, so figures overlap.
 * 3. Loading the signature library (`loadSignatures`) in a fresh process, from the
 *    compiled cache (`src/signatures/cache.ts`, warmed first) and from YAML.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../paths.js';
import type { Bench } from './types.js';

interface Run {
  readonly code: number | null;
  readonly ms: number;
  readonly stdout: string;
}

function run(args: readonly string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: packageRoot(),
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, stdout }));
    child.stdin.end(input);
  });
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const ms = (v: number): string => `${Math.round(v)} ms`;

interface CliCase {
  readonly label: string;
  readonly args: readonly string[];
  readonly input?: string;
}

/** The `cli.js`-relative commands measured; the floor (`node -e ''`) is added apart. */
const CLI_CASES: readonly CliCase[] = [
  { label: 'thingscan --help', args: ['--help'] },
  { label: 'thingscan scan --help', args: ['scan', '--help'] },
  {
    label: "thingscan identify --protocol ssh <<< 'SSH-2.0-dropbear_2019.78'",
    args: ['identify', '--protocol', 'ssh'],
    input: 'SSH-2.0-dropbear_2019.78\n',
  },
  {
    label: 'thingscan sig lint signatures/software/dropbear/dropbear.yaml',
    args: ['sig', 'lint', 'signatures/software/dropbear/dropbear.yaml'],
  },
];

/** Modules imported alone; paths are relative to the package root. */
const IMPORTS: readonly string[] = [
  'dist/src/index.js',
  'dist/src/commands/identify.js',
  'dist/src/match/identify.js',
  'dist/src/signatures/loader.js',
  'dist/src/engine/scan.js',
  'dist/probes/index.js',
  'dist/src/lab/index.js',
  'dist/src/fleet/index.js',
  'dist/src/report/index.js',
  'yargs',
  'yaml',
  'ajv',
  'recheck',
  'pino',
  'undici',
  'ssh2',
  'net-snmp',
  'telnet-client',
  'mailparser',
  'ioredis',
  'bullmq',
];

function specifier(name: string): string {
  return name.startsWith('dist/') ? pathToFileURL(path.join(packageRoot(), name)).href : name;
}

async function importCost(name: string): Promise<number | null> {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier(name))}); process.stdout.write(String(performance.now() - t));`;
  const r = await run(['--input-type=module', '-e', code]);
  return r.code === 0 ? Number(r.stdout) : null;
}

async function libraryLoad(cache: boolean): Promise<number | null> {
  const loader = specifier('dist/src/signatures/loader.js');
  const code = `const { loadSignatures } = await import(${JSON.stringify(loader)}); const t = performance.now(); loadSignatures({ cache: ${cache} }); process.stdout.write(String(performance.now() - t));`;
  const r = await run(['--input-type=module', '-e', code]);
  return r.code === 0 ? Number(r.stdout) : null;
}

async function modulesLoaded(c: CliCase): Promise<{ all: number; deps: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thingscan-startup-'));
  const log = path.join(dir, 'modules.txt');
  try {
    const hook = fileURLToPath(new URL('./module-log.js', import.meta.url));
    await run(['--import', pathToFileURL(hook).href, cliPath(), ...c.args], c.input, {
      THINGSCAN_MODULE_LOG: log,
    });
    const urls = new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((u) => u !== '' && !u.startsWith('node:') && !u.endsWith('/module-log.js')),
    );
    return { all: urls.size, deps: [...urls].filter((u) => u.includes('/node_modules/')).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cliPath(): string {
  return path.join(packageRoot(), 'dist', 'src', 'cli.js');
}

/** The `startup` bench section. */
export const bench: Bench = async ({ quick }) => {
  const n = quick ? 5 : 15;
  const floor: number[] = [];
  const times: number[][] = CLI_CASES.map(() => []);
  const codes = new Set<number | null>();
  // One unmeasured round warms the file cache and the signature cache.
  for (const c of CLI_CASES) await run([cliPath(), ...c.args], c.input);
  for (let i = 0; i < n; i++) {
    floor.push((await run(['-e', ''])).ms);
    for (const [k, c] of CLI_CASES.entries()) {
      const r = await run([cliPath(), ...c.args], c.input);
      codes.add(r.code);
      times[k]?.push(r.ms);
    }
  }
  const rows = [
    '| command | median wall time | modules loaded (in node_modules) |',
    '|---|---|---|',
  ];
  rows.push(`| \`node -e ''\` (floor) | ${ms(median(floor))} | — |`);
  for (const [k, c] of CLI_CASES.entries()) {
    const m = await modulesLoaded(c);
    rows.push(`| \`${c.label}\` | **${ms(median(times[k] ?? []))}** | ${m.all} (${m.deps}) |`);
  }

  const costs: string[] = ['| module | import time alone |', '|---|---|'];
  for (const name of IMPORTS) {
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = await importCost(name);
      if (t === null) break;
      got.push(t);
    }
    costs.push(`| \`${name}\` | ${got.length ? ms(median(got)) : 'not importable'} |`);
  }

  await libraryLoad(true); // make sure the compiled cache exists
  const cached: number[] = [];
  const yaml: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = await libraryLoad(true);
    if (a !== null) cached.push(a);
    if (i < 3) {
      const b = await libraryLoad(false);
      if (b !== null) yaml.push(b);
    }
  }

  const exits = [...codes].join(', ');
  const markdown = [
    `Median of ${n} runs each (commands in turn; exit codes seen: ${exits}). Run with \`node dist/src/cli.js\`; modules counted by \`--import dist/src/bench/module-log.js\` (ES modules and CommonJS files, not node: built-ins).`,
    '',
    ...rows,
    '',
    `Import cost, each module alone in a fresh process (median of ${n}; a figure includes what the module imports, so figures overlap):`,
    '',
    ...costs,
    '',
    `Signature library, \`loadSignatures()\` in a fresh process (after its module is imported): from the compiled cache ${cached.length ? `**${ms(median(cached))}**` : 'failed'} (median of ${cached.length}), from YAML (\`cache: false\`) ${yaml.length ? ms(median(yaml)) : 'failed'} (median of ${yaml.length}).`,
  ].join('\n');
  return { title: 'startup: CLI start-up time and what imports cost', markdown };
};

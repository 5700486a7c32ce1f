#!/usr/bin/env node
/**
 * Start-up A/B: the same CLI commands as the `startup` bench section, run alternately
 * from two built checkouts (old, new, old, new …), so the load of a shared machine falls
 * on both alike and the ratio means something even when absolute times drift.
 *
 * Usage: node scripts/startup-ab.mjs OLD_ROOT NEW_ROOT [RUNS=15]
 * (each root holds a built `dist/`; e.g. `git archive <commit> | tar -x -C /tmp/old`,
 * symlink node_modules, `npx tsc`).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const [oldRoot, newRoot, runsArg] = process.argv.slice(2);
if (!oldRoot || !newRoot) {
  process.stderr.write('usage: node scripts/startup-ab.mjs OLD_ROOT NEW_ROOT [RUNS]\n');
  process.exit(2);
}
const runs = Number(runsArg ?? 15);

const CASES = [
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

function run(root, c) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'dist/src/cli.js'), ...c.args], {
      cwd: root,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started }));
    child.stdin.end(c.input ?? '');
  });
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const rows = ['| command | old | new | new ÷ old |', '|---|---|---|---|'];
for (const c of CASES) {
  await run(oldRoot, c); // warm the file and signature caches of both
  await run(newRoot, c);
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    const x = await run(oldRoot, c);
    const y = await run(newRoot, c);
    if (x.code !== 0 || y.code !== 0) throw new Error(`${c.label}: exit ${x.code} / ${y.code}`);
    a.push(x.ms);
    b.push(y.ms);
  }
  const ma = median(a);
  const mb = median(b);
  rows.push(
    `| \`${c.label}\` | ${Math.round(ma)} ms | **${Math.round(mb)} ms** | ${(mb / ma).toFixed(2)} |`,
  );
  process.stderr.write(`${c.label}: ${Math.round(ma)} → ${Math.round(mb)} ms\n`);
}
process.stdout.write(`Median of ${runs} alternating runs each.\n\n${rows.join('\n')}\n`);

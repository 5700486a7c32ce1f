#!/usr/bin/env node
/**
 * Scan A/B: the scanner's CPU per host for two or more variants, run in turns (A, B, B, A,
 * A, B …) against one scale lab in a network namespace, so the load of a shared machine
 * falls on every variant alike. Each run is the `scan` bench's thingscan worker (default
 * `iot` ports, 500 hosts in flight, no rate limit) on the same loopback targets; the lab
 * answers with 50 ± 10 ms delays, as in `npm run bench -- scan`.
 *
 * Usage: node scripts/scan-ab.mjs HOSTS ROUNDS VARIANT [VARIANT …]
 *   VARIANT = ROOT[|NODE_FLAGS[|ENV=V;ENV=V]]  (ROOT holds a built `dist/`)
 *   e.g. node scripts/scan-ab.mjs 4000 6 /tmp/old /work/main '/work/main|--max-semi-space-size=32'
 *        THREADS=2 node scripts/scan-ab.mjs 4000 6 …   (scan threads per run)
 * An old build: `git worktree add --detach /tmp/old <commit>`, symlink node_modules, `npx tsc`.
 * Needs root (network namespaces). Prints each run, then each variant's median and minimum.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { createNetns } = await import(path.join(here, '..', 'dist', 'src', 'bench', 'netns.js'));
const { intToIpv4, ipv4ToInt } = await import(path.join(here, '..', 'dist', 'src', 'lab', 'scale.js'));

const [hostsArg, roundsArg, ...variants] = process.argv.slice(2);
if (!hostsArg || !roundsArg || variants.length === 0) {
  process.stderr.write('usage: node scripts/scan-ab.mjs HOSTS ROUNDS VARIANT [VARIANT …]\n');
  process.exit(2);
}
const hosts = Number(hostsArg);
const rounds = Number(roundsArg);
const threads = process.env.THREADS ?? '1';
const targets = `/tmp/thingscan-scan-ab-${process.pid}.txt`;
writeFileSync(
  targets,
  `${Array.from({ length: hosts }, (_, i) => intToIpv4(ipv4ToInt('127.64.0.1') + i)).join('\n')}\n`,
);

const ns = createNetns('ab');
const cli = path.join(here, '..', 'dist', 'src', 'cli.js');
const { LAUNCHER_NODE_FLAGS } = await import(path.join(here, '..', 'dist', 'src', 'engine', 'defaults.js'));
// The lab runs as the installed command runs it; the variants under test bring their own flags.
const lab = ns.spawn(process.execPath, [...LAUNCHER_NODE_FLAGS, cli, 'lab', '--scale', String(hosts), '--delay-ms', '50', '--jitter-ms', '10']);
await new Promise((resolve) => lab.stdout.on('data', (d) => String(d).includes('ready') && resolve()));

const perHost = new Map(variants.map((v) => [v, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 ? [...variants].reverse() : variants) {
      const [root, flags, envs] = variant.split('|');
      const worker = ns.spawn('env', [
        ...(envs ? envs.split(';') : []),
        process.execPath,
        ...(flags ? flags.split(' ') : []),
        path.join(root, 'dist', 'src', 'bench', 'scan.js'),
        ...['--worker', 'thingscan', '--targets', targets, '--out', '/dev/null'],
        ...['--concurrency', '500', '--ports', 'iot', '--threads', threads],
      ]);
      let out = '';
      worker.stdout.on('data', (d) => {
        out += d;
      });
      worker.stderr.on('data', (d) => process.stderr.write(d));
      await new Promise((resolve) => worker.on('close', resolve));
      const r = JSON.parse(out.trim().split('\n').at(-1));
      perHost.get(variant).push(r.cpuMs / r.hosts);
      console.log(
        `${variant}: ${(r.cpuMs / r.hosts).toFixed(3)} ms CPU per host, ${(r.hosts / (r.elapsedMs / 1000)).toFixed(1)} hosts/s`,
      );
    }
  }
} finally {
  lab.kill('SIGTERM');
  ns.close();
}
for (const [variant, values] of perHost) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(
    `${variant}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(3)} ms CPU per host, min ${sorted[0].toFixed(3)} (${sorted.length} runs)`,
  );
}

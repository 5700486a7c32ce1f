/**
 * `npm run bench`: runs every registered bench section in one process, prints the figures
 * and appends them, with the command and date, to docs/benchmarks.md.
 * `npm run bench -- --quick` runs smaller sizes (for trying the bench, not for the record).
 * `npm run bench -- match` runs only the named sections.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../paths.js';
import type { Bench } from './types.js';

/** Registered sections, one line each: name → module loader. */
const SECTIONS: Record<string, () => Promise<{ bench: Bench }>> = {
  match: () => import('./match.js'),
  scan: () => import('./scan.js'),
  memory: () => import('./memory.js'),
  fleet: () => import('./fleet.js'),
  probes: () => import('./probes.js'),
  startup: () => import('./startup.js'),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const names = Object.keys(SECTIONS).filter((n) => only.length === 0 || only.includes(n));
  if (names.length === 0) {
    process.stderr.write(
      `no bench sections${only.length ? ` named ${only.join(', ')}` : ''}; known: ${Object.keys(SECTIONS).join(', ') || 'none yet'}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const file = path.join(packageRoot(), 'docs', 'benchmarks.md');
  if (!existsSync(file))
    writeFileSync(
      file,
      '# Benchmarks\n\nAppended by `npm run bench`. Ratios compare figures measured in the same run.\n',
    );
  const header = `\n## ${new Date().toISOString()} — \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\`\n\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? ' (quick sizes)' : ''}\n`;
  let out = header;
  for (const name of names) {
    const load = SECTIONS[name];
    if (!load) continue;
    process.stderr.write(`bench: ${name}…\n`);
    const { bench } = await load();
    const section = await bench({ quick });
    const text = `\n### ${section.title}\n\n${section.markdown}\n`;
    process.stdout.write(text);
    out += text;
  }
  appendFileSync(file, out);
  process.stderr.write(`bench: appended to ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});

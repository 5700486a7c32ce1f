/**
 * `thingscan sig …`: tools for signature contributors.
 *
 * `lint` and `test` take an optional PATH: a library folder (one holding
 * `_taxonomy/vendors.yaml`) is linted/tested as a whole; any other path selects the
 * signature files under it within the library (`--signatures`, default: the bundled one).
 *
 * The implementation: `sig.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  defaultHeldoutFile,
  formatHeldout,
  loadHeldout,
  runHeldout,
} from '../signatures/heldout.js';
import { formatProblem, lintLibrary, signatureSchemaText } from '../signatures/lint.js';
import { loadSignatures } from '../signatures/loader.js';
import { bannerFields, isBannerProtocol, scaffoldSignature } from '../signatures/scaffold.js';
import { selfTest } from '../signatures/selftest.js';
import { formatStats, libraryStats } from '../signatures/stats.js';
import { EXIT, stderr } from './common.js';
import { fieldsOfRecord, readRecords } from './identify-run.js';

type Maybe<T> = T | undefined;

/** Splits `[PATH]` and `--signatures` into a library folder and an optional file filter. */
function resolveLibrary(
  target: Maybe<string>,
  signatures: Maybe<string>,
): { dir?: string; only?: string } {
  const out: { dir?: string; only?: string } = {};
  if (signatures) out.dir = path.resolve(signatures);
  if (!target) return out;
  const abs = path.resolve(target);
  if (existsSync(path.join(abs, '_taxonomy', 'vendors.yaml'))) out.dir = abs;
  else out.only = abs;
  return out;
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r.startsWith('..') ? file : r;
}

export function runSigTest(argv: { signatures?: Maybe<string>; path?: Maybe<string> }): number {
  const { dir, only } = resolveLibrary(argv.path, argv.signatures);
  const library = loadSignatures(dir ? { dir } : {});
  const report = selfTest(library, only);
  for (const f of report.failures) stderr(`${rel(f.file)}:${f.line}: ${f.signature}: ${f.message}`);
  const verdict = report.failures.length === 0 ? 'ok' : `${report.failures.length} failure(s)`;
  stderr(
    `sig test: ${report.signatures} signatures, ${report.examples} examples, ${report.counterexamples} counterexamples, ${report.negatives} generic banners: ${verdict}`,
  );
  return report.failures.length === 0 ? EXIT.ok : EXIT.signatures;
}

export async function runSigLint(argv: {
  signatures?: Maybe<string>;
  path?: Maybe<string>;
  redos: boolean;
  cache: boolean;
}): Promise<number> {
  const { dir, only } = resolveLibrary(argv.path, argv.signatures);
  const started = Date.now();
  const report = await lintLibrary({
    ...(dir ? { dir } : {}),
    redos: argv.redos,
    ...(argv.cache ? {} : { cacheFile: null }),
  });
  const problems = only
    ? report.problems.filter((p) => path.resolve(p.file).startsWith(only))
    : report.problems;
  for (const p of problems) stderr(formatProblem(p));
  const redos = argv.redos
    ? `, ${report.regexes} regexes ReDoS-checked (${report.cached} from cache)`
    : ', ReDoS check skipped';
  stderr(
    `sig lint: ${report.files} files, ${report.signatures} signatures loaded, ${report.vendors} vendors${redos}, ${((Date.now() - started) / 1000).toFixed(1)} s: ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`,
  );
  return problems.length === 0 ? EXIT.ok : EXIT.signatures;
}

export function runSigStats(argv: { signatures?: Maybe<string>; json: boolean }): number {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  const stats = libraryStats(library);
  process.stdout.write(argv.json ? `${JSON.stringify(stats)}\n` : formatStats(stats));
  return EXIT.ok;
}

async function readSource(from: string, protocol: Maybe<string>, field: Maybe<string>) {
  // `-` = stdin; an existing file = a host record (NDJSON/JSON) or a raw banner; else the text itself.
  let text: string;
  if (from === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    text = Buffer.concat(chunks)
      .subarray(0, 64 * 1024)
      .toString('latin1');
  } else if (existsSync(from) && statSync(from).isFile()) {
    text = readFileSync(from)
      .subarray(0, 4 * 1024 * 1024)
      .toString('latin1');
    if (/\.(nd)?json$/i.test(from) || /^\s*\{/.test(text)) {
      const records = readRecords(text, from);
      const record = records.find((r) => Object.keys(fieldsOfRecord(r.record)).length > 0);
      if (!record) throw new Error(`${from}: no host record with service fields`);
      return fieldsOfRecord(record.record);
    }
  } else {
    text = from;
  }
  text = text.replace(/\r?\n$/, '');
  const p = protocol ?? 'telnet';
  if (!isBannerProtocol(p)) throw new Error(`unknown protocol '${p}'`);
  return bannerFields(text, p, field);
}

export async function runSigNew(argv: {
  from: string;
  protocol?: Maybe<string>;
  field?: Maybe<string>;
  class?: Maybe<string>;
  vendor?: Maybe<string>;
  product?: Maybe<string>;
  output?: Maybe<string>;
  signatures?: Maybe<string>;
}): Promise<number> {
  let vendorName: string | undefined;
  if (argv.vendor) {
    try {
      const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
      vendorName = library.vendors.get(argv.vendor)?.name;
      if (!vendorName) {
        stderr(
          `note: vendor '${argv.vendor}' is not in _taxonomy/vendors.yaml yet: add it there, or the file will not load`,
        );
      }
    } catch {
      // A library that does not load yet is not a reason to refuse a draft.
    }
  }
  let scaffold: ReturnType<typeof scaffoldSignature>;
  try {
    const fields = await readSource(argv.from, argv.protocol, argv.field);
    scaffold = scaffoldSignature({
      fields,
      ...(argv.class ? { class: argv.class } : {}),
      ...(argv.vendor ? { vendor: argv.vendor } : {}),
      ...(vendorName ? { vendorName } : {}),
      ...(argv.product ? { product: argv.product } : {}),
    });
  } catch (error) {
    stderr(`thingscan sig new: ${(error as Error).message}`);
    return EXIT.usage;
  }
  if (argv.output) {
    writeFileSync(argv.output, scaffold.yaml);
    stderr(
      `wrote ${argv.output} (belongs at signatures/${scaffold.path}); next: sig lint, sig test`,
    );
  } else {
    process.stdout.write(scaffold.yaml);
    stderr(`save it as signatures/${scaffold.path}; next: sig lint, sig test`);
  }
  return EXIT.ok;
}

/** `sig heldout`: the library scored on a held-out set of real-world banners. */
export function runSigHeldout(argv: {
  file?: Maybe<string>;
  signatures?: Maybe<string>;
  json: boolean;
}): number {
  let entries: ReturnType<typeof loadHeldout>;
  try {
    entries = loadHeldout(argv.file ?? defaultHeldoutFile());
  } catch (error) {
    stderr(`thingscan sig heldout: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  const report = runHeldout(library, entries);
  if (argv.json) {
    const { results, ...figures } = report;
    const misses = results
      .filter((r) => r.misses.length > 0)
      .map((r) => ({ id: r.entry.id, misses: r.misses, expect: r.entry.expect, got: r.got }));
    process.stdout.write(`${JSON.stringify({ ...figures, misses })}\n`);
  } else {
    process.stdout.write(formatHeldout(report));
  }
  return EXIT.ok;
}

export function runSigSchema(argv: { output?: Maybe<string> }): number {
  if (argv.output) writeFileSync(argv.output, signatureSchemaText());
  else process.stdout.write(signatureSchemaText());
  return EXIT.ok;
}

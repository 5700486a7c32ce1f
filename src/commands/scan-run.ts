/**
 * `thingscan scan`: targets in, one record per target out.
 * NDJSON to `-o FILE`, a table on a terminal, NDJSON when piped, CSV on request.
 *
 * The implementation: `scan.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import pino from 'pino';
import { scan } from '../engine/scan.js';
import { quietStackTraces } from '../engine/stacks.js';
import { ThingscanError } from '../errors.js';
import { resolveShardText } from '../fleet/shard-env.js';
import { explainRecord, formatHostExplanation } from '../match/explain.js';
import { csvHeader, formatCsvRow } from '../output/csv.js';
import { escapeJsonControls, formatNdjson } from '../output/ndjson.js';
import { Progress } from '../output/progress.js';
import { loadResumeState, type ResumeState } from '../output/resume.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { Summary } from '../output/summary.js';
import { createTableWriter, type TableWriter } from '../output/table.js';
import { loadSignatures } from '../signatures/loader.js';
import type { ExcludeList } from '../targets/exclude.js';
import { type InputFormat, interopTargets } from '../targets/formats/index.js';
import { linesFromArgs, linesFromFile, readTargets, type TargetSource } from '../targets/read.js';
import { inShard, parseShard, type ShardSpec } from '../targets/shard.js';
import type { HostRecord } from '../types.js';
import { EXIT, stderr, writeChunk } from './common.js';
import { openTargetArgs } from './target-args.js';

type Format = 'ndjson' | 'table' | 'csv';

/** Parsed `scan` arguments. */
export interface ScanArgs {
  targets: string[];
  input?: string | undefined;
  'input-format'?: InputFormat | undefined;
  'ip-column'?: string | undefined;
  output?: string | undefined;
  format?: Format | undefined;
  ports: string;
  probes?: string | undefined;
  rate: number;
  concurrency: number;
  threads: number;
  followups: boolean;
  'per-host': number;
  'connect-timeout': number;
  'read-timeout': number;
  'banner-wait': number;
  'host-timeout': number;
  exclude: string[];
  'exclude-file'?: string | undefined;
  'snmp-community': string;
  snmp: boolean;
  signatures?: string | undefined;
  'log-level': string;
  'allow-large': boolean;
  strict: boolean;
  quiet: boolean;
  resume?: string | undefined;
  shard?: string | undefined;
  seed: number;
  summary?: string | undefined;
  explain?: boolean | undefined;
}

/** Runs a scan from parsed arguments; resolves to the exit code. */
export async function runScan(argv: ScanArgs): Promise<number> {
  quietStackTraces(argv['log-level']);
  // Log lines carry remote text (a LOCATION, an error message): no raw C1 or bidi on stderr.
  const log = pino(
    { level: argv['log-level'], base: null, hooks: { streamWrite: escapeJsonControls } },
    pino.destination(2),
  );
  const opened = await openTargetArgs(argv, 'scan');
  if (!opened) return EXIT.usage;
  const { sources, exclude: excludeList } = opened;
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  // `auto/n`: the shard index comes from a Kubernetes Indexed Job (docs/fleet.md).
  const shard: ShardSpec | null = argv.shard
    ? parseShard(resolveShardText(argv.shard), argv.seed)
    : null;
  if (argv.resume && argv.output && argv.output !== argv.resume) {
    stderr('thingscan scan: --resume FILE appends to FILE: give no other -o (or the same file)');
    return EXIT.usage;
  }
  // --resume FILE is the output too: finished records stay, the rest is appended.
  if (argv.resume) argv.output = argv.resume;
  let resume: ResumeState | null = null;
  if (argv.resume) {
    resume = await loadResumeState(argv.resume);
    if (resume.repairedBytes > 0) {
      stderr(
        `thingscan scan: ${argv.resume}: cut off a partial last record (${resume.repairedBytes} bytes); its target is scanned again`,
      );
    }
    if (resume.badLines.length > 0) {
      stderr(
        `thingscan scan: ${argv.resume}: lines ${resume.badLines.join(', ')} are not records (left as they are)`,
      );
    }
  }

  const stdoutTty = process.stdout.isTTY === true;
  const format: Format | null =
    argv.format ?? (stdoutTty ? 'table' : argv.output ? null : 'ndjson');
  const color = stdoutTty && !process.env['NO_COLOR'];
  let file: WriteStream | null = null;
  if (argv.output && argv.output !== '-') {
    const path = argv.output;
    const stream = createWriteStream(path, { flags: resume ? 'a' : 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e) =>
        reject(new ThingscanError('E_IO', `cannot write ${path}: ${e.message}`)),
      );
    });
    file = stream;
  }
  const toStdout = argv.output === '-' ? 'ndjson' : format;
  const table =
    toStdout === 'table'
      ? createTableWriter((s) => process.stdout.write(s), {
          color,
          width: process.stdout.columns,
          ipWidth: 15,
        })
      : null;
  if (toStdout === 'csv') await writeChunk(process.stdout, csvHeader());

  const summary = new Summary();
  let badLines = 0;
  let stoppedStrict = false;
  const stop = new AbortController();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    stderr(`thingscan: ${sig}: stopping, finishing hosts in flight`);
    stop.abort(new Error(sig));
  };
  // `on`, not `once`: a second Ctrl-C during the grace period must not kill the process
  // with half-written output (the grace deadline still ends it shortly).
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = new Progress(argv.quiet ? { write: () => true } : process.stderr);
  let resumedSkipped = 0;

  const interop = argv.input !== undefined && (argv['input-format'] ?? 'auto') !== 'list';
  const items = interop
    ? interopTargets(argv.targets, argv.input as string, {
        format: argv['input-format'] ?? 'auto',
        ...(argv['ip-column'] === undefined ? {} : { ipColumn: argv['ip-column'] }),
        exclude: excludeList,
        allowLarge: argv['allow-large'],
      })
    : readTargets(sources, { exclude: excludeList, allowLarge: argv['allow-large'] });
  // The total is known when the list can be read twice: arguments and plain list files.
  if (progress.active && !interop && argv.input !== '-') {
    void countTargets(argv, excludeList, shard, resume).then(
      (n) => progress.setTotal(n),
      () => undefined,
    );
  }
  async function* goodItems() {
    for await (const item of items) {
      if (item.kind === 'error') {
        badLines++;
        summary.addTargetError(item.error);
        stderr(sanitizeForTerminal(item.error.message));
        if (argv.strict) {
          stoppedStrict = true;
          return;
        }
        continue;
      }
      if (shard && !inShard(item.ip, shard)) continue;
      if (resume?.has(item.ip)) {
        resumedSkipped++;
        continue;
      }
      yield item;
    }
  }
  const t0 = performance.now();
  try {
    for await (const record of scan(goodItems(), {
      ports: argv.ports,
      ...(argv.probes ? { probes: argv.probes.split(',').map((s) => s.trim()) } : {}),
      rate: argv.rate,
      concurrency: argv.concurrency,
      threads: argv.threads,
      followups: argv.followups,
      perHost: argv['per-host'],
      connectTimeoutMs: argv['connect-timeout'],
      readTimeoutMs: argv['read-timeout'],
      bannerWaitMs: argv['banner-wait'],
      hostTimeoutMs: argv['host-timeout'],
      snmpCommunity: argv.snmp ? argv['snmp-community'] : null,
      library,
      logger: log,
      signal: stop.signal,
    })) {
      summary.add(record);
      progress.add(record);
      await emit(record, toStdout, table, file);
      // Per label, the evidence behind it (stderr: stdout stays data).
      if (argv.explain) process.stderr.write(formatHostExplanation(explainRecord(library, record)));
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress.stop();
    table?.end();
    if (file) {
      file.end();
      await once(file, 'finish');
    }
    // An interrupted read of stdin would keep the process alive.
    if (interrupted && argv.input === '-') process.stdin.destroy();
  }
  if (!argv.quiet) process.stderr.write(summary.toText());
  if (resume && !argv.quiet) {
    stderr(`resumed: ${resumedSkipped} targets already had a record in ${argv.resume}`);
  }
  if (argv.summary) {
    const elapsedS = (performance.now() - t0) / 1000;
    const json = {
      ...summary.toJSON(),
      interrupted,
      resumed_skipped: resumedSkipped,
      shard: shard ? `${shard.index}/${shard.count}` : null,
      seed: shard ? shard.seed : null,
      elapsed_s: Math.round(elapsedS * 1000) / 1000,
      hosts_per_s: Math.round((summary.toJSON().total / Math.max(elapsedS, 1e-3)) * 10) / 10,
    };
    try {
      await writeFile(argv.summary, `${JSON.stringify(json, null, 2)}\n`);
    } catch (error) {
      throw new ThingscanError(
        'E_IO',
        `cannot write ${argv.summary}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (interrupted) return EXIT.interrupted;
  if (stoppedStrict) {
    stderr('thingscan scan: stopped at the first bad target line (--strict)');
    return EXIT.badTargets;
  }
  return badLines > 0 ? EXIT.badTargets : EXIT.ok;
}

/**
 * Counts what the scan will do, for the progress total: the same sources, shard and resume
 * filters, read a second time. Runs beside the scan and only on a terminal.
 */
async function countTargets(
  argv: ScanArgs,
  exclude: ExcludeList,
  shard: ShardSpec | null,
  resume: ResumeState | null,
): Promise<number> {
  const sources: TargetSource[] = [];
  if (argv.targets.length > 0) sources.push({ name: '<args>', lines: linesFromArgs(argv.targets) });
  if (argv.input && argv.input !== '-')
    sources.push({ name: argv.input, lines: linesFromFile(argv.input) });
  let n = 0;
  for await (const item of readTargets(sources, { exclude, allowLarge: argv['allow-large'] })) {
    if (item.kind !== 'target') continue;
    if (shard && !inShard(item.ip, shard)) continue;
    if (resume?.has(item.ip)) continue;
    n++;
  }
  return n;
}

async function emit(
  record: HostRecord,
  format: Format | null,
  table: TableWriter | null,
  file: WriteStream | null,
): Promise<void> {
  if (file) await writeChunk(file, `${formatNdjson(record)}\n`);
  if (format === 'ndjson') await writeChunk(process.stdout, `${formatNdjson(record)}\n`);
  else if (format === 'csv') await writeChunk(process.stdout, formatCsvRow(record));
  else if (format === 'table') table?.write(record);
}

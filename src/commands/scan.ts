/**
 * `thingscan scan`: targets in, one record per target out.
 * NDJSON to `-o FILE`, a table on a terminal, NDJSON when piped, CSV on request.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import pino from 'pino';
import { quietStackTraces } from '../engine/stacks.js';
import { resolveShardText } from '../fleet/shard-env.js';
import {
  createTableWriter,
  csvHeader,
  DEFAULT_PORT_SPEC,
  DEFAULTS,
  escapeJsonControls,
  formatCsvRow,
  formatNdjson,
  type HostRecord,
  linesFromArgs,
  linesFromFile,
  linesFromStream,
  loadExcludeList,
  loadSignatures,
  readTargets,
  Summary,
  sanitizeForTerminal,
  scan,
  type TableWriter,
  type TargetSource,
  ThingscanError,
} from '../index.js';
import { explainRecord, formatHostExplanation } from '../match/explain.js';
import { Progress } from '../output/progress.js';
import { loadResumeState, type ResumeState } from '../output/resume.js';
import type { ExcludeList } from '../targets/exclude.js';
import { INPUT_FORMATS, type InputFormat, interopTargets } from '../targets/formats/index.js';
import { inShard, parseShard, type ShardSpec } from '../targets/shard.js';
import { type CommandRegistrar, EXIT, stderr, writeChunk } from './common.js';
import { withScanTuning } from './fleet-options.js';

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
  const sources: TargetSource[] = [];
  if (argv.targets.length > 0) sources.push({ name: '<args>', lines: linesFromArgs(argv.targets) });
  if (argv.input === '-') sources.push({ name: '<stdin>', lines: linesFromStream(process.stdin) });
  else if (argv.input) sources.push({ name: argv.input, lines: linesFromFile(argv.input) });
  if (sources.length === 0) {
    stderr(
      'thingscan scan: no targets: give addresses as arguments or a list with -i FILE (or -i - for stdin)',
    );
    return EXIT.usage;
  }
  const excludeSources: TargetSource[] = [
    { name: '--exclude', lines: linesFromArgs(argv.exclude) },
  ];
  if (argv['exclude-file']) {
    excludeSources.push({ name: argv['exclude-file'], lines: linesFromFile(argv['exclude-file']) });
  }
  const excluded = await loadExcludeList(excludeSources);
  if (excluded.errors.length > 0) {
    // A mistyped exclusion must never turn into traffic to a host that asked to be left alone.
    for (const e of excluded.errors) stderr(sanitizeForTerminal(e.message));
    stderr('thingscan scan: refusing to scan with a broken exclude list');
    return EXIT.usage;
  }
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
        exclude: excluded.list,
        allowLarge: argv['allow-large'],
      })
    : readTargets(sources, { exclude: excluded.list, allowLarge: argv['allow-large'] });
  // The total is known when the list can be read twice: arguments and plain list files.
  if (progress.active && !interop && argv.input !== '-') {
    void countTargets(argv, excluded.list, shard, resume).then(
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

/** Registers `scan`. */
export const registerScan: CommandRegistrar = (parser, done) =>
  parser.command(
    'scan [targets..]',
    'scan addresses and label each host (one NDJSON record per target)',
    (y) =>
      withScanTuning(y)
        .positional('targets', {
          type: 'string',
          array: true,
          default: [],
          describe: 'addresses, CIDRs (192.0.2.0/24) or ranges (192.0.2.1-20)',
        })
        .option('input', {
          alias: 'i',
          type: 'string',
          describe: 'file with one target per line (- for stdin); # comments allowed',
        })
        .option('input-format', {
          type: 'string',
          choices: INPUT_FORMATS,
          default: 'auto' as InputFormat,
          describe:
            'format of -i: list, csv, nmap-xml, masscan-json, masscan-list, zmap-csv (auto sniffs); open ports the tool found are the ports scanned',
        })
        .option('ip-column', {
          type: 'string',
          describe: 'CSV input: name of the address column (default: ip, address, saddr …)',
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'write NDJSON records to FILE (- for stdout)',
        })
        .option('format', {
          type: 'string',
          choices: ['ndjson', 'table', 'csv'] as const,
          describe: 'stdout format (default: table on a terminal, NDJSON otherwise)',
        })
        .option('ports', {
          type: 'string',
          default: DEFAULT_PORT_SPEC,
          describe:
            "ports in Nmap syntax ('21-25,80,8080,U:161,T:2323') or presets: iot, mail, all-common (mixable: 'iot,8888')",
        })
        .option('probes', {
          type: 'string',
          describe: 'comma-separated probes to use (telnet,ssh,smtp,ftp,http,snmp)',
        })
        .option('rate', {
          type: 'number',
          default: DEFAULTS.rate,
          describe: 'new connections per second, whole scan',
        })
        .option('concurrency', {
          type: 'number',
          default: DEFAULTS.concurrency,
          describe: 'hosts scanned at once',
        })
        .option('followups', {
          type: 'boolean',
          default: true,
          describe:
            "HTTP follow-up GETs (at most 2 per port) after a signature's vendor evidence fired (--no-followups: none)",
        })
        .option('threads', {
          type: 'number',
          default: DEFAULTS.threads,
          describe: 'scan threads (cores); hosts in flight and --rate are split between them',
        })
        .option('exclude', {
          type: 'string',
          array: true,
          default: [],
          describe: 'addresses/CIDRs never to contact (they get status "excluded")',
        })
        .option('exclude-file', {
          type: 'string',
          describe: 'file of addresses/CIDRs never to contact',
        })
        .option('snmp-community', {
          type: 'string',
          default: 'public',
          describe: 'SNMP read community for system info',
        })
        .option('snmp', {
          type: 'boolean',
          default: true,
          describe: 'community-based SNMP (--no-snmp switches it off)',
        })
        .option('signatures', {
          type: 'string',
          describe: 'signature library folder (default: the bundled one)',
        })
        .option('log-level', {
          type: 'string',
          default: 'warn',
          choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
        })
        .option('allow-large', {
          type: 'boolean',
          default: false,
          describe: `allow CIDRs/ranges over ${DEFAULTS.maxExpand} addresses`,
        })
        .option('strict', {
          type: 'boolean',
          default: false,
          describe: 'stop at the first bad target line',
        })
        .option('quiet', {
          alias: 'q',
          type: 'boolean',
          default: false,
          describe: 'no summary and no progress on stderr',
        })
        .option('resume', {
          type: 'string',
          describe:
            'NDJSON FILE of an earlier run: skip targets that have a record there, append the rest to it',
        })
        .option('shard', {
          type: 'string',
          describe:
            'scan only shard i of n (i/n, 1-based): n machines with the same --seed cover a list once',
        })
        .option('seed', {
          type: 'number',
          default: 0,
          describe: 'seed of the --shard hash (the same on every machine)',
        })
        .option('explain', {
          type: 'boolean',
          default: false,
          describe: 'after each record, print on stderr the evidence behind each label',
        })
        .option('summary', {
          type: 'string',
          describe: 'write the end-of-scan summary as JSON to FILE',
        })
        .example('$0 scan 192.0.2.7 198.51.100.0/29', 'scan a few addresses, table on a terminal')
        .example('$0 scan -i suspects.txt -o out.ndjson', 'scan a list, write NDJSON records')
        .example('$0 scan -i suspects.txt --resume out.ndjson', 'continue an interrupted scan')
        .example(
          '$0 scan -i suspects.txt --shard 2/3 --seed 7 -o part2.ndjson',
          'the second of three machines',
        )
        .example(
          "$0 scan --ports '23,2323,8023,U:161' --no-snmp -i -",
          'targets from stdin, telnet ports, no SNMP',
        ),
    async (argv) => done(await runScan(argv as unknown as ScanArgs)),
  );

#!/usr/bin/env node
/**
 * The command line: one consumer of the public API in `index.ts`.
 * stdout is data (NDJSON, table or CSV), stderr is talk (logs, bad lines, summary).
 * Ends with `process.exitCode`, never `process.exit()`, so pending output is flushed.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import pino from 'pino';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  createTableWriter,
  DEFAULT_PORT_SPEC,
  DEFAULTS,
  formatCsvRow,
  csvHeader,
  formatNdjson,
  type HostRecord,
  identifyServices,
  isSignatureError,
  isThingscanError,
  linesFromArgs,
  linesFromFile,
  linesFromStream,
  loadExcludeList,
  loadSignatures,
  readTargets,
  type RunningLab,
  sanitizeForTerminal,
  scan,
  selfTest,
  servicesFromFields,
  startLab,
  Summary,
  type TargetSource,
  ThingscanError,
} from './index.js';
import { packageVersion } from './paths.js';

/** Exit codes, also listed in `--help`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  badTargets: 3,
  signatures: 4,
  interrupted: 130,
} as const;

const EXIT_HELP = `Exit codes:
  0    success
  1    runtime failure (I/O error, internal error)
  2    usage error (bad flag or value)
  3    scan finished but some target lines were bad (each named as FILE:LINE on stderr);
       with --strict the scan stops at the first bad line
  4    signature library failed to load or its self-test failed
  130  interrupted (SIGINT/SIGTERM); records of finished hosts are written`;

const stderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

type Format = 'ndjson' | 'table' | 'csv';

interface ScanArgs {
  targets: string[];
  input?: string;
  output?: string;
  format?: Format;
  ports: string;
  probes?: string;
  rate: number;
  concurrency: number;
  'per-host': number;
  'connect-timeout': number;
  'read-timeout': number;
  'banner-wait': number;
  'host-timeout': number;
  exclude: string[];
  'exclude-file'?: string;
  'snmp-community': string;
  snmp: boolean;
  signatures?: string;
  'log-level': string;
  'allow-large': boolean;
  strict: boolean;
  quiet: boolean;
}

async function writeChunk(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function runScan(argv: ScanArgs): Promise<number> {
  const log = pino({ level: argv['log-level'], base: null }, pino.destination(2));
  const sources: TargetSource[] = [];
  if (argv.targets.length > 0) sources.push({ name: '<args>', lines: linesFromArgs(argv.targets) });
  if (argv.input === '-') sources.push({ name: '<stdin>', lines: linesFromStream(process.stdin) });
  else if (argv.input) sources.push({ name: argv.input, lines: linesFromFile(argv.input) });
  if (sources.length === 0) {
    stderr('thingscan scan: no targets: give addresses as arguments or a list with -i FILE (or -i - for stdin)');
    return EXIT.usage;
  }
  const excludeSources: TargetSource[] = [{ name: '--exclude', lines: linesFromArgs(argv.exclude) }];
  if (argv['exclude-file']) {
    excludeSources.push({ name: argv['exclude-file'], lines: linesFromFile(argv['exclude-file']) });
  }
  const excluded = await loadExcludeList(excludeSources);
  if (excluded.errors.length > 0) {
    // A mistyped exclusion must never turn into traffic to a host that asked to be left alone.
    for (const e of excluded.errors) stderr(e.message);
    stderr('thingscan scan: refusing to scan with a broken exclude list');
    return EXIT.usage;
  }
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});

  const stdoutTty = process.stdout.isTTY === true;
  const format: Format | null = argv.format ?? (argv.output ? (stdoutTty ? 'table' : null) : stdoutTty ? 'table' : 'ndjson');
  const color = stdoutTty && !process.env['NO_COLOR'];
  let file: WriteStream | null = null;
  if (argv.output && argv.output !== '-') {
    file = createWriteStream(argv.output, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      file?.once('open', () => resolve());
      file?.once('error', (e) => reject(new ThingscanError('E_IO', `cannot write ${argv.output}: ${e.message}`)));
    });
  }
  const table =
    format === 'table'
      ? createTableWriter((s) => process.stdout.write(s), {
          color,
          width: process.stdout.columns,
        })
      : null;
  if (format === 'csv') await writeChunk(process.stdout, `${csvHeader()}\n`);

  const summary = new Summary();
  let badLines = 0;
  let firstBad: string | null = null;
  const stop = new AbortController();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    stderr(`thingscan: ${sig}: stopping, finishing hosts in flight`);
    stop.abort(new Error(sig));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const items = readTargets(sources, {
    exclude: excluded.list,
    allowLarge: argv['allow-large'],
  });
  const strictItems = async function* () {
    for await (const item of items) {
      if (item.kind === 'error') {
        badLines++;
        summary.addTargetError(item.error);
        stderr(sanitizeForTerminal(item.error.message));
        if (argv.strict) {
          firstBad = item.error.message;
          return;
        }
        continue;
      }
      yield item;
    }
  };
  try {
    for await (const record of scan(strictItems(), {
      ports: argv.ports,
      ...(argv.probes ? { probes: argv.probes.split(',').map((s) => s.trim()) } : {}),
      rate: argv.rate,
      concurrency: argv.concurrency,
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
      await emit(record, format, table, file);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    table?.end();
    if (file) {
      file.end();
      await once(file, 'finish');
    }
  }
  if (!argv.quiet) stderr(summary.toText());
  if (interrupted) return EXIT.interrupted;
  if (firstBad) {
    stderr('thingscan scan: stopped at the first bad target line (--strict)');
    return EXIT.badTargets;
  }
  return badLines > 0 ? EXIT.badTargets : EXIT.ok;
}

async function emit(
  record: HostRecord,
  format: Format | null,
  table: ReturnType<typeof createTableWriter> | null,
  file: WriteStream | null,
): Promise<void> {
  const line = `${formatNdjson(record)}\n`;
  if (file) await writeChunk(file, line);
  if (format === 'ndjson') await writeChunk(process.stdout, line);
  else if (format === 'csv') await writeChunk(process.stdout, `${formatCsvRow(record)}\n`);
  else if (format === 'table') table?.write(record);
}

async function runLab(argv: { prefix: string; 'port-offset': string }): Promise<number> {
  const offset = argv['port-offset'] === 'auto' ? 'auto' : Number(argv['port-offset']);
  if (offset !== 'auto' && !(Number.isInteger(offset) && offset >= 0)) {
    stderr(`thingscan lab: --port-offset must be 'auto' or a non-negative integer`);
    return EXIT.usage;
  }
  const lab = await startLab({ prefix: argv.prefix, portOffset: offset });
  process.stdout.write(labTable(lab));
  process.stdout.write(
    `\nScan it with:\n  npx thingscan scan --ports '${lab.portSpec()}' ${lab.targets().join(' ')}\n\nCtrl-C stops the lab.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await lab.close();
  return EXIT.ok;
}

/** The lab's address table, one persona per line. */
export function labTable(lab: RunningLab): string {
  const rows = lab.hosts.map((h) => {
    const expected = h.expected.class
      ? `${h.expected.class}${h.expected.vendor_id ? ` / ${h.expected.vendor_id}` : ''}`
      : '(nothing to identify)';
    const ports = h.services.map((s) => `${s.port}/${s.transport === 'udp' ? 'udp ' : ''}${s.protocol}`).join(' ');
    return `${h.address.padEnd(15)} ${h.id.padEnd(18)} ${expected.padEnd(30)} ${ports}`;
  });
  return `${'ADDRESS'.padEnd(15)} ${'PERSONA'.padEnd(18)} ${'EXPECTED'.padEnd(30)} PORTS\n${rows.join('\n')}\n`;
}

function runSigTest(argv: { signatures?: string | undefined; path?: string | undefined }): number {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  const report = selfTest(library, argv.path);
  for (const f of report.failures) stderr(`${f.file}:${f.line}: ${f.signature}: ${f.message}`);
  const verdict = report.failures.length === 0 ? 'ok' : `${report.failures.length} failure(s)`;
  stderr(
    `sig test: ${report.signatures} signatures, ${report.examples} examples, ${report.counterexamples} counterexamples, ${report.negatives} generic banners: ${verdict}`,
  );
  return report.failures.length === 0 ? EXIT.ok : EXIT.signatures;
}

function runSigLint(argv: { signatures?: string | undefined }): number {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  stderr(`sig lint: ${library.signatures.length} signatures, ${library.vendors.size} vendors: ok`);
  return EXIT.ok;
}

async function runIdentify(argv: { protocol?: string | undefined; field?: string | undefined; signatures?: string | undefined; explain: boolean }): Promise<number> {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > DEFAULTS.maxBytes) break;
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('latin1').replace(/\r?\n$/, '');
  const fields: Record<string, string> = {};
  const protocol = argv.protocol ?? 'telnet';
  const field = argv.field ?? DEFAULT_FIELD[protocol];
  if (!field) {
    stderr(`thingscan identify: no default field for protocol '${protocol}'; pass --field`);
    return EXIT.usage;
  }
  fields[field] = text;
  if (field === 'ssh.ident') {
    const m = /^SSH-[\d.]+-(\S+)(?: (.*))?/.exec(text);
    if (m?.[1]) fields['ssh.software'] = m[1];
    if (m?.[2]) fields['ssh.comment'] = m[2];
  }
  const result = identifyServices(library, servicesFromFields(fields), { includePartial: argv.explain });
  process.stdout.write(`${JSON.stringify({ device: result.device, alternatives: result.alternatives, services: result.services })}\n`);
  if (argv.explain) {
    for (const hit of result.hits) {
      stderr(`${hit.fires ? 'FIRES' : 'below'} ${hit.signature.id} score ${hit.score} (min ${hit.signature.minScore})`);
      for (const f of hit.fired) {
        stderr(`  ${f.item.id}: ${f.item.field} ${f.item.kind} ${JSON.stringify(f.item.pattern)} weight ${f.item.weight} on ${JSON.stringify(sanitizeForTerminal(f.value.slice(0, 120)))}`);
      }
    }
  }
  return EXIT.ok;
}

const DEFAULT_FIELD: Record<string, string> = {
  telnet: 'telnet.banner',
  ssh: 'ssh.ident',
  smtp: 'smtp.greeting',
  ftp: 'ftp.greeting',
  http: 'http.server',
  snmp: 'snmp.sysDescr',
};

async function main(): Promise<number> {
  let code: number = EXIT.ok;
  const parser = yargs(hideBin(process.argv))
    .scriptName('thingscan')
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'name a command: scan, lab, identify or sig')
    .epilogue(EXIT_HELP)
    .command(
      'scan [targets..]',
      'scan addresses and label each host (one NDJSON record per target)',
      (y) =>
        y
          .positional('targets', { type: 'string', array: true, default: [], describe: 'addresses, CIDRs (192.0.2.0/24) or ranges (192.0.2.1-20)' })
          .option('input', { alias: 'i', type: 'string', describe: 'file with one target per line (- for stdin); # comments allowed' })
          .option('output', { alias: 'o', type: 'string', describe: 'write NDJSON records to FILE' })
          .option('format', { type: 'string', choices: ['ndjson', 'table', 'csv'] as const, describe: 'stdout format (default: table on a terminal, NDJSON otherwise)' })
          .option('ports', { type: 'string', default: DEFAULT_PORT_SPEC, describe: "ports in Nmap syntax, e.g. '21-25,80,8080,U:161,T:2323'" })
          .option('probes', { type: 'string', describe: 'comma-separated probes to use (telnet,ssh,smtp,ftp,http,snmp)' })
          .option('rate', { type: 'number', default: DEFAULTS.rate, describe: 'new connections per second, whole scan' })
          .option('concurrency', { type: 'number', default: DEFAULTS.concurrency, describe: 'hosts scanned at once' })
          .option('per-host', { type: 'number', default: DEFAULTS.perHost, describe: 'connections in flight per host' })
          .option('connect-timeout', { type: 'number', default: DEFAULTS.connectTimeoutMs, describe: 'TCP handshake deadline, ms' })
          .option('read-timeout', { type: 'number', default: DEFAULTS.readTimeoutMs, describe: 'deadline of each read, ms' })
          .option('banner-wait', { type: 'number', default: DEFAULTS.bannerWaitMs, describe: 'wait for a volunteered banner on unknown ports, ms' })
          .option('host-timeout', { type: 'number', default: DEFAULTS.hostTimeoutMs, describe: 'whole-host deadline, ms' })
          .option('exclude', { type: 'string', array: true, default: [], describe: 'addresses/CIDRs never to contact (they get status "excluded")' })
          .option('exclude-file', { type: 'string', describe: 'file of addresses/CIDRs never to contact' })
          .option('snmp-community', { type: 'string', default: 'public', describe: 'SNMP read community for system info' })
          .option('snmp', { type: 'boolean', default: true, describe: 'community-based SNMP (use --no-snmp to switch off)' })
          .option('signatures', { type: 'string', describe: 'signature library folder (default: the bundled one)' })
          .option('log-level', { type: 'string', default: 'warn', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] })
          .option('allow-large', { type: 'boolean', default: false, describe: `allow CIDRs/ranges over ${DEFAULTS.maxExpand} addresses` })
          .option('strict', { type: 'boolean', default: false, describe: 'stop at the first bad target line' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no summary on stderr' })
          .example('$0 scan 192.0.2.7 198.51.100.0/29', 'scan a few addresses, table on a terminal')
          .example('$0 scan -i suspects.txt -o out.ndjson', 'scan a list, write NDJSON records')
          .example("$0 scan --ports '23,2323,8023,U:161' --no-snmp -i -", 'targets from stdin, telnet only ports, no SNMP'),
      async (argv) => {
        code = await runScan(argv as unknown as ScanArgs);
      },
    )
    .command(
      'lab',
      'start the loopback device lab and print its address table (Ctrl-C stops it)',
      (y) =>
        y
          .option('prefix', { type: 'string', default: '127.77.0', describe: 'first three octets of the loopback addresses' })
          .option('port-offset', { type: 'string', default: 'auto', describe: "'auto' (standard ports when allowed) or a number added to every port" }),
      async (argv) => {
        code = await runLab(argv);
      },
    )
    .command(
      'identify',
      'label a banner read from stdin, offline',
      (y) =>
        y
          .option('protocol', { type: 'string', choices: Object.keys(DEFAULT_FIELD), default: 'telnet' })
          .option('field', { type: 'string', describe: 'probe field the banner is (default per protocol)' })
          .option('signatures', { type: 'string' })
          .option('explain', { type: 'boolean', default: false, describe: 'list the evidence behind each label on stderr' })
          .example("$0 identify --protocol ssh <<< 'SSH-2.0-dropbear_2019.78'", 'name the software and device class'),
      async (argv) => {
        code = await runIdentify(argv);
      },
    )
    .command('sig', 'signature library tools', (y) =>
      y
        .command(
          'test [path]',
          'run every example, counterexample and the generic-banner corpus against the whole library',
          (z) => z.positional('path', { type: 'string' }).option('signatures', { type: 'string' }),
          (argv) => {
            code = runSigTest(argv);
          },
        )
        .command(
          'lint',
          'load and validate the library (schema, vocabularies, regex dialect)',
          (z) => z.option('signatures', { type: 'string' }),
          (argv) => {
            code = runSigLint(argv);
          },
        )
        .demandCommand(1, 'name a sig command: test or lint'),
    )
    .fail((message, error, y) => {
      if (error) throw error;
      y.showHelp('error');
      stderr(`\n${message}`);
      code = EXIT.usage;
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (isSignatureError(error)) {
      stderr(error.message);
      return EXIT.signatures;
    }
    if (isThingscanError(error)) {
      stderr(`thingscan: ${error.message}`);
      return error.code === 'E_USAGE' || error.code === 'E_TARGET' ? EXIT.usage : EXIT.failure;
    }
    stderr(`thingscan: internal error: ${(error as Error)?.stack ?? String(error)}`);
    return EXIT.failure;
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    stderr(`thingscan: ${String(error)}`);
    process.exitCode = EXIT.failure;
  },
);

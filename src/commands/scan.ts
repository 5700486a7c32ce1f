/**
 * `thingscan scan`: targets in, one record per target out.
 * NDJSON to `-o FILE`, a table on a terminal, NDJSON when piped, CSV on request.
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `scan-run.ts`, imported by the handler.
 */
import { DEFAULT_PORT_SPEC, DEFAULTS } from '../engine/defaults.js';
import { INPUT_FORMATS, type InputFormat } from '../targets/formats/names.js';
import type { CommandRegistrar } from './common.js';
import { withScanTuning } from './fleet-options.js';
import type { ScanArgs } from './scan-run.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./scan-run.js');

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
    async (argv) => done(await (await run()).runScan(argv as unknown as ScanArgs)),
  );

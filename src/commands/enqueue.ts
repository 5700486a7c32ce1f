/**
 * `thingscan enqueue`: targets in, batches onto the fleet's queue (docs/fleet.md).
 * Prints the scan id on stdout (for `collect`); talk goes to stderr.
 * `--retry-failed --scan-id ID` puts the scan's batches that failed for good back instead.
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `enqueue-run.ts`, imported by the handler.
 */
import { DEFAULT_PORT_SPEC, DEFAULTS } from '../engine/defaults.js';
import { DEFAULT_BATCH } from '../fleet/defaults.js';
import type { CommandRegistrar } from './common.js';
import type { EnqueueArgs } from './enqueue-run.js';
import { withFleetConnection, withScanTuning } from './fleet-options.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./enqueue-run.js');

/** Registers `enqueue`. */
export const registerEnqueue: CommandRegistrar = (parser, done) =>
  parser.command(
    'enqueue [targets..]',
    'push targets in batches onto the Redis queue of a worker fleet (prints the scan id)',
    (y) =>
      withScanTuning(withFleetConnection(y))
        .positional('targets', {
          type: 'string',
          array: true,
          default: [],
          describe: 'addresses, CIDRs or ranges',
        })
        .option('input', {
          alias: 'i',
          type: 'string',
          describe: 'file with one target per line (- for stdin)',
        })
        .option('scan-id', {
          type: 'string',
          describe: 'id of this scan (default: generated); the same id again adds nothing twice',
        })
        .option('rescan-after', {
          type: 'string',
          default: '24h',
          describe: 'skip addresses any scan covered within this time (0 = never skip)',
        })
        .option('batch', {
          type: 'number',
          default: DEFAULT_BATCH,
          describe: 'addresses per queue job',
        })
        .option('ports', {
          type: 'string',
          default: DEFAULT_PORT_SPEC,
          describe: 'ports in Nmap syntax or a preset name',
        })
        .option('probes', { type: 'string', describe: 'comma-separated probes to use' })
        .option('rate', {
          type: 'number',
          default: DEFAULTS.rate,
          describe: 'new connections per second for the whole fleet',
        })
        .option('burst', {
          type: 'number',
          describe: 'fleet connection-bucket size (default rate/10)',
        })
        .option('host-concurrency', {
          type: 'number',
          describe: 'hosts of one batch scanned at once (default min(batch, 128))',
        })
        .option('exclude', {
          type: 'string',
          array: true,
          default: [],
          describe: 'addresses/CIDRs never to contact',
        })
        .option('exclude-file', {
          type: 'string',
          describe: 'file of addresses/CIDRs never to contact',
        })
        .option('snmp-community', {
          type: 'string',
          default: 'public',
          describe: 'SNMP read community',
        })
        .option('snmp', {
          type: 'boolean',
          default: true,
          describe: 'community-based SNMP (--no-snmp switches it off)',
        })
        .option('allow-large', {
          type: 'boolean',
          default: false,
          describe: `allow CIDRs/ranges over ${DEFAULTS.maxExpand} addresses`,
        })
        .option('retry-failed', {
          type: 'boolean',
          default: false,
          describe:
            'instead of reading targets, put the batches of --scan-id that failed for good back in the queue',
        })
        .option('quiet', {
          alias: 'q',
          type: 'boolean',
          default: false,
          describe: 'no summary on stderr',
        })
        .example(
          '$0 enqueue -i suspects.txt --redis redis://127.0.0.1:6379 --scan-id mon',
          'queue a list as scan "mon"',
        )
        .example(
          '$0 enqueue --retry-failed --scan-id mon --redis redis://127.0.0.1:6379',
          'retry the batches of scan "mon" that failed for good (collect names them)',
        ),
    async (argv) => done(await (await run()).runEnqueue(argv as unknown as EnqueueArgs)),
  );

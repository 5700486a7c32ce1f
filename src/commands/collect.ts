/**
 * `thingscan collect`: a scan's records from the fleet's Redis stream to NDJSON, one line
 * per target, with progress (done/enqueued, batches failed for good) on stderr. Exits 1
 * when a batch failed for good, and says how to re-enqueue it.
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `collect-run.ts`, imported by the handler.
 */

import type { CollectArgs } from './collect-run.js';
import type { CommandRegistrar } from './common.js';
import { withFleetConnection } from './fleet-options.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./collect-run.js');

/** Registers `collect`. */
export const registerCollect: CommandRegistrar = (parser, done) =>
  parser.command(
    'collect',
    "write a fleet scan's records (Redis stream) as NDJSON, one line per target",
    (y) =>
      withFleetConnection(y)
        .option('scan-id', {
          type: 'string',
          demandOption: true,
          describe: 'the id `enqueue` printed',
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'write NDJSON to FILE (default stdout)',
        })
        .option('follow', {
          alias: 'f',
          type: 'boolean',
          default: false,
          describe:
            'wait until every enqueued target has its record (or is in a batch that failed for good)',
        })
        .option('quiet', {
          alias: 'q',
          type: 'boolean',
          default: false,
          describe: 'no progress on stderr',
        }),
    async (argv) => done(await (await run()).runCollect(argv as unknown as CollectArgs)),
  );

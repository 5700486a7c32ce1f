/**
 * `thingscan worker`: consume batches from the fleet's queue until SIGTERM/SIGINT
 * (docs/fleet.md). Records go to the scan's Redis stream, optionally also to -o FILE.
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `worker-run.ts`, imported by the handler.
 */
import { WORKER_DEFAULTS } from '../fleet/defaults.js';
import type { CommandRegistrar } from './common.js';
import { withFleetConnection } from './fleet-options.js';
import type { WorkerArgs } from './worker-run.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./worker-run.js');

/** Registers `worker`. */
export const registerWorker: CommandRegistrar = (parser, done) =>
  parser.command(
    'worker',
    'scan batches from the Redis queue of a worker fleet until SIGTERM',
    (y) =>
      withFleetConnection(y)
        .option('concurrency', {
          type: 'number',
          default: WORKER_DEFAULTS.concurrency,
          describe: 'batches scanned at once',
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'also append each record written to this NDJSON FILE',
        })
        .option('signatures', {
          type: 'string',
          describe: 'signature library folder (default: the bundled one)',
        })
        .option('log-level', {
          type: 'string',
          default: 'info',
          choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
        })
        .option('lock-duration', {
          type: 'number',
          default: WORKER_DEFAULTS.lockDurationMs,
          describe: 'batch lock lifetime, ms (a dead worker is noticed after about this)',
        })
        .option('stalled-interval', {
          type: 'number',
          default: WORKER_DEFAULTS.stalledIntervalMs,
          describe: 'how often to look for batches of dead workers, ms',
        })
        .option('redis-grace', {
          type: 'number',
          default: WORKER_DEFAULTS.redisGraceMs,
          describe: 'give up when Redis is unreachable this long, ms',
        }),
    async (argv) => done(await (await run()).runWorker(argv as unknown as WorkerArgs)),
  );

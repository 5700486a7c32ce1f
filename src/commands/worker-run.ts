/**
 * `thingscan worker`: consume batches from the fleet's queue until SIGTERM/SIGINT
 * (docs/fleet.md). Records go to the scan's Redis stream, optionally also to -o FILE.
 *
 * The implementation: `worker.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import pino from 'pino';
import { quietStackTraces } from '../engine/stacks.js';
import { ThingscanError } from '../errors.js';
import type { FleetWorker } from '../fleet/worker.js';
import { escapeJsonControls } from '../output/ndjson.js';
import { loadSignatures } from '../signatures/loader.js';
import { EXIT, stderr, writeChunk } from './common.js';

export interface WorkerArgs {
  redis: string;
  prefix: string;
  concurrency: number;
  output?: string | undefined;
  signatures?: string | undefined;
  'log-level': string;
  'lock-duration': number;
  'stalled-interval': number;
  'redis-grace': number;
}

export async function runWorker(argv: WorkerArgs): Promise<number> {
  for (const [flag, v] of [
    ['--concurrency', argv.concurrency],
    ['--lock-duration', argv['lock-duration']],
    ['--stalled-interval', argv['stalled-interval']],
    ['--redis-grace', argv['redis-grace']],
  ] as const) {
    if (!(Number.isInteger(v) && v > 0))
      throw new ThingscanError('E_USAGE', `${flag} must be a positive integer`);
  }
  quietStackTraces(argv['log-level']);
  const log = pino(
    { level: argv['log-level'], base: null, hooks: { streamWrite: escapeJsonControls } },
    pino.destination(2),
  );
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  let file: WriteStream | null = null;
  if (argv.output) {
    const path = argv.output;
    // Append: a restarted worker keeps what it wrote before.
    const stream = createWriteStream(path, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e) =>
        reject(new ThingscanError('E_IO', `cannot write ${path}: ${e.message}`)),
      );
    });
    file = stream;
  }
  const sink = file;
  let worker: FleetWorker;
  try {
    // Loaded here: other commands need not load the queue library.
    const { startFleetWorker } = await import('../fleet/index.js');
    worker = await startFleetWorker({
      url: argv.redis,
      prefix: argv.prefix,
      concurrency: argv.concurrency,
      lockDurationMs: argv['lock-duration'],
      stalledIntervalMs: argv['stalled-interval'],
      redisGraceMs: argv['redis-grace'],
      library,
      logger: log,
      ...(sink ? { sink: (line: string) => writeChunk(sink, `${line}\n`) } : {}),
    });
  } catch (error) {
    file?.end();
    throw error;
  }
  log.info({ event: 'worker-ready', pid: process.pid }, 'worker ready');
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      stderr(`thingscan worker: ${sig}: finishing batches in flight (again to stop now)`);
      void worker.stop();
    } else {
      stderr(
        `thingscan worker: ${sig}: stopping now; batches in flight are retried by other workers`,
      );
      void worker.kill();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const end = await worker.ended;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (file) {
    file.end();
    await once(file, 'finish');
  }
  if (end.kind === 'redis-lost') {
    stderr(`thingscan worker: ${end.error.message}`);
    return EXIT.failure;
  }
  stderr(`thingscan worker: stopped after ${end.records} records in ${end.batches} batches`);
  return EXIT.ok;
}

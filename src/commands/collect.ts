/**
 * `thingscan collect`: a scan's records from the fleet's Redis stream to NDJSON, one line
 * per target, with progress (records/enqueued) on stderr.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { CollectProgress } from '../fleet/collect.js';
import { checkScanId } from '../fleet/keys.js';
import { ThingscanError } from '../index.js';
import { type CommandRegistrar, EXIT, stderr, writeChunk } from './common.js';
import { withFleetConnection } from './fleet-options.js';

interface CollectArgs {
  redis: string;
  prefix: string;
  'scan-id': string;
  output?: string | undefined;
  follow: boolean;
  quiet: boolean;
}

function describe(scanId: string, p: CollectProgress): string {
  return `collect: scan ${scanId}: ${p.collected} records collected, ${p.done}/${p.enqueued} done${p.sealed ? '' : ' (enqueue still running)'}`;
}

async function runCollect(argv: CollectArgs): Promise<number> {
  const scanId = checkScanId(argv['scan-id']);
  let file: WriteStream | null = null;
  if (argv.output && argv.output !== '-') {
    const path = argv.output;
    const stream = createWriteStream(path, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e) =>
        reject(new ThingscanError('E_IO', `cannot write ${path}: ${e.message}`)),
      );
    });
    file = stream;
  }
  const out: NodeJS.WritableStream = file ?? process.stdout;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let lastReport = 0;
  let lastText = '';
  let final: CollectProgress;
  // Loaded here: other commands need not load the Redis client.
  const { collectRecords, connectRedis } = await import('../fleet/index.js');
  const redis = await connectRedis(argv.redis, 'fail-fast').catch((error: unknown) => {
    file?.end();
    throw error;
  });
  try {
    final = await collectRecords({
      redis,
      prefix: argv.prefix,
      scanId,
      follow: argv.follow,
      signal: stop.signal,
      write: (line) => writeChunk(out, `${line}\n`),
      onProgress: (p) => {
        const text = describe(scanId, p);
        // While following, a line per second at most, and only when something changed.
        if (argv.quiet || !argv.follow || text === lastText || Date.now() - lastReport < 1_000)
          return;
        lastReport = Date.now();
        lastText = text;
        stderr(text);
      },
    });
  } catch (error) {
    if (error instanceof ThingscanError) throw error;
    throw new ThingscanError(
      'E_IO',
      `Redis failed while collecting scan ${scanId}: ${(error as Error)?.message ?? String(error)} (records stay in Redis: run collect again)`,
      { cause: error },
    );
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    redis.disconnect();
    if (file) {
      file.end();
      await once(file, 'finish');
    }
  }
  if (!argv.quiet) stderr(describe(scanId, final));
  if (final.enqueued === 0 && final.collected === 0 && !argv.quiet)
    stderr(`collect: nothing is known about scan ${scanId} under prefix '${argv.prefix}'`);
  return stop.signal.aborted ? EXIT.interrupted : EXIT.ok;
}

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
          describe: 'wait until every enqueued target has its record',
        })
        .option('quiet', {
          alias: 'q',
          type: 'boolean',
          default: false,
          describe: 'no progress on stderr',
        }),
    async (argv) => done(await runCollect(argv as unknown as CollectArgs)),
  );

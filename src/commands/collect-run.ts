/**
 * `thingscan collect`: a scan's records from the fleet's Redis stream to NDJSON, one line
 * per target, with progress (done/enqueued, batches failed for good) on stderr. Exits 1
 * when a batch failed for good, and says how to re-enqueue it.
 *
 * The implementation: `collect.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { ThingscanError } from '../errors.js';
import type { CollectProgress } from '../fleet/collect.js';
import { checkScanId, DEFAULT_PREFIX } from '../fleet/keys.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { EXIT, stderr, writeChunk } from './common.js';

export interface CollectArgs {
  redis: string;
  prefix: string;
  'scan-id': string;
  output?: string | undefined;
  follow: boolean;
  quiet: boolean;
}

function describe(scanId: string, p: CollectProgress): string {
  const failed =
    p.failed.length > 0
      ? `, ${p.failed.length} batch${p.failed.length === 1 ? '' : 'es'} failed for good (${p.failedTargets} targets without a record)`
      : '';
  return `collect: scan ${scanId}: ${p.collected} records collected, ${p.done}/${p.enqueued} done${failed}${p.sealed ? '' : ' (enqueue still running)'}`;
}

/** Most failed batches named one by one at the end. */
const NAMED_FAILURES = 5;

/** What to say when batches failed for good: which, why, and the command that retries them. */
function describeFailures(
  argv: CollectArgs,
  scanId: string,
  p: CollectProgress,
  redis: string,
): string[] {
  const lines = p.failed
    .slice(0, NAMED_FAILURES)
    .map(
      (f) =>
        `collect: batch ${f.jobId} failed for good (${f.missing} targets without a record): ${sanitizeForTerminal(f.reason.slice(0, 200)) || 'no reason recorded'}`,
    );
  if (p.failed.length > NAMED_FAILURES)
    lines.push(`collect: … and ${p.failed.length - NAMED_FAILURES} more failed batches`);
  const prefix = argv.prefix === DEFAULT_PREFIX ? '' : ` --prefix ${argv.prefix}`;
  lines.push(
    `collect: re-enqueue them (records already written are kept, none is duplicated): thingscan enqueue --retry-failed --scan-id ${scanId} --redis ${redis}${prefix}`,
  );
  return lines;
}

export async function runCollect(argv: CollectArgs): Promise<number> {
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
  const { collectRecords, connectRedis, redactUrl } = await import('../fleet/index.js');
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
  if (stop.signal.aborted) return EXIT.interrupted;
  // Never silent: a failed batch is reported even with --quiet, and fails the command.
  if (final.failed.length > 0) {
    for (const line of describeFailures(argv, scanId, final, redactUrl(argv.redis))) stderr(line);
    return EXIT.failure;
  }
  return EXIT.ok;
}

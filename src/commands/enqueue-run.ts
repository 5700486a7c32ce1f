/**
 * `thingscan enqueue`: targets in, batches onto the fleet's queue (docs/fleet.md).
 * Prints the scan id on stdout (for `collect`); talk goes to stderr.
 * `--retry-failed --scan-id ID` puts the scan's batches that failed for good back instead.
 *
 * The implementation: `enqueue.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { randomBytes } from 'node:crypto';
import { PROBES } from '../../probes/index.js';
import { DEFAULTS } from '../engine/defaults.js';
import { parsePortSpec } from '../engine/ports.js';
import { ThingscanError } from '../errors.js';
import { parseDuration } from '../fleet/duration.js';
import type { FleetScanSettings } from '../fleet/jobs.js';
import { checkScanId } from '../fleet/keys.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { readTargets } from '../targets/read.js';
import { EXIT, stderr } from './common.js';
import { openTargetArgs } from './target-args.js';

export interface EnqueueArgs {
  targets: string[];
  input?: string | undefined;
  redis: string;
  prefix: string;
  'scan-id'?: string | undefined;
  'rescan-after': string;
  batch: number;
  ports: string;
  probes?: string | undefined;
  rate: number;
  burst?: number | undefined;
  'per-host': number;
  'host-concurrency'?: number | undefined;
  'connect-timeout': number;
  'read-timeout': number;
  'banner-wait': number;
  'host-timeout': number;
  exclude: string[];
  'exclude-file'?: string | undefined;
  'snmp-community': string;
  snmp: boolean;
  'allow-large': boolean;
  'retry-failed': boolean;
  quiet: boolean;
}

function usage(message: string): never {
  throw new ThingscanError('E_USAGE', message);
}

/** Checks the flags and turns them into the settings every batch carries. */
function settingsOf(argv: EnqueueArgs, rescanAfterS: number): FleetScanSettings {
  parsePortSpec(argv.ports);
  const probes = argv.probes ? argv.probes.split(',').map((p) => p.trim()) : null;
  for (const p of probes ?? []) {
    if (!PROBES.some((known) => known.name === p))
      usage(`unknown probe '${p}' (known: ${PROBES.map((k) => k.name).join(', ')})`);
  }
  const positive = (v: number | undefined, flag: string): number => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) usage(`${flag} must be > 0`);
    return v as number;
  };
  if (!(Number.isInteger(argv.batch) && argv.batch >= 1 && argv.batch <= 10_000))
    usage('--batch must be an integer 1..10000');
  return {
    ports: argv.ports,
    probes,
    rate: positive(argv.rate, '--rate'),
    burst: argv.burst === undefined ? null : positive(argv.burst, '--burst'),
    perHost: positive(argv['per-host'], '--per-host'),
    hostConcurrency: positive(
      argv['host-concurrency'] ?? Math.min(argv.batch, DEFAULTS.concurrency),
      '--host-concurrency',
    ),
    connectTimeoutMs: positive(argv['connect-timeout'], '--connect-timeout'),
    readTimeoutMs: positive(argv['read-timeout'], '--read-timeout'),
    bannerWaitMs: positive(argv['banner-wait'], '--banner-wait'),
    hostTimeoutMs: positive(argv['host-timeout'], '--host-timeout'),
    snmpCommunity: argv.snmp ? argv['snmp-community'] : null,
    rescanAfterS,
  };
}

/** `--retry-failed`: the scan's failed batches back into the queue, with fresh attempts. */
async function runRetryFailed(argv: EnqueueArgs): Promise<number> {
  const id = argv['scan-id'];
  if (id === undefined) usage('--retry-failed needs --scan-id (the scan whose batches failed)');
  if (argv.targets.length > 0 || argv.input !== undefined)
    usage('--retry-failed takes no targets: the failed batches carry theirs');
  const scanId = checkScanId(id);
  const { connectRedis, openQueue, redactUrl, retryFailedBatches } = await import(
    '../fleet/index.js'
  );
  const redis = await connectRedis(argv.redis, 'fail-fast');
  const queue = openQueue(redis, argv.prefix);
  try {
    const retried = await retryFailedBatches(redis, queue, argv.prefix, scanId).catch(
      (error: unknown) => {
        throw new ThingscanError(
          'E_IO',
          `Redis at ${redactUrl(argv.redis)} failed while re-enqueueing the failed batches of scan ${scanId}: ${(error as Error)?.message ?? String(error)}. Batches moved so far stay queued; run the same command again`,
          { cause: error },
        );
      },
    );
    process.stdout.write(`${scanId}\n`);
    if (!argv.quiet) {
      stderr(
        retried.length > 0
          ? `re-enqueued ${retried.length} failed batch${retried.length === 1 ? '' : 'es'} of scan ${scanId} (${retried.slice(0, 5).join(', ')}${retried.length > 5 ? ', …' : ''}); the workers skip targets already recorded`
          : `scan ${scanId} has no failed batch under prefix '${argv.prefix}'`,
      );
    }
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
  return EXIT.ok;
}

export async function runEnqueue(argv: EnqueueArgs): Promise<number> {
  if (argv['retry-failed']) return runRetryFailed(argv);
  const scanId = checkScanId(
    argv['scan-id'] ??
      `scan-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
  );
  const settings = settingsOf(argv, parseDuration(argv['rescan-after'], '--rescan-after'));
  const opened = await openTargetArgs(argv, 'enqueue');
  if (!opened) return EXIT.usage;
  const { sources, exclude: excludeList } = opened;

  // Loaded here: other commands need not load the queue library.
  const { connectRedis, enqueueTargets, openQueue, redactUrl } = await import('../fleet/index.js');
  const redis = await connectRedis(argv.redis, 'fail-fast');
  const queue = openQueue(redis, argv.prefix);
  let badLines = 0;
  try {
    const result = await enqueueTargets(
      readTargets(sources, { exclude: excludeList, allowLarge: argv['allow-large'] }),
      {
        redis,
        queue,
        prefix: argv.prefix,
        scanId,
        batchSize: argv.batch,
        settings,
        onTargetError: (e) => {
          badLines++;
          stderr(sanitizeForTerminal(e.message));
        },
      },
    ).catch((error: unknown) => {
      if (error instanceof ThingscanError) throw error;
      throw new ThingscanError(
        'E_IO',
        `Redis at ${redactUrl(argv.redis)} failed while enqueueing scan ${scanId}: ${(error as Error)?.message ?? String(error)}. Batches queued so far stay; run the same command with --scan-id ${scanId} to finish (it adds nothing twice)`,
        { cause: error },
      );
    });
    process.stdout.write(`${scanId}\n`);
    if (!argv.quiet) {
      stderr(
        `enqueued scan ${scanId}: ${result.queued} targets in ${result.batches} batches (${result.newBatches} new), ${result.cached} skipped (scanned within --rescan-after ${argv['rescan-after']}), ${badLines} bad lines; ${result.enqueuedTotal} targets recorded for this scan id`,
      );
    }
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
  return badLines > 0 ? EXIT.badTargets : EXIT.ok;
}

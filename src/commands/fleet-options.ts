/**
 * Options shared by several commands, defined once so they cannot drift: the fleet
 * commands' Redis location and key prefix, and the scan tuning `scan` and `enqueue` take.
 */
import type { Argv } from 'yargs';
import { DEFAULTS } from '../engine/defaults.js';
import { DEFAULT_PREFIX } from '../fleet/keys.js';

/** Adds `--redis URL` (required) and `--prefix` to a command's options. */
export function withFleetConnection<T>(y: Argv<T>) {
  return y
    .option('redis', {
      type: 'string',
      demandOption: true,
      describe: 'Redis URL, e.g. redis://127.0.0.1:6379/0',
    })
    .option('prefix', {
      type: 'string',
      default: DEFAULT_PREFIX,
      describe: 'key prefix shared by enqueue, worker and collect',
    });
}

/**
 * The per-host politeness and deadline options a scan takes, shared by `scan` and `enqueue`
 * (whose jobs carry them to the workers). Defaults come from `DEFAULTS`.
 */
export function withScanTuning<T>(y: Argv<T>) {
  return y
    .option('per-host', {
      type: 'number',
      default: DEFAULTS.perHost,
      describe: 'connections in flight per host',
    })
    .option('connect-timeout', {
      type: 'number',
      default: DEFAULTS.connectTimeoutMs,
      describe: 'TCP handshake deadline, ms',
    })
    .option('read-timeout', {
      type: 'number',
      default: DEFAULTS.readTimeoutMs,
      describe: 'deadline of each read, ms',
    })
    .option('banner-wait', {
      type: 'number',
      default: DEFAULTS.bannerWaitMs,
      describe: 'wait for a volunteered banner on unknown ports, ms',
    })
    .option('host-timeout', {
      type: 'number',
      default: DEFAULTS.hostTimeoutMs,
      describe: 'whole-host deadline, ms',
    });
}

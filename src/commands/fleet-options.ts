/**
 * Options every fleet command shares (`enqueue`, `worker`, `collect`): where Redis is and
 * which key prefix the fleet uses. One definition, so the three cannot drift apart.
 */
import type { Argv } from 'yargs';
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

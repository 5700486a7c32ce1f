/**
 * Static splits on Kubernetes: an Indexed Job gives each pod `JOB_COMPLETION_INDEX`
 * (0-based), so one pod template with `--shard auto/N` runs shard index+1 of N.
 */
import { ThingscanError } from '../errors.js';

/** Environment variable a Kubernetes Indexed Job sets in each pod. */
export const JOB_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/**
 * Turns `auto/n` into `i/n` from `JOB_COMPLETION_INDEX` (0-based → 1-based); any other
 * text is returned as it is, for `parseShard` to check.
 *
 * @throws ThingscanError `E_USAGE` when `auto/n` is given and the variable is missing or
 * not an integer 0 … n−1.
 */
export function resolveShardText(
  text: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const m = /^auto\/(\d{1,6})$/.exec(text.trim());
  if (!m) return text;
  const count = Number(m[1]);
  const raw = env[JOB_INDEX_ENV];
  const index = raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(index >= 0 && index < count)) {
    throw new ThingscanError(
      'E_USAGE',
      `--shard auto/${count} takes the shard from ${JOB_INDEX_ENV} (set by a Kubernetes Indexed Job), which is ${raw === undefined ? 'unset' : `'${raw.slice(0, 20)}'`}; it must be 0..${count - 1}`,
    );
  }
  return `${index + 1}/${count}`;
}

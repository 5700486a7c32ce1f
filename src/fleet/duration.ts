/**
 * Durations on the command line: `90s`, `30m`, `24h`, `7d`, or bare seconds.
 */
import { ThingscanError } from '../errors.js';

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * Parses a duration to whole seconds; `0` means "no cache".
 *
 * @throws ThingscanError `E_USAGE` on anything else, or on more than 10 years
 * (Redis `EX` accepts it, but such a value is a typo).
 */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * (UNITS[m[2] || 's'] ?? 1) : Number.NaN;
  if (!(Number.isSafeInteger(seconds) && seconds <= 10 * 365 * 86_400)) {
    throw new ThingscanError(
      'E_USAGE',
      `${flag} wants a duration like 90s, 30m, 24h, 7d or 0, got '${text.slice(0, 40)}'`,
    );
  }
  return seconds;
}

/**
 * The receiver's trusted relays: addresses whose `Received:` lines we believe.
 */
import { ThingscanError } from '../errors.js';
import { ExcludeList } from '../targets/exclude.js';

/**
 * Trusted by default: private (RFC 1918, RFC 4193), loopback and link-local ranges. A hop
 * from such an address is a relay inside the receiver's own network, never a spam origin
 * on the Internet.
 */
export const DEFAULT_TRUSTED: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/**
 * Builds the trusted-relay set.
 *
 * @param extra - CIDRs or addresses added with `--trusted`.
 * @param withDefaults - Include {@link DEFAULT_TRUSTED} (default true).
 * @throws ThingscanError `E_USAGE` naming the first bad entry.
 */
export function trustedRelays(extra: readonly string[] = [], withDefaults = true): ExcludeList {
  const list = new ExcludeList();
  const entries = [...(withDefaults ? DEFAULT_TRUSTED : []), ...extra];
  entries.forEach((entry, i) => {
    const error = list.addLine(entry, '--trusted', i + 1);
    if (error) throw new ThingscanError('E_USAGE', `bad --trusted value: ${error.reason}`);
  });
  return list;
}

/**
 * Bench section `memory`: peak RSS of one scan thread over target lists of growing length
 * (quick: 10k, 30k, 100k; full: 10k, 100k, 1M), to show memory does not grow with the list.
 * See {@link memorySeries} for the targets.
 */

import { netnsUnavailable } from './netns.js';
import { memorySeries } from './scan.js';
import type { Bench } from './types.js';

/** Hosts in flight, as in the `scan` section. */
const CONCURRENCY = 500;

/** The `memory` bench section. */
export const bench: Bench = async ({ quick }) => {
  const title = 'memory: peak RSS by target-list length (one thread)';
  const why = netnsUnavailable();
  if (why) return { title, markdown: `Skipped: network namespaces unavailable (${why}).` };
  const sizes = quick ? [10_000, 30_000, 100_000] : [10_000, 100_000, 1_000_000];
  return { title, markdown: await memorySeries(sizes, CONCURRENCY) };
};

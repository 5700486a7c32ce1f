/**
 * Runs the real per-port runner against a loopback port, as the engine does, with short
 * test timeouts. Probe tests go through this so they exercise detection and statuses too.
 */
import pino from 'pino';
import { PROBES } from '../../probes/index.js';
import type { Probe, ProbeSettings, ProbeTimeouts } from '../../probes/types.js';
import { type PortResult, runPort } from '../../src/engine/run-port.js';
import { connectTcp } from '../../src/net/bounded.js';
import type { Transport } from '../../src/types.js';

/** Short budgets so a silent peer costs a test about a second. */
export const TEST_TIMEOUTS: ProbeTimeouts = { connectMs: 1_000, readMs: 1_000, bannerMs: 500 };

/** Options for {@link probePort}. */
export interface ProbePortOptions {
  readonly transport?: Transport;
  readonly probes?: readonly Probe[];
  readonly timeouts?: ProbeTimeouts;
  readonly maxBytes?: number;
  readonly settings?: Partial<ProbeSettings>;
  /** Host deadline, ms (default 10 s). */
  readonly deadlineMs?: number;
  /** Follow-up planner, as the engine passes it (default none). */
  readonly followup?: (fields: Readonly<Record<string, string>>) => readonly string[];
}

/** Probes host:port with the registry (or the given probes) and returns the port result. */
export async function probePort(
  host: string,
  port: number,
  options: ProbePortOptions = {},
): Promise<PortResult> {
  const timeouts = options.timeouts ?? TEST_TIMEOUTS;
  const signal = AbortSignal.timeout(options.deadlineMs ?? 10_000);
  return runPort({
    host,
    port,
    transport: options.transport ?? 'tcp',
    probes: options.probes ?? PROBES,
    timeouts,
    maxBytes: options.maxBytes ?? 64 * 1024,
    settings: {
      userAgent: 'thingscan-test/0 (+https://example.invalid/thingscan)',
      snmpCommunity: 'public',
      ...options.settings,
    },
    signal,
    log: pino({ level: 'silent' }),
    openConnection: () => connectTcp({ host, port, timeoutMs: timeouts.connectMs, signal }),
    ...(options.followup ? { followup: options.followup } : {}),
  });
}

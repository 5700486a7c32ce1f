/** Scans lab hosts through the public `scan()` and indexes the records by persona id. */
import assert from 'node:assert/strict';
import { type HostRecord, type RunningLab, type ScanOptions, scan } from '../../src/index.js';

/** Scans `targets` (lab addresses) on the lab's ports; returns records keyed by persona id. */
export async function scanLab(
  lab: RunningLab,
  targets: readonly string[],
  options: ScanOptions,
): Promise<Map<string, HostRecord>> {
  const records = new Map<string, HostRecord>();
  for await (const record of scan(targets, { ports: lab.portSpec(), ...options })) {
    const host = lab.hosts.find((h) => h.address === record.ip);
    if (host) records.set(host.id, record);
  }
  return records;
}

/** The record of persona `id`, failing the test when there is none. */
export function recordOf(records: ReadonlyMap<string, HostRecord>, id: string): HostRecord {
  const r = records.get(id);
  assert.ok(r, `no record for ${id}`);
  return r;
}

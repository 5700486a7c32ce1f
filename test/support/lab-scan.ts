/** Scans lab hosts through the public `scan()` and indexes the records by persona id. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { type HostRecord, type RunningLab, type ScanOptions, scan } from '../../src/index.js';
import { startLab } from '../../src/lab/index.js';

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

/** A lab of a few personas, started and scanned once per test file (see {@link labScan}). */
export interface LabScan {
  /** The running lab (after `before` has run). */
  readonly lab: () => RunningLab;
  /** The record of persona `id`, failing the test when there is none. */
  readonly record: (id: string) => HostRecord;
}

/**
 * Registers the file's `before` and `after`: starts a lab of `personas` on `prefix` (ports
 * shifted by `portOffset`), scans those personas once with `options`, closes the lab.
 */
export function labScan(
  prefix: string,
  portOffset: number,
  personas: readonly string[],
  options: ScanOptions,
): LabScan {
  let lab: RunningLab | undefined;
  let records = new Map<string, HostRecord>();
  before(async () => {
    lab = await startLab({ prefix, portOffset, personas: [...personas] });
    const targets = lab.hosts.filter((h) => personas.includes(h.id)).map((h) => h.address);
    records = await scanLab(lab, targets, options);
  });
  after(async () => {
    await lab?.close();
  });
  return {
    lab: () => {
      assert.ok(lab, 'the lab is started in before()');
      return lab;
    },
    record: (id) => recordOf(records, id),
  };
}

/**
 * What travels in a queue job: one batch of distinct addresses of one scan, and the scan
 * settings every worker applies to it. Workers check the shape again: a job is data from
 * Redis, written by whichever enqueuer version ran.
 */
import { UnrecoverableError } from 'bullmq';
import type { ScanOptions } from '../engine/scan.js';
import { canonicalIp } from '../targets/address.js';

/** Version of the job data; a worker refuses jobs of another version. */
export const JOB_VERSION = 1;

/** Scan settings carried by every batch of a scan (JSON: no `undefined`, no `Infinity`). */
export interface FleetScanSettings {
  /** Ports in Nmap syntax or a preset name. */
  readonly ports: string;
  /** Probe names, or null for all. */
  readonly probes: readonly string[] | null;
  /** New connections per second for the whole fleet (finite, > 0). */
  readonly rate: number;
  /** Connection-bucket size, or null for the default (rate / 10). */
  readonly burst: number | null;
  /** Connections in flight per host. */
  readonly perHost: number;
  /** Hosts of one batch scanned at once. */
  readonly hostConcurrency: number;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly bannerWaitMs: number;
  readonly hostTimeoutMs: number;
  /** SNMP read community; null = community-based SNMP off. */
  readonly snmpCommunity: string | null;
  /** Rescan-cache lifetime refreshed when a record is written, s; 0 = no cache. */
  readonly rescanAfterS: number;
}

/** Data of one batch job. */
export interface BatchJob {
  readonly v: typeof JOB_VERSION;
  readonly scanId: string;
  /** 0-based batch number within the scan. */
  readonly batch: number;
  /** Distinct canonical addresses; an address is in one batch of a scan only. */
  readonly targets: readonly string[];
  /** Subset of `targets` on the exclude list: they get an `excluded` record, no traffic. */
  readonly excluded: readonly string[];
  readonly settings: FleetScanSettings;
}

/** Engine options of a batch (the limiter, library and logger are added by the worker). */
export function scanOptionsOf(s: FleetScanSettings): ScanOptions {
  return {
    ports: s.ports,
    ...(s.probes ? { probes: s.probes } : {}),
    perHost: s.perHost,
    concurrency: s.hostConcurrency,
    connectTimeoutMs: s.connectTimeoutMs,
    readTimeoutMs: s.readTimeoutMs,
    bannerWaitMs: s.bannerWaitMs,
    hostTimeoutMs: s.hostTimeoutMs,
    snmpCommunity: s.snmpCommunity,
  };
}

/**
 * Checks job data read from Redis.
 *
 * @throws UnrecoverableError (BullMQ fails the job without retrying: a retry cannot fix it).
 */
export function checkBatchJob(data: unknown): BatchJob {
  const fail = (why: string): never => {
    throw new UnrecoverableError(`bad batch job: ${why}`);
  };
  if (typeof data !== 'object' || data === null) return fail('not an object');
  const d = data as Record<string, unknown>;
  if (d['v'] !== JOB_VERSION)
    return fail(`version ${String(d['v'])}, this worker reads ${JOB_VERSION}`);
  if (typeof d['scanId'] !== 'string') return fail('scanId');
  if (!Number.isSafeInteger(d['batch'])) return fail('batch');
  const targets = d['targets'];
  const excluded = d['excluded'];
  if (!Array.isArray(targets) || !Array.isArray(excluded)) return fail('targets');
  // Only single canonical addresses: a job must never widen into a block scan.
  for (const ip of [...targets, ...excluded]) {
    if (typeof ip !== 'string' || canonicalIp(ip) !== ip)
      return fail(`target '${String(ip).slice(0, 60)}'`);
  }
  const s = d['settings'] as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null) return fail('settings');
  const num = (k: string, min: number): void => {
    const v = s[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(`settings.${k}`);
  };
  num('rate', Number.MIN_VALUE);
  num('perHost', 1);
  num('hostConcurrency', 1);
  num('connectTimeoutMs', 1);
  num('readTimeoutMs', 1);
  num('bannerWaitMs', 1);
  num('hostTimeoutMs', 1);
  num('rescanAfterS', 0);
  if (typeof s['ports'] !== 'string') fail('settings.ports');
  if (s['burst'] !== null) num('burst', 1);
  if (s['snmpCommunity'] !== null && typeof s['snmpCommunity'] !== 'string')
    fail('settings.snmpCommunity');
  const probes = s['probes'];
  if (probes !== null && !(Array.isArray(probes) && probes.every((p) => typeof p === 'string')))
    fail('settings.probes');
  return data as BatchJob;
}

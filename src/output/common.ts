/**
 * Small views of a host record shared by the table, CSV and summary formats.
 */
import type { HostRecord } from '../types.js';

/**
 * Open services as `port/protocol` words in record order, e.g. `22/ssh 23/telnet 80/http`.
 * A service is open when its probe ended `ok` (it answered).
 *
 * @param record - The host record.
 */
export function openPorts(record: HostRecord): string {
  return record.services
    .filter((s) => s.status === 'ok')
    .map((s) => `${s.port}/${s.protocol}`)
    .join(' ');
}

/**
 * `yes`, `no` or `?` for the record's IoT verdict.
 *
 * @param record - The host record.
 */
export function iotLabel(record: HostRecord): 'yes' | 'no' | '?' {
  if (record.iot === null) return '?';
  return record.iot ? 'yes' : 'no';
}

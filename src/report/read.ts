/**
 * Reading saved results: NDJSON host records from a file or stdin, one per line. A line
 * that is not a schema-1 host record is reported by line number and skipped.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ThingscanError } from '../errors.js';
import { boundedLines } from '../extract/lines.js';
import { HOST_STATUSES, type HostRecord, SCHEMA_VERSION } from '../types.js';

/** Longest record line accepted, bytes: fields are capped, so a real record is far smaller. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** A line that was not a record. */
export interface BadRecordLine {
  readonly line: number;
  readonly reason: string;
}

function isRecord(value: unknown): value is HostRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Record<keyof HostRecord, unknown>>;
  return (
    r.schema === SCHEMA_VERSION &&
    typeof r.ip === 'string' &&
    typeof r.status === 'string' &&
    (HOST_STATUSES as readonly string[]).includes(r.status) &&
    Array.isArray(r.services) &&
    Array.isArray(r.alternatives) &&
    (r.device === null || typeof r.device === 'object')
  );
}

/**
 * Yields the host records of an NDJSON stream.
 *
 * @param stream - File or stdin stream.
 * @param onBad - Called for each line that is not a schema-1 record.
 */
export async function* recordsFromStream(
  stream: Readable | NodeJS.ReadableStream,
  onBad: (bad: BadRecordLine) => void = () => undefined,
): AsyncGenerator<HostRecord> {
  let n = 0;
  for await (const { bytes, cut } of boundedLines(stream, MAX_RECORD_BYTES)) {
    n++;
    if (cut) {
      onBad({ line: n, reason: `longer than ${MAX_RECORD_BYTES} bytes` });
      continue;
    }
    const text = bytes.toString('utf8').trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      onBad({ line: n, reason: 'not JSON' });
      continue;
    }
    if (!isRecord(value)) {
      onBad({ line: n, reason: `not a schema-${SCHEMA_VERSION} host record` });
      continue;
    }
    yield value;
  }
}

/**
 * Yields the host records of an NDJSON file (`-` for stdin).
 *
 * @param file - Path or `-`.
 * @param onBad - Called for each bad line.
 * @throws ThingscanError `E_IO` when the file cannot be read.
 */
export async function* readRecords(
  file: string,
  onBad?: (bad: BadRecordLine) => void,
): AsyncGenerator<HostRecord> {
  if (file === '-') {
    yield* recordsFromStream(process.stdin, onBad);
    return;
  }
  const stream = createReadStream(file);
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (e: NodeJS.ErrnoException) =>
        reject(new ThingscanError('E_IO', `cannot read ${file}: ${e.code ?? e.message}`)),
      );
    });
    yield* recordsFromStream(stream, onBad);
  } finally {
    stream.destroy();
  }
}

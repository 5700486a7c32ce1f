/**
 * `thingscan identify`: offline labels, no network. Either a banner read from stdin
 * (`--protocol ssh <<< 'SSH-2.0-dropbear_2019.78'`) or saved host records re-identified
 * with the current library (`--record out.ndjson`: one line per record, old and new labels).
 * `--explain` says, per label, which evidence fired on which port and field: the same
 * explanation as `scan --explain` (`src/match/explain.ts`), as text on stderr and as JSON
 * (`explain`) on stdout.
 *
 * The implementation: `identify.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DEFAULTS } from '../engine/defaults.js';
import {
  explainIdentification,
  formatHostExplanation,
  servicesOfRecord,
} from '../match/explain.js';
import { identifyServices, servicesFromFields } from '../match/identify.js';
import { loadSignatures } from '../signatures/loader.js';
import type { SignatureLibrary } from '../signatures/model.js';
import { bannerFields, isBannerProtocol } from '../signatures/scaffold.js';
import type { DeviceVerdict, HostRecord } from '../types.js';
import { EXIT, stderr, writeChunk } from './common.js';

type Maybe<T> = T | undefined;

/** A saved host record and where it came from. */
export interface RecordLine {
  readonly line: number;
  readonly record: HostRecord;
}

/** Parses NDJSON host records from text (blank lines skipped); a bad line throws FILE:LINE. */
export function readRecords(text: string, name: string): RecordLine[] {
  const out: RecordLine[] = [];
  text.split('\n').forEach((line, i) => {
    const record = parseRecordLine(line, name, i + 1);
    if (record) out.push({ line: i + 1, record });
  });
  return out;
}

function parseRecordLine(line: string, name: string, n: number): HostRecord | null {
  if (line.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`${name}:${n}: not JSON: ${(error as Error).message}`);
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as HostRecord).services)
  ) {
    throw new Error(`${name}:${n}: not a host record (no services list)`);
  }
  return value as HostRecord;
}

/** Streams host records from an NDJSON file, memory flat whatever its size. */
export async function* recordsFromFile(file: string): AsyncGenerator<RecordLine> {
  const lines = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    const record = parseRecordLine(line, file, n);
    if (record) yield { line: n, record };
  }
}

/** All fields of a record merged (first service wins per field), for drafting a signature. */
export function fieldsOfRecord(record: HostRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of servicesOfRecord(record))
    for (const [k, v] of Object.entries(s.fields)) if (!(k in out)) out[k] = String(v);
  return out;
}

function labelOf(device: DeviceVerdict | null) {
  return {
    class: device?.class ?? null,
    vendor_id: device?.vendor_id ?? null,
    product: device?.product ?? null,
    model: device?.model ?? null,
    confidence: device?.confidence ?? null,
    signatures: device?.signatures ?? [],
  };
}

async function identifyRecords(
  library: SignatureLibrary,
  file: string,
  withExplain: boolean,
): Promise<number> {
  let changed = 0;
  let total = 0;
  for await (const { record } of recordsFromFile(file)) {
    total++;
    const services = servicesOfRecord(record);
    const result = identifyServices(library, services, { includePartial: withExplain });
    const explanation = withExplain
      ? explainIdentification(record.ip, result, services)
      : undefined;
    const before = labelOf(record.device);
    const after = labelOf(result.device);
    const same = JSON.stringify(before) === JSON.stringify(after);
    if (!same) changed++;
    const line = {
      ip: record.ip,
      changed: !same,
      old: {
        status: record.status,
        signatures_version: record.signatures_version ?? null,
        ...before,
      },
      new: {
        status: result.device ? 'identified' : services.length > 0 ? 'unidentified' : record.status,
        signatures_version: library.version,
        ...after,
      },
      ...(explanation ? { explain: explanation } : {}),
    };
    await writeChunk(process.stdout, `${JSON.stringify(line)}\n`);
    if (explanation) process.stderr.write(formatHostExplanation(explanation));
  }
  stderr(
    `identify: ${total} record(s), ${changed} with a different label under library ${library.version}`,
  );
  return EXIT.ok;
}

export async function runIdentify(argv: {
  protocol?: Maybe<string>;
  field?: Maybe<string>;
  signatures?: Maybe<string>;
  record?: Maybe<string>;
  explain: boolean;
}): Promise<number> {
  const library = loadSignatures(argv.signatures ? { dir: argv.signatures } : {});
  if (argv.record) {
    try {
      return await identifyRecords(library, argv.record, argv.explain);
    } catch (error) {
      stderr(`thingscan identify: ${(error as Error).message}`);
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? EXIT.usage : EXIT.failure;
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    size += b.length;
    chunks.push(b);
    if (size > DEFAULTS.maxBytes) break;
  }
  const text = Buffer.concat(chunks)
    .subarray(0, DEFAULTS.maxBytes)
    .toString('latin1')
    .replace(/\r?\n$/, '');
  const protocol = argv.protocol ?? 'telnet';
  if (!isBannerProtocol(protocol)) {
    stderr(`thingscan identify: no default field for protocol '${protocol}'; pass --field`);
    return EXIT.usage;
  }
  const services = servicesFromFields(bannerFields(text, protocol, argv.field));
  const result = identifyServices(library, services, { includePartial: argv.explain });
  const explanation = argv.explain ? explainIdentification(null, result, services) : undefined;
  process.stdout.write(
    `${JSON.stringify({
      device: result.device,
      alternatives: result.alternatives,
      services: result.services,
      signatures_version: library.version,
      ...(explanation ? { explain: explanation } : {}),
    })}\n`,
  );
  if (explanation) process.stderr.write(formatHostExplanation(explanation));
  return EXIT.ok;
}

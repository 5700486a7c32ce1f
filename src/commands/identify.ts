/**
 * `thingscan identify`: offline labels, no network. Either a banner read from stdin
 * (`--protocol ssh <<< 'SSH-2.0-dropbear_2019.78'`) or saved host records re-identified
 * with the current library (`--record out.ndjson`: one line per record, old and new labels).
 * `--explain` says, per label, which evidence fired on which port and field.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  BANNER_FIELD,
  bannerFields,
  DEFAULTS,
  type DeviceVerdict,
  type HostRecord,
  type Identification,
  identifyServices,
  isBannerProtocol,
  loadSignatures,
  type ServiceInput,
  type SignatureHit,
  type SignatureLibrary,
  servicesFromFields,
} from '../index.js';
import { excerpt as excerptForTerminal } from '../output/index.js';
import { type CommandRegistrar, EXIT, stderr, writeChunk } from './common.js';

type Maybe<T> = T | undefined;

/** Characters of a field value shown by --explain. */
const EXPLAIN_VALUE_CAP = 120;

/** One evidence item that counted, located on a service. */
export interface ExplainedEvidence {
  readonly port: number;
  readonly protocol: string;
  readonly field: string;
  readonly signature: string;
  readonly evidence: string;
  readonly kind: string;
  readonly pattern: string;
  readonly weight: number;
  readonly negate: boolean;
  /** Sanitized, capped excerpt of the field value it read. */
  readonly value: string;
}

/** One label (device, alternative, a service's software, or a near miss) and its evidence. */
export interface ExplainedLabel {
  readonly label: 'device' | 'alternative' | 'service' | 'below-threshold';
  /** Human summary of the label. */
  readonly summary: string;
  readonly signatures: ReadonlyArray<{
    readonly signature: string;
    readonly score: number;
    readonly min_score: number;
    readonly evidence: readonly ExplainedEvidence[];
  }>;
}

/** Builds the explanation of an identification (includePartial hits become near misses). */
export function explain(
  result: Identification,
  services: readonly ServiceInput[],
): ExplainedLabel[] {
  const byId = new Map(result.hits.map((h) => [h.signature.id, h]));
  const detail = (hit: SignatureHit, only?: number) => ({
    signature: hit.signature.id,
    score: hit.score,
    min_score: hit.signature.minScore,
    evidence: hit.fired.flatMap((f) =>
      f.services
        .filter((s) => only === undefined || s === only)
        .slice(0, 1)
        .map((s) => ({
          port: services[s]?.port ?? 0,
          protocol: services[s]?.protocol ?? 'unknown',
          field: f.item.field,
          signature: hit.signature.id,
          evidence: f.item.id,
          kind: f.item.kind,
          pattern: f.item.pattern,
          weight: f.item.weight,
          negate: f.item.negate,
          value: excerptForTerminal(f.value, EXPLAIN_VALUE_CAP),
        })),
    ),
  });
  const verdictLabel = (label: 'device' | 'alternative', v: DeviceVerdict): ExplainedLabel => ({
    label,
    summary: `${v.class}${v.vendor ? ` ${v.vendor}` : ''}${v.product ? ` ${v.product}` : ''}${v.model ? ` ${v.model}` : ''}${v.os.version ? ` (os ${v.os.version})` : ''}, confidence ${v.confidence}`,
    signatures: v.signatures.flatMap((id) => {
      const hit = byId.get(id);
      return hit ? [detail(hit)] : [];
    }),
  });
  const out: ExplainedLabel[] = [];
  if (result.device) out.push(verdictLabel('device', result.device));
  for (const alt of result.alternatives) out.push(verdictLabel('alternative', alt));
  result.services.forEach((label, i) => {
    if (label.matches.length === 0) return;
    const s = services[i];
    const name = [label.product, label.version].filter(Boolean).join(' ') || '(no software label)';
    out.push({
      label: 'service',
      summary: `${portName(s)}: ${name}`,
      signatures: label.matches.flatMap((m) => {
        const hit = byId.get(m.signature);
        return hit ? [detail(hit, i)] : [];
      }),
    });
  });
  const near = result.hits.filter((h) => !h.fires);
  if (near.length > 0) {
    out.push({
      label: 'below-threshold',
      summary: `${near.length} signature(s) scored below their min_score`,
      signatures: near.map((h) => detail(h)),
    });
  }
  return out;
}

function portName(s: ServiceInput | undefined): string {
  if (!s) return '?';
  return s.port > 0 ? `port ${s.port}/${s.protocol}` : s.protocol;
}

/** Human form of {@link explain}, one line per label, signature and evidence item. */
export function formatExplain(labels: readonly ExplainedLabel[]): string {
  const lines: string[] = [];
  for (const l of labels) {
    lines.push(`${l.label} ${l.summary}`);
    for (const s of l.signatures) {
      lines.push(
        `  ${s.signature}: score ${s.score} ${s.score + 1e-9 >= s.min_score ? '>=' : '<'} min_score ${s.min_score}`,
      );
      for (const e of s.evidence) {
        const where = e.port > 0 ? `port ${e.port}/${e.protocol}` : e.protocol;
        lines.push(
          `    ${where} ${e.field}: evidence '${e.evidence}' ${e.negate ? 'NOT ' : ''}${e.kind} ${JSON.stringify(e.pattern)} (weight ${e.weight}) on "${e.value}"`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

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

/** A record's services as matcher input (services without fields are left out). */
export function servicesOfRecord(record: HostRecord): ServiceInput[] {
  return record.services
    .filter((s) => s.fields && Object.keys(s.fields).length > 0)
    .map((s) => ({
      port: s.port,
      transport: s.transport,
      protocol: s.protocol,
      fields: { ...s.fields },
    }));
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
      ...(withExplain ? { explain: explain(result, services) } : {}),
    };
    await writeChunk(process.stdout, `${JSON.stringify(line)}\n`);
    if (withExplain) stderr(`${record.ip}\n${formatExplain(line.explain ?? [])}`);
  }
  stderr(
    `identify: ${total} record(s), ${changed} with a different label under library ${library.version}`,
  );
  return EXIT.ok;
}

async function runIdentify(argv: {
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
  const labels = argv.explain ? explain(result, services) : undefined;
  process.stdout.write(
    `${JSON.stringify({
      device: result.device,
      alternatives: result.alternatives,
      services: result.services,
      signatures_version: library.version,
      ...(labels ? { explain: labels } : {}),
    })}\n`,
  );
  if (labels) process.stderr.write(labels.length > 0 ? formatExplain(labels) : 'nothing fired\n');
  return EXIT.ok;
}

/** Registers `identify`. */
export const registerIdentify: CommandRegistrar = (parser, done) =>
  parser.command(
    'identify',
    'label a banner read from stdin, or re-label saved host records, offline',
    (y) =>
      y
        .option('protocol', {
          type: 'string',
          choices: Object.keys(BANNER_FIELD),
          default: 'telnet',
        })
        .option('field', {
          type: 'string',
          describe: 'probe field the banner is (default per protocol)',
        })
        .option('record', {
          type: 'string',
          describe: 'NDJSON host records to re-identify with the current library',
        })
        .option('signatures', { type: 'string' })
        .option('explain', {
          type: 'boolean',
          default: false,
          describe: 'per label, the evidence that fired (JSON "explain" on stdout, text on stderr)',
        })
        .example(
          "$0 identify --protocol ssh <<< 'SSH-2.0-dropbear_2019.78'",
          'name the software and device class',
        )
        .example('$0 identify --record out.ndjson', 'old and new labels of each saved host'),
    async (argv) => done(await runIdentify(argv)),
  );

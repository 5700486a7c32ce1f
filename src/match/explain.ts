/**
 * Why a host got its labels: for each label of the device verdict (class, vendor, product,
 * model, os) the evidence that set it — service, field, signature, evidence item and a
 * sanitized excerpt of what the device sent — plus the vendor hints (enterprise numbers,
 * MAC OUIs) that counted. Used by `thingscan scan --explain`; recomputed from a record's
 * services, so it explains saved records too.
 */
import { HINT_SIGNATURE, type VendorHint } from '../enrich/index.js';
import { excerpt } from '../output/sanitize.js';
import type { CompiledSignature, SignatureLibrary, Template } from '../signatures/model.js';
import { captureNames } from '../signatures/regex-check.js';
import type { DeviceVerdict, HostRecord } from '../types.js';
import { type Identification, identifyServices } from './identify.js';
import type { FiredEvidence, ServiceInput, SignatureHit } from './matcher.js';
import { fillTemplate } from './verdict.js';

/** Characters of a field value shown per evidence line. */
export const EXPLAIN_EXCERPT = 80;

/** The labels explained, in the order printed. */
export const EXPLAINED_LABELS = ['class', 'vendor', 'product', 'model', 'os'] as const;
/** One of {@link EXPLAINED_LABELS}. */
export type ExplainedLabelName = (typeof EXPLAINED_LABELS)[number];

/** One piece of evidence behind a label. */
export interface LabelEvidence {
  /** Port of the service it was read on (0 when offline fields had no port). */
  readonly port: number;
  readonly protocol: string;
  readonly field: string;
  /** Signature id, or `enrich/enterprise-number` / `enrich/mac-oui` for a vendor hint. */
  readonly signature: string;
  /** Evidence item id, or the hint's detail (`enterprise 9`, `MAC 00:11:32:…`). */
  readonly evidence: string;
  /** Sanitized excerpt of the field value, at most {@link EXPLAIN_EXCERPT} characters. */
  readonly excerpt: string;
}

/** One label and what set it. */
export interface LabelExplanation {
  readonly label: ExplainedLabelName;
  /** The label's value as printed (`nas`, `D-Link`, `linux 2.6.22`). */
  readonly value: string;
  readonly evidence: readonly LabelEvidence[];
}

/** Everything --explain says about one host. */
export interface HostExplanation {
  readonly ip: string;
  /** The verdict explained (null: nothing identified). */
  readonly device: DeviceVerdict | null;
  readonly labels: readonly LabelExplanation[];
  /** Alternatives, one line each: `class vendor (confidence)` and their signatures. */
  readonly alternatives: readonly string[];
}

/** A record's services as matcher input (services without fields are left out). */
function servicesOf(record: HostRecord): ServiceInput[] {
  return record.services
    .filter((s) => s.fields && Object.keys(s.fields).length > 0)
    .map((s) => ({ port: s.port, transport: s.transport, protocol: s.protocol, fields: s.fields }));
}

/** Explains a host record by matching its services again with `library`. */
export function explainRecord(library: SignatureLibrary, record: HostRecord): HostExplanation {
  const services = servicesOf(record);
  return explainIdentification(record.ip, identifyServices(library, services), services);
}

/** Explains an identification of `services` (as returned by `identifyServices`). */
export function explainIdentification(
  ip: string,
  result: Identification,
  services: readonly ServiceInput[],
): HostExplanation {
  const device = result.device;
  if (!device) return { ip, device: null, labels: [], alternatives: [] };
  const byId = new Map(result.hits.map((h) => [h.signature.id, h]));
  const hits = device.signatures.flatMap((id) => {
    const h = byId.get(id);
    return h ? [h] : [];
  });
  const fromItems = (hit: SignatureHit, items: readonly FiredEvidence[]): LabelEvidence[] =>
    items.flatMap((f) => {
      const index = f.services[0];
      const s = index === undefined ? undefined : services[index];
      if (!s) return [];
      return [
        {
          port: s.port,
          protocol: s.protocol,
          field: f.item.field,
          signature: hit.signature.id,
          evidence: f.item.id,
          excerpt: excerpt(f.value, EXPLAIN_EXCERPT),
        },
      ];
    });
  const hintEvidence = (hints: readonly VendorHint[]): LabelEvidence[] =>
    hints.map((h) => {
      const s = services[h.service];
      return {
        port: s?.port ?? 0,
        protocol: s?.protocol ?? 'unknown',
        field: h.field,
        signature: HINT_SIGNATURE[h.source],
        evidence: h.detail,
        excerpt: excerpt(s?.fields[h.field] ?? '', EXPLAIN_EXCERPT),
      };
    });
  /** The hits whose template for `pick` filled a value, and the items feeding its captures. */
  const templated = (pick: (sig: CompiledSignature) => readonly (Template | undefined)[]) =>
    hits.flatMap((hit) => {
      const templates = pick(hit.signature).filter((t): t is Template => t !== undefined);
      const filled = templates.some((t) => fillTemplate(t, hit.captures) !== null);
      if (!filled) return [];
      const used = new Set(
        templates.flatMap((t) => [...t.matchAll(/\{([A-Za-z_]\w*)/g)].map((m) => m[1])),
      );
      // Items whose regex captured a name the template uses; a literal template rests on all.
      const feeding = hit.fired.filter(
        (f) => f.item.kind === 'regex' && captureNames(f.item.pattern).some((c) => used.has(c)),
      );
      return fromItems(hit, used.size > 0 && feeding.length > 0 ? feeding : hit.fired);
    });
  const hinted = result.hints.filter((h) => h.vendor_id === device.vendor_id);
  const signatureEvidence = hits.flatMap((h) => fromItems(h, h.fired));
  const labels: LabelExplanation[] = [];
  labels.push({
    label: 'class',
    value: device.class,
    evidence: signatureEvidence.length > 0 ? signatureEvidence : hintEvidence(hinted),
  });
  if (device.vendor) {
    labels.push({
      label: 'vendor',
      value: device.vendor,
      evidence: [
        ...hits
          .filter((h) => h.signature.device?.vendor === device.vendor_id)
          .flatMap((h) => fromItems(h, h.fired)),
        ...hintEvidence(hinted),
      ],
    });
  }
  if (device.product)
    labels.push({
      label: 'product',
      value: device.product,
      evidence: templated((s) => [s.device?.product]),
    });
  if (device.model)
    labels.push({
      label: 'model',
      value: device.model,
      evidence: templated((s) => [s.device?.model]),
    });
  const os = [device.os.vendor, device.os.family, device.os.name, device.os.version].filter(
    Boolean,
  );
  if (os.length > 0) {
    // OS may come from the device signatures or from software ones (OpenSSH Ubuntu).
    const osHits = result.hits.filter(
      (h) => h.fires && (h.signature.device?.os || h.signature.service?.os),
    );
    labels.push({
      label: 'os',
      value: os.join(' '),
      evidence: osHits.flatMap((h) => {
        const t = h.signature.device?.os ?? h.signature.service?.os;
        const filled = [t?.vendor, t?.family, t?.name, t?.version].some(
          (x) => fillTemplate(x, h.captures) !== null,
        );
        return filled ? fromItems(h, h.fired) : [];
      }),
    });
  }
  const alternatives = result.alternatives.map(
    (a) =>
      `${a.class}${a.vendor ? ` ${a.vendor}` : ''}${a.product ? ` ${a.product}` : ''} (confidence ${a.confidence}) from ${a.signatures.join(', ')}`,
  );
  return { ip, device, labels, alternatives };
}

/** Text form, one line per label and one per piece of evidence; ends with a newline. */
export function formatHostExplanation(e: HostExplanation): string {
  const lines: string[] = [];
  if (!e.device) {
    lines.push(`${e.ip}: nothing identified`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `${e.ip}: ${e.device.class}${e.device.vendor ? ` ${e.device.vendor}` : ''} (confidence ${e.device.confidence})`,
  );
  for (const l of e.labels) {
    lines.push(`  ${l.label}: ${excerpt(l.value, EXPLAIN_EXCERPT)}`);
    if (l.evidence.length === 0)
      lines.push('    (no single piece of evidence: set by the verdict rules)');
    for (const ev of dedupe(l.evidence)) {
      const where = ev.port > 0 ? `port ${ev.port}/${ev.protocol}` : ev.protocol;
      lines.push(`    ${where} ${ev.field} · ${ev.signature} · ${ev.evidence} · "${ev.excerpt}"`);
    }
  }
  for (const a of e.alternatives) lines.push(`  alternative: ${excerpt(a, 200)}`);
  return `${lines.join('\n')}\n`;
}

function dedupe(list: readonly LabelEvidence[]): LabelEvidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.port}/${e.field}/${e.signature}/${e.evidence}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Why a host got its labels: for each label of the device verdict (class, vendor, product,
 * model, os) the evidence that set it — service, field, signature, evidence item and a
 * sanitized excerpt of what the device sent — plus the vendor hints (enterprise numbers,
 * MAC OUIs) that counted; then the software named on each port, and the signatures that
 * scored but stayed below their `min_score` (near misses). The one explanation of both
 * `thingscan scan --explain` and `thingscan identify --explain`: the same text on stderr,
 * and {@link HostExplanation} as the JSON shape. Recomputed from a record's services, so a
 * saved record explains the same as the live scan did.
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
  /**
   * Signature id, or `enrich/enterprise-number` / `enrich/mac-oui` /
   * `enrich/upnp-manufacturer` for a vendor hint.
   */
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

/** The software a signature named on one port, and the evidence behind it. */
export interface SoftwareExplanation {
  /** Port (0 when offline fields had no port). */
  readonly port: number;
  readonly protocol: string;
  /** Product and version as printed (`Dropbear 2019.78`). */
  readonly value: string;
  readonly evidence: readonly LabelEvidence[];
}

/** A signature that scored but stayed below its `min_score`. */
export interface NearMiss {
  readonly signature: string;
  /** 1 − Π(1 − w) over the items that fired, rounded to 2 decimals. */
  readonly score: number;
  readonly min_score: number;
  readonly evidence: readonly LabelEvidence[];
}

/** Everything --explain says about one host: the JSON shape of both commands. */
export interface HostExplanation {
  /** Address of the record; null for a banner given offline (`identify` on stdin). */
  readonly ip: string | null;
  /** The verdict explained (null: nothing identified). */
  readonly device: DeviceVerdict | null;
  readonly labels: readonly LabelExplanation[];
  /** Alternatives, one line each: `class vendor (confidence)` and their signatures. */
  readonly alternatives: readonly string[];
  /** Software named per port, in service order. */
  readonly software: readonly SoftwareExplanation[];
  /** Signatures below their threshold, best first (empty unless matched with `includePartial`). */
  readonly near_misses: readonly NearMiss[];
}

/** A record's services as matcher input (services without fields are left out). */
export function servicesOfRecord(record: HostRecord): ServiceInput[] {
  return record.services
    .filter((s) => s.fields && Object.keys(s.fields).length > 0)
    .map((s) => ({ port: s.port, transport: s.transport, protocol: s.protocol, fields: s.fields }));
}

/**
 * Explains a host record by matching its services again with `library`, near misses
 * included: what `scan --explain` and `identify --record … --explain` print.
 */
export function explainRecord(library: SignatureLibrary, record: HostRecord): HostExplanation {
  const services = servicesOfRecord(record);
  const result = identifyServices(library, services, { includePartial: true });
  return explainIdentification(record.ip, result, services);
}

/** Explains an identification of `services` (as returned by `identifyServices`). */
export function explainIdentification(
  ip: string | null,
  result: Identification,
  services: readonly ServiceInput[],
): HostExplanation {
  const device = result.device;
  /** Where each item fired: on service `on` when given, else the first service it fired on. */
  const fromItems = (
    hit: SignatureHit,
    items: readonly FiredEvidence[],
    on?: number,
  ): LabelEvidence[] =>
    items.flatMap((f) => {
      const index = on !== undefined && f.services.includes(on) ? on : f.services[0];
      const s = index === undefined ? undefined : services[index];
      if (!s) return [];
      const value = index === f.services[0] ? f.value : (s.fields[f.item.field] ?? f.value);
      return [
        {
          port: s.port,
          protocol: s.protocol,
          field: f.item.field,
          signature: hit.signature.id,
          evidence: f.item.id,
          excerpt: excerpt(value, EXPLAIN_EXCERPT),
        },
      ];
    });
  const software = result.services.flatMap((label, i): SoftwareExplanation[] => {
    const s = services[i];
    const named = [label.product, label.version].filter(Boolean).join(' ');
    if (!s || named === '') return [];
    const behind = result.hits.filter((h) => h.fires && h.signature.service && h.services.has(i));
    return [
      {
        port: s.port,
        protocol: s.protocol,
        value: named,
        evidence: behind.flatMap((h) =>
          fromItems(
            h,
            h.fired.filter((f) => f.services.includes(i)),
            i,
          ),
        ),
      },
    ];
  });
  const near_misses = result.hits
    .filter((h) => !h.fires && h.fired.length > 0)
    .map((h) => ({
      signature: h.signature.id,
      score: Math.round(h.score * 100) / 100,
      min_score: h.signature.minScore,
      evidence: fromItems(h, h.fired),
    }));
  if (!device) return { ip, device: null, labels: [], alternatives: [], software, near_misses };
  const byId = new Map(result.hits.map((h) => [h.signature.id, h]));
  const hits = device.signatures.flatMap((id) => {
    const h = byId.get(id);
    return h ? [h] : [];
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
  return { ip, device, labels, alternatives, software, near_misses };
}

/** What the first line names: the address, or `banner` for offline fields. */
function subject(e: HostExplanation): string {
  return e.ip ?? 'banner';
}

/**
 * Text form, one line per label and one per piece of evidence, then the software per port
 * and the near misses; ends with a newline. Every value the host sent is sanitized.
 */
export function formatHostExplanation(e: HostExplanation): string {
  const lines: string[] = [];
  if (!e.device) {
    lines.push(`${subject(e)}: nothing identified`);
  } else {
    lines.push(
      `${subject(e)}: ${e.device.class}${e.device.vendor ? ` ${e.device.vendor}` : ''} (confidence ${e.device.confidence})`,
    );
  }
  for (const l of e.labels) {
    lines.push(`  ${l.label}: ${excerpt(l.value, EXPLAIN_EXCERPT)}`);
    if (l.evidence.length === 0)
      lines.push('    (no single piece of evidence: set by the verdict rules)');
    lines.push(...evidenceLines(l.evidence));
  }
  for (const a of e.alternatives) lines.push(`  alternative: ${excerpt(a, 200)}`);
  for (const s of e.software) {
    lines.push(`  software: ${where(s)} ${excerpt(s.value, EXPLAIN_EXCERPT)}`);
    lines.push(...evidenceLines(s.evidence));
  }
  for (const n of e.near_misses) {
    lines.push(`  near miss: ${n.signature} score ${n.score} < min_score ${n.min_score}`);
    lines.push(...evidenceLines(n.evidence));
  }
  return `${lines.join('\n')}\n`;
}

function where(e: { readonly port: number; readonly protocol: string }): string {
  return e.port > 0 ? `port ${e.port}/${e.protocol}` : e.protocol;
}

function evidenceLines(list: readonly LabelEvidence[]): string[] {
  return dedupe(list).map(
    (ev) => `    ${where(ev)} ${ev.field} · ${ev.signature} · ${ev.evidence} · "${ev.excerpt}"`,
  );
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

/**
 * Fuses a host's signature hits into one verdict: agreeing signatures (same vendor and
 * class) reinforce each other, conflicting vendors become alternatives, and software-only
 * evidence yields `unknown-embedded` or `computer` without naming a vendor.
 */
import type { CompiledSignature, OsTemplate, SignatureLibrary } from '../signatures/model.js';
import {
  DEVICE_CLASSES,
  type DeviceClass,
  type DeviceVerdict,
  NAT_GATEWAY_CLASSES,
  type OsInfo,
  type ServiceMatch,
} from '../types.js';
import type { SignatureHit } from './matcher.js';

/** Discount for each further agreeing signature: agreement helps, but is not independent proof. */
const AGREEMENT_DISCOUNT = 0.5;
/** How far one software hint goes towards a class: Dropbear alone is a hint, not a label. */
const HINT_STRENGTH = 0.6;
/** Ceiling of a software-only verdict. */
const HINT_CEILING = 0.85;

/** Software identified on one service. */
export interface ServiceLabel {
  readonly product: string | null;
  readonly vendor: string | null;
  readonly version: string | null;
  readonly matches: readonly ServiceMatch[];
}

/** A fused verdict for one host. */
export interface HostVerdict {
  readonly device: DeviceVerdict | null;
  readonly alternatives: readonly DeviceVerdict[];
  /** Per service index (same order as the matcher's input). */
  readonly services: readonly ServiceLabel[];
}

const TEMPLATE_RE = /\{([A-Za-z_][A-Za-z0-9_]*)(?:\|(lower|upper))?\}/g;

/** Fills `{name}` templates from captures; null when a referenced capture is unset. */
export function fillTemplate(
  template: string | undefined,
  captures: Readonly<Record<string, string>>,
): string | null {
  if (template === undefined) return null;
  let missing = false;
  const out = template.replace(TEMPLATE_RE, (_all, name: string, filter?: string) => {
    const v = captures[name];
    if (v === undefined) {
      missing = true;
      return '';
    }
    return filter === 'lower' ? v.toLowerCase() : filter === 'upper' ? v.toUpperCase() : v;
  });
  return missing || out.trim() === '' ? null : out;
}

function fillOs(os: OsTemplate | undefined, captures: Readonly<Record<string, string>>): OsInfo {
  return {
    vendor: fillTemplate(os?.vendor, captures),
    family: fillTemplate(os?.family, captures),
    name: fillTemplate(os?.name, captures),
    version: fillTemplate(os?.version, captures),
  };
}

function mergeOs(primary: OsInfo, fallback: OsInfo): OsInfo {
  return {
    vendor: primary.vendor ?? fallback.vendor,
    family: primary.family ?? fallback.family,
    name: primary.name ?? fallback.name,
    version: primary.version ?? fallback.version,
  };
}

const EMPTY_OS: OsInfo = { vendor: null, family: null, name: null, version: null };

/** Builds the host verdict from the matcher's hits (only firing hits are used). */
export function decide(
  library: SignatureLibrary,
  serviceCount: number,
  allHits: readonly SignatureHit[],
): HostVerdict {
  const hits = allHits.filter((h) => h.fires);
  // OS implied by software (OpenSSH Ubuntu → Ubuntu), strongest first.
  let softwareOs = EMPTY_OS;
  for (const h of hits) {
    if (h.signature.service?.os)
      softwareOs = mergeOs(softwareOs, fillOs(h.signature.service.os, h.captures));
  }

  const groups = new Map<string, SignatureHit[]>();
  for (const h of hits) {
    const d = h.signature.device;
    if (!d) continue;
    const key = `${d.vendor ?? ''}\u0000${d.class}`;
    const list = groups.get(key) ?? [];
    list.push(h);
    groups.set(key, list);
  }
  const candidates: Array<{ verdict: DeviceVerdict; evidence: number }> = [];
  for (const group of groups.values()) {
    candidates.push(deviceFromGroup(library, group, softwareOs));
  }
  candidates.sort(
    (a, b) =>
      b.verdict.confidence - a.verdict.confidence ||
      Number(b.verdict.vendor_id !== null) - Number(a.verdict.vendor_id !== null) ||
      Number(b.verdict.model !== null) - Number(a.verdict.model !== null) ||
      b.evidence - a.evidence ||
      (a.verdict.signatures[0] ?? '').localeCompare(b.verdict.signatures[0] ?? ''),
  );

  // A branded verdict beats a class-only one of the same class, whatever their order.
  const top = candidates[0];
  if (top && top.verdict.vendor_id === null) {
    const branded = candidates.findIndex(
      (c) => c.verdict.vendor_id !== null && c.verdict.class === top.verdict.class,
    );
    if (branded > 0) candidates.unshift(...candidates.splice(branded, 1));
  }
  let device: DeviceVerdict | null = candidates[0]?.verdict ?? null;
  let alternatives = candidates.slice(1).map((c) => c.verdict);
  if (device?.vendor_id) {
    // A class-only signature (generic Enigma2 → set-top box) agreeing on the class supports
    // the branded verdict rather than competing with it.
    const lead = device;
    const agreeing = alternatives.filter((a) => a.vendor_id === null && a.class === lead.class);
    if (agreeing.length > 0) {
      alternatives = alternatives.filter((a) => !agreeing.includes(a));
      const support = agreeing.reduce((p, a) => p * (1 - a.confidence * AGREEMENT_DISCOUNT), 1);
      device = {
        ...lead,
        confidence: round(1 - (1 - lead.confidence) * support),
        signatures: [...lead.signatures, ...agreeing.flatMap((a) => a.signatures)],
      };
    }
  }
  if (!device) device = softwareOnly(hits, softwareOs);

  const services: ServiceLabel[] = [];
  for (let i = 0; i < serviceCount; i++) {
    const on = allHits.filter((h) => h.fires && h.services.has(i));
    const software = on.find((h) => h.signature.service);
    const sw = software?.signature.service;
    services.push({
      product: sw ? fillTemplate(sw.product, software.captures) : null,
      vendor: sw?.vendor ? (library.vendors.get(sw.vendor)?.name ?? null) : null,
      version: sw ? fillTemplate(sw.version, software.captures) : null,
      matches: on.map((h) => ({
        signature: h.signature.id,
        score: h.score,
        evidence: h.fired.filter((f) => f.services.includes(i)).map((f) => f.item.id),
      })),
    });
  }
  return { device, alternatives, services };
}

function deviceFromGroup(
  library: SignatureLibrary,
  group: readonly SignatureHit[],
  softwareOs: OsInfo,
): { verdict: DeviceVerdict; evidence: number } {
  const sorted = [...group].sort(
    (a, b) => b.score - a.score || a.signature.id.localeCompare(b.signature.id),
  );
  const lead = sorted[0] as SignatureHit;
  const d = lead.signature.device as NonNullable<CompiledSignature['device']>;
  let miss = 1;
  sorted.forEach((h, i) => {
    miss *= 1 - h.score * (i === 0 ? 1 : AGREEMENT_DISCOUNT);
  });
  // Agreeing signatures may fill what the leader could not see (a model shown on another port).
  let product: string | null = null;
  let model: string | null = null;
  let os = EMPTY_OS;
  const cpe = new Set<string>();
  for (const h of sorted) {
    const t = h.signature.device as NonNullable<CompiledSignature['device']>;
    product ??= fillTemplate(t.product, h.captures);
    model ??= fillTemplate(t.model, h.captures);
    os = mergeOs(os, fillOs(t.os, h.captures));
    for (const c of t.cpe ?? []) {
      const filled = fillTemplate(c, h.captures);
      if (filled) cpe.add(filled);
    }
  }
  const vendor = d.vendor === undefined ? undefined : library.vendors.get(d.vendor);
  const cls = d.class;
  return {
    verdict: {
      class: cls,
      vendor: vendor?.name ?? d.vendor ?? null,
      vendor_id: d.vendor ?? null,
      product,
      model,
      os: mergeOs(os, softwareOs),
      cpe: [...cpe],
      confidence: round(1 - miss),
      nat_gateway_suspected: NAT_GATEWAY_CLASSES.has(cls),
      signatures: sorted.map((h) => h.signature.id),
    },
    evidence: sorted.reduce((n, h) => n + h.fired.length, 0),
  };
}

function softwareOnly(hits: readonly SignatureHit[], softwareOs: OsInfo): DeviceVerdict | null {
  const byHint = { embedded: [] as SignatureHit[], computer: [] as SignatureHit[] };
  for (const h of hits) {
    const hint = h.signature.service?.hint;
    if (hint) byHint[hint].push(h);
  }
  const strength = (list: SignatureHit[]): number =>
    Math.min(HINT_CEILING, 1 - list.reduce((p, h) => p * (1 - h.score * HINT_STRENGTH), 1));
  const embedded = strength(byHint.embedded);
  const computer = strength(byHint.computer);
  if (embedded === 0 && computer === 0) return null;
  const cls: DeviceClass = computer > embedded ? 'computer' : 'unknown-embedded';
  const chosen = cls === 'computer' ? byHint.computer : byHint.embedded;
  // Conflicting hints (BusyBox and a distro OpenSSH on one host) lower the confidence.
  const conflict = cls === 'computer' ? embedded : computer;
  return {
    class: cls,
    vendor: null,
    vendor_id: null,
    product: null,
    model: null,
    os: softwareOs,
    cpe: [],
    confidence: round(Math.max(0.05, (cls === 'computer' ? computer : embedded) - conflict / 2)),
    nat_gateway_suspected: NAT_GATEWAY_CLASSES.has(cls),
    signatures: chosen.map((h) => h.signature.id),
  };
}

/** Whether a class counts as IoT (section 4). */
export function isIot(cls: DeviceClass): boolean {
  return DEVICE_CLASSES[cls];
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

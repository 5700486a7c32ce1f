/**
 * Fuses a host's signature hits into one verdict: agreeing signatures (same vendor and
 * class) reinforce each other, conflicting vendors become alternatives, and software-only
 * evidence yields `unknown-embedded` or `computer` without naming a vendor.
 */

import { HINT_SIGNATURE, HINT_SOURCES, type VendorHint } from '../enrich/index.js';
import type {
  CompiledSignature,
  DeviceTemplate,
  OsTemplate,
  SignatureLibrary,
} from '../signatures/model.js';
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
/**
 * A host on which this many distinct vendors' device signatures fire, across at least
 * {@link HONEYPOT_MIN_CLASSES} classes, is not a device but a honeypot (or a banner
 * collection): a real box shows one maker. It is flagged, not labeled.
 */
export const HONEYPOT_MIN_VENDORS = 3;
/** Distinct device classes that must be among the vendors' verdicts for the honeypot rule. */
export const HONEYPOT_MIN_CLASSES = 2;
/** How much a vendor hint (enterprise number, MAC OUI) adds to a verdict of the same vendor. */
const HINT_REINFORCEMENT = 0.5;
/** Ceiling of a verdict resting on vendor hints alone: a hint never reads as certain. */
export const HINT_ONLY_CEILING = 0.6;

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
  /**
   * True when the host matched too many vendors to be one device (see
   * {@link HONEYPOT_MIN_VENDORS}): `device` is then null and every candidate is listed in
   * `alternatives`, so the record reads `unidentified` with the evidence kept. The record
   * layout has no field for this flag (a schema bump would be needed); the engine may log it.
   */
  readonly honeypot: boolean;
  /** Vendor hints given to {@link decide} (for --explain), whether they were used or not. */
  readonly hints: readonly VendorHint[];
}

const TEMPLATE_RE = /\{([A-Za-z_][A-Za-z0-9_]*)(?:\|(lower|upper))?\}/g;

/** A template split once into literal text and `{name|filter}` slots. */
type TemplatePart = string | { readonly name: string; readonly filter: string | undefined };

/** Parsed templates by source text (templates come from the library: a bounded set). */
const parsedTemplates = new Map<string, readonly TemplatePart[]>();

function parseTemplate(template: string): readonly TemplatePart[] {
  let parts = parsedTemplates.get(template);
  if (parts) return parts;
  const out: TemplatePart[] = [];
  let last = 0;
  for (const m of template.matchAll(TEMPLATE_RE)) {
    if (m.index > last) out.push(template.slice(last, m.index));
    out.push({ name: m[1] as string, filter: m[2] });
    last = m.index + m[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  parts = out;
  parsedTemplates.set(template, parts);
  return parts;
}

/** Fills `{name}` templates from captures; null when a referenced capture is unset. */
export function fillTemplate(
  template: string | undefined,
  captures: Readonly<Record<string, string>>,
): string | null {
  if (template === undefined) return null;
  // Most templates are plain text (a product name): nothing to look up.
  if (!template.includes('{')) return template.trim() === '' ? null : template;
  let out = '';
  for (const part of parseTemplate(template)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const v = Object.hasOwn(captures, part.name) ? captures[part.name] : undefined;
    if (v === undefined) return null;
    out +=
      part.filter === 'lower' ? v.toLowerCase() : part.filter === 'upper' ? v.toUpperCase() : v;
  }
  return out.trim() === '' ? null : out;
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

/** Group key of a device template (same vendor and class agree), built once per template. */
const groupKeys = new WeakMap<DeviceTemplate, string>();

function groupKey(d: DeviceTemplate): string {
  let key = groupKeys.get(d);
  if (key === undefined) {
    key = `${d.vendor ?? ''}\u0000${d.class}`;
    groupKeys.set(d, key);
  }
  return key;
}

/**
 * Builds the host verdict from the matcher's hits (only firing hits are used) and the
 * vendor hints of `src/enrich/` (enterprise numbers, MAC OUIs): a hint reinforces a
 * verdict of its vendor and breaks ties; a hinted vendor no signature named becomes an
 * alternative, names the vendor of a class-only or software-only verdict, or, when nothing
 * else is known and the registry gives the vendor's usual class, the device itself, at
 * most at {@link HINT_ONLY_CEILING}. Hints never count towards the honeypot rule.
 */
export function decide(
  library: SignatureLibrary,
  serviceCount: number,
  allHits: readonly SignatureHit[],
  hints: readonly VendorHint[] = [],
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
    const key = groupKey(d);
    const list = groups.get(key) ?? [];
    list.push(h);
    groups.set(key, list);
  }
  const hinted = hintsByVendor(library, hints);
  const usedHints = new Set<VendorHint>();
  const candidates: Array<{ verdict: DeviceVerdict; evidence: number }> = [];
  for (const group of groups.values()) {
    const c = deviceFromGroup(library, group, softwareOs);
    candidates.push({
      verdict: reinforce(c.verdict, group, hinted, usedHints),
      evidence: c.evidence,
    });
  }
  const isHinted = (v: DeviceVerdict): number =>
    Number(v.vendor_id !== null && hinted.has(v.vendor_id));
  candidates.sort(
    (a, b) =>
      b.verdict.confidence - a.verdict.confidence ||
      Number(b.verdict.vendor_id !== null) - Number(a.verdict.vendor_id !== null) ||
      // A tie between vendors goes to the one the enterprise number or MAC names.
      isHinted(b.verdict) - isHinted(a.verdict) ||
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
  const honeypot = isHoneypotLike(candidates.map((c) => c.verdict));
  let device: DeviceVerdict | null = honeypot ? null : (candidates[0]?.verdict ?? null);
  let alternatives = candidates.slice(honeypot ? 0 : 1).map((c) => c.verdict);
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
  if (!device && !honeypot) device = softwareOnly(hits, softwareOs);
  if (!honeypot && hinted.size > 0) {
    const fused = fuseHints(library, device, alternatives, hinted, usedHints, softwareOs);
    device = fused.device;
    alternatives = fused.alternatives;
  }

  const services: ServiceLabel[] = [];
  for (let i = 0; i < serviceCount; i++) {
    const on = allHits.filter((h) => h.fires && h.services.has(i));
    // An OS-only signature (a login's /etc/issue) does not say which daemon this is.
    const software = on.find((h) => h.signature.service?.product !== undefined);
    const sw = software?.signature.service;
    const matches: ServiceMatch[] = on.map((h) => ({
      signature: h.signature.id,
      score: h.score,
      evidence: firedOn(h, i),
    }));
    // A hint that counted shows on the service it came from, its field as the evidence.
    for (const source of usedHints.size > 0 ? HINT_SOURCES : []) {
      const here = hints.filter((h) => h.service === i && h.source === source && usedHints.has(h));
      if (here.length === 0) continue;
      matches.push({
        signature: HINT_SIGNATURE[source],
        score: round(Math.max(...here.map((h) => h.weight))),
        evidence: [...new Set(here.map((h) => h.field))],
      });
    }
    services.push({
      product: sw ? fillTemplate(sw.product, software.captures) : null,
      vendor: sw?.vendor ? (library.vendors.get(sw.vendor)?.name ?? null) : null,
      version: sw ? fillTemplate(sw.version, software.captures) : null,
      matches,
    });
  }
  return { device, alternatives, services, honeypot, hints };
}

/** Ids of a hit's evidence items that fired on service `i`. */
function firedOn(h: SignatureHit, i: number): string[] {
  const ids: string[] = [];
  for (const f of h.fired) if (f.services.includes(i)) ids.push(f.item.id);
  return ids;
}

/** Hints of one vendor, and how far they go together. */
interface HintGroup {
  readonly hints: readonly VendorHint[];
  /** 1 − Π(1 − w) over the strongest hint of each source (a MAC seen twice is one fact). */
  readonly strength: number;
}

/**
 * Groups hints by vendor, keeping only makers: a vendor with `classes` in the registry or
 * named by a device signature. Net-SNMP's enterprise number in an engine ID, or Microsoft's
 * in a Windows sysObjectID, names software, not the box.
 */
function hintsByVendor(
  library: SignatureLibrary,
  hints: readonly VendorHint[],
): ReadonlyMap<string, HintGroup> {
  // Most hosts give no hint: no maps to build for them.
  if (hints.length === 0) return NO_HINTS;
  const makers = deviceMakers(library);
  const lists = new Map<string, VendorHint[]>();
  for (const h of hints) {
    const v = library.vendors.get(h.vendor_id);
    if (!v || (v.classes.length === 0 && !makers.has(v.id))) continue;
    const list = lists.get(h.vendor_id) ?? [];
    list.push(h);
    lists.set(h.vendor_id, list);
  }
  const out = new Map<string, HintGroup>();
  for (const [vendor, list] of lists) {
    const best = new Map<string, number>();
    for (const h of list) best.set(h.source, Math.max(best.get(h.source) ?? 0, h.weight));
    const strength = 1 - [...best.values()].reduce((p, w) => p * (1 - w), 1);
    out.set(vendor, { hints: list, strength });
  }
  return out;
}

const NO_HINTS: ReadonlyMap<string, HintGroup> = new Map();

const makersOf = new WeakMap<SignatureLibrary, ReadonlySet<string>>();

/** Vendors named by a device signature of the library. */
function deviceMakers(library: SignatureLibrary): ReadonlySet<string> {
  let set = makersOf.get(library);
  if (!set) {
    set = new Set(library.signatures.flatMap((s) => (s.device?.vendor ? [s.device.vendor] : [])));
    makersOf.set(library, set);
  }
  return set;
}

/**
 * Raises a verdict's confidence by the hints naming its vendor, and takes the model they
 * name when the verdict has none. A hint read from a field
 * one of the verdict's own signatures already matched on the same service (an `oid_prefix`
 * on the sysObjectID) adds nothing: it is the same fact counted once.
 */
function reinforce(
  verdict: DeviceVerdict,
  group: readonly SignatureHit[],
  hinted: ReadonlyMap<string, HintGroup>,
  used: Set<VendorHint>,
): DeviceVerdict {
  const hg = verdict.vendor_id === null ? undefined : hinted.get(verdict.vendor_id);
  if (!hg) return verdict;
  // The UPnP description naming the verdict's maker names the model its signatures missed.
  const model = verdict.model ?? hg.hints.find((h) => h.model !== undefined)?.model ?? null;
  const base = model === verdict.model ? verdict : { ...verdict, model };
  const seen = new Set<string>();
  for (const h of group)
    for (const f of h.fired) for (const s of f.services) seen.add(`${s}\u0000${f.item.field}`);
  const fresh = hg.hints.filter((h) => !seen.has(`${h.service}\u0000${h.field}`));
  for (const h of hg.hints) used.add(h);
  if (fresh.length === 0) return base;
  const best = new Map<string, number>();
  for (const h of fresh) best.set(h.source, Math.max(best.get(h.source) ?? 0, h.weight));
  const miss = [...best.values()].reduce((p, w) => p * (1 - w * HINT_REINFORCEMENT), 1);
  return {
    ...base,
    confidence: round(1 - (1 - base.confidence) * miss),
    signatures: [...base.signatures, ...hintSignatures(fresh)],
  };
}

function hintSignatures(hints: readonly VendorHint[]): string[] {
  return [...new Set(hints.map((h) => HINT_SIGNATURE[h.source]))];
}

/**
 * Hinted vendors that no verdict names: they fill the vendor of a class-only or
 * software-only verdict when the class fits, else become alternatives; with no verdict at
 * all, a vendor whose registry entry gives a usual class becomes the device.
 */
function fuseHints(
  library: SignatureLibrary,
  device: DeviceVerdict | null,
  alternatives: readonly DeviceVerdict[],
  hinted: ReadonlyMap<string, HintGroup>,
  used: Set<VendorHint>,
  softwareOs: OsInfo,
): { device: DeviceVerdict | null; alternatives: DeviceVerdict[] } {
  let lead = device;
  const alts = [...alternatives];
  const named = new Set([lead, ...alts].flatMap((v) => (v?.vendor_id ? [v.vendor_id] : [])));
  const pending = [...hinted]
    .filter(([vendor]) => !named.has(vendor))
    .sort((a, b) => b[1].strength - a[1].strength || a[0].localeCompare(b[0]));
  for (const [vendorId, hg] of pending) {
    const vendor = library.vendors.get(vendorId);
    if (!vendor) continue;
    const usual = vendor.classes[0] ?? null;
    const hintConfidence = round(Math.min(HINT_ONLY_CEILING, hg.strength));
    if (lead && lead.vendor_id === null) {
      // A general-purpose computer is branded only by a vendor the registry lists as a
      // computer maker: the enterprise number in a Windows or Net-SNMP sysObjectID names
      // the OS, not the box (Microsoft also makes consoles, so it counts as a maker).
      const fits =
        lead.class === 'computer'
          ? vendor.classes.includes('computer')
          : vendor.classes.length === 0 ||
            vendor.classes.includes(lead.class) ||
            lead.class === 'unknown-embedded';
      if (fits) {
        // An unbranded verdict (generic Enigma2, BusyBox) and a maker's MAC: the same box.
        const cls = lead.class === 'unknown-embedded' && usual ? usual : lead.class;
        // From "embedded, whose?" both the class and the maker now rest on the hint: however
        // sure the software is that the box is embedded, the label reads as a hint.
        const ceiling =
          lead.class === 'unknown-embedded'
            ? HINT_ONLY_CEILING
            : Math.max(lead.confidence, HINT_ONLY_CEILING);
        lead = {
          ...lead,
          class: cls,
          vendor: vendor.name,
          vendor_id: vendor.id,
          confidence: round(
            Math.min(ceiling, 1 - (1 - lead.confidence) * (1 - hg.strength * HINT_REINFORCEMENT)),
          ),
          nat_gateway_suspected: NAT_GATEWAY_CLASSES.has(cls),
          signatures: [...lead.signatures, ...hintSignatures(hg.hints)],
        };
        for (const h of hg.hints) used.add(h);
        continue;
      }
    }
    const cls = usual ?? lead?.class ?? null;
    if (cls === null) continue;
    const verdict: DeviceVerdict = {
      class: cls,
      vendor: vendor.name,
      vendor_id: vendor.id,
      product: null,
      // The UPnP description that named the maker names the model too.
      model: hg.hints.find((h) => h.model !== undefined)?.model ?? null,
      os: softwareOs,
      cpe: [],
      confidence: hintConfidence,
      nat_gateway_suspected: NAT_GATEWAY_CLASSES.has(cls),
      signatures: hintSignatures(hg.hints),
    };
    for (const h of hg.hints) used.add(h);
    if (lead) alts.push(verdict);
    else lead = verdict;
  }
  alts.sort((a, b) => b.confidence - a.confidence);
  return { device: lead, alternatives: alts };
}

/** True when branded verdicts name too many vendors over too many classes for one device. */
export function isHoneypotLike(verdicts: readonly DeviceVerdict[]): boolean {
  if (verdicts.length < HONEYPOT_MIN_VENDORS) return false;
  const vendors = new Set<string>();
  const classes = new Set<string>();
  for (const v of verdicts) {
    if (v.vendor_id === null) continue;
    vendors.add(v.vendor_id);
    classes.add(v.class);
  }
  return vendors.size >= HONEYPOT_MIN_VENDORS && classes.size >= HONEYPOT_MIN_CLASSES;
}

function deviceFromGroup(
  library: SignatureLibrary,
  group: readonly SignatureHit[],
  softwareOs: OsInfo,
): { verdict: DeviceVerdict; evidence: number } {
  const sorted =
    group.length > 1
      ? [...group].sort((a, b) => b.score - a.score || a.signature.id.localeCompare(b.signature.id))
      : group;
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
  const cpe: string[] = [];
  for (const h of sorted) {
    const t = h.signature.device as NonNullable<CompiledSignature['device']>;
    product ??= fillTemplate(t.product, h.captures);
    model ??= fillTemplate(t.model, h.captures);
    // No OS template fills nothing: skip the two objects that would say so.
    if (t.os) os = mergeOs(os, fillOs(t.os, h.captures));
    for (const c of t.cpe ?? []) {
      const filled = fillTemplate(c, h.captures);
      if (filled && !cpe.includes(filled)) cpe.push(filled);
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
      cpe,
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
  // On a tie, the side an OS-only signature supports wins: the OS a login or a page names
  // (/etc/issue "Debian GNU/Linux 12", Debian's lighttpd placeholder) describes the host,
  // while a daemon (BusyBox telnetd, lighttpd) only says where that software usually runs.
  const osOnly = (list: SignatureHit[]): boolean =>
    list.some((h) => h.signature.service?.product === undefined);
  const cls: DeviceClass =
    computer > embedded ||
    (computer === embedded && osOnly(byHint.computer) && !osOnly(byHint.embedded))
      ? 'computer'
      : 'unknown-embedded';
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

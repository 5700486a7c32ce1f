/**
 * The held-out check: real-world banners written without looking at the patterns
 * (`test/fixtures/heldout/banners.yaml`), identified offline by the same path as
 * `thingscan identify`, and scored against what an analyst would label them. Unlike
 * `sig test`, whose examples were written with their patterns, this tells whether the
 * patterns generalise.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { derivedHttpFields } from '../../probes/parsers/http-fields.js';
import { parseReply } from '../../probes/parsers/reply.js';
import { normaliseTelnetText, telnetPrompt, telnetStreamText } from '../../probes/telnet.js';
import { identifyServices } from '../match/identify.js';
import type { ServiceInput } from '../match/matcher.js';
import { packageRoot } from '../paths.js';
import type { Protocol } from '../types.js';
import { isFieldName } from './fields.js';
import type { SignatureLibrary } from './model.js';
import { isDeviceClassName } from './stats.js';

/** The labels an analyst gives one held-out banner. */
export interface HeldoutExpect {
  /** Acceptable classes (one or several). */
  readonly class?: readonly string[];
  /** Acceptable vendor slugs; `null` = a generic banner on which naming a vendor is wrong. */
  readonly vendor?: readonly string[] | null;
  /** Product line the banner names. */
  readonly product?: string;
  /** `false`: a general-purpose computer or daemon, so an IoT class is wrong. */
  readonly iot?: boolean;
}

/** One held-out banner: one service's fields. */
export interface HeldoutEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly expect: HeldoutExpect;
  readonly source: string;
}

/** What the library said about one entry, and which expectations it missed. */
export interface HeldoutResult {
  readonly entry: HeldoutEntry;
  readonly got: {
    readonly class: string | null;
    readonly vendor: string | null;
    readonly product: string | null;
    readonly signatures: readonly string[];
  };
  /** `class`, `vendor`, `product`, `false-vendor`, `false-iot`: the checks it failed. */
  readonly misses: readonly string[];
}

/** A ratio: `hit` of `of`. */
export interface Ratio {
  readonly hit: number;
  readonly of: number;
}

/** The figures of a held-out run. */
export interface HeldoutReport {
  readonly entries: number;
  readonly signaturesVersion: string;
  readonly class: Ratio;
  readonly vendor: Ratio;
  readonly product: Ratio;
  /** Generic banners (`vendor: null`) and how many of them got a vendor anyway. */
  readonly falseVendor: Ratio;
  /** `iot: false` banners and how many of them got an IoT class. */
  readonly falseIot: Ratio;
  readonly results: readonly HeldoutResult[];
}

/** Default held-out set of a checkout. */
export function defaultHeldoutFile(): string {
  return path.join(packageRoot(), 'test', 'fixtures', 'heldout', 'banners.yaml');
}

function list(value: unknown, where: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  for (const v of items) if (typeof v !== 'string') throw new Error(`${where}: not a string`);
  return items as string[];
}

function parseExpect(raw: unknown, where: string): HeldoutExpect {
  if (typeof raw !== 'object' || raw === null) throw new Error(`${where}: expect missing`);
  const e = raw as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!['class', 'vendor', 'product', 'iot'].includes(key))
      throw new Error(`${where}: unknown expect key '${key}'`);
  }
  const out: {
    class?: string[];
    vendor?: string[] | null;
    product?: string;
    iot?: boolean;
  } = {};
  if (e['class'] !== undefined) {
    out.class = list(e['class'], `${where}: class`);
    for (const c of out.class)
      if (!isDeviceClassName(c)) throw new Error(`${where}: unknown class '${c}'`);
  }
  if (e['vendor'] === null) out.vendor = null;
  else if (e['vendor'] !== undefined) out.vendor = list(e['vendor'], `${where}: vendor`);
  if (e['product'] !== undefined) out.product = String(e['product']);
  if (e['iot'] !== undefined) {
    if (typeof e['iot'] !== 'boolean') throw new Error(`${where}: iot is not a boolean`);
    out.iot = e['iot'];
  }
  return out;
}

/**
 * Reads a held-out set (`entries:` list of `id`, `fields`, `expect`, `source`). Unknown
 * fields, classes or keys throw, so a typo cannot silently drop a check.
 */
export function loadHeldout(file: string = defaultHeldoutFile()): HeldoutEntry[] {
  const doc = parse(readFileSync(file, 'utf8')) as { entries?: unknown };
  if (!Array.isArray(doc?.entries)) throw new Error(`${file}: no entries list`);
  const seen = new Set<string>();
  return doc.entries.map((raw: unknown, i: number) => {
    const r = raw as Record<string, unknown>;
    const id = typeof r?.['id'] === 'string' ? r['id'] : `#${i + 1}`;
    const where = `${file}: ${id}`;
    if (seen.has(id)) throw new Error(`${where}: duplicate id`);
    seen.add(id);
    if (typeof r['fields'] !== 'object' || r['fields'] === null)
      throw new Error(`${where}: no fields`);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(r['fields'])) {
      if (!isFieldName(k)) throw new Error(`${where}: unknown field '${k}'`);
      fields[k] = String(v);
    }
    if (typeof r['source'] !== 'string' || r['source'] === '')
      throw new Error(`${where}: no source`);
    return { id, fields, expect: parseExpect(r['expect'], where), source: r['source'] };
  });
}

/** Protocol of the service a field is recorded on (UPnP fields ride on SSDP, TLS on HTTPS). */
function serviceProtocol(field: string): Protocol {
  const p = field.slice(0, field.indexOf('.'));
  if (p === 'upnp') return 'ssdp';
  if (p === 'tls') return 'https';
  return p as Protocol;
}

/** Fields the FTP and SMTP probes record as reply lines with their codes stripped. */
const REPLY_FIELDS: ReadonlySet<string> = new Set(['ftp.greeting', 'smtp.greeting']);

/** A greeting written as it comes off the wire (`220-…` lines) as the probe records it. */
function replyText(value: string): string {
  const reply = parseReply(Buffer.from(`${value}\r\n`, 'latin1'));
  return reply ? reply.lines.join('\n').trim() : value;
}

/**
 * Header lines as the HTTP probe records them: names lower-cased (the probe keeps what
 * undici gives, which lower-cases them), values as sent, one `name: value` per line.
 */
function headerLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const colon = line.indexOf(':');
      return colon > 0 ? line.slice(0, colon).toLowerCase() + line.slice(colon) : line;
    })
    .join('\n');
}

/**
 * The services an entry's fields make, completed as the probe would record them: an SSH
 * ident also gives `ssh.software`/`ssh.comment`, a telnet banner has its line ends
 * normalised (CR LF to LF, as the probe does), is trimmed, and its last non-empty line as a
 * terminal shows it is `telnet.prompt` (a banner written with its IAC negotiation bytes is parsed as the probe
 * parses the stream, which also gives `telnet.options`), and an FTP or SMTP greeting written with its reply
 * codes (`220 …`) loses them, and an HTTP service gets what the probe derives from its
 * headers and body (Server line, title, realm, generator, redirect target) unless written.
 */
export function heldoutServices(fields: Readonly<Record<string, string>>): ServiceInput[] {
  const byProtocol = new Map<Protocol, Record<string, string>>();
  for (const [name, value] of Object.entries(fields)) {
    const protocol = serviceProtocol(name);
    const f = byProtocol.get(protocol) ?? {};
    f[name] = REPLY_FIELDS.has(name)
      ? replyText(value)
      : name === 'http.headers'
        ? headerLines(value)
        : value;
    byProtocol.set(protocol, f);
  }
  const ssh = byProtocol.get('ssh');
  const ident = ssh?.['ssh.ident'];
  if (ssh && ident !== undefined) {
    const m = /^SSH-[\d.]+-(\S+)(?: (.*))?/.exec(ident);
    if (m?.[1] && ssh['ssh.software'] === undefined) ssh['ssh.software'] = m[1];
    if (m?.[2] && ssh['ssh.comment'] === undefined) ssh['ssh.comment'] = m[2];
  }
  for (const http of [byProtocol.get('http'), byProtocol.get('https')]) {
    if (http === undefined) continue;
    // What the probe derives from the headers and the body (Server line, title, realm,
    // generator, redirect target), where the entry did not write it out.
    const headers = (http['http.headers'] ?? '').split('\n').flatMap((line) => {
      const colon = line.indexOf(':');
      return colon > 0 ? [[line.slice(0, colon), line.slice(colon + 1).trim()] as const] : [];
    });
    const derived = derivedHttpFields(headers, Buffer.from(http['http.body'] ?? '', 'latin1'));
    for (const [name, value] of Object.entries(derived))
      if (http[name] === undefined && value !== undefined) http[name] = value;
  }
  const telnet = byProtocol.get('telnet');
  const banner = telnet?.['telnet.banner'];
  if (telnet && banner !== undefined) {
    // Written as raw bytes with IAC negotiation left in: parse it as the probe does.
    const raw = banner.includes('\xff') && /^[\0-\xff]*$/.test(banner);
    const stream = raw ? telnetStreamText(Buffer.from(banner, 'latin1')) : null;
    const text = stream ? stream.text : normaliseTelnetText(banner);
    if (stream && stream.options.length > 0 && telnet['telnet.options'] === undefined)
      telnet['telnet.options'] = stream.options.join(',');
    telnet['telnet.banner'] = text.trim();
    const prompt = telnetPrompt(text);
    if (prompt && telnet['telnet.prompt'] === undefined) telnet['telnet.prompt'] = prompt;
  }
  return [...byProtocol].map(([protocol, f]) => ({
    port: 0,
    transport: protocol === 'snmp' || protocol === 'ssdp' ? 'udp' : 'tcp',
    protocol,
    fields: f,
  }));
}

const fold = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Same product when one folded name holds the other ("FRITZ!Box" ~ "FRITZ!Box 7590"). */
function sameProduct(expected: string, got: string | null): boolean {
  if (!got) return false;
  const a = fold(expected);
  const b = fold(got);
  return a.length > 0 && b.length > 0 && (a.includes(b) || b.includes(a));
}

/**
 * The record names a device by product and model together ("VU+ receiver", model "Duo2"):
 * a set that labels the model ("Duo2") or the whole name is answered by either field.
 */
function productNamed(expected: string, product: string | null, model: string | null): boolean {
  return (
    sameProduct(expected, product) ||
    sameProduct(expected, model) ||
    (product !== null && model !== null && sameProduct(expected, `${product} ${model}`))
  );
}

/** Classes that are not IoT (DESIGN.md section 4). */
const NOT_IOT = new Set(['computer']);

/** Identifies one entry and checks it against its expectations. */
export function checkHeldout(library: SignatureLibrary, entry: HeldoutEntry): HeldoutResult {
  const result = identifyServices(library, heldoutServices(entry.fields));
  const d = result.device;
  const got = {
    class: d?.class ?? null,
    vendor: d?.vendor_id ?? null,
    product: d?.product ?? null,
    signatures: d?.signatures ?? [],
  };
  const e = entry.expect;
  const misses: string[] = [];
  if (e.class && !(got.class !== null && e.class.includes(got.class))) misses.push('class');
  if (e.vendor === null) {
    if (got.vendor !== null) misses.push('false-vendor');
  } else if (e.vendor && !(got.vendor !== null && e.vendor.includes(got.vendor))) {
    misses.push('vendor');
  }
  if (e.product !== undefined && !productNamed(e.product, got.product, d?.model ?? null))
    misses.push('product');
  if (e.iot === false && got.class !== null && !NOT_IOT.has(got.class)) misses.push('false-iot');
  return { entry, got, misses };
}

/** Runs the whole set. */
export function runHeldout(
  library: SignatureLibrary,
  entries: readonly HeldoutEntry[],
): HeldoutReport {
  const results = entries.map((e) => checkHeldout(library, e));
  const ratio = (applies: (r: HeldoutResult) => boolean, miss: string): Ratio => {
    const of = results.filter(applies);
    return { hit: of.filter((r) => !r.misses.includes(miss)).length, of: of.length };
  };
  const falseOf = (applies: (r: HeldoutResult) => boolean, miss: string): Ratio => {
    const of = results.filter(applies);
    return { hit: of.filter((r) => r.misses.includes(miss)).length, of: of.length };
  };
  return {
    entries: results.length,
    signaturesVersion: library.version,
    class: ratio((r) => r.entry.expect.class !== undefined, 'class'),
    vendor: ratio((r) => Array.isArray(r.entry.expect.vendor), 'vendor'),
    product: ratio((r) => r.entry.expect.product !== undefined, 'product'),
    falseVendor: falseOf((r) => r.entry.expect.vendor === null, 'false-vendor'),
    falseIot: falseOf((r) => r.entry.expect.iot === false, 'false-iot'),
    results,
  };
}

/** `hit/of (pct %)`. */
export function formatRatio(r: Ratio): string {
  const pct = r.of === 0 ? 0 : (100 * r.hit) / r.of;
  return `${r.hit}/${r.of} (${pct.toFixed(1)} %)`;
}

function describeExpect(e: HeldoutExpect): string {
  const parts: string[] = [];
  if (e.class) parts.push(e.class.join('|'));
  if (e.vendor === null) parts.push('vendor=null');
  else if (e.vendor) parts.push(e.vendor.join('|'));
  if (e.product) parts.push(`"${e.product}"`);
  if (e.iot === false) parts.push('iot=false');
  return parts.join(' ');
}

/** The report as text: figures, then one line per entry that missed something. */
export function formatHeldout(report: HeldoutReport): string {
  const lines = [
    `held-out: ${report.entries} banners, library ${report.signaturesVersion}`,
    `  class accuracy          ${formatRatio(report.class)}`,
    `  vendor accuracy         ${formatRatio(report.vendor)}`,
    `  product accuracy        ${formatRatio(report.product)}`,
    `  false vendor (generic)  ${formatRatio(report.falseVendor)}`,
    `  false IoT (computers)   ${formatRatio(report.falseIot)}`,
  ];
  const missed = report.results.filter((r) => r.misses.length > 0);
  if (missed.length > 0) lines.push(`misses (${missed.length}):`);
  for (const r of missed) {
    const g = r.got;
    const got = g.class
      ? `${g.class} ${g.vendor ?? '-'} ${g.product ? `"${g.product}"` : '-'} [${g.signatures.join(', ')}]`
      : 'nothing';
    lines.push(
      `  ${r.entry.id}: ${r.misses.join(',')}: want ${describeExpect(r.entry.expect)}; got ${got}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `sig new`: a first draft of a signature from what a device actually sent, so a
 * contributor starts from a file that loads and passes its own example, then refines the
 * pattern (captures, alternatives, weights) and adds more examples.
 */
import { isFollowupField } from './followup.js';
import { isDeviceClassName } from './stats.js';

/** Field a banner of each protocol is read as, unless a field is named. */
export const BANNER_FIELD = {
  telnet: 'telnet.banner',
  ssh: 'ssh.ident',
  smtp: 'smtp.greeting',
  ftp: 'ftp.greeting',
  http: 'http.server',
  snmp: 'snmp.sysDescr',
} as const;

/** A protocol a raw banner can be read as. */
export type BannerProtocol = keyof typeof BANNER_FIELD;

/** Whether `p` names a protocol of {@link BANNER_FIELD}. */
export function isBannerProtocol(p: string): p is BannerProtocol {
  return Object.hasOwn(BANNER_FIELD, p);
}

/**
 * Probe fields for a raw banner, as the probe would have recorded them: an SSH ident also
 * yields `ssh.software` and `ssh.comment`, which most signatures read.
 */
export function bannerFields(
  text: string,
  protocol: BannerProtocol,
  field?: string,
): Record<string, string> {
  const name = field ?? BANNER_FIELD[protocol];
  const fields: Record<string, string> = { [name]: text };
  if (name === 'ssh.ident') {
    const m = /^SSH-[\d.]+-(\S+)(?: (.*))?/.exec(text);
    if (m?.[1]) fields['ssh.software'] = m[1];
    if (m?.[2]) fields['ssh.comment'] = m[2];
  }
  return fields;
}

/** Fields most likely to name a product, best first; others follow in record order. */
const FIELD_PREFERENCE = [
  'ssh.software',
  'http.server',
  'http.title',
  'http.realm',
  'upnp.model_name',
  'upnp.manufacturer',
  'snmp.sysDescr',
  'ftp.greeting',
  'smtp.greeting',
  'telnet.banner',
  'telnet.prompt',
  'rtsp.server',
  'ssdp.server',
  'tls.subject',
  'ssh.ident',
];
/** Fields that never identify anything by themselves (status lines, hashes of everything, our own notes). */
const USELESS =
  /^(?:http\.status|http\.headers|http\.body|scan\.|snmp\.version|tls\.(?:not_|serial|sha256|version|cipher)|ssh\.(?:kex|ciphers|macs|compression|hostkey))/;

/** What {@link scaffoldSignature} needs. */
export interface ScaffoldInput {
  /** The first example: probe fields as a device sent them. */
  readonly fields: Readonly<Record<string, string>>;
  /** Device class; absent = a software-only signature. */
  readonly class?: string;
  /** Vendor slug from the registry. */
  readonly vendor?: string;
  /** Product name (device product, or the software's name). */
  readonly product?: string;
  /** Vendor display name for the `name:` line (default: the slug). */
  readonly vendorName?: string;
}

/** A drafted signature file. */
export interface Scaffold {
  /** `<vendor>/<product>`. */
  readonly id: string;
  /** Where it belongs, relative to the library root. */
  readonly path: string;
  /** The field its evidence reads. */
  readonly field: string;
  /** The YAML text. */
  readonly yaml: string;
}

/** Lower-case slug for ids and file names. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'product'
  );
}

/**
 * Escapes text as a regex literal in our dialect: metacharacters backslashed, control and
 * non-ASCII characters as `\xHH`/`\uHHHH` so the YAML stays printable.
 */
export function escapeLiteral(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (/[\\^$.|?*+()[\]{}/]/.test(ch)) out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code > 0x7e && code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (code > 0xffff)
      out += '.'; // astral: any one code unit pair is not expressible without the u flag
    else out += ch;
  }
  return out;
}

/** Longest start of the value used as the literal: enough to be specific, short enough to read. */
const LITERAL_CAP = 64;

/** Drafts a signature whose only evidence is an anchored literal of the best field. */
export function scaffoldSignature(input: ScaffoldInput): Scaffold {
  // Follow-up answers need a hand-written `followup:` block (see signatures/README.md): a
  // draft describes the first exchange only, so its example stays one the engine produces.
  const entries = Object.entries(input.fields).filter(
    ([k, v]) => v.trim().length > 0 && !isFollowupField(k),
  );
  if (entries.length === 0) throw new Error('nothing to build a signature from: no field has text');
  if (input.class !== undefined && !isDeviceClassName(input.class)) {
    throw new Error(`unknown class '${input.class}'`);
  }
  const usable = entries.filter(([k]) => !USELESS.test(k));
  const ranked = [...usable].sort((a, b) => rank(a[0]) - rank(b[0]));
  const best = ranked.find(([, v]) => firstLine(v).trim().length >= 4) ?? ranked[0] ?? entries[0];
  if (!best) throw new Error('nothing to build a signature from');
  const [field, value] = best;
  const line = firstLine(value);
  const cut = [...line].slice(0, LITERAL_CAP).join('');
  if (cut.trim().length < 4) {
    throw new Error(
      `the ${field} text is too short to anchor a signature (${JSON.stringify(cut)})`,
    );
  }
  const whole = cut === value;
  const pattern = `^${escapeLiteral(cut)}${whole ? '$' : ''}`;
  const product = input.product ?? guessProduct(cut);
  const vendorDir = input.vendor ?? slug(product);
  const id = `${vendorDir}/${slug(product)}`;
  const dir = input.class ?? 'software';
  const vendorName = input.vendorName ?? input.vendor ?? '';

  const q = (s: string): string => JSON.stringify(s);
  const lines: string[] = [
    '# yaml-language-server: $schema=../../../src/signatures/signature.schema.json',
    `# Drafted by \`thingscan sig new\` from one banner. Before sending it:`,
    '#  - make the pattern general: capture the version/model with named groups',
    '#    ((?<version>[0-9]+(?:\\.[0-9]+){1,3}), (?<model>…)) and use {version}/{model} below;',
    '#  - add examples from other firmware versions and counterexamples for look-alikes;',
    '#  - run `npx thingscan sig lint && npx thingscan sig test`.',
    `id: ${id}`,
    `name: ${q(input.class ? `${vendorName ? `${vendorName} ` : ''}${product}` : `${product} (software)`)}`,
    'status: experimental',
  ];
  const expect: string[] = [];
  if (input.class) {
    lines.push('device:', `  class: ${input.class}`);
    if (input.vendor) lines.push(`  vendor: ${input.vendor}`);
    lines.push(`  product: ${q(product)}`);
    expect.push(`class: ${input.class}`);
    if (input.vendor) expect.push(`vendor: ${input.vendor}`);
    expect.push(`product: ${q(product)}`);
  } else {
    lines.push('service:');
    if (input.vendor) lines.push(`  vendor: ${input.vendor}`);
    lines.push(
      `  product: ${q(product)}`,
      '  hint: embedded   # or computer: what this software alone suggests',
    );
    if (input.vendor) expect.push(`vendor: ${input.vendor}`);
    expect.push(`product: ${q(product)}`);
  }
  lines.push(
    'evidence:',
    `  - id: ${slug(field.replace(/^[a-z]+\./, ''))}`,
    `    field: ${field}`,
    `    regex: ${yamlSingle(pattern)}`,
    '    weight: strong',
    'examples:',
    '  - fields:',
  );
  for (const [k, v] of entries) lines.push(`      ${k}: ${q(v)}`);
  lines.push(`    expect: { ${expect.join(', ')} }`, 'references: []', '');
  return { id, path: `${dir}/${id}.yaml`, field, yaml: lines.join('\n') };
}

function rank(field: string): number {
  const i = FIELD_PREFERENCE.indexOf(field);
  return i < 0 ? FIELD_PREFERENCE.length : i;
}

function firstLine(value: string): string {
  const trimmed = value.replace(/^[\r\n]+/, '');
  const nl = trimmed.search(/[\r\n]/);
  return nl < 0 ? trimmed : trimmed.slice(0, nl);
}

/** A product name from the banner's first word (`SSH-2.0-dropbear_2019.78` → `dropbear`): a guess to overwrite. */
function guessProduct(text: string): string {
  const stripped = text.replace(/^SSH-[\d.]+-/, '');
  const word = /[A-Za-z][A-Za-z0-9-]{2,}/.exec(stripped)?.[0];
  return word ?? 'product';
}

/** A YAML single-quoted scalar: backslashes stay literal, quotes double. */
function yamlSingle(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

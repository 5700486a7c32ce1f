/**
 * Parse → validate → compile, once. Every problem is reported as `FILE:LINE:COL: message`
 * and all problems of a load are collected before failing, so a contributor fixes them in
 * one pass.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Yaml from 'yaml';
import type { LineCounter, Node } from 'yaml';
import { DEFAULTS } from '../engine/defaults.js';
import { SignatureError, SignatureLoadError, ThingscanError } from '../errors.js';
import { buildFieldIndex, type FieldIndex, requiredLiterals } from '../match/prefilter.js';
import { defaultSignaturesDir } from '../paths.js';
import { DEVICE_CLASSES, type DeviceClass } from '../types.js';
import { type CachedLibrary, cacheDir, libraryKey, readCache, writeCache } from './cache.js';
import { type FieldName, isFieldName } from './fields.js';
import { followupPathProblem, isFollowupField } from './followup.js';
import {
  type CompiledEvidence,
  type CompiledSignature,
  DEFAULT_MIN_SCORE,
  type DeviceTemplate,
  type FollowupPlan,
  HINTS,
  type Hint,
  MATCHER_KINDS,
  type MatcherKind,
  type OsTemplate,
  type ServiceTemplate,
  SIGNATURE_STATUSES,
  type SignatureExample,
  type SignatureLibrary,
  type SignatureStatus,
  type Vendor,
  WEIGHTS,
} from './model.js';
import { captureNames, checkRegex } from './regex-check.js';

const require = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;

/**
 * The `yaml` package, loaded on first use: a start that finds the compiled cache
 * (`cache.ts`) never parses YAML and skips its ~60 ms of module loading. On Node, `import`
 * and `require` of `yaml` both load its CommonJS build, so this is the same module the
 * linter imports.
 */
function yaml(): typeof Yaml {
  yamlModule ??= require('yaml') as typeof Yaml;
  return yamlModule;
}

/** Options of {@link loadSignatures}. */
export interface LoadOptions {
  /** Library folder; default: the package's own `signatures/`. */
  readonly dir?: string;
  /**
   * Use the compiled-library cache (default true; see `cache.ts`). Tools that must see
   * every problem of the YAML itself (`sig lint`) may turn it off; a cache hit means the
   * same files loaded cleanly before, so results are identical either way.
   */
  readonly cache?: boolean;
}

/** Keys an example's `expect` may hold. */
export const EXPECT_KEYS = ['class', 'vendor', 'product', 'model', 'version', 'os_family'] as const;

const TOP_KEYS = new Set([
  'id',
  'name',
  'description',
  'status',
  'device',
  'service',
  'min_score',
  'evidence',
  'examples',
  'counterexamples',
  'references',
  'followup',
]);
const EVIDENCE_KEYS = new Set([
  'id',
  'field',
  ...MATCHER_KINDS,
  'flags',
  'weight',
  'negate',
  'requires',
  'description',
]);
const OS_KEYS = new Set(['vendor', 'family', 'name', 'version']);
const FOLLOWUP_KEYS = new Set(['when', 'requests']);
const FOLLOWUP_REQUEST_KEYS = new Set(['path', 'description']);
const DEVICE_KEYS = new Set(['class', 'vendor', 'product', 'model', 'os', 'cpe']);
const SERVICE_KEYS = new Set(['vendor', 'product', 'version', 'hint', 'os']);
const TEMPLATE_RE = /\{([A-Za-z_][A-Za-z0-9_]*)(?:\|(lower|upper))?\}/g;

/** Folds a vendor name for duplicate detection: lower-case, alphanumerics only. */
export function foldName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Loads, validates and compiles the library; throws {@link SignatureLoadError} listing every problem. */
export function loadSignatures(options: LoadOptions = {}): SignatureLibrary {
  const root = path.resolve(options.dir ?? defaultSignaturesDir());
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ThingscanError('E_IO', `signature folder not found: ${root}`);
  }
  const dir = cacheDir(options.cache ?? true);
  const key = dir === null ? null : libraryKey(root);
  if (dir !== null && key !== null) {
    const cached = readCache(dir, key);
    if (cached) {
      const revived = reviveLibrary(root, cached);
      if (revived) return revived;
    }
  }
  const library = loadFromYaml(root);
  if (dir !== null && key !== null) {
    writeCache(dir, key, { ...library, vendors: [...library.vendors.values()] });
  }
  return library;
}

/** Rebuilds a cached library: matchers compiled again, indexes rebuilt; null if unusable. */
function reviveLibrary(root: string, cached: CachedLibrary): SignatureLibrary | null {
  let broken = false;
  const signatures: CompiledSignature[] = cached.signatures.map((sig) => ({
    ...sig,
    evidence: sig.evidence.map((ev) => {
      const test = compileMatcher(ev.kind, ev.pattern, ev.flags, () => {
        broken = true;
      });
      return { ...ev, test: test ?? (() => null) };
    }),
  }));
  if (broken) return null;
  const vendors = new Map(cached.vendors.map((v) => [v.id, v]));
  return assemble(root, cached.version, signatures, vendors);
}

/** The full, checked load from YAML. */
function loadFromYaml(root: string): SignatureLibrary {
  const errors: SignatureError[] = [];
  const vendors = loadVendors(root, errors);
  const files = listYaml(root);
  const signatures: CompiledSignature[] = [];
  const names = new Map<string, string>();
  for (const file of files) {
    const sig = loadFile(root, file, vendors, errors);
    if (!sig) continue;
    const other = names.get(sig.name);
    if (other)
      errors.push(new SignatureError(file, 1, 1, `name '${sig.name}' also used by ${other}`));
    names.set(sig.name, file);
    signatures.push(sig);
  }
  if (signatures.length === 0 && errors.length === 0) {
    errors.push(new SignatureError(root, 0, 0, 'no signature files (*.yaml) in this folder'));
  }
  if (errors.length > 0) throw new SignatureLoadError(errors);
  const versionFile = path.join(root, 'VERSION');
  const version = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : '0.0.0';
  return assemble(root, version, signatures, vendors);
}

/** The library object, with the matcher's per-field indexes. */
function assemble(
  root: string,
  version: string,
  signatures: CompiledSignature[],
  vendors: Map<string, Vendor>,
): SignatureLibrary {
  const refsByField = new Map<
    string,
    Array<{ sig: number; item: number; literals: readonly string[] | null; negate: boolean }>
  >();
  signatures.forEach((sig, s) => {
    sig.evidence.forEach((ev, e) => {
      const list = refsByField.get(ev.field) ?? [];
      list.push({ sig: s, item: e, literals: ev.literals, negate: ev.negate });
      refsByField.set(ev.field, list);
    });
  });
  const byField = new Map<string, FieldIndex>();
  for (const [field, refs] of refsByField) byField.set(field, buildFieldIndex(refs));
  return { version, root, signatures, vendors, byField };
}

function listYaml(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.yaml') || entry.name.endsWith('.yml')) out.push(full);
    }
  };
  walk(root);
  return out;
}

/** Locates YAML nodes for messages. */
class Locator {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}
  at(node: Node | null | undefined, message: string): SignatureError {
    const offset = node?.range?.[0];
    if (offset === undefined) return new SignatureError(this.file, 1, 1, message);
    const pos = this.lines.linePos(offset);
    return new SignatureError(this.file, pos.line, pos.col, message);
  }
  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }
}

function parseYaml(
  file: string,
  errors: SignatureError[],
): { doc: ReturnType<typeof Yaml.parseDocument>; loc: Locator } | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    errors.push(new SignatureError(file, 0, 0, `cannot read: ${(error as Error).message}`));
    return null;
  }
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      errors.push(new SignatureError(file, pos.line, pos.col, `YAML: ${e.message.split('\n')[0]}`));
    }
    return null;
  }
  return { doc, loc: new Locator(file, lines) };
}

function loadVendors(root: string, errors: SignatureError[]): Map<string, Vendor> {
  const file = path.join(root, '_taxonomy', 'vendors.yaml');
  const vendors = new Map<string, Vendor>();
  if (!existsSync(file)) {
    errors.push(new SignatureError(file, 0, 0, 'vendor registry missing'));
    return vendors;
  }
  const parsed = parseYaml(file, errors);
  if (!parsed) return vendors;
  const { doc, loc } = parsed;
  const list = doc.contents;
  if (!yaml().isSeq(list)) {
    errors.push(loc.at(list, 'vendor registry must be a list'));
    return vendors;
  }
  const folded = new Map<string, string>();
  for (const item of list.items) {
    if (!yaml().isMap(item)) {
      errors.push(loc.at(item as Node, 'vendor entry must be a map'));
      continue;
    }
    const v = item.toJSON() as Record<string, unknown>;
    const id = v['id'];
    const name = v['name'];
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(id)) {
      errors.push(loc.at(item, `vendor id must be a slug [a-z0-9-], got ${JSON.stringify(id)}`));
      continue;
    }
    if (typeof name !== 'string' || name.trim() === '') {
      errors.push(loc.at(item, `vendor '${id}' needs a name`));
      continue;
    }
    if (vendors.has(id)) errors.push(loc.at(item, `duplicate vendor id '${id}'`));
    const aliases = Array.isArray(v['aliases']) ? v['aliases'].map(String) : [];
    for (const spelled of [name, ...aliases]) {
      const key = foldName(spelled);
      const owner = folded.get(key);
      if (owner && owner !== id) {
        errors.push(
          loc.at(item, `vendor '${id}': '${spelled}' folds to the same name as '${owner}'`),
        );
      }
      folded.set(key, id);
    }
    const enterprise = Array.isArray(v['enterprise'])
      ? v['enterprise'].filter((n): n is number => Number.isInteger(n) && (n as number) > 0)
      : [];
    const classes: DeviceClass[] = [];
    if (v['classes'] !== undefined) {
      const list = Array.isArray(v['classes']) ? v['classes'] : [v['classes']];
      for (const c of list) {
        if (typeof c === 'string' && Object.hasOwn(DEVICE_CLASSES, c))
          classes.push(c as DeviceClass);
        else
          errors.push(
            loc.at(item, `vendor '${id}': unknown class ${JSON.stringify(c)} in classes`),
          );
      }
    }
    vendors.set(id, {
      id,
      name,
      aliases,
      cpe: typeof v['cpe'] === 'string' ? v['cpe'] : null,
      enterprise,
      classes,
    });
  }
  return vendors;
}

function loadFile(
  root: string,
  file: string,
  vendors: ReadonlyMap<string, Vendor>,
  errors: SignatureError[],
): CompiledSignature | null {
  const parsed = parseYaml(file, errors);
  if (!parsed) return null;
  const { doc, loc } = parsed;
  const before = errors.length;
  const err = (node: Node | null | undefined, message: string): void => {
    errors.push(loc.at(node, message));
  };
  const top = doc.contents;
  if (!yaml().isMap(top)) {
    err(top, 'a signature file must be a map');
    return null;
  }
  const node = (...keys: (string | number)[]): Node | undefined =>
    (doc.getIn(keys, true) as Node | undefined) ?? undefined;
  const keyNode = (...keys: (string | number)[]): Node | undefined => {
    // Position of a key itself, for "unknown key" messages.
    const parent = keys.length > 1 ? doc.getIn(keys.slice(0, -1), true) : top;
    if (!yaml().isMap(parent)) return undefined;
    const pair = parent.items.find(
      (p) => yaml().isScalar(p.key) && p.key.value === keys[keys.length - 1],
    );
    return (pair?.key as Node | undefined) ?? undefined;
  };
  const raw = top.toJSON() as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.has(key)) err(keyNode(key), `unknown key '${key}'`);
  }

  // id = path
  const rel = path.relative(root, file).split(path.sep);
  const expectedId = `${rel[rel.length - 2]}/${path.basename(file).replace(/\.ya?ml$/, '')}`;
  const klass = rel.length === 3 ? rel[0] : undefined;
  if (rel.length !== 3) {
    err(
      top,
      `signature files live at <class>/<vendor>/<product>.yaml or software/<vendor>/<product>.yaml`,
    );
  }
  const id = raw['id'];
  if (id !== expectedId)
    err(node('id') ?? top, `id must be '${expectedId}' (its path), got ${JSON.stringify(id)}`);
  const name = typeof raw['name'] === 'string' && raw['name'].trim() !== '' ? raw['name'] : null;
  if (!name) err(node('name') ?? top, 'name is required');
  const status = (raw['status'] ?? 'experimental') as SignatureStatus;
  if (!SIGNATURE_STATUSES.includes(status)) {
    err(node('status'), `status must be one of ${SIGNATURE_STATUSES.join(', ')}`);
  }

  // evidence
  const evidence: CompiledEvidence[] = [];
  const captures = new Set<string>();
  const evRaw = raw['evidence'];
  if (!Array.isArray(evRaw) || evRaw.length === 0) {
    err(node('evidence') ?? top, 'evidence must be a non-empty list');
  } else {
    const ids = new Set<string>();
    evRaw.forEach((item, i) => {
      const here = node('evidence', i);
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        err(here, 'evidence item must be a map');
        return;
      }
      const ev = item as Record<string, unknown>;
      for (const key of Object.keys(ev)) {
        if (!EVIDENCE_KEYS.has(key))
          err(keyNode('evidence', i, key), `unknown evidence key '${key}'`);
      }
      const evId = ev['id'];
      if (typeof evId !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(evId)) {
        err(node('evidence', i, 'id') ?? here, 'evidence id must be a slug [a-z0-9-]');
        return;
      }
      if (ids.has(evId)) err(node('evidence', i, 'id'), `duplicate evidence id '${evId}'`);
      ids.add(evId);
      const field = ev['field'];
      if (typeof field !== 'string' || !isFieldName(field)) {
        err(
          node('evidence', i, 'field') ?? here,
          `unknown field ${JSON.stringify(field)} (see src/signatures/fields.ts)`,
        );
        return;
      }
      if (field.startsWith('scan.')) {
        // Engine bookkeeping (which probe, how many): says nothing about the device.
        err(
          node('evidence', i, 'field') ?? here,
          `field '${field}' is scan bookkeeping, not evidence`,
        );
        return;
      }
      const kinds = MATCHER_KINDS.filter((k) => ev[k] !== undefined);
      if (kinds.length !== 1) {
        err(here, `evidence '${evId}' needs exactly one of ${MATCHER_KINDS.join(', ')}`);
        return;
      }
      const kind = kinds[0] as MatcherKind;
      const pattern = ev[kind];
      if (typeof pattern !== 'string' || pattern === '') {
        err(node('evidence', i, kind), `${kind} must be a non-empty string`);
        return;
      }
      const flags = typeof ev['flags'] === 'string' ? ev['flags'] : '';
      if (!/^[ims]*$/.test(flags) || (kind !== 'regex' && /[ms]/.test(flags))) {
        err(node('evidence', i, 'flags'), `flags may be i, m, s for regex and i otherwise`);
      }
      const weight = parseWeight(ev['weight']);
      if (weight === null) {
        err(
          node('evidence', i, 'weight') ?? here,
          'weight must be strong, medium, weak or a number in (0, 1]',
        );
        return;
      }
      const requires = Array.isArray(ev['requires']) ? ev['requires'].map(String) : [];
      const test = compileMatcher(kind, pattern, flags, (message) =>
        err(node('evidence', i, kind), message),
      );
      if (!test) return;
      if (kind === 'regex') for (const c of captureNames(pattern)) captures.add(c);
      evidence.push({
        id: evId,
        field: field as FieldName,
        kind,
        pattern,
        flags,
        literals: requiredLiterals(kind, pattern, flags),
        weight,
        negate: ev['negate'] === true,
        requires,
        test,
      });
    });
    evidence.forEach((ev, i) => {
      for (const r of ev.requires) {
        if (!ids.has(r) || r === ev.id)
          err(node('evidence', i, 'requires'), `requires unknown evidence '${r}'`);
      }
    });
  }

  // device / service
  const usedCaptures: Array<{ name: string; at: Node | undefined }> = [];
  const template = (value: unknown, at: Node | undefined, what: string): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      err(at, `${what} must be a string`);
      return undefined;
    }
    const s = String(value);
    for (const m of s.matchAll(TEMPLATE_RE)) usedCaptures.push({ name: m[1] as string, at });
    return s;
  };
  const osTemplate = (value: unknown, base: string[]): OsTemplate | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      err(node(...base), 'os must be a map');
      return undefined;
    }
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o))
      if (!OS_KEYS.has(key)) err(keyNode(...base, key), `unknown os key '${key}'`);
    const out: Record<string, string> = {};
    for (const key of OS_KEYS) {
      const t = template(o[key], node(...base, key), `os.${key}`);
      if (t !== undefined) out[key] = t;
    }
    return out as OsTemplate;
  };
  let device: DeviceTemplate | null = null;
  if (raw['device'] !== undefined) {
    const d = raw['device'] as Record<string, unknown>;
    if (typeof d !== 'object' || d === null) err(node('device'), 'device must be a map');
    else {
      for (const key of Object.keys(d))
        if (!DEVICE_KEYS.has(key)) err(keyNode('device', key), `unknown device key '${key}'`);
      const cls = d['class'];
      if (typeof cls !== 'string' || !Object.hasOwn(DEVICE_CLASSES, cls)) {
        err(node('device', 'class') ?? node('device'), `unknown class ${JSON.stringify(cls)}`);
      } else if (klass && klass !== cls) {
        err(node('device', 'class'), `class '${cls}' but the file lives under '${klass}/'`);
      }
      const vendor = d['vendor'];
      if (vendor !== undefined && (typeof vendor !== 'string' || !vendors.has(vendor))) {
        err(
          node('device', 'vendor') ?? node('device'),
          `unknown vendor ${JSON.stringify(vendor)} (add it to _taxonomy/vendors.yaml)`,
        );
      }
      const cpe = Array.isArray(d['cpe'])
        ? d['cpe'].map((c, i) => template(c, node('device', 'cpe', i), 'cpe') ?? '')
        : undefined;
      const built: Record<string, unknown> = { class: cls as DeviceClass };
      if (typeof vendor === 'string') built['vendor'] = vendor;
      const product = template(d['product'], node('device', 'product'), 'product');
      const model = template(d['model'], node('device', 'model'), 'model');
      const os = osTemplate(d['os'], ['device', 'os']);
      if (product !== undefined) built['product'] = product;
      if (model !== undefined) built['model'] = model;
      if (os !== undefined) built['os'] = os;
      if (cpe !== undefined) built['cpe'] = cpe;
      device = built as unknown as DeviceTemplate;
    }
  }
  let service: ServiceTemplate | null = null;
  if (raw['service'] !== undefined) {
    const s = raw['service'] as Record<string, unknown>;
    if (typeof s !== 'object' || s === null) err(node('service'), 'service must be a map');
    else {
      for (const key of Object.keys(s))
        if (!SERVICE_KEYS.has(key)) err(keyNode('service', key), `unknown service key '${key}'`);
      const vendor = s['vendor'];
      if (vendor !== undefined && (typeof vendor !== 'string' || !vendors.has(vendor))) {
        err(
          node('service', 'vendor'),
          `unknown vendor ${JSON.stringify(vendor)} (add it to _taxonomy/vendors.yaml)`,
        );
      }
      const hint = s['hint'];
      if (hint !== undefined && !HINTS.includes(hint as Hint)) {
        err(node('service', 'hint'), `hint must be one of ${HINTS.join(', ')}`);
      }
      const product = template(s['product'], node('service', 'product'), 'product');
      const osOnly = s['os'] !== undefined && s['product'] === undefined;
      if (product === undefined && !osOnly)
        err(
          node('service'),
          'service.product is required (or service.os alone: an OS-only signature)',
        );
      if (osOnly && s['version'] !== undefined)
        err(
          node('service', 'version'),
          'an OS-only signature has no product: put the version in os.version',
        );
      const built: Record<string, unknown> = {};
      if (product !== undefined) built['product'] = product;
      if (typeof vendor === 'string') built['vendor'] = vendor;
      const version = template(s['version'], node('service', 'version'), 'version');
      if (version !== undefined) built['version'] = version;
      if (hint !== undefined) built['hint'] = hint;
      const os = osTemplate(s['os'], ['service', 'os']);
      if (os !== undefined) built['os'] = os;
      service = built as unknown as ServiceTemplate;
    }
  }
  if (!device && !service) err(top, 'a signature needs device: and/or service:');
  if (klass === 'software' && device)
    err(node('device'), 'signatures under software/ name software only: drop device:');
  if (klass && klass !== 'software' && !device)
    err(top, `signatures under ${klass}/ must have device:`);
  for (const used of usedCaptures) {
    if (!captures.has(used.name))
      err(used.at, `template uses {${used.name}} but no regex captures it`);
  }

  const minScore = raw['min_score'] === undefined ? DEFAULT_MIN_SCORE : Number(raw['min_score']);
  if (!(minScore > 0 && minScore <= 1)) err(node('min_score'), 'min_score must be in (0, 1]');
  const reachable = 1 - evidence.filter((e) => !e.negate).reduce((p, e) => p * (1 - e.weight), 1);
  if (evidence.length > 0 && reachable + 1e-9 < minScore) {
    err(
      node('evidence'),
      `all evidence together scores ${reachable.toFixed(2)} < min_score ${minScore}: it can never fire`,
    );
  }

  const followup = readFollowup(raw['followup'], evidence, device, node, keyNode, err);

  const examples = readExamples(raw['examples'], 'examples', node, err, loc, true);
  const counterexamples = readExamples(
    raw['counterexamples'],
    'counterexamples',
    node,
    err,
    loc,
    false,
  );
  const references = Array.isArray(raw['references']) ? raw['references'].map(String) : [];

  if (errors.length > before || !name) return null;
  return {
    id: expectedId,
    name,
    file,
    status,
    device,
    service,
    minScore,
    evidence,
    examples,
    counterexamples,
    references,
    followup,
  };
}

/**
 * Reads `followup:` (see signatures/README.md): vendor-level evidence that triggers it and
 * at most `DEFAULTS.maxFollowups` same-origin GET paths. Also checks the other direction:
 * evidence reading `http.followup.*` needs a `followup:` of its own signature, since only
 * the requests it declares give those fields a meaning.
 */
function readFollowup(
  value: unknown,
  evidence: readonly CompiledEvidence[],
  device: DeviceTemplate | null,
  node: (...keys: (string | number)[]) => Node | undefined,
  keyNode: (...keys: (string | number)[]) => Node | undefined,
  err: (node: Node | null | undefined, message: string) => void,
): FollowupPlan | null {
  const readers = evidence.filter((e) => isFollowupField(e.field));
  if (value === undefined) {
    for (const e of readers) {
      const i = evidence.indexOf(e);
      err(
        node('evidence', i, 'field') ?? node('evidence'),
        `evidence '${e.id}' reads ${e.field} but the signature declares no followup:`,
      );
    }
    return null;
  }
  const here = node('followup');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    err(here, 'followup must be a map with when: and requests:');
    return null;
  }
  const f = value as Record<string, unknown>;
  for (const key of Object.keys(f))
    if (!FOLLOWUP_KEYS.has(key)) err(keyNode('followup', key), `unknown followup key '${key}'`);
  if (!device?.vendor || device.model === undefined) {
    // Softmatch means "vendor known, model missing": both must be declared.
    err(here, 'followup needs device.vendor and device.model (it exists to find the model)');
  }
  if (readers.length === 0) {
    err(here, 'followup needs evidence reading an http.followup.* field (else it asks in vain)');
  }
  const when: string[] = [];
  const whenRaw = f['when'];
  if (!Array.isArray(whenRaw) || whenRaw.length === 0) {
    err(node('followup', 'when') ?? here, 'followup.when must be a non-empty list of evidence ids');
  } else {
    whenRaw.forEach((id, i) => {
      const at = node('followup', 'when', i);
      const item = evidence.find((e) => e.id === id);
      if (!item) err(at, `followup.when names unknown evidence ${JSON.stringify(id)}`);
      else if (isFollowupField(item.field) || item.negate)
        err(
          at,
          `followup.when '${item.id}' must be first-exchange evidence (not negated, not http.followup.*)`,
        );
      // Follow-ups are planned per port from that port's own exchange: HTTP, or HTTP in TLS.
      else if (!item.field.startsWith('http.') && !item.field.startsWith('tls.'))
        err(at, `followup.when '${item.id}' reads ${item.field}, which an HTTP port never has`);
      else when.push(item.id);
    });
  }
  const requests: Array<{ path: string }> = [];
  const reqRaw = f['requests'];
  if (!Array.isArray(reqRaw) || reqRaw.length === 0) {
    err(node('followup', 'requests') ?? here, 'followup.requests must be a non-empty list');
  } else {
    if (reqRaw.length > DEFAULTS.maxFollowups) {
      err(
        node('followup', 'requests'),
        `followup.requests holds ${reqRaw.length} requests; at most ${DEFAULTS.maxFollowups}`,
      );
    }
    reqRaw.forEach((r, i) => {
      const at = node('followup', 'requests', i);
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        err(at, 'a follow-up request must be a map with path:');
        return;
      }
      const req = r as Record<string, unknown>;
      for (const key of Object.keys(req)) {
        // No method, headers or body: a follow-up is a GET, by construction.
        if (!FOLLOWUP_REQUEST_KEYS.has(key))
          err(
            keyNode('followup', 'requests', i, key),
            `unknown follow-up request key '${key}' (follow-ups are plain GETs)`,
          );
      }
      const problem = followupPathProblem(req['path']);
      if (problem !== null) {
        err(
          node('followup', 'requests', i, 'path') ?? at,
          `followup path ${JSON.stringify(req['path'])}: ${problem}`,
        );
        return;
      }
      const path = req['path'] as string;
      if (requests.some((q) => q.path === path)) err(at, `followup path '${path}' listed twice`);
      else requests.push({ path });
    });
  }
  if (when.length === 0 || requests.length === 0) return null;
  return { when, requests };
}

function readExamples(
  value: unknown,
  key: 'examples' | 'counterexamples',
  node: (...keys: (string | number)[]) => Node | undefined,
  err: (node: Node | null | undefined, message: string) => void,
  loc: Locator,
  mandatory: boolean,
): SignatureExample[] {
  if (value === undefined && !mandatory) return [];
  if (!Array.isArray(value) || (mandatory && value.length === 0)) {
    err(node(key) ?? node(), `${key} must be a ${mandatory ? 'non-empty ' : ''}list`);
    return [];
  }
  const out: SignatureExample[] = [];
  value.forEach((item, i) => {
    const here = node(key, i);
    const ex = item as Record<string, unknown>;
    const fields = ex?.['fields'];
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      err(here, `${key}[${i}] needs fields: (a map of probe fields)`);
      return;
    }
    const f: Record<string, string> = {};
    for (const [name, v] of Object.entries(fields as Record<string, unknown>)) {
      if (!isFieldName(name)) err(node(key, i, 'fields', name) ?? here, `unknown field '${name}'`);
      f[name] = String(v);
    }
    const e: Record<string, string> = {};
    const expect = ex['expect'];
    if (expect !== undefined) {
      if (typeof expect !== 'object' || expect === null)
        err(node(key, i, 'expect'), 'expect must be a map');
      else
        for (const [name, v] of Object.entries(expect as Record<string, unknown>)) {
          if (!(EXPECT_KEYS as readonly string[]).includes(name)) {
            err(
              node(key, i, 'expect'),
              `expect key '${name}' must be one of ${EXPECT_KEYS.join(', ')}`,
            );
          }
          e[name] = v === null ? 'null' : String(v);
        }
    }
    for (const k of Object.keys(ex)) {
      if (k !== 'fields' && k !== 'expect' && k !== 'description')
        err(here, `unknown key '${k}' in ${key}[${i}]`);
    }
    out.push({ fields: f, expect: e, line: loc.line(here) });
  });
  return out;
}

function parseWeight(value: unknown): number | null {
  if (value === undefined) return WEIGHTS.strong;
  if (typeof value === 'string' && Object.hasOwn(WEIGHTS, value)) {
    return WEIGHTS[value as keyof typeof WEIGHTS];
  }
  if (typeof value === 'number' && value > 0 && value <= 1) return value;
  return null;
}

function compileMatcher(
  kind: MatcherKind,
  pattern: string,
  flags: string,
  fail: (message: string) => void,
): CompiledEvidence['test'] | null {
  const none: Readonly<Record<string, string>> = Object.freeze({});
  const fold = flags.includes('i');
  switch (kind) {
    case 'regex': {
      const problems = checkRegex(pattern);
      for (const p of problems) fail(`regex rejected at offset ${p.offset}: ${p.message}`);
      if (problems.length > 0) return null;
      let re: RegExp;
      try {
        re = new RegExp(pattern, flags);
      } catch (error) {
        fail(`invalid regex: ${(error as Error).message}`);
        return null;
      }
      return (value) => {
        const m = re.exec(value);
        if (!m) return null;
        if (!m.groups) return none;
        const groups: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.groups))
          if (v !== undefined && v !== '') groups[k] = v;
        return groups;
      };
    }
    case 'contains':
    case 'equals':
    case 'prefix': {
      const lit = fold ? pattern.toLowerCase() : pattern;
      const cmp =
        kind === 'contains'
          ? (v: string) => v.includes(lit)
          : kind === 'equals'
            ? (v: string) => v === lit
            : (v: string) => v.startsWith(lit);
      return (value) => (cmp(fold ? value.toLowerCase() : value) ? none : null);
    }
    case 'oid_prefix': {
      const oid = pattern.replace(/^\./, '');
      if (!/^\d+(\.\d+)*$/.test(oid)) {
        fail(`oid_prefix must be a dotted OID, got '${pattern}'`);
        return null;
      }
      return (value) => {
        const v = value.replace(/^\./, '');
        return v === oid || v.startsWith(`${oid}.`) ? none : null;
      };
    }
  }
}

/**
 * `sig lint`: everything the loader checks, plus what is too slow or too picky for every
 * load: the JSON Schema (the one editors use, so the editor and CI agree), a ReDoS
 * analysis of every regex with `recheck`, unique ids across `.yaml`/`.yml`, and IANA
 * enterprise numbers claimed by two vendors. Every problem is `FILE:LINE:COL: message`.
 *
 * `recheck` and `ajv` are imported lazily: a scan never pays for them.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { DEFAULTS } from '../engine/defaults.js';
import { SignatureError, SignatureLoadError } from '../errors.js';
import { defaultSignaturesDir, packageRoot } from '../paths.js';
import { DEVICE_CLASSES } from '../types.js';
import { FIELDS } from './fields.js';
import { MAX_FOLLOWUP_PATH } from './followup.js';
import { EXPECT_KEYS, loadSignatures } from './loader.js';
import { HINTS, MATCHER_KINDS, SIGNATURE_STATUSES, WEIGHTS } from './model.js';
import { checkRegex } from './regex-check.js';

/** One lint finding, located in a file (line and column 1-based; 0 when unknown). */
export interface LintProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** What is wrong, without the location. */
  readonly message: string;
}

/** Options of {@link lintLibrary}. */
export interface LintOptions {
  /** Library folder; default: the package's own `signatures/`. */
  readonly dir?: string;
  /** Run the ReDoS analysis (slow on a cold cache). Default true. */
  readonly redos?: boolean;
  /**
   * File caching recheck verdicts by pattern, flags, parameters and recheck version, so
   * a re-run only analyses changed patterns. Default
   * `node_modules/.cache/thingscan/redos.json` in the package; null = no cache.
   */
  readonly cacheFile?: string | null;
  /** Patterns analysed at once. Default: the number of CPUs. */
  readonly concurrency?: number;
}

/** Result of {@link lintLibrary}. */
export interface LintReport {
  /** Signature files looked at. */
  readonly files: number;
  /** Signatures that loaded (0 when the loader failed). */
  readonly signatures: number;
  /** Vendors in the registry. */
  readonly vendors: number;
  /** Distinct regex patterns given to the ReDoS analysis. */
  readonly regexes: number;
  /** Of those, verdicts taken from the cache. */
  readonly cached: number;
  /** Every problem, sorted by file, line, column. */
  readonly problems: readonly LintProblem[];
}

/** Parameters given to recheck: the automaton checker is exact for our dialect (no back-references or look-around) and, unlike fuzzing, never flags a bounded `{0,160}` as polynomial. */
const RECHECK_PARAMS = { checker: 'automaton', timeout: 10_000 } as const;
/** Fallback when the automaton is too large: recheck's default strategy (fuzzing). */
const FUZZ_PARAMS = { checker: 'auto', timeout: 30_000 } as const;

const SLUG = '^[a-z0-9][a-z0-9-]*$';

/**
 * The JSON Schema (draft 2020-12) of a signature file, built from the code's vocabularies
 * so it cannot drift from the loader. `src/signatures/signature.schema.json` is this
 * object written out (`thingscan sig schema -o …`); a test keeps the two equal.
 */
export function signatureSchema(): Record<string, unknown> {
  const text = { type: 'string', minLength: 1 };
  const template = {
    description: 'Text; may use {capture}, {capture|lower} or {capture|upper}',
    type: ['string', 'number'],
  };
  const os = {
    type: 'object',
    description: 'Operating system; every key optional, each a template',
    additionalProperties: false,
    properties: { vendor: template, family: template, name: template, version: template },
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/thingscan/thingscan/blob/main/src/signatures/signature.schema.json',
    title: 'thingscan signature',
    description:
      'One product family: signatures/<class>/<vendor>/<product>.yaml or signatures/software/<vendor>/<product>.yaml. Format: signatures/README.md',
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name', 'evidence', 'examples'],
    anyOf: [{ required: ['device'] }, { required: ['service'] }],
    properties: {
      id: {
        description: '<vendor>/<product>: the last two parts of the file path',
        type: 'string',
        pattern: '^[^/\\s]+/[^/\\s]+$',
      },
      name: { ...text, description: 'Human name, unique in the library' },
      description: { type: 'string' },
      status: { $ref: '#/$defs/status' },
      device: {
        type: 'object',
        description: 'What the device is (omit for software-only signatures)',
        additionalProperties: false,
        required: ['class'],
        properties: {
          class: { $ref: '#/$defs/deviceClass' },
          vendor: { $ref: '#/$defs/vendorSlug' },
          product: template,
          model: template,
          os,
          cpe: { type: 'array', items: template },
        },
      },
      service: {
        type: 'object',
        description:
          'The software on the port(s) the evidence came from. OS-only (os without product or version): evidence that tells the OS but not the daemon, like the /etc/issue text a login prints',
        additionalProperties: false,
        anyOf: [{ required: ['product'] }, { required: ['os'], not: { required: ['version'] } }],
        properties: {
          vendor: { $ref: '#/$defs/vendorSlug' },
          product: template,
          version: template,
          hint: { $ref: '#/$defs/hint' },
          os,
        },
      },
      min_score: {
        description: 'Score at which the signature fires (default 0.7)',
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
      },
      evidence: { type: 'array', minItems: 1, items: { $ref: '#/$defs/evidence' } },
      examples: { type: 'array', minItems: 1, items: { $ref: '#/$defs/example' } },
      counterexamples: { type: 'array', items: { $ref: '#/$defs/example' } },
      references: { type: 'array', items: { type: 'string' } },
      followup: {
        type: 'object',
        description:
          'Vendor-telling GETs on the same host and port, made only when a `when` item fired on the first HTTP exchange and no signature of this vendor gave a model there',
        additionalProperties: false,
        required: ['when', 'requests'],
        properties: {
          when: {
            description: 'Ids of vendor-level evidence items of this signature (any one triggers)',
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: SLUG },
          },
          requests: {
            type: 'array',
            minItems: 1,
            maxItems: DEFAULTS.maxFollowups,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['path'],
              properties: {
                path: {
                  description:
                    'Absolute same-origin path, optionally with a query; no credentials, login or state change',
                  type: 'string',
                  pattern: '^/[^/\\\\]',
                  maxLength: MAX_FOLLOWUP_PATH,
                },
                description: { type: 'string' },
              },
            },
          },
        },
      },
    },
    $defs: {
      deviceClass: { description: 'DESIGN.md section 4', enum: Object.keys(DEVICE_CLASSES) },
      field: { description: 'src/signatures/fields.ts', enum: Object.keys(FIELDS) },
      status: { enum: [...SIGNATURE_STATUSES] },
      hint: { enum: [...HINTS] },
      weightName: { enum: Object.keys(WEIGHTS) },
      expectKey: { enum: [...EXPECT_KEYS] },
      matcherKind: { enum: [...MATCHER_KINDS] },
      vendorSlug: {
        description: 'An id from signatures/_taxonomy/vendors.yaml',
        type: 'string',
        pattern: SLUG,
      },
      evidence: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'field'],
        oneOf: MATCHER_KINDS.map((k) => ({ required: [k] })),
        properties: {
          id: { type: 'string', pattern: SLUG },
          field: { $ref: '#/$defs/field' },
          ...Object.fromEntries(
            MATCHER_KINDS.map((k) => [
              k,
              {
                ...text,
                ...(k === 'oid_prefix' ? { pattern: '^\\.?[0-9]+(\\.[0-9]+)*$' } : {}),
              },
            ]),
          ),
          flags: { type: 'string', pattern: '^[ims]*$' },
          weight: {
            description: 'strong 0.9, medium 0.6, weak 0.3, or a number in (0, 1]',
            anyOf: [
              { $ref: '#/$defs/weightName' },
              { type: 'number', exclusiveMinimum: 0, maximum: 1 },
            ],
          },
          negate: { type: 'boolean' },
          requires: { type: 'array', items: { type: 'string', pattern: SLUG } },
          description: { type: 'string' },
        },
      },
      example: {
        type: 'object',
        additionalProperties: false,
        required: ['fields'],
        properties: {
          fields: {
            type: 'object',
            minProperties: 1,
            propertyNames: { $ref: '#/$defs/field' },
            additionalProperties: { type: ['string', 'number', 'boolean'] },
          },
          expect: {
            type: 'object',
            propertyNames: { $ref: '#/$defs/expectKey' },
            additionalProperties: { type: ['string', 'number', 'null'] },
          },
          description: { type: 'string' },
        },
      },
    },
  };
}

/** The schema as written to `signature.schema.json` (stable key order, final newline). */
export function signatureSchemaText(): string {
  return `${JSON.stringify(signatureSchema(), null, 2)}\n`;
}

/** Lints a library folder; resolves with every problem found (never throws for them). */
export async function lintLibrary(options: LintOptions = {}): Promise<LintReport> {
  const root = path.resolve(options.dir ?? defaultSignaturesDir());
  const problems: LintProblem[] = [];
  let signatures = 0;
  let vendors = 0;
  try {
    const library = loadSignatures({ dir: root });
    signatures = library.signatures.length;
    vendors = library.vendors.size;
  } catch (error) {
    // Loader problems come first: they are the ones every load would hit.
    if (error instanceof SignatureLoadError) {
      for (const e of error.errors)
        problems.push({ file: e.file, line: e.line, column: e.column, message: e.reason });
    } else if (error instanceof SignatureError) {
      problems.push({
        file: error.file,
        line: error.line,
        column: error.column,
        message: error.reason,
      });
    } else throw error;
  }
  const loaderLines = new Set(problems.map((p) => `${p.file}:${p.line}`));

  const files = listSignatureFiles(root);
  const validate = await schemaValidator();
  const patterns: Array<{ source: string; flags: string; file: string; at: Position }> = [];
  const ids = new Map<string, string>();
  for (const file of files) {
    const parsed = parse(file);
    if (!parsed) continue; // the loader reported the YAML error
    const { doc, pos } = parsed;
    const data = doc.toJS() as unknown;
    // Schema problems on a line the loader already explained would say it twice.
    for (const p of validate(data, doc, pos)) {
      if (!loaderLines.has(`${file}:${p.line}`)) problems.push({ file, ...p });
    }
    const rel = path.relative(root, file).split(path.sep);
    const id = `${rel[rel.length - 2]}/${path.basename(file).replace(/\.ya?ml$/, '')}`;
    const other = ids.get(id);
    if (other) {
      problems.push({ file, line: 1, column: 1, message: `id '${id}' also belongs to ${other}` });
    } else ids.set(id, file);
    const evidence = doc.get('evidence', true);
    if (isSeq(evidence)) {
      evidence.items.forEach((item) => {
        if (!isMap(item)) return;
        const node = item.get('regex', true);
        if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') return;
        // Patterns the structural check rejects are already reported by the loader.
        if (checkRegex(node.value).length > 0) return;
        const flags = item.get('flags');
        patterns.push({
          source: node.value,
          flags: typeof flags === 'string' && /^[ims]*$/.test(flags) ? flags : '',
          file,
          at: pos(node),
        });
      });
    }
  }
  problems.push(...lintRegistry(root));

  let regexes = 0;
  let cached = 0;
  if (options.redos !== false && patterns.length > 0) {
    const verdicts = await checkRedos(
      patterns.map((p) => ({ source: p.source, flags: p.flags })),
      options,
    );
    regexes = verdicts.analysed;
    cached = verdicts.cached;
    for (const p of patterns) {
      const v = verdicts.results.get(redosKey(p.source, p.flags));
      if (!v || v.status === 'safe') continue;
      const message =
        v.status === 'vulnerable'
          ? `regex ${JSON.stringify(p.source)} is open to ReDoS (recheck: ${v.summary}; attack ${v.attack})`
          : `regex ${JSON.stringify(p.source)}: ReDoS check inconclusive (recheck: ${v.summary}); simplify the pattern`;
      problems.push({ file: p.file, line: p.at.line, column: p.at.column, message });
    }
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { files: files.length, signatures, vendors, regexes, cached, problems };
}

/** Formats a problem as `FILE:LINE:COL: message`, with FILE relative to `cwd`. */
export function formatProblem(p: LintProblem, cwd = process.cwd()): string {
  const rel = path.relative(cwd, p.file);
  const file = rel.startsWith('..') ? p.file : rel;
  return `${file}:${p.line}:${p.column}: ${p.message}`;
}

interface Position {
  readonly line: number;
  readonly column: number;
}

function listSignatureFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) out.push(full);
    }
  };
  walk(root);
  return out;
}

function parse(file: string): {
  doc: ReturnType<typeof parseDocument>;
  pos: (node: Node | null | undefined) => Position;
} | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return null;
  const pos = (node: Node | null | undefined): Position => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return { doc, pos };
}

type Validate = (
  data: unknown,
  doc: ReturnType<typeof parseDocument>,
  pos: (node: Node | null | undefined) => Position,
) => Array<Position & { message: string }>;

interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

async function schemaValidator(): Promise<Validate> {
  const mod = (await import('ajv/dist/2020.js')) as unknown as {
    default: { default?: unknown } & (new (opts: object) => unknown);
  };
  const Ctor = (mod.default.default ?? mod.default) as new (
    opts: object,
  ) => {
    compile: (schema: object) => ((data: unknown) => boolean) & { errors?: AjvError[] | null };
  };
  const ajv = new Ctor({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  const check = ajv.compile(signatureSchema());
  return (data, doc, pos) => {
    if (check(data)) return [];
    const errors = check.errors ?? [];
    // A failed oneOf/anyOf also reports each branch; keep the summary only.
    const combined = new Set(
      errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.schemaPath),
    );
    const seen = new Set<string>();
    const out: Array<Position & { message: string }> = [];
    for (const e of errors) {
      const parent = [...combined].find(
        (s) => e.schemaPath !== s && e.schemaPath.startsWith(`${s}/`),
      );
      if (parent) continue;
      const keys = e.instancePath
        .split('/')
        .slice(1)
        .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
      let node = (keys.length === 0 ? doc.contents : doc.getIn(keys, true)) as Node | undefined;
      const extra = e.params['additionalProperty'] ?? e.params['propertyName'];
      if (typeof extra === 'string' && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === extra);
        node = (pair?.key as Node | undefined) ?? node;
      }
      const message = `schema: ${e.instancePath || '/'} ${describe(e)}`;
      const key = `${e.instancePath}\u0000${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...pos(node), message });
    }
    return out;
  };
}

function describe(e: AjvError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'additionalProperty':
    case 'additionalProperties':
      return `has unknown key '${String(p['additionalProperty'])}'`;
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[] | undefined) ?? [];
      const shown = allowed.slice(0, 8).join(', ');
      return `must be one of ${shown}${allowed.length > 8 ? `, … (${allowed.length} values)` : ''}`;
    }
    case 'propertyNames':
      return `has an unknown key '${String(p['propertyName'])}'`;
    case 'oneOf':
      return `needs exactly one of ${MATCHER_KINDS.join(', ')}`;
    case 'anyOf':
      return e.instancePath === '' ? 'needs device: and/or service:' : (e.message ?? 'is invalid');
    default:
      return e.message ?? 'is invalid';
  }
}

/** Registry checks the loader leaves out: one IANA enterprise number, one vendor. */
function lintRegistry(root: string): LintProblem[] {
  const file = path.join(root, '_taxonomy', 'vendors.yaml');
  const parsed = existsSync(file) ? parse(file) : null;
  if (!parsed || !isSeq(parsed.doc.contents)) return [];
  const owners = new Map<number, string>();
  const problems: LintProblem[] = [];
  for (const item of parsed.doc.contents.items) {
    if (!isMap(item)) continue;
    const id = String(item.get('id'));
    const list = item.get('enterprise', true);
    if (!isSeq(list)) continue;
    for (const n of list.items) {
      if (!isScalar(n)) continue;
      const value = n.value;
      if (!Number.isInteger(value) || (value as number) <= 0) {
        problems.push({
          file,
          ...parsed.pos(n),
          message: `vendor '${id}': enterprise number must be a positive integer, got ${JSON.stringify(value)}`,
        });
        continue;
      }
      const owner = owners.get(value as number);
      if (owner && owner !== id) {
        problems.push({
          file,
          ...parsed.pos(n),
          message: `vendor '${id}': enterprise number ${String(value)} already belongs to '${owner}'`,
        });
      } else owners.set(value as number, id);
    }
  }
  return problems;
}

/** A recheck verdict reduced to what lint reports and caches. */
export interface RedosVerdict {
  readonly status: 'safe' | 'vulnerable' | 'unknown';
  /** recheck's complexity summary ("2nd degree polynomial") or error kind. */
  readonly summary: string;
  /** recheck's attack string recipe, e.g. `'a'.repeat(31) + '\x00'`; empty when safe. */
  readonly attack: string;
}

function redosKey(source: string, flags: string): string {
  return `${flags}/${source}`;
}

/**
 * Runs recheck on each distinct pattern, a few at a time (its native or JVM backend
 * analyses in parallel), using and refreshing the cache. Only definite verdicts are
 * cached: a timeout is retried next time.
 */
export async function checkRedos(
  patterns: ReadonlyArray<{ source: string; flags: string }>,
  options: Pick<LintOptions, 'cacheFile' | 'concurrency'> = {},
): Promise<{ results: Map<string, RedosVerdict>; analysed: number; cached: number }> {
  const recheck = (await import('recheck')) as unknown as {
    default?: typeof import('recheck');
  } & typeof import('recheck');
  const api = recheck.default ?? recheck;
  const version = recheckVersion();
  const cacheFile =
    options.cacheFile === undefined
      ? path.join(packageRoot(), 'node_modules', '.cache', 'thingscan', 'redos.json')
      : options.cacheFile;
  const cache = readCache(cacheFile);
  const results = new Map<string, RedosVerdict>();
  const todo: Array<{ source: string; flags: string; key: string; hash: string }> = [];
  let cached = 0;
  for (const p of patterns) {
    const key = redosKey(p.source, p.flags);
    if (results.has(key) || todo.some((t) => t.key === key)) continue;
    const hash = createHash('sha256')
      .update(`${version}\u0000${JSON.stringify([RECHECK_PARAMS, FUZZ_PARAMS])}\u0000${key}`)
      .digest('hex');
    const hit = cache[hash];
    if (hit) {
      results.set(key, hit);
      cached++;
    } else todo.push({ ...p, key, hash });
  }
  const limit = Math.max(1, options.concurrency ?? os.availableParallelism());
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const job = todo[next++] as (typeof todo)[number];
      let verdict: RedosVerdict;
      try {
        let d = await api.check(job.source, job.flags, { ...RECHECK_PARAMS });
        // An automaton too large to build in time: let recheck fuzz it instead.
        if (d.status === 'unknown') d = await api.check(job.source, job.flags, FUZZ_PARAMS);
        verdict =
          d.status === 'safe'
            ? { status: 'safe', summary: d.complexity.summary, attack: '' }
            : d.status === 'vulnerable'
              ? { status: 'vulnerable', summary: d.complexity.summary, attack: d.attack.pattern }
              : { status: 'unknown', summary: d.error.kind, attack: '' };
      } catch (error) {
        verdict = { status: 'unknown', summary: (error as Error).message, attack: '' };
      }
      results.set(job.key, verdict);
      if (verdict.status !== 'unknown') cache[job.hash] = verdict;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, todo.length) }, worker));
  if (todo.length > 0) writeCache(cacheFile, cache);
  return { results, analysed: results.size, cached };
}

function recheckVersion(): string {
  try {
    const pkg = path.join(packageRoot(), 'node_modules', 'recheck', 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function readCache(file: string | null): Record<string, RedosVerdict> {
  if (!file || !existsSync(file)) return {};
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof data === 'object' && data !== null ? (data as Record<string, RedosVerdict>) : {};
  } catch {
    return {}; // a corrupt cache is only a slower run
  }
}

function writeCache(file: string | null, cache: Record<string, RedosVerdict>): void {
  if (!file) return;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache));
    renameSync(tmp, file);
  } catch {
    // Read-only install: the cache is an optimisation, lint still ran.
  }
}

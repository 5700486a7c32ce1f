/**
 * Contributor tooling: JSON Schema, `sig lint`, `sig test`, `identify --explain/--record`,
 * `sig new`, `sig stats`. CLI runs go through the compiled binary, as a contributor would.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Ajv2020Module from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import {
  DEVICE_CLASSES,
  FIELDS,
  type HostExplanation,
  type libraryStats,
  lintLibrary,
  loadSignatures,
  scaffoldSignature,
  selfTest,
  signatureSchemaText,
} from '../src/index.js';
import { EXPECT_KEYS } from '../src/signatures/loader.js';
import { HINTS, MATCHER_KINDS, SIGNATURE_STATUSES, WEIGHTS } from '../src/signatures/model.js';
import { checkRegex } from '../src/signatures/regex-check.js';
import { runCli } from './support/cli.js';
import { FIXTURES, ROOT } from './support/paths.js';

const SCHEMA_FILE = path.join(ROOT, 'src', 'signatures', 'signature.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as {
  $defs: Record<string, { enum?: unknown[] }>;
};
const bad = (name: string) => path.join(FIXTURES, 'sigs-bad', name);
const good = path.join(FIXTURES, 'sigs-good');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'thingscan-sig-tools-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name.startsWith('_') || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

/** Lines of stderr that look like `FILE:LINE[:COL]: message`. */
function located(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^[^\s:]+\.ya?ml:\d+(:\d+)?: /.test(l));
}

test('the shipped schema is the one built from the code, and its enums are the code vocabularies', () => {
  assert.equal(
    readFileSync(SCHEMA_FILE, 'utf8'),
    signatureSchemaText(),
    'signature.schema.json is stale: run `node dist/src/cli.js sig schema -o src/signatures/signature.schema.json`',
  );
  const enumOf = (name: string) => schema.$defs[name]?.enum;
  assert.deepEqual(enumOf('deviceClass'), Object.keys(DEVICE_CLASSES));
  assert.deepEqual(enumOf('field'), Object.keys(FIELDS));
  assert.deepEqual(enumOf('status'), [...SIGNATURE_STATUSES]);
  assert.deepEqual(enumOf('hint'), [...HINTS]);
  assert.deepEqual(enumOf('weightName'), Object.keys(WEIGHTS));
  assert.deepEqual(enumOf('expectKey'), [...EXPECT_KEYS]);
  assert.deepEqual(enumOf('matcherKind'), [...MATCHER_KINDS]);
});

test('every file of the library validates against the shipped schema (ajv)', () => {
  // ajv is CommonJS: under NodeNext its class is the default export's `default`.
  const Ajv = (Ajv2020Module as unknown as { default: typeof Ajv2020Module.default }).default;
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  const validate = ajv.compile(schema);
  const files = yamlFiles(path.join(ROOT, 'signatures'));
  assert.ok(files.length >= 40, `only ${files.length} files`);
  const failures = files.flatMap((file) =>
    validate(parse(readFileSync(file, 'utf8')))
      ? []
      : [`${path.relative(ROOT, file)}: ${ajv.errorsText(validate.errors)}`],
  );
  assert.deepEqual(failures, []);
  // The schema is not vacuous: a file the loader would also reject fails it.
  assert.equal(
    validate({ id: 'a/b', name: 'x', device: { class: 'toaster' }, evidence: [], examples: [] }),
    false,
  );
});

test('sig lint passes on the bundled library (schema, loader, ReDoS)', async () => {
  const report = await lintLibrary();
  assert.deepEqual(
    report.problems.map(
      (p) => `${path.relative(ROOT, p.file)}:${p.line}:${p.column}: ${p.message}`,
    ),
    [],
  );
  assert.ok(report.regexes > 50, `only ${report.regexes} regexes analysed`);
});

test('sig lint fails with FILE:LINE:COL on broken YAML and an unknown vendor', async () => {
  const yamlRun = await runCli(['sig', 'lint', bad('bad-yaml'), '--no-redos']);
  assert.equal(yamlRun.code, 4, yamlRun.stderr);
  assert.match(yamlRun.stderr, /bad-yaml\/router\/acme\/edge\.yaml:\d+:\d+: YAML: /);
  const vendorRun = await runCli(['sig', 'lint', bad('unknown-vendor'), '--no-redos']);
  assert.equal(vendorRun.code, 4);
  assert.match(
    vendorRun.stderr,
    /unknown-vendor\/router\/nobody\/x\.yaml:3:\d+: unknown vendor "nobody"/,
  );
});

test('sig lint reports ReDoS patterns that only recheck catches', async () => {
  const patterns = ['^Acme (?:a?a)*$', '^Acme-httpd [a-z]+[a-z0-9]+$'];
  for (const p of patterns) assert.deepEqual(checkRegex(p), [], `structural check accepts ${p}`);
  // The loader accepts the file: lint is what stands between it and the library.
  assert.equal(loadSignatures({ dir: bad('redos-recheck') }).signatures.length, 1);
  const run = await runCli(['sig', 'lint', bad('redos-recheck'), '--no-cache']);
  assert.equal(run.code, 4, run.stderr);
  const lines = located(run.stderr);
  assert.equal(lines.length, 2, run.stderr);
  assert.match(
    lines[0] ?? '',
    /edge\.yaml:9:12: regex "\^Acme \(\?:a\?a\)\*\$" is open to ReDoS \(recheck: exponential/,
  );
  assert.match(
    lines[1] ?? '',
    /edge\.yaml:13:12: regex .* is open to ReDoS \(recheck: 2nd degree polynomial/,
  );
  const skipped = await runCli(['sig', 'lint', bad('redos-recheck'), '--no-redos']);
  assert.equal(skipped.code, 0, 'without the ReDoS analysis nothing else is wrong with the file');
});

test('sig lint adds schema and registry checks the loader does not make', async () => {
  assert.equal(loadSignatures({ dir: bad('schema-only') }).signatures.length, 1);
  const report = await lintLibrary({ dir: bad('schema-only'), redos: false });
  const got = report.problems.map(
    (p) => `${path.basename(p.file)}:${p.line}:${p.column}: ${p.message}`,
  );
  assert.deepEqual(got, [
    "vendors.yaml:2:51: vendor 'zeta': enterprise number 99991 already belongs to 'acme'",
    'edge.yaml:11:13: schema: /evidence/0/negate must be boolean',
    'edge.yaml:14:13: schema: /references must be array',
  ]);
});

test('sig test fails with FILE:LINE on a shadowed example and a tie', async () => {
  const shadowed = await runCli(['sig', 'test', bad('shadowed')]);
  assert.equal(shadowed.code, 4);
  assert.ok(
    located(shadowed.stderr).some((l) =>
      /shadowed\/router\/acme\/edge\.yaml:14: acme\/edge: example is won by zeta\/zr/.test(l),
    ),
    shadowed.stderr,
  );
  const tie = await runCli(['sig', 'test', bad('tie')]);
  assert.equal(tie.code, 4);
  assert.ok(
    located(tie.stderr).some((l) =>
      /tie\/router\/acme\/edge\.yaml:9: acme\/edge: tie at the top with zeta\/zr/.test(l),
    ),
    tie.stderr,
  );
  const ok = await runCli(['sig', 'test', good]);
  assert.equal(ok.code, 0, ok.stderr);
});

test('identify names Dropbear 2019.78 and unknown-embedded; --explain shows the evidence', async () => {
  const run = await runCli(['identify', '--protocol', 'ssh', '--explain'], {
    input: 'SSH-2.0-dropbear_2019.78\n',
  });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as {
    device: { class: string; vendor: string | null };
    services: Array<{ product: string; version: string }>;
    explain: HostExplanation;
  };
  assert.equal(out.device.class, 'unknown-embedded');
  assert.equal(out.device.vendor, null);
  assert.equal(out.services[0]?.product, 'Dropbear');
  assert.equal(out.services[0]?.version, '2019.78');
  // The explanation has the one shape scan --explain uses (src/match/explain.ts).
  assert.equal(out.explain.ip, null);
  assert.equal(out.explain.device?.class, 'unknown-embedded');
  const software = out.explain.software[0];
  assert.equal(software?.value, 'Dropbear 2019.78');
  assert.deepEqual(
    software?.evidence.map((e) => [e.field, e.signature, e.evidence, e.excerpt]),
    [['ssh.software', 'dropbear/dropbear', 'software', 'dropbear_2019.78']],
  );
  assert.match(run.stderr, /^banner: unknown-embedded \(confidence [0-9.]+\)\n/);
  assert.match(run.stderr, /\n {2}software: ssh Dropbear 2019\.78\n/);
  assert.match(
    run.stderr,
    /\n {4}ssh ssh\.software · dropbear\/dropbear · software · "dropbear_2019\.78"\n/,
  );
});

test('identify --explain sanitizes what the host sent', async () => {
  const run = await runCli(['identify', '--protocol', 'ssh', '--explain', '--signatures', good], {
    input: 'SSH-2.0-tinyd_1.2\u001b[2J\u0007',
  });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!run.stderr.includes('\u001b'), 'no raw escape reaches the terminal');
  assert.match(run.stderr, / · "tinyd_1\.2\\x1b\[2J\\x07"/);
});

test('identify --record re-labels saved records and says what changed', async () => {
  const file = path.join(tmp, 'out.ndjson');
  const service = (fields: Record<string, string>) => ({
    port: 80,
    transport: 'tcp',
    protocol: 'http',
    status: 'ok',
    product: null,
    vendor: null,
    version: null,
    banner: null,
    fields,
    matches: [],
    elapsed_ms: 1,
  });
  const record = (ip: string, fields: Record<string, string>) => ({
    schema: 1,
    ip,
    status: 'unidentified',
    iot: null,
    device: null,
    alternatives: [],
    services: [service(fields)],
    started_at: '2026-01-01T00:00:00.000Z',
    elapsed_ms: 5,
    signatures_version: '0.0.1',
  });
  writeFileSync(
    file,
    `${JSON.stringify(record('192.0.2.7', { 'http.title': 'BoxNAS BN-320 Web Manager' }))}\n\n${JSON.stringify(record('198.51.100.9', { 'http.title': 'Nothing here' }))}\n`,
  );
  const run = await runCli(['identify', '--record', file, '--signatures', good]);
  assert.equal(run.code, 0, run.stderr);
  interface Label {
    class: string | null;
    vendor_id: string | null;
    model: string | null;
    status: string;
    signatures_version: string | null;
  }
  const lines = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { ip: string; changed: boolean; old: Label; new: Label });
  assert.equal(lines.length, 2);
  assert.equal(lines[0]?.ip, '192.0.2.7');
  assert.equal(lines[0]?.changed, true);
  assert.equal(lines[0]?.old.class, null);
  assert.equal(lines[0]?.new.class, 'nas');
  assert.equal(lines[0]?.new.vendor_id, 'acme');
  assert.equal(lines[0]?.new.model, 'BN-320');
  assert.equal(lines[0]?.new.signatures_version, '9.9.9');
  assert.equal(lines[1]?.changed, false);
  assert.equal(lines[1]?.new.status, 'unidentified');
  assert.match(run.stderr, /2 record\(s\), 1 with a different label/);

  const explained = await runCli(['identify', '--record', file, '--signatures', good, '--explain']);
  assert.match(explained.stderr, /port 80\/http http\.title · [\w/-]+ · title · "BoxNAS BN-320/);

  writeFileSync(file, `${JSON.stringify(record('192.0.2.7', {}))}\n{not json\n`);
  const broken = await runCli(['identify', '--record', file, '--signatures', good]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /out\.ndjson:2: not JSON/);
});

test('sig new drafts a file that loads in a library copy and passes its own example', async () => {
  const lib = path.join(tmp, 'lib');
  cpSync(good, lib, { recursive: true });
  const banner = 'Welcome to ZetaGate ZG-9 (v3.1.4) [build 7]';
  const draft = scaffoldSignature({
    fields: { 'telnet.banner': `${banner}\nzg9 login:` },
    class: 'router',
    vendor: 'zeta',
    product: 'ZetaGate',
  });
  assert.equal(draft.path, 'router/zeta/zetagate.yaml');
  assert.match(
    draft.yaml,
    /^# yaml-language-server: \$schema=\.\.\/\.\.\/\.\.\/src\/signatures\/signature\.schema\.json\n/,
  );
  const file = path.join(lib, draft.path);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, draft.yaml);
  const library = loadSignatures({ dir: lib });
  const sig = library.signatures.find((s) => s.id === 'zeta/zetagate');
  assert.ok(sig, 'the draft loads');
  assert.equal(
    sig.evidence[0]?.pattern,
    '^Welcome to ZetaGate ZG-9 \\(v3\\.1\\.4\\) \\[build 7\\]',
  );
  assert.deepEqual(selfTest(library, file).failures, []);
  const lint = await lintLibrary({ dir: lib, cacheFile: null });
  assert.deepEqual(lint.problems, []);

  // Through the CLI, from a saved record: software-only draft, written with -o.
  const recordFile = path.join(tmp, 'one.ndjson');
  writeFileSync(
    recordFile,
    `${JSON.stringify({ schema: 1, ip: '203.0.113.5', status: 'unidentified', services: [{ port: 2222, transport: 'tcp', protocol: 'ssh', fields: { 'ssh.ident': 'SSH-2.0-QuuxSSH_4.2', 'ssh.software': 'QuuxSSH_4.2' } }] })}\n`,
  );
  const out = path.join(lib, 'software', 'tiny', 'quux.yaml');
  const run = await runCli([
    'sig',
    'new',
    '--from',
    recordFile,
    '--vendor',
    'tiny',
    '--product',
    'quux',
    '-o',
    out,
    '--signatures',
    lib,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const test2 = await runCli(['sig', 'test', lib]);
  assert.equal(test2.code, 0, test2.stderr);
  assert.match(readFileSync(out, 'utf8'), /regex: '\^QuuxSSH_4\\\.2\$'/);
});

test('sig stats --json: shape and counts equal what the loader sees', async () => {
  const run = await runCli(['sig', 'stats', '--json', '--signatures', good]);
  assert.equal(run.code, 0, run.stderr);
  const stats = JSON.parse(run.stdout) as ReturnType<typeof libraryStats>;
  const library = loadSignatures({ dir: good });
  assert.equal(stats.signatures.total, library.signatures.length);
  assert.equal(stats.signatures.device, library.signatures.filter((s) => s.device).length);
  assert.equal(stats.signatures.software, library.signatures.filter((s) => !s.device).length);
  assert.equal(stats.vendors.registry, library.vendors.size);
  assert.equal(
    stats.vendors.withEnterprise,
    [...library.vendors.values()].filter((v) => v.enterprise.length > 0).length,
  );
  const used = new Set(
    library.signatures.flatMap((s) => [s.device?.vendor, s.service?.vendor]).filter(Boolean),
  );
  assert.equal(stats.vendors.used, used.size);
  assert.equal(
    stats.examples,
    library.signatures.reduce((n, s) => n + s.examples.length, 0),
  );
  assert.equal(
    stats.counterexamples,
    library.signatures.reduce((n, s) => n + s.counterexamples.length, 0),
  );
  assert.deepEqual(Object.keys(stats.classes), Object.keys(DEVICE_CLASSES));
  assert.deepEqual(stats.classes.nas, { signatures: 1, vendors: 1 });
  assert.deepEqual(stats.classes.router, { signatures: 2, vendors: 2 });
  assert.deepEqual(
    stats.targets.map((t) => t.name),
    [
      'signatures',
      'vendors used by signatures',
      'device classes with 3+ vendors',
      'registry vendors with enterprise numbers',
    ],
  );
  // The bundled library through the same code path.
  const text = await runCli(['sig', 'stats']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^signatures: \d+ \(device \d+/m);
});

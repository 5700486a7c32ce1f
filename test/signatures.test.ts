import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  identifyServices,
  isSignatureError,
  loadSignatures,
  SignatureLoadError,
  selfTest,
  servicesFromFields,
} from '../src/index.js';
import { planFollowups, softmatches } from '../src/match/followup.js';
import { followupPathProblem } from '../src/signatures/followup.js';
import { checkRegex } from '../src/signatures/regex-check.js';
import { FIXTURES } from './support/paths.js';

const good = () => loadSignatures({ dir: path.join(FIXTURES, 'sigs-good') });
const bad = (name: string) => path.join(FIXTURES, 'sigs-bad', name);

function loadErrors(name: string): string[] {
  try {
    loadSignatures({ dir: bad(name) });
  } catch (error) {
    assert.ok(isSignatureError(error), `expected a signature error, got ${String(error)}`);
    assert.ok(error instanceof SignatureLoadError);
    return error.errors.map((e) => e.message);
  }
  assert.fail(`${name} loaded without errors`);
}

test('the bundled library passes its self-test against the whole library', () => {
  const library = loadSignatures();
  const report = selfTest(library);
  assert.deepEqual(
    report.failures.map((f) => `${path.relative(library.root, f.file)}:${f.line}: ${f.message}`),
    [],
  );
  assert.ok(report.signatures >= 40, `only ${report.signatures} signatures`);
  assert.ok(report.negatives >= 10);
});

test('fixture library: captures fill templates, unset captures give null', () => {
  const library = good();
  assert.equal(library.version, '9.9.9');
  const a = identifyServices(
    library,
    servicesFromFields({ 'http.title': 'BoxNAS BN-320 Web Manager' }),
  );
  assert.equal(a.device?.class, 'nas');
  assert.equal(a.device?.vendor, 'Acme Networks');
  assert.equal(a.device?.vendor_id, 'acme');
  assert.equal(a.device?.model, 'BN-320');
  assert.deepEqual(a.device?.cpe, ['cpe:2.3:h:acme:bn-320:-:*:*:*:*:*:*:*']);
  assert.equal(a.device?.os.version, null, 'kernel capture unset => null, not a guess');
  assert.equal(a.device?.nat_gateway_suspected, false);
  assert.equal(a.device?.confidence, 0.9);
});

test('evidence from two services combines; weak alone does not fire', () => {
  const library = good();
  const weakOnly = identifyServices(
    library,
    servicesFromFields({ 'telnet.banner': 'Linux 2.6.31 BoxNAS' }),
  );
  assert.equal(weakOnly.device, null);
  const both = identifyServices(library, [
    {
      port: 23,
      transport: 'tcp',
      protocol: 'telnet',
      fields: { 'telnet.banner': 'Linux 2.6.31 BoxNAS', 'telnet.prompt': 'boxnas login:' },
    },
    { port: 80, transport: 'tcp', protocol: 'http', fields: { 'http.title': 'BoxNAS BN-110' } },
  ]);
  assert.equal(both.device?.model, 'BN-110');
  assert.equal(both.device?.os.version, '2.6.31');
  assert.ok((both.device?.confidence ?? 0) > 0.9);
  assert.deepEqual(both.services[0]?.matches[0]?.evidence, ['kernel', 'login']);
  assert.deepEqual(both.services[1]?.matches[0]?.evidence, ['title']);
});

test('oid_prefix matches on component boundaries; routers suspect NAT', () => {
  const library = good();
  const r = identifyServices(
    library,
    servicesFromFields({ 'http.realm': 'acme edge', 'snmp.sysObjectID': '1.3.6.1.4.1.99991.7' }),
  );
  assert.equal(r.device?.class, 'router');
  assert.equal(r.device?.nat_gateway_suspected, true);
  const miss = identifyServices(
    library,
    servicesFromFields({ 'http.realm': 'acme edge', 'snmp.sysObjectID': '1.3.6.1.4.1.999912' }),
  );
  assert.equal(miss.device, null, 'one medium item is a hint, not a label');
});

test('conflicting vendors become alternatives, best first', () => {
  const library = good();
  const r = identifyServices(library, [
    {
      port: 80,
      transport: 'tcp',
      protocol: 'http',
      fields: { 'http.title': 'BoxNAS BN-320', 'http.realm': 'Zeta ZR100' },
    },
  ]);
  assert.ok(r.device);
  assert.equal(r.alternatives.length, 1);
  assert.notEqual(r.device.vendor_id, r.alternatives[0]?.vendor_id);
});

test('software-only evidence gives unknown-embedded with modest confidence', () => {
  const library = good();
  const r = identifyServices(library, servicesFromFields({ 'ssh.software': 'tinyd_1.2' }));
  assert.equal(r.device?.class, 'unknown-embedded');
  assert.equal(r.device?.vendor, null);
  assert.ok((r.device?.confidence ?? 1) < 0.7, 'a single software hint never reads as certain');
  assert.equal(r.services[0]?.product, 'tinyd');
  assert.equal(r.services[0]?.version, '1.2');
});

test('fixture library self-test passes', () => {
  const report = selfTest(good());
  assert.deepEqual(report.failures, []);
  assert.equal(report.signatures, 4);
});

test('broken YAML is reported with file, line and column', () => {
  const [msg] = loadErrors('bad-yaml');
  assert.match(msg ?? '', /bad-yaml\/router\/acme\/edge\.yaml:\d+:\d+: YAML:/);
});

test('unknown vendor names the file and the line of the vendor', () => {
  const errors = loadErrors('unknown-vendor');
  assert.ok(
    errors.some((m) => /x\.yaml:3:\d+: unknown vendor "nobody"/.test(m)),
    errors.join('\n'),
  );
});

test('ReDoS-prone and look-around patterns are rejected at load', () => {
  assert.ok(
    loadErrors('redos').some((m) => /edge\.yaml:7:\d+: regex rejected .*nested quantifier/.test(m)),
  );
  assert.ok(
    loadErrors('lookaround').some((m) => /edge\.yaml:7:\d+: regex rejected .*look-ahead/.test(m)),
  );
});

test('id must equal the path; unknown keys are named', () => {
  const errors = loadErrors('wrong-id');
  assert.ok(
    errors.some((m) => /edge\.yaml:1:\d+: id must be 'acme\/edge'/.test(m)),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((m) => /edge\.yaml:8:\d+: unknown evidence key 'weigth'/.test(m)),
    errors.join('\n'),
  );
});

test('vendors whose names fold together fail', () => {
  assert.ok(
    loadErrors('dup-vendor').some((m) =>
      /vendors\.yaml:4:\d+: .*folds to the same name as 'acme'/.test(m),
    ),
  );
});

test('a folder without signatures fails', () => {
  assert.ok(loadErrors('empty').some((m) => /no signature files/.test(m)));
});

test('self-test names a shadowed example and a tie', () => {
  const shadowed = selfTest(loadSignatures({ dir: bad('shadowed') }));
  assert.ok(
    shadowed.failures.some((f) => f.signature === 'acme/edge' && /won by zeta\/zr/.test(f.message)),
  );
  const tie = selfTest(loadSignatures({ dir: bad('tie') }));
  assert.ok(
    tie.failures.some((f) => /tie at the top/.test(f.message)),
    JSON.stringify(tie.failures),
  );
});

test('regex dialect check', () => {
  const ok = [
    '^SSH-2\\.0-dropbear_(?<v>[0-9.]+)',
    'MikroTik v(?<version>[0-9.]+)',
    'BusyBox v[0-9.]+ \\(',
    // A word boundary between ASCII letters, and non-ASCII text without one, are fine.
    '\\bD-Link DIR-[0-9]{3}\\b (?:Вход|Logowanie)$',
  ];
  for (const p of ok) assert.deepEqual(checkRegex(p), [], p);
  const bad = {
    '(a+)+$xxxx': /nested/,
    '(\\w*abcd)*': /nested/,
    'abcd(?<=x)': /look-behind/,
    '(abcd)\\1': /back-reference/,
    '\\d+\\s*': /literal/,
    'ab.c': /literal/,
    // JavaScript's \b knows only ASCII word characters: never a boundary after "д".
    'D-Link Вход\\b': /non-ASCII/,
    '\\b路由器管理': /non-ASCII/,
  };
  for (const [p, re] of Object.entries(bad)) {
    assert.ok(
      checkRegex(p).some((x) => re.test(x.message)),
      `${p}: ${JSON.stringify(checkRegex(p))}`,
    );
  }
});

test('follow-up plan: a softmatch (vendor narrowed, model missing) asks for its paths, at most 2 per port', () => {
  const library = loadSignatures();
  // The FRITZ!Box title names the maker only: both boxinfo paths, in declared order.
  assert.deepEqual(planFollowups(library, { 'http.status': '200 OK', 'http.title': 'FRITZ!Box' }), [
    '/jason_boxinfo.xml',
    '/juis_boxinfo.xml',
  ]);
  assert.deepEqual(
    softmatches(library, { 'http.title': 'FRITZ!Box' }).map((s) => [s.signature.id, s.when]),
    [['avm/fritzbox-boxinfo', ['title']]],
  );
  assert.deepEqual(planFollowups(library, { 'http.body': 'go to routerlogin.net' }), [
    '/currentsetting.htm',
  ]);
  // A NETGEAR signature already gives the model on this exchange: nothing to ask.
  assert.deepEqual(
    planFollowups(library, { 'http.realm': 'NETGEAR R7000', 'http.body': 'routerlogin.net' }),
    [],
  );
  // Two makers hinted, three paths wanted: the cap is per port, not per signature.
  const greedy = { 'http.title': 'FRITZ!Box', 'http.body': 'routerlogin.net' };
  assert.equal(softmatches(library, greedy).length, 2);
  assert.deepEqual(planFollowups(library, greedy), ['/jason_boxinfo.xml', '/juis_boxinfo.xml']);
  assert.deepEqual(planFollowups(library, greedy, 1), ['/jason_boxinfo.xml']);
  // No vendor-level evidence, or a follow-up already made: nothing.
  assert.deepEqual(planFollowups(library, { 'http.title': 'Welcome to nginx!' }), []);
  assert.deepEqual(planFollowups(library, { 'ssh.ident': 'SSH-2.0-dropbear' }), []);
});

test('follow-up paths: absolute, same origin, no credentials, no login or state change', () => {
  for (const ok of ['/jason_boxinfo.xml', '/HNAP1/', '/cgi-bin/info.cgi?lang=en', '/a/b.c']) {
    assert.equal(followupPathProblem(ok), null, ok);
  }
  const bad: Array<[unknown, RegExp]> = [
    ['', /non-empty/],
    ['info.xml', /absolute/],
    ['//evil.example/x', /absolute/],
    ['http://192.0.2.1/x', /absolute/],
    ['/a/../etc', /segments/],
    ['/a/%2e%2e/etc', /segments/],
    ['/a b', /printable/],
    ['/x#frag', /"#"/],
    ['/\\evil', /"\\"/],
    ['/cgi-bin/login.cgi', /login/],
    ['/apply.cgi', /apply/],
    ['/info?user=admin', /secret/],
    ['/info?pwd=1', /pwd/],
    [`/${'a'.repeat(300)}`, /longer/],
    [42, /non-empty string/],
  ];
  for (const [path, re] of bad) {
    const problem = followupPathProblem(path);
    assert.ok(problem !== null && re.test(problem), `${String(path)}: ${problem}`);
  }
});

test('followup: lint names bad triggers, extra requests, foreign paths, POSTs and orphan readers', () => {
  const errors = loadErrors('followup');
  const expect = [
    /edge\.yaml:17:\d+: followup\.when names unknown evidence "nosuch"/,
    /edge\.yaml:17:\d+: followup\.when 'telnet' reads telnet\.banner, which an HTTP port never has/,
    /edge\.yaml:17:\d+: followup\.when 'model' must be first-exchange evidence/,
    /edge\.yaml:19:\d+: followup\.requests holds 3 requests; at most 2/,
    /edge\.yaml:20:\d+: followup path "\/\/evil\.example\/info\.xml": path must be absolute/,
    /edge\.yaml:21:\d+: followup path "\/cgi-bin\/login\.cgi": .*login/,
    /edge\.yaml:22:\d+: unknown follow-up request key 'method' \(follow-ups are plain GETs\)/,
    /zr\.yaml:9:\d+: evidence 'model' reads http\.followup\.body but the signature declares no followup:/,
  ];
  for (const re of expect)
    assert.ok(
      errors.some((m) => re.test(m)),
      `${re}\n${errors.join('\n')}`,
    );
});

test('self-test: a follow-up example must be one the engine would really fetch', () => {
  const report = selfTest(loadSignatures({ dir: bad('followup-nosoft') }));
  assert.deepEqual(
    report.failures.map((f) => [f.line, f.message]),
    [
      [
        21,
        "the example's first exchange does not lead to '/info.xml' (planned: nothing): no softmatch",
      ],
      [23, "http.followup.path '/other.xml' is not one of this signature's followup paths"],
    ],
  );
});

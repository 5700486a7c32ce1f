/**
 * `--explain` logic (`src/match/explain.ts`), offline: which evidence set each label, the
 * capture that set a model, hint evidence, and sanitized excerpts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifyServices, loadSignatures, type ServiceInput } from '../src/index.js';
import { explainIdentification, formatHostExplanation } from '../src/match/explain.js';

const library = loadSignatures();

function explainOf(services: ServiceInput[]) {
  return explainIdentification('192.0.2.7', identifyServices(library, services), services);
}

test('explain: the model label rests on the item that captured it', () => {
  const e = explainOf([
    {
      port: 80,
      transport: 'tcp',
      protocol: 'http',
      fields: {
        'http.title': 'ShareCenter',
        'http.body': '<div class="product">DNS-320</div>',
      },
    },
  ]);
  assert.deepEqual(
    e.labels.map((l) => [l.label, l.value]),
    [
      ['class', 'nas'],
      ['vendor', 'D-Link'],
      ['product', 'ShareCenter'],
      ['model', 'DNS-320'],
      ['os', 'linux'],
    ],
  );
  const model = e.labels.find((l) => l.label === 'model');
  assert.deepEqual(
    model?.evidence.map((ev) => [ev.port, ev.field, ev.signature, ev.evidence]),
    [[80, 'http.body', 'dlink/sharecenter', 'body-model']],
  );
  const cls = e.labels.find((l) => l.label === 'class');
  assert.deepEqual(cls?.evidence.map((ev) => ev.evidence).sort(), ['body-model', 'title']);
});

test('explain: excerpts are sanitized and capped', () => {
  const e = explainOf([
    {
      port: 80,
      transport: 'tcp',
      protocol: 'http',
      fields: {
        'http.title': 'ShareCenter',
        'http.body': `\u001b]0;pwned\u0007<b>DNS-325</b>${'x'.repeat(500)}`,
      },
    },
  ]);
  const text = formatHostExplanation(e);
  assert.ok(!text.includes('\u001b'), 'raw escape reached the terminal text');
  assert.ok(!text.includes('\u0007'));
  const model = e.labels.find((l) => l.label === 'model');
  assert.ok((model?.evidence[0]?.excerpt.length ?? 999) <= 80);
});

test('explain: a hint-only verdict shows the hint as the evidence of class and vendor', () => {
  const e = explainOf([
    {
      port: 161,
      transport: 'udp',
      protocol: 'snmp',
      fields: { 'snmp.sysObjectID': '1.3.6.1.4.1.6574.1' },
    },
  ]);
  const vendor = e.labels.find((l) => l.label === 'vendor');
  assert.equal(vendor?.value, 'Synology');
  assert.deepEqual(
    vendor?.evidence.map((ev) => [ev.field, ev.signature, ev.evidence, ev.excerpt]),
    [['snmp.sysObjectID', 'enrich/enterprise-number', 'enterprise 6574', '1.3.6.1.4.1.6574.1']],
  );
  assert.match(
    formatHostExplanation(e),
    /^192\.0\.2\.7: nas Synology \(confidence 0\.5\)\n {2}class: nas\n/,
  );
});

test('explain: nothing identified says so', () => {
  const e = explainOf([
    { port: 23, transport: 'tcp', protocol: 'telnet', fields: { 'telnet.banner': 'login:' } },
  ]);
  assert.equal(formatHostExplanation(e), '192.0.2.7: nothing identified\n');
});

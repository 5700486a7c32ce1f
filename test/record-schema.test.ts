/**
 * The shipped JSON Schema of the host record: its closed vocabularies equal the code's, it
 * compiles in Ajv's strict mode, it validates every record of a real lab scan, and it
 * rejects what the contract forbids (unknown fields, unknown classes).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv2020Module from 'ajv/dist/2020.js';
import {
  DEVICE_CLASSES,
  FIELDS,
  HOST_STATUSES,
  type HostRecord,
  PROBE_STATUSES,
  type RunningLab,
  SCHEMA_VERSION,
  scan,
  startLab,
} from '../src/index.js';
import { PROTOCOLS } from '../src/types.js';
import { ROOT } from './support/paths.js';

type Schema = {
  required: string[];
  properties: Record<string, unknown> & { schema: { const: number } };
  $defs: Record<string, { enum?: string[]; required?: string[]; properties?: object }> & {
    service: {
      properties: { fields: { propertyNames: { pattern: string } } };
    };
  };
};

const SCHEMA_FILE = path.join(ROOT, 'schema', 'host-record.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Schema;

/** Ajv is CommonJS: under NodeNext the class is the default export's `default`. */
const Ajv2020 = Ajv2020Module.default;

/** A strict validator for the host record. */
function recordValidator(): (record: unknown) => string | null {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  const check = ajv.compile(schema);
  return (record) => (check(record) ? null : ajv.errorsText(check.errors));
}

function sameSet(actual: readonly string[] | undefined, expected: readonly string[], what: string) {
  const a = new Set(actual ?? []);
  const e = new Set(expected);
  const missing = [...e].filter((x) => !a.has(x));
  const extra = [...a].filter((x) => !e.has(x));
  assert.deepEqual(
    { missing, extra },
    { missing: [], extra: [] },
    `${what}: schema/host-record.schema.json is out of date with src/types.ts`,
  );
}

describe('the schema matches the code', () => {
  test('closed vocabularies equal src/types.ts', () => {
    sameSet(schema.$defs['hostStatus']?.enum, HOST_STATUSES, 'host statuses');
    sameSet(schema.$defs['probeStatus']?.enum, PROBE_STATUSES, 'probe statuses');
    sameSet(schema.$defs['protocol']?.enum, PROTOCOLS, 'protocols');
    sameSet(schema.$defs['deviceClass']?.enum, Object.keys(DEVICE_CLASSES), 'device classes');
    assert.equal(schema.properties.schema.const, SCHEMA_VERSION);
  });

  test('every probe field name fits the schema pattern for fields', () => {
    const pattern = new RegExp(schema.$defs.service.properties.fields.propertyNames.pattern);
    for (const name of Object.keys(FIELDS)) assert.match(name, pattern);
  });

  test('required keys are the DESIGN.md record keys, in contract order', () => {
    assert.deepEqual(schema.required, [
      'schema',
      'ip',
      'status',
      'iot',
      'device',
      'alternatives',
      'services',
      'started_at',
      'elapsed_ms',
      'signatures_version',
    ]);
  });
});

describe('validation', () => {
  const validate = recordValidator();
  const good: HostRecord = {
    schema: 1,
    ip: '192.0.2.7',
    status: 'identified',
    iot: true,
    device: {
      class: 'nas',
      vendor: 'D-Link',
      vendor_id: 'dlink',
      product: 'ShareCenter',
      model: 'DNS-320',
      os: { vendor: null, family: 'linux', name: null, version: null },
      cpe: ['cpe:2.3:h:dlink:dns-320:-:*:*:*:*:*:*:*'],
      confidence: 0.93,
      nat_gateway_suspected: false,
      signatures: ['dlink/sharecenter'],
    },
    alternatives: [],
    services: [
      {
        port: 80,
        transport: 'tcp',
        protocol: 'http',
        status: 'ok',
        product: 'lighttpd',
        vendor: null,
        version: '1.4.28',
        banner: 'HTTP/1.1 200 OK',
        fields: { 'http.server': 'lighttpd/1.4.28' },
        matches: [{ signature: 'dlink/sharecenter', score: 0.9, evidence: ['title'] }],
        elapsed_ms: 41,
      },
    ],
    started_at: '2026-11-26T12:00:00.000Z',
    elapsed_ms: 1830,
    signatures_version: '0.1.0',
  };

  test('the DESIGN.md example is valid', () => assert.equal(validate(good), null));

  const bad: Array<[string, unknown]> = [
    ['an unknown top-level field', { ...good, extra: 1 }],
    ['an unknown class', { ...good, device: { ...good.device, class: 'toaster' } }],
    ['confidence above 1', { ...good, device: { ...good.device, confidence: 1.5 } }],
    ['a renamed field', { ...good, device: { ...good.device, natGateway: true } }],
    ['schema 2', { ...good, schema: 2 }],
    ['an unknown probe status', { ...good, services: [{ ...good.services[0], status: 'weird' }] }],
    ['a missing field', (({ iot: _iot, ...rest }) => rest)(good)],
  ];
  for (const [what, record] of bad) {
    test(`rejects ${what}`, () => assert.notEqual(validate(record), null));
  }
});

describe('every record of a lab scan validates', () => {
  let lab: RunningLab;
  const records: HostRecord[] = [];

  before(async () => {
    lab = await startLab({ prefix: '127.77.164', portOffset: 10_000 });
    for await (const r of scan(lab.targets(), {
      ports: lab.portSpec(),
      readTimeoutMs: 1_500,
      bannerWaitMs: 500,
      hostTimeoutMs: 20_000,
    })) {
      records.push(r);
    }
  });

  after(async () => {
    await lab?.close();
  });

  test('one valid record per lab address', () => {
    assert.equal(records.length, lab.targets().length);
    const validate = recordValidator();
    for (const r of records) assert.equal(validate(r), null, `${r.ip}: ${validate(r)}`);
    assert.ok(records.some((r) => r.status === 'identified'));
    assert.ok(records.some((r) => r.services.length > 0));
  });
});

/**
 * SNMPv3 engine-ID discovery: our BER encoder and decoder (round trip, hostile bytes),
 * the RFC 3411 engine-ID formats, and the probe against the lab's agent on loopback
 * (a Report to the discovery, even with a community the probe does not know).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeEngineId,
  encodeDiscoveryReport,
  encodeDiscoveryRequest,
  parseDiscoveryRequest,
  parseDiscoveryResponse,
} from '../probes/parsers/snmpv3.js';
import { engineFields, snmpProbe } from '../probes/snmp.js';
import { startSnmp } from '../src/lab/servers/snmp.js';
import { probePort } from './support/run-probe.js';

const id = (hex: string): Buffer => Buffer.from(hex, 'hex');

test('snmpv3: the discovery request is v3, USM, reportable noAuthNoPriv, with no user and no engine ID', () => {
  const req = encodeDiscoveryRequest(0x1234, 0x5678);
  const parsed = parseDiscoveryRequest(req);
  assert.deepEqual(parsed, { msgId: 0x1234, requestId: 0x5678 });
  // version INTEGER 3 right after the outer SEQUENCE header.
  assert.deepEqual([...req.subarray(2, 5)], [0x02, 0x01, 0x03]);
  // msgFlags: one octet, 0x04 (reportable), no auth, no priv.
  assert.ok(req.includes(Buffer.from([0x04, 0x01, 0x04])));
  assert.ok(!req.includes(Buffer.from('public')));
});

test('snmpv3: a Report round-trips msgID, engine ID, boots and time', () => {
  const engine = id('800000090300000c9f1234');
  const report = encodeDiscoveryReport(77, 78, engine, 5, 123456);
  const parsed = parseDiscoveryResponse(report);
  assert.ok(parsed);
  assert.equal(parsed.msgId, 77);
  assert.equal(parsed.engineId.toString('hex'), '800000090300000c9f1234');
  assert.equal(parsed.engineBoots, 5);
  assert.equal(parsed.engineTime, 123456);
  // A request is not a response (no engine ID).
  assert.equal(parseDiscoveryResponse(encodeDiscoveryRequest(1, 2)), null);
});

test('snmpv3: every truncation of a Report is rejected, never read past its end', () => {
  const report = encodeDiscoveryReport(1, 2, id('80001f8880aabbccddeeff0011'), 1, 2);
  for (let n = 0; n < report.length; n++) {
    assert.equal(parseDiscoveryResponse(report.subarray(0, n)), null, `cut at ${n}`);
  }
});

test('snmpv3: engine-ID formats of RFC 3411', () => {
  // Cisco style: enterprise 9, format 3 (MAC).
  assert.deepEqual(decodeEngineId(id('800000090300000c9f1234')), {
    enterprise: 9,
    format: 'mac',
    mac: '00:00:0c:9f:12:34',
  });
  // Net-SNMP: enterprise 8072, format 128 (its own random form).
  assert.deepEqual(decodeEngineId(id('80001f888056f3a1b2c3d4e5f6')), {
    enterprise: 8072,
    format: 'enterprise-128',
  });
  assert.deepEqual(decodeEngineId(id('80000009017f000001')), {
    enterprise: 9,
    format: 'ipv4',
    address: '127.0.0.1',
  });
  assert.deepEqual(decodeEngineId(id(`8000000904${Buffer.from('core-sw1').toString('hex')}`)), {
    enterprise: 9,
    format: 'text',
    text: 'core-sw1',
  });
  // Text with control characters is not kept.
  assert.deepEqual(decodeEngineId(id('80000009046c1b5b326a')), { enterprise: 9, format: 'text' });
  // RFC 1910 form: 12 octets, high bit clear.
  assert.deepEqual(decodeEngineId(id('000000090000000000000001')), {
    enterprise: 9,
    format: 'rfc1910',
  });
  assert.equal(decodeEngineId(id('8000')), null);
  assert.equal(decodeEngineId(id('0000000901')), null);
  assert.equal(decodeEngineId(Buffer.alloc(33, 0x80)), null);
  assert.deepEqual(engineFields(id('800000090300000c9f1234'), 3), {
    'snmp.engine_id': '800000090300000c9f1234',
    'snmp.engine_enterprise': '9',
    'snmp.engine_format': 'mac',
    'snmp.engine_mac': '00:00:0c:9f:12:34',
    'snmp.engine_boots': '3',
  });
});

test('snmpv3: arbitrary bytes never throw and never yield an out-of-range engine ID', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const parsed = parseDiscoveryResponse(bytes);
      if (parsed) {
        assert.ok(parsed.engineId.length >= 5 && parsed.engineId.length <= 32);
        assert.ok(parsed.engineId.length < bytes.length);
      }
      parseDiscoveryRequest(bytes);
      const info = decodeEngineId(bytes);
      if (info)
        assert.ok(
          (info.enterprise > 0 && info.enterprise <= 0x7fffffff) || info.format === 'rfc1910',
        );
    }),
    { numRuns: 3000 },
  );
});

test('snmpv3: mutations of a valid Report never throw', () => {
  const report = encodeDiscoveryReport(9, 10, id('800098fd030854113c4d5e'), 1, 2);
  fc.assert(
    fc.property(fc.nat(report.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
      const copy = Buffer.from(report);
      copy[at] = value;
      const parsed = parseDiscoveryResponse(copy);
      if (parsed) assert.ok(parsed.engineId.length <= 32);
    }),
    { numRuns: 2000 },
  );
});

test('snmpv3: the probe reads the engine ID from the lab agent without knowing its community', async () => {
  const calls = { n: 0 };
  const server = await startSnmp(
    '127.0.0.1',
    0,
    {
      community: 'not-public-5521',
      variables: [{ oid: '1.3.6.1.2.1.1.1.0', type: 'string', value: 'x' }],
      engineId: '800098fd030854113c4d5e',
      engineBoots: 42,
    },
    {
      connection: () => calls.n++,
      credentialAttempt: () => undefined,
      mailCommand: () => undefined,
    },
  );
  try {
    const result = await probePort('127.0.0.1', server.port, {
      transport: 'udp',
      probes: [snmpProbe],
      timeouts: { connectMs: 500, readMs: 400, bannerMs: 300 },
    });
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['snmp.version'], 'v3');
    assert.equal(result.fields['snmp.engine_id'], '800098fd030854113c4d5e');
    assert.equal(result.fields['snmp.engine_enterprise'], '39165');
    assert.equal(result.fields['snmp.engine_mac'], '08:54:11:3c:4d:5e');
    assert.equal(result.fields['snmp.engine_boots'], '42');
    assert.equal(result.fields['snmp.sysDescr'], undefined);
    // Discovery, v2c and v1 (the last two unanswered: wrong community).
    assert.ok(calls.n >= 3);
  } finally {
    await server.close();
  }
});

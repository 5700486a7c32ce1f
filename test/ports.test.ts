import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PORT_SPEC, parsePortSpec } from '../src/index.js';

test('Nmap-style port specs', () => {
  assert.deepEqual(parsePortSpec('21-23,80,U:161,T:2323'), [
    { transport: 'tcp', port: 21 },
    { transport: 'tcp', port: 22 },
    { transport: 'tcp', port: 23 },
    { transport: 'tcp', port: 80 },
    { transport: 'tcp', port: 2323 },
    { transport: 'udp', port: 161 },
  ]);
  assert.equal(parsePortSpec('80,80,80').length, 1);
  const def = parsePortSpec(DEFAULT_PORT_SPEC);
  assert.ok(def.some((p) => p.transport === 'udp' && p.port === 161));
  assert.ok(def.some((p) => p.transport === 'tcp' && p.port === 2323));
});

test('bad port specs name the bad item', () => {
  assert.throws(() => parsePortSpec('80,abc'), /bad port 'abc'/);
  assert.throws(() => parsePortSpec('0-10'), /1-65535/);
  assert.throws(() => parsePortSpec('90-80'), /bad port range/);
  assert.throws(() => parsePortSpec(''), /names no port/);
});

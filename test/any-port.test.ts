/**
 * Any port: the same device with its services moved (SSH on 2323, telnet on 8023, HTTP on
 * 81, HTTPS on 8443 and on a port of no known protocol) is identified by the real `scan()`
 * with the same labels as on the standard ports. Also: port presets, and the loader
 * refusing signatures that read the engine's `scan.*` bookkeeping.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PORT_PRESETS } from '../src/engine/presets.js';
import {
  DEFAULT_PORT_SPEC,
  type HostRecord,
  loadSignatures,
  parsePortSpec,
  scan,
} from '../src/index.js';
import { type RunningLab, startLab } from '../src/lab/index.js';
import { recordOf, scanLab } from './support/lab-scan.js';

const PREFIX = '127.77.141';

let lab: RunningLab;
let records = new Map<string, HostRecord>();

before(async () => {
  // 'auto': the standard ports when the process may bind them, else standard + 10000 for
  // ports below 1024 (the odd ports stay where they are either way).
  lab = await startLab({
    prefix: PREFIX,
    portOffset: 'auto',
    personas: ['mikrotik-router', 'mikrotik-odd-ports'],
  });
  const targets = lab.hosts.filter((h) => h.id !== 'empty').map((h) => h.address);
  records = await scanLab(lab, targets, {
    readTimeoutMs: 2_000,
    bannerWaitMs: 500,
    hostTimeoutMs: 20_000,
  });
});

after(async () => {
  await lab?.close();
});

function record(id: string): HostRecord {
  return recordOf(records, id);
}

function boundPort(id: string, standardPort: number): number {
  const host = lab.hosts.find((h) => h.id === id);
  const service = host?.services.find((s) => s.standardPort === standardPort);
  assert.ok(service, `${id} has no service on ${standardPort}`);
  return service.port;
}

test('the moved device gets the same labels as the standard one', () => {
  const standard = record('mikrotik-router');
  const moved = record('mikrotik-odd-ports');
  assert.equal(standard.device?.class, 'router');
  assert.equal(standard.device?.vendor_id, 'mikrotik');
  assert.equal(moved.status, 'identified');
  assert.equal(moved.device?.class, standard.device?.class);
  assert.equal(moved.device?.vendor_id, standard.device?.vendor_id);
  assert.equal(moved.device?.product, standard.device?.product);
  assert.equal(moved.iot, true);
  assert.equal(moved.device?.nat_gateway_suspected, true);
});

test('each moved service is detected by its own protocol and names the device', () => {
  const moved = record('mikrotik-odd-ports');
  const expectations = [
    { standard: 2323, protocol: 'ssh', by: 'ssh' },
    { standard: 8023, protocol: 'telnet', by: 'telnet' },
    { standard: 81, protocol: 'http', by: 'http' },
    { standard: 8443, protocol: 'https', by: 'https' },
    { standard: 4443, protocol: 'https', by: 'https' },
  ] as const;
  for (const want of expectations) {
    const port = boundPort('mikrotik-odd-ports', want.standard);
    const service = moved.services.find((s) => s.port === port && s.transport === 'tcp');
    assert.ok(service, `no service on ${port}`);
    assert.equal(service.protocol, want.protocol, `port ${port}`);
    assert.equal(service.status, 'ok', `port ${port}`);
    assert.equal(service.fields['scan.identified_by'], want.by, `port ${port}`);
    assert.ok(
      service.matches.some((m) => m.signature === 'mikrotik/routeros'),
      `port ${port} did not match mikrotik/routeros: ${JSON.stringify(service.matches)}`,
    );
  }
  // The SSH and telnet ports spoke first: identified by their banner, no request sent.
  const ssh = moved.services.find((s) => s.port === boundPort('mikrotik-odd-ports', 2323));
  assert.equal(ssh?.fields['scan.probes'], '1');
  // 4443 is no known port: silent, then HTTP got no HTTP back, then TLS (two probes).
  const tlsOdd = moved.services.find((s) => s.port === boundPort('mikrotik-odd-ports', 4443));
  assert.equal(tlsOdd?.fields['scan.probes'], '2');
  assert.equal(tlsOdd?.fields['tls.subject'], 'CN=router');
});

test('port presets expand in place and mix with ports', () => {
  const iot = parsePortSpec('iot');
  const has = (list: typeof iot, transport: 'tcp' | 'udp', port: number) =>
    list.some((p) => p.transport === transport && p.port === port);
  for (const port of [
    21, 22, 23, 25, 80, 81, 443, 554, 587, 2222, 2323, 7547, 8000, 8080, 8081, 8443,
  ]) {
    assert.ok(has(iot, 'tcp', port), `iot lacks tcp/${port}`);
  }
  assert.ok(has(iot, 'udp', 161) && has(iot, 'udp', 1900));
  assert.equal(iot.length, 18);
  // After a preset, the next item is read with the transport before it (TCP here).
  const mixed = parsePortSpec('iot,8888');
  assert.ok(has(mixed, 'tcp', 8888) && !has(mixed, 'udp', 8888));
  const udpAfter = parsePortSpec('U:5353,mail,9999');
  assert.ok(has(udpAfter, 'udp', 5353) && has(udpAfter, 'udp', 9999) && has(udpAfter, 'tcp', 993));
  assert.ok(parsePortSpec('all-common').length > iot.length);
  assert.deepEqual(parsePortSpec(DEFAULT_PORT_SPEC), iot);
  assert.ok(Object.keys(PORT_PRESETS).includes('mail'));
  assert.throws(() => parsePortSpec('iotx'), /bad port 'iotx'/);
});

test('the loader rejects a signature reading scan.* bookkeeping', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thingscan-scanfield-'));
  try {
    mkdirSync(path.join(dir, '_taxonomy'));
    mkdirSync(path.join(dir, 'router', 'acme'), { recursive: true });
    writeFileSync(path.join(dir, 'VERSION'), '0.0.1\n');
    writeFileSync(
      path.join(dir, '_taxonomy', 'vendors.yaml'),
      '- { id: acme, name: Acme Routers, aliases: [] }\n',
    );
    const sig = (field: string) =>
      `id: acme/edge\nname: Acme Edge\nstatus: stable\ndevice:\n  class: router\n  vendor: acme\n` +
      `evidence:\n  - id: e\n    field: ${field}\n    equals: https\n    weight: strong\n` +
      `examples:\n  - fields:\n      ${field}: https\n`;
    writeFileSync(path.join(dir, 'router', 'acme', 'edge.yaml'), sig('scan.identified_by'));
    assert.throws(() => loadSignatures({ dir }), /scan bookkeeping/);
    // The same file reading a real field loads: the refusal is about scan.* only.
    writeFileSync(path.join(dir, 'router', 'acme', 'edge.yaml'), sig('tls.version'));
    assert.equal(loadSignatures({ dir }).signatures.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a banner no probe speaks is kept as unknown.banner, and signatures read it (ser2net raw port)', async () => {
  // ser2net on Debian's stock raw TCP accepter: its banner, no telnet negotiation.
  const address = `${PREFIX}.250`;
  const server = net.createServer((socket) => {
    socket.end(
      'ser2net port tcp,2000 device serialdev,/dev/ttyS0,9600n81,local [,9600N81,CLOCAL] (Debian GNU/Linux)\r\n',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    const out: HostRecord[] = [];
    for await (const r of scan([address], {
      ports: `T:${port}`,
      bannerWaitMs: 500,
      readTimeoutMs: 1_000,
    })) {
      out.push(r);
    }
    const service = out[0]?.services.find((s) => s.port === port);
    assert.equal(service?.protocol, 'unknown');
    assert.equal(
      service?.fields['unknown.banner'],
      'ser2net port tcp,2000 device serialdev,/dev/ttyS0,9600n81,local [,9600N81,CLOCAL] (Debian GNU/Linux)\n',
    );
    assert.equal(service?.product, 'ser2net');
    // A serial server names no device class or maker of its own.
    assert.equal(out[0]?.device?.vendor_id ?? null, null);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

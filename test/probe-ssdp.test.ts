/**
 * SSDP / UPnP probe: the unicast M-SEARCH it sends, the reply fields, the device
 * description fetched only from the target's own address (never another address, never a
 * host name), and the bounded description scanner.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import type net from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { ddpProbe } from '../probes/ddp.js';
import { snmpProbe } from '../probes/snmp.js';
import { locationOnTarget, parseDescription, ssdpProbe } from '../probes/ssdp.js';
import type { UdpProbe } from '../probes/types.js';
import { bookkeepingFields, type PortResult, runPort } from '../src/engine/run-port.js';
import { connectTcp } from '../src/net/bounded.js';
import { TEST_TIMEOUTS } from './support/run-probe.js';

/**
 * A UDP responder on `host` that answers with `reply`; records every request. With
 * `onlySsdp`, datagrams other than an M-SEARCH go unanswered, as on a real UPnP stack.
 */
async function startResponder(
  host: string,
  reply: string,
  onlySsdp = false,
): Promise<{ port: number; requests: Buffer[]; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const requests: Buffer[] = [];
  socket.on('message', (msg, rinfo) => {
    requests.push(msg);
    if (onlySsdp && !msg.toString('latin1').startsWith('M-SEARCH ')) return;
    socket.send(Buffer.from(reply, 'latin1'), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return {
    port: socket.address().port,
    requests,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** An HTTP server serving a description; counts connections. */
async function startDescription(
  host: string,
  xml: string,
): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/xml', Connection: 'close' });
    res.end(xml);
  });
  server.on('connection', (s: net.Socket) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const DESCRIPTION =
  '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>' +
  '<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>' +
  '<friendlyName>Gateway &amp; Co</friendlyName><manufacturer>ACME Networks</manufacturer>' +
  '<modelName>AX-1000</modelName><modelNumber>v2</modelNumber><serialNumber>SN&#49;23</serialNumber>' +
  '<deviceList><device><manufacturer>Embedded Corp</manufacturer><modelName>WAN</modelName></device></deviceList>' +
  '</device></root>';

function reply(location: string): string {
  return (
    'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nEXT:\r\n' +
    `LOCATION: ${location}\r\nSERVER: Linux/4.14 UPnP/1.0 MiniUPnPd/2.2\r\n` +
    'ST: upnp:rootdevice\r\nUSN: uuid:1234::upnp:rootdevice\r\n\r\n'
  );
}

async function runSsdp(
  host: string,
  port: number,
  probes: readonly UdpProbe[] = [ssdpProbe],
): Promise<PortResult> {
  const signal = AbortSignal.timeout(10_000);
  return runPort({
    host,
    port,
    transport: 'udp',
    probes,
    timeouts: TEST_TIMEOUTS,
    maxBytes: 64 * 1024,
    settings: { userAgent: 'thingscan-test/0', snmpCommunity: null },
    signal,
    log: pino({ level: 'silent' }),
    openConnection: (p = port) => connectTcp({ host, port: p, timeoutMs: 1_000, signal }),
  });
}

test('M-SEARCH to the target, reply fields, description from the target itself', async () => {
  const desc = await startDescription('127.0.0.1', DESCRIPTION);
  const udp = await startResponder(
    '127.0.0.1',
    reply(`http://127.0.0.1:${desc.port}/rootDesc.xml`),
  );
  try {
    const result = await runSsdp('127.0.0.1', udp.port);
    assert.equal(result.protocol, 'ssdp');
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['ssdp.server'], 'Linux/4.14 UPnP/1.0 MiniUPnPd/2.2');
    assert.equal(result.fields['ssdp.st'], 'upnp:rootdevice');
    assert.equal(result.fields['ssdp.usn'], 'uuid:1234::upnp:rootdevice');
    assert.equal(result.fields['upnp.manufacturer'], 'ACME Networks');
    assert.equal(result.fields['upnp.model_name'], 'AX-1000');
    assert.equal(result.fields['upnp.model_number'], 'v2');
    assert.equal(result.fields['upnp.friendly_name'], 'Gateway & Co');
    assert.equal(result.fields['upnp.serial'], 'SN123');
    assert.equal(
      result.fields['upnp.device_type'],
      'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
    );
    assert.equal(desc.connections(), 1);
    const request = udp.requests[0]?.toString('latin1') ?? '';
    assert.equal(udp.requests.length, 1);
    assert.match(request, /^M-SEARCH \* HTTP\/1\.1\r\n/);
    // The group in HOST, as multicast searches say it (libupnp drops any other).
    assert.match(request, /\r\nHOST: 239\.255\.255\.250:1900\r\n/);
    assert.match(request, /\r\nMAN: "ssdp:discover"\r\n/);
    assert.match(request, /\r\nST: upnp:rootdevice\r\n/);
    assert.match(request, /\r\nMX: 1\r\n/);
  } finally {
    await udp.close();
    await desc.close();
  }
});

test('a LOCATION on another address is recorded, never fetched', async () => {
  // The description really is served at the other address: a fetch would be counted.
  const elsewhere = await startDescription('127.0.0.2', DESCRIPTION);
  const udp = await startResponder(
    '127.0.0.1',
    reply(`http://127.0.0.2:${elsewhere.port}/rootDesc.xml`),
  );
  try {
    const result = await runSsdp('127.0.0.1', udp.port);
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['ssdp.location'], `http://127.0.0.2:${elsewhere.port}/rootDesc.xml`);
    assert.equal(result.fields['upnp.manufacturer'], undefined);
    assert.equal(elsewhere.connections(), 0);
  } finally {
    await udp.close();
    await elsewhere.close();
  }
});

test('locationOnTarget: own address only, canonical forms', () => {
  assert.deepEqual(locationOnTarget('http://127.0.0.1:5000/d.xml?x=1', '127.0.0.1'), {
    port: 5000,
    path: '/d.xml?x=1',
  });
  assert.deepEqual(locationOnTarget('http://127.1/d.xml', '127.0.0.1'), {
    port: 80,
    path: '/d.xml',
  });
  assert.deepEqual(locationOnTarget('http://[0::1]:80/', '::1'), { port: 80, path: '/' });
  for (const loc of [
    'http://127.0.0.2:5000/d.xml',
    'http://localhost:5000/d.xml',
    'https://127.0.0.1/d.xml',
    'http://u:p@127.0.0.1/d.xml',
    'not a url',
    'http://198.51.100.1:49152/rootDesc.xml',
  ]) {
    assert.equal(locationOnTarget(loc, '127.0.0.1'), null, loc);
  }
});

test('parseDescription: root device first, prefixes, entities, bounded', () => {
  const fields = parseDescription(DESCRIPTION);
  assert.equal(fields['upnp.manufacturer'], 'ACME Networks');
  assert.equal(fields['upnp.model_name'], 'AX-1000');
  assert.deepEqual(
    parseDescription(
      '<u:root><u:device><u:modelName>M &lt;1&gt;</u:modelName></u:device></u:root>',
    ),
    {
      'upnp.model_name': 'M <1>',
    },
  );
  // Markup inside a value is skipped rather than guessed.
  assert.deepEqual(parseDescription('<manufacturer><![CDATA[x]]></manufacturer>'), {});
  // Values are capped; an unterminated flood stays linear.
  const long = parseDescription(`<modelName>${'A'.repeat(1_000)}</modelName>`);
  assert.equal(long['upnp.model_name']?.length, 256);
  assert.deepEqual(parseDescription(`<modelName>${'<'.repeat(200_000)}`), {});
});

test('parseDescription: an element opening right after another is read (minified XML)', () => {
  // miniupnpd's layout: specVersion first, then <device><deviceType> with nothing between,
  // and an embedded device whose deviceType must not be taken for the root's.
  const fields = parseDescription(
    '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0" configId="1337">' +
      '<specVersion><major>1</major><minor>1</minor></specVersion><device>' +
      '<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>' +
      '<friendlyName>gw</friendlyName><manufacturer>Maker</manufacturer>' +
      '<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>' +
      '<manufacturer>MiniUPnP</manufacturer></device></deviceList></device></root>',
  );
  assert.equal(fields['upnp.device_type'], 'urn:schemas-upnp-org:device:InternetGatewayDevice:2');
  assert.equal(fields['upnp.manufacturer'], 'Maker');
  assert.equal(fields['upnp.friendly_name'], 'gw');
  assert.deepEqual(parseDescription('<a><b><c><modelName>M</modelName></c></b></a>'), {
    'upnp.model_name': 'M',
  });
});

test('libupnp: the reply comes from a fresh socket of the target, not from the port asked', async () => {
  const listener = dgram.createSocket('udp4');
  const fresh = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => fresh.bind(0, '127.0.0.1', resolve));
  const libupnp =
    'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n' +
    'LOCATION: http://192.0.2.1:49152/description.xml\r\n' +
    'SERVER: Linux/6.1.0, UPnP/1.0, Portable SDK for UPnP devices/1.8.4\r\n' +
    'ST: upnp:rootdevice\r\nUSN: uuid:31a43310-107d-4193-b270-e95a59f7beab::upnp:rootdevice\r\n\r\n';
  listener.on('message', (msg, rinfo) => {
    // libupnp drops an M-SEARCH whose HOST is not the group.
    if (!msg.toString('latin1').includes('\r\nHOST: 239.255.255.250:1900\r\n')) return;
    fresh.send(Buffer.from(libupnp, 'latin1'), rinfo.port, rinfo.address);
  });
  try {
    const result = await runSsdp('127.0.0.1', listener.address().port);
    assert.equal(result.status, 'ok');
    assert.equal(
      result.fields['ssdp.server'],
      'Linux/6.1.0, UPnP/1.0, Portable SDK for UPnP devices/1.8.4',
    );
  } finally {
    for (const s of [listener, fresh]) await new Promise<void>((r) => s.close(() => r()));
  }
});

test('no reply: io-timeout (the engine leaves such UDP ports out)', async () => {
  const quiet = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => quiet.bind(0, '127.0.0.1', resolve));
  try {
    const result = await runSsdp('127.0.0.1', quiet.address().port);
    assert.equal(result.status, 'io-timeout');
  } finally {
    await new Promise<void>((resolve) => quiet.close(() => resolve()));
  }
});

// The UDP probes in an order unlike their rarity (SNMP 1, SSDP 2, DDP 3) and unlike the
// registry's: the runner must sort them itself.
const SHUFFLED_UDP: readonly UdpProbe[] = [ddpProbe, ssdpProbe, snmpProbe];

test('a UDP port no probe claims: SNMP first, then SSDP answers; DDP is never sent', async () => {
  const desc = await startDescription('127.0.0.1', DESCRIPTION);
  const udp = await startResponder(
    '127.0.0.1',
    reply(`http://127.0.0.1:${desc.port}/rootDesc.xml`),
    true,
  );
  try {
    assert.notEqual(udp.port, 1900);
    const result = await runSsdp('127.0.0.1', udp.port, SHUFFLED_UDP);
    assert.equal(result.protocol, 'ssdp');
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['upnp.manufacturer'], 'ACME Networks');
    assert.deepEqual(result.probesTried, ['snmp', 'ssdp']);
    assert.deepEqual(bookkeepingFields(result), {
      'scan.identified_by': 'ssdp',
      'scan.probes': '2',
    });
    // SNMP's datagrams (BER, 0x30) came first, then one M-SEARCH, and no DDP search.
    const kinds = udp.requests.map((r) =>
      r[0] === 0x30 ? 'snmp' : r.toString('latin1').split(' ')[0],
    );
    assert.ok(kinds.length >= 2, JSON.stringify(kinds));
    assert.ok(
      kinds.slice(0, -1).every((k) => k === 'snmp'),
      JSON.stringify(kinds),
    );
    assert.equal(kinds.at(-1), 'M-SEARCH');
  } finally {
    await udp.close();
    await desc.close();
  }
});

test('a silent UDP port no probe claims: every UDP probe, one at a time, each counted', async () => {
  const quiet = dgram.createSocket('udp4');
  const seen: string[] = [];
  quiet.on('message', (msg) => seen.push(msg[0] === 0x30 ? 'snmp' : msg.toString('latin1', 0, 4)));
  await new Promise<void>((resolve) => quiet.bind(0, '127.0.0.1', resolve));
  try {
    const result = await runSsdp('127.0.0.1', quiet.address().port, SHUFFLED_UDP);
    assert.equal(result.status, 'io-timeout');
    assert.deepEqual(result.probesTried, ['snmp', 'ssdp', 'ddp']);
    assert.equal(bookkeepingFields(result)['scan.probes'], '3');
    assert.equal(bookkeepingFields(result)['scan.identified_by'], undefined);
    // Sequential: every SNMP datagram before the M-SEARCH, the M-SEARCH before the search.
    assert.deepEqual([...new Set(seen)], ['snmp', 'M-SE', 'SRCH']);
  } finally {
    await new Promise<void>((resolve) => quiet.close(() => resolve()));
  }
});

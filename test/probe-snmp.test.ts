/**
 * SNMP probe against a net-snmp agent on loopback: v2c system group (plus the SNMPv3
 * engine-ID discovery the agent answers), fallback to v1 when only v1 is answered,
 * silence, and a disabled community that must send no community (only the v3 discovery).
 * The probe runs alone (`probes: [snmpProbe]`): on a non-161 port the runner would also
 * try the other UDP probes.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import snmp from 'net-snmp';
import { snmpProbe } from '../probes/snmp.js';
import { probePort } from './support/run-probe.js';

const HOST = '127.0.0.1';
const SHORT = { connectMs: 500, readMs: 300, bannerMs: 300 };

/** A bound UDP socket on a free loopback port. */
async function udpSocket(): Promise<{ socket: dgram.Socket; port: number }> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, HOST);
  await once(socket, 'listening');
  return { socket, port: socket.address().port };
}

/** A port that was free a moment ago (net-snmp's agent cannot bind port 0). */
async function freeUdpPort(): Promise<number> {
  const { socket, port } = await udpSocket();
  socket.close();
  await once(socket, 'close');
  return port;
}

interface Agent {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a net-snmp agent on 127.0.0.1 serving the system group for community `public`. */
async function startAgent(): Promise<Agent> {
  const port = await freeUdpPort();
  // biome-ignore lint/suspicious/noExplicitAny: net-snmp's agent API is typed as any.
  const agent: any = snmp.createAgent(
    { port, address: HOST, disableAuthorization: false },
    () => undefined,
  );
  agent.getAuthorizer().addCommunity('public');
  const mib = agent.getMib();
  const scalar = (name: string, oid: string, scalarType: snmp.ObjectType): void =>
    mib.registerProvider({
      name,
      type: snmp.MibProviderType.Scalar,
      oid,
      scalarType,
      maxAccess: snmp.MaxAccess['read-only'],
    });
  scalar('sysDescr', '1.3.6.1.2.1.1.1', snmp.ObjectType.OctetString);
  scalar('sysObjectID', '1.3.6.1.2.1.1.2', snmp.ObjectType.OID);
  scalar('sysName', '1.3.6.1.2.1.1.5', snmp.ObjectType.OctetString);
  mib.setScalarValue('sysDescr', 'Linux DiskStation 3.10.105 #25556 SMP armv7l');
  mib.setScalarValue('sysObjectID', '1.3.6.1.4.1.8072.3.2.10');
  mib.setScalarValue('sysName', 'nas-01');
  // The agent binds asynchronously; wait for its socket to listen before using it.
  const sockets: dgram.Socket[] = Object.values(agent.listener.sockets);
  for (const s of sockets) {
    try {
      s.address(); // throws until bound
    } catch {
      await once(s, 'listening');
    }
  }
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        agent.close(() => resolve());
      }),
  };
}

test('snmp: v2c GET of the system group', async () => {
  const agent = await startAgent();
  try {
    const result = await probePort(HOST, agent.port, {
      transport: 'udp',
      timeouts: SHORT,
      probes: [snmpProbe],
    });
    assert.equal(result.protocol, 'snmp');
    assert.equal(result.status, 'ok');
    const { 'snmp.engine_id': engineId, ...system } = result.fields;
    assert.deepEqual(
      Object.fromEntries(Object.entries(system).filter(([k]) => !k.startsWith('snmp.engine_'))),
      {
        'snmp.sysDescr': 'Linux DiskStation 3.10.105 #25556 SMP armv7l',
        'snmp.sysObjectID': '1.3.6.1.4.1.8072.3.2.10',
        'snmp.sysName': 'nas-01',
        'snmp.version': 'v2c',
      },
    );
    // net-snmp's agent answers the v3 discovery too: its engine ID is RFC 3411 form.
    assert.match(engineId ?? '', /^8[0-9a-f]{9,63}$/);
    assert.match(result.fields['snmp.engine_enterprise'] ?? '', /^\d+$/);
  } finally {
    await agent.close();
  }
});

test('snmp: falls back to v1 when v2c goes unanswered', async () => {
  const agent = await startAgent();
  // A relay in front of the agent that drops v2c requests, like a v1-only device.
  const { socket: relay, port } = await udpSocket();
  const upstream = dgram.createSocket('udp4');
  upstream.bind(0, HOST);
  await once(upstream, 'listening');
  const versions: number[] = [];
  let client: dgram.RemoteInfo | null = null;
  relay.on('message', (msg, rinfo) => {
    // SEQUENCE, then INTEGER version: 30 LL 02 01 VV (short-form length in these tests).
    const version = msg[4] ?? -1;
    versions.push(version);
    if (version !== 0) return;
    client = rinfo;
    upstream.send(msg, agent.port, HOST);
  });
  upstream.on('message', (msg) => {
    if (client) relay.send(msg, client.port, client.address);
  });
  try {
    const result = await probePort(HOST, port, {
      transport: 'udp',
      timeouts: SHORT,
      probes: [snmpProbe],
    });
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['snmp.version'], 'v1');
    assert.equal(result.fields['snmp.sysName'], 'nas-01');
    // The v3 discovery goes out beside v2c; the relay drops both, as a v1-only device would.
    assert.deepEqual([...versions].sort(), [0, 1, 3]);
  } finally {
    relay.close();
    upstream.close();
    await agent.close();
  }
});

test('snmp: a silent port is an io-timeout after one v3 discovery, one v2c and one v1 request', async () => {
  const { socket, port } = await udpSocket();
  const received: Buffer[] = [];
  socket.on('message', (msg) => received.push(msg));
  try {
    const result = await probePort(HOST, port, {
      transport: 'udp',
      timeouts: SHORT,
      probes: [snmpProbe],
    });
    assert.equal(result.status, 'io-timeout');
    assert.deepEqual(result.fields, {});
    assert.deepEqual(received.map((m) => m[4]).sort(), [0, 1, 3]);
  } finally {
    socket.close();
  }
});

test('snmp: a null community sends no community, only the v3 discovery, and times out', async () => {
  const { socket, port } = await udpSocket();
  const received: string[] = [];
  socket.on('message', (msg) => received.push(msg.toString('latin1')));
  try {
    const result = await probePort(HOST, port, {
      transport: 'udp',
      timeouts: SHORT,
      probes: [snmpProbe],
      settings: { snmpCommunity: null },
    });
    assert.equal(result.status, 'io-timeout');
    assert.deepEqual(result.fields, {});
    // Loopback datagrams arrive in order: once this marker is in, anything the probe had
    // sent would be in too.
    const marker = dgram.createSocket('udp4');
    const arrived = once(socket, 'message');
    marker.send('marker', port, HOST);
    await arrived;
    marker.close();
    // One datagram before the marker: an SNMPv3 message (version 3) with no community.
    assert.equal(received.length, 2);
    assert.equal(received[1], 'marker');
    const discovery = Buffer.from(received[0] ?? '', 'latin1');
    assert.equal(discovery[4], 3);
    assert.ok(!discovery.includes('public'));
  } finally {
    socket.close();
  }
});

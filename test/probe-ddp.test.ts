/** The DDP probe against loopback UDP fakes: a console in rest mode, garbage, silence. */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { ddpProbe, parseDdpReply } from '../probes/ddp.js';
import { probePort } from './support/run-probe.js';

async function udpFake(
  reply: (msg: Buffer) => Buffer | null,
): Promise<{ port: number; received: Buffer[]; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (msg, rinfo) => {
    received.push(msg);
    const out = reply(msg);
    if (out) socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const STANDBY = Buffer.from(
  'HTTP/1.1 620 Server Standby\nhost-id:0CFE45A1B2C3\nhost-type:PS4\nhost-name:PS4-738\nhost-request-port:997\ndevice-discovery-protocol-version:00020020\nsystem-version:07550001\n\n',
);

test('a console in rest mode answers the search with its type, name, id and firmware', async () => {
  const fake = await udpFake((msg) =>
    msg.toString().startsWith('SRCH * HTTP/1.1\n') ? STANDBY : null,
  );
  const r = await probePort('127.0.0.1', fake.port, { transport: 'udp', probes: [ddpProbe] });
  assert.equal(r.protocol, 'ddp');
  assert.equal(r.status, 'ok');
  assert.deepEqual(r.fields, {
    'ddp.status': '620 Server Standby',
    'ddp.host_id': '0CFE45A1B2C3',
    'ddp.host_type': 'PS4',
    'ddp.host_name': 'PS4-738',
    'ddp.system_version': '07550001',
  });
  assert.equal(fake.received.length, 1, 'one search datagram, nothing else');
  assert.match(
    fake.received[0]?.toString() ?? '',
    /^SRCH \* HTTP\/1\.1\ndevice-discovery-protocol-version:00020020\n$/,
  );
  await fake.close();
});

test('silence is io-timeout; a non-DDP reply is protocol-error', async () => {
  const silent = await udpFake(() => null);
  const a = await probePort('127.0.0.1', silent.port, { transport: 'udp', probes: [ddpProbe] });
  assert.equal(a.status, 'io-timeout');
  await silent.close();
  const junk = await udpFake(() => Buffer.from([0x30, 0x82, 0xff, 0xff, 0x00]));
  const b = await probePort('127.0.0.1', junk.port, { transport: 'udp', probes: [ddpProbe] });
  assert.equal(b.status, 'protocol-error');
  assert.deepEqual(b.fields, {});
  await junk.close();
});

test('parseDdpReply keeps values short and ignores unknown headers', () => {
  const long = Buffer.from(`HTTP/1.1 200 Ok\nhost-name:${'x'.repeat(5000)}\nx-evil:1\n`);
  const f = parseDdpReply(long);
  assert.equal(f?.['ddp.host_name']?.length, 256);
  assert.equal(Object.keys(f ?? {}).length, 2);
  assert.equal(parseDdpReply(Buffer.from('SSH-2.0-x\n')), null);
});

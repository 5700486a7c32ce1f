/**
 * The scan thread's shared datagram socket (src/net/udp-shared.ts): every user's datagrams
 * leave from one port, each user hears only the addresses it sent to, and the real socket
 * closes with the last user.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { udpExchange } from '../src/net/udp.js';
import { createSocket, sharedUdpState } from '../src/net/udp-shared.js';

/** This file's loopback prefix (see `grep -rn "127.77." test/`). */
const PREFIX = '127.77.196';
const PORT = 19_601;
const HOSTS = Array.from({ length: 12 }, (_, i) => `${PREFIX}.${10 + i}`);

/** Echo servers answering `reply from <address>`; they note the source port of each request. */
const servers: dgram.Socket[] = [];
const sourcePorts = new Set<number>();

before(async () => {
  for (const host of HOSTS) {
    const server = dgram.createSocket('udp4');
    server.on('message', (_msg, rinfo) => {
      sourcePorts.add(rinfo.port);
      server.send(`reply from ${host}`, rinfo.port, rinfo.address);
    });
    server.bind(PORT, host);
    await once(server, 'listening');
    servers.push(server);
  }
});

after(() => {
  for (const s of servers) s.close();
});

test('concurrent exchanges share one source port, and each gets its own host’s reply', async () => {
  sourcePorts.clear();
  const replies = await Promise.all(
    HOSTS.map((host) =>
      udpExchange({ host, port: PORT, payload: Buffer.from('hi'), timeoutMs: 2_000, maxBytes: 64 }),
    ),
  );
  assert.deepEqual(
    replies.map((r) => r?.toString()),
    HOSTS.map((h) => `reply from ${h}`),
  );
  assert.equal(sourcePorts.size, 1, 'every datagram left from the one shared socket');
  assert.deepEqual(
    sharedUdpState('udp4'),
    { users: 0, routes: 0, open: false },
    'closed with the last user',
  );
});

test('a user hears only the addresses it sent to; a reply from elsewhere reaches nobody', async () => {
  const [a, b] = [HOSTS[0] as string, HOSTS[1] as string];
  const first = createSocket('udp4');
  const second = createSocket('udp4');
  const heard = { first: [] as string[], second: [] as string[] };
  first.on('message', (m: Buffer) => heard.first.push(m.toString()));
  second.on('message', (m: Buffer) => heard.second.push(m.toString()));
  sourcePorts.clear();
  first.send(Buffer.from('x'), PORT, a, () => {});
  second.send(Buffer.from('y'), 0, 1, PORT, b, () => {});
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(heard, { first: [`reply from ${a}`], second: [`reply from ${b}`] });
  // A stranger (another port of host a) writes to the shared port: nobody sent there.
  assert.equal(sourcePorts.size, 1);
  const sharedPort = [...sourcePorts][0] as number;
  const stranger = dgram.createSocket('udp4');
  stranger.bind(0, a);
  await once(stranger, 'listening');
  const sent = new Promise<void>((resolve, reject) =>
    stranger.send('forged', sharedPort, '127.0.0.1', (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  await sent;
  await new Promise((r) => setTimeout(r, 200));
  stranger.close();
  assert.deepEqual(
    heard,
    { first: [`reply from ${a}`], second: [`reply from ${b}`] },
    'forged datagram dropped',
  );
  assert.equal(sharedUdpState('udp4').users, 2);
  first.close();
  assert.equal(sharedUdpState('udp4').open, true, 'still open for the second user');
  const closed = once(second, 'close');
  second.close();
  await closed;
  assert.deepEqual(sharedUdpState('udp4'), { users: 0, routes: 0, open: false });
});

test('otherPortReply: a reply from a fresh socket of the target counts when it says so', async () => {
  const host = `${PREFIX}.40`;
  const server = dgram.createSocket('udp4');
  const fresh = dgram.createSocket('udp4');
  const other = dgram.createSocket('udp4');
  server.bind(PORT, host);
  fresh.bind(0, host);
  other.bind(0, host);
  await Promise.all([
    once(server, 'listening'),
    once(fresh, 'listening'),
    once(other, 'listening'),
  ]);
  // As libupnp does: nothing from the port asked, the answer from another socket, here
  // after a datagram from a third one that is not an answer.
  server.on('message', (_msg, rinfo) => {
    other.send('noise', rinfo.port, rinfo.address, () => {
      fresh.send('HTTP/1.1 200 OK', rinfo.port, rinfo.address);
    });
  });
  const ask = (otherPortReply?: (m: Buffer) => boolean) =>
    udpExchange({
      host,
      port: PORT,
      payload: Buffer.from('hi'),
      timeoutMs: 500,
      maxBytes: 64,
      otherPortReply,
    });
  try {
    const reply = await ask((m) => m.toString('latin1').startsWith('HTTP/1.1 '));
    assert.equal(reply?.toString(), 'HTTP/1.1 200 OK');
    assert.equal(await ask(), null, 'by default, only the port asked may answer');
    assert.deepEqual(sharedUdpState('udp4'), { users: 0, routes: 0, open: false });
  } finally {
    for (const s of [server, fresh, other]) s.close();
  }
});

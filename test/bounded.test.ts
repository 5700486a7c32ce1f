/** The engine's bounded reads: byte caps, deadlines, peer close, abort. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { TokenBucket } from '../src/engine/rate.js';
import { BoundedReader, connectTcp, lineFramer } from '../src/net/bounded.js';

function server(
  onConn: (s: net.Socket) => void,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onConn(s);
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      resolve({
        port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            srv.close(() => r());
          }),
      });
    });
  });
}

test('a flood stops at maxBytes and the read returns cap', async () => {
  const srv = await server((s) => {
    const chunk = Buffer.alloc(16 * 1024, 0x41);
    const pump = (): void => {
      while (!s.destroyed && s.write(chunk)) {}
      if (!s.destroyed) s.once('drain', pump);
    };
    pump();
  });
  const sock = await connectTcp({ host: '127.0.0.1', port: srv.port, timeoutMs: 1000 });
  const reader = new BoundedReader(sock, { maxBytes: 10_000 });
  const r = await reader.read(5_000, () => undefined);
  assert.equal(r.end, 'cap');
  assert.equal(r.data.length, 10_000);
  assert.equal(reader.totalBytes, 10_000);
  reader.close();
  await srv.close();
});

test('a silent peer gives timeout with no data; a closing peer gives closed', async () => {
  const silent = await server(() => undefined);
  const sock = await connectTcp({ host: '127.0.0.1', port: silent.port, timeoutMs: 1000 });
  const reader = new BoundedReader(sock, { maxBytes: 1000 });
  const r = await reader.read(100);
  assert.equal(r.end, 'timeout');
  assert.equal(r.data.length, 0);
  reader.close();
  await silent.close();

  const closer = await server((s) => s.end('half a ban'));
  const sock2 = await connectTcp({ host: '127.0.0.1', port: closer.port, timeoutMs: 1000 });
  const reader2 = new BoundedReader(sock2, { maxBytes: 1000 });
  const r2 = await reader2.read(2_000, lineFramer);
  assert.equal(r2.end, 'closed');
  assert.equal(r2.data.toString(), 'half a ban');
  reader2.close();
  await closer.close();
});

test('framed reads consume exactly one unit and keep the rest', async () => {
  const srv = await server((s) => s.write('220-first\r\n220 second\r\nEXTRA'));
  const sock = await connectTcp({ host: '127.0.0.1', port: srv.port, timeoutMs: 1000 });
  const reader = new BoundedReader(sock, { maxBytes: 1000 });
  const a = await reader.read(2_000, lineFramer);
  assert.equal(a.data.toString(), '220-first\r\n');
  const b = await reader.read(2_000, lineFramer);
  assert.equal(b.data.toString(), '220 second\r\n');
  assert.equal(reader.peek().toString(), 'EXTRA');
  reader.close();
  await srv.close();
});

test('abort ends a pending read and destroys the socket', async () => {
  const srv = await server(() => undefined);
  const sock = await connectTcp({ host: '127.0.0.1', port: srv.port, timeoutMs: 1000 });
  const ctl = new AbortController();
  const reader = new BoundedReader(sock, { maxBytes: 1000, signal: ctl.signal });
  const pending = reader.read(60_000);
  ctl.abort();
  const r = await pending;
  assert.equal(r.end, 'aborted');
  assert.ok(sock.destroyed);
  await srv.close();
});

test('connect to a closed port is connection-refused', async () => {
  const srv = await server(() => undefined);
  const port = srv.port;
  await srv.close();
  await assert.rejects(
    connectTcp({ host: '127.0.0.1', port, timeoutMs: 1000 }),
    (e: { status?: string }) => e.status === 'connection-refused',
  );
});

test('token bucket: waiting takers are released in order and abort rejects', async () => {
  const bucket = new TokenBucket(1000, 1);
  const order: number[] = [];
  await Promise.all([1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
  assert.deepEqual(order, [1, 2, 3]);
  const slow = new TokenBucket(0.001, 1);
  await slow.take();
  const ctl = new AbortController();
  const p = slow.take(ctl.signal);
  ctl.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.throws(() => new TokenBucket(0), /rate must be > 0/);
});

/**
 * RTSP probe: the OPTIONS request it sends (and what it never sends), the fields of a
 * camera's reply, non-RTSP replies, and the shared conformance suite.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROBES } from '../probes/index.js';
import { parseRtspReply } from '../probes/rtsp.js';
import { runConformance, withExpectedPort } from './support/conformance.js';
import { startFakeTcp } from './support/fake-server.js';
import { probePort } from './support/run-probe.js';

const REPLY =
  'RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Hipcam RealServer/V1.0\r\n' +
  'Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY\r\n\r\n';

runConformance('rtsp conformance', 'rtsp', 554, { banner: REPLY, opening: 'RTSP/1.0 200 OK\r\n' });

test('OPTIONS with CSeq and User-Agent, then the reply fields', async () => {
  const server = await startFakeTcp({
    kind: 'script',
    trigger: 'request',
    onData: (conn) => {
      if (conn.received.includes('\r\n\r\n')) conn.write(REPLY);
    },
  });
  try {
    const result = await probePort(server.host, server.port, {
      probes: withExpectedPort(PROBES, 'rtsp', server.port),
    });
    assert.equal(result.protocol, 'rtsp');
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['rtsp.status'], '200 OK');
    assert.equal(result.fields['rtsp.server'], 'Hipcam RealServer/V1.0');
    assert.equal(result.fields['rtsp.public'], 'OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY');
    assert.deepEqual(result.probesTried, ['rtsp']);
    const sent = server.received().toString('latin1');
    assert.ok(
      sent.startsWith(`OPTIONS rtsp://127.0.0.1:${server.port}/ RTSP/1.0\r\n`),
      JSON.stringify(sent),
    );
    assert.match(sent, /\r\nCSeq: 1\r\n/);
    assert.match(sent, /\r\nUser-Agent: thingscan-test/);
    assert.doesNotMatch(sent, /DESCRIBE|SETUP|PLAY|Authorization/i);
    assert.equal(server.connections, 1);
  } finally {
    await server.close();
  }
});

test('an HTTP answer on the RTSP port is a protocol error, not RTSP fields', async () => {
  const server = await startFakeTcp({
    kind: 'script',
    trigger: 'request',
    onData: (conn) => conn.end('HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n'),
  });
  try {
    const result = await probePort(server.host, server.port, {
      probes: withExpectedPort(PROBES, 'rtsp', server.port),
    });
    assert.equal(result.status, 'protocol-error');
    assert.equal(result.fields['rtsp.server'], undefined);
  } finally {
    await server.close();
  }
});

test('parseRtspReply', () => {
  assert.deepEqual(
    parseRtspReply(
      'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n',
    ),
    {
      status: '401 Unauthorized',
      headers: [
        ['cseq', '1'],
        ['www-authenticate', 'Basic realm="x"'],
      ],
    },
  );
  assert.equal(parseRtspReply('HTTP/1.0 200 OK\r\n\r\n'), null);
  assert.equal(parseRtspReply('RTSP/1.0 20 OK\r\n'), null);
  assert.equal(parseRtspReply('RTSP/1.0 200\n\n')?.status, '200');
});

/**
 * Probes a fake RTSP server on a port of no known protocol, answering OPTIONS with REPLY and
 * anything else with `other`: the HTTP probe's GET must hand the port to the RTSP probe,
 * which reads the OPTIONS reply on a second connection.
 */
async function assertRtspAfterHttp(
  other: (conn: { write(data: string): void; end(data: string): void }) => void,
) {
  const server = await startFakeTcp({
    kind: 'script',
    trigger: 'request',
    onData: (conn) => {
      if (!conn.received.includes('\r\n\r\n')) return;
      const method = conn.received.toString('latin1').split(' ')[0];
      if (method === 'OPTIONS') conn.end(REPLY);
      else other(conn);
    },
  });
  try {
    const result = await probePort(server.host, server.port);
    assert.equal(result.protocol, 'rtsp');
    assert.equal(result.status, 'ok');
    assert.deepEqual(result.probesTried, ['http', 'rtsp']);
    assert.equal(result.fields['rtsp.server'], 'Hipcam RealServer/V1.0');
    assert.equal(server.connections, 2);
  } finally {
    await server.close();
  }
}

test('RTSP on a port of no known protocol: the GET is answered with CSeq, then OPTIONS', async () => {
  // A camera answers anything that is not RTSP with 400, CSeq included.
  await assertRtspAfterHttp((conn) => conn.end('RTSP/1.0 400 Bad Request\r\nCSeq: 0\r\n\r\n'));
});

test('RTSP on a port of no known protocol: a 400 without CSeq, the connection held open, is RTSP still', async () => {
  // An AirPlay receiver (Shairport Sync): a request it cannot parse gets a 400 with its
  // Server line only, no CSeq and no length, and the connection stays open.
  await assertRtspAfterHttp((conn) =>
    conn.write('RTSP/1.0 400 Bad Request\r\nServer: AirTunes/105.1\r\n\r\n'),
  );
});

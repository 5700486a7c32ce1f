/**
 * The FTP probe against realistic loopback FTP servers, through the engine's port runner:
 * exact greetings, and proof it sends QUIT and nothing else (no USER, no PASS).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { detectFtp } from '../probes/ftp.js';
import { PROBES } from '../probes/index.js';
import { FORBIDDEN_COMMANDS, withExpectedPort } from './support/conformance.js';
import { type FakeServer, type FakeSpec, lineScript, startFakeTcp } from './support/fake-server.js';
import { probePort } from './support/run-probe.js';

const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** An FTP server: `greeting` on connect, 221 to QUIT, 530 to anything else. */
function ftpServer(greeting: string): FakeSpec {
  return lineScript(greeting, (line, conn) => {
    if (line.toUpperCase() === 'QUIT') {
      conn.end('221 Goodbye.\r\n');
      return null;
    }
    return '530 Please login with USER and PASS.\r\n';
  });
}

/** Probes a fake as the FTP port (or `probeName`'s), waits until the probe hung up. */
async function probeFtp(spec: FakeSpec, probeName = 'ftp') {
  const server = await startFakeTcp(spec);
  servers.push(server);
  const result = await probePort(server.host, server.port, {
    probes: withExpectedPort(PROBES, probeName, server.port),
  });
  await server.settled();
  const sent = server.received().toString('latin1');
  assert.doesNotMatch(sent, FORBIDDEN_COMMANDS);
  return { result, sent };
}

test('vsftpd: greeting recorded, QUIT only', async () => {
  const { result, sent } = await probeFtp(ftpServer('220 (vsFTPd 3.0.3)\r\n'));
  assert.equal(result.protocol, 'ftp');
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, { 'ftp.greeting': '(vsFTPd 3.0.3)' });
  assert.equal(sent, 'QUIT\r\n');
});

test('ProFTPD: greeting recorded', async () => {
  const { result, sent } = await probeFtp(
    ftpServer('220 ProFTPD 1.3.5e Server (Debian) [::ffff:127.0.0.1]\r\n'),
  );
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'ftp.greeting': 'ProFTPD 1.3.5e Server (Debian) [::ffff:127.0.0.1]',
  });
  assert.equal(sent, 'QUIT\r\n');
});

test('a multi-line greeting with free-text lines (RFC 959 style)', async () => {
  const { result, sent } = await probeFtp(
    ftpServer(
      '220-Welcome to the NAS FTP service\r\n Access is logged.\r\n220 NAS FTP server ready\r\n',
    ),
  );
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'ftp.greeting': 'Welcome to the NAS FTP service\n Access is logged.\nNAS FTP server ready',
  });
  assert.equal(sent, 'QUIT\r\n');
});

test('a greeting not naming FTP is FTP on the FTP port', async () => {
  const { result, sent } = await probeFtp(
    ftpServer(
      '220-FileZilla Server 0.9.60 beta\r\n220-written by Tim Kosse (tim.kosse@filezilla-project.org)\r\n220 Please visit https://filezilla-project.org/\r\n',
    ),
  );
  assert.equal(result.protocol, 'ftp');
  assert.equal(
    result.fields['ftp.greeting'],
    'FileZilla Server 0.9.60 beta\nwritten by Tim Kosse (tim.kosse@filezilla-project.org)\nPlease visit https://filezilla-project.org/',
  );
  assert.equal(sent, 'QUIT\r\n');
});

test('120 "ready in n minutes" is followed by the real 220', async () => {
  const { result, sent } = await probeFtp(
    ftpServer('120 Service ready in 1 minutes.\r\n220 Pure-FTPd ready\r\n'),
  );
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'ftp.greeting': 'Service ready in 1 minutes.\nPure-FTPd ready',
  });
  assert.equal(sent, 'QUIT\r\n');
});

test('a greeting cut by a close is connection-closed with the lines read', async () => {
  const { result, sent } = await probeFtp({
    kind: 'script',
    onConnect: (conn) => conn.end('220-Microsoft FTP Service\r\n220-Unauthorized access proh'),
  });
  assert.equal(result.protocol, 'ftp');
  assert.equal(result.status, 'connection-closed');
  assert.deepEqual(result.fields, {
    'ftp.greeting': 'Microsoft FTP Service\nUnauthorized access proh',
  });
  assert.equal(sent, '');
});

test('an FTP greeting on the SMTP port is FTP', async () => {
  const { result } = await probeFtp(ftpServer('220 (vsFTPd 2.3.4)\r\n'), 'smtp');
  assert.equal(result.protocol, 'ftp');
  assert.equal(result.fields['ftp.greeting'], '(vsFTPd 2.3.4)');
});

test('detect: naming FTP is certain, a bare 220 possible', () => {
  const d = (text: string) => detectFtp(Buffer.from(text, 'latin1'));
  assert.equal(d('220 (vsFTPd 3.0.3)\r\n'), 2);
  assert.equal(d('220 ProFTPD Server\r\n'), 2);
  assert.equal(d('220 Microsoft FTP Service\r\n'), 2);
  assert.equal(d('220 localhost\r\n'), 1);
  assert.equal(d('220 ftp.example.org ESMTP Postfix\r\n'), 1);
  assert.equal(d('421 Too many FTP connections\r\n'), 1);
  assert.equal(d('120 Service ready in 2 minutes.\r\n'), 1);
  assert.equal(d('421 busy\r\n'), 0);
  assert.equal(d('SSH-2.0-x\r\n'), 0);
  assert.equal(d(''), 0);
});

/**
 * SSH probe against loopback fakes: a real ssh2 server (ident, KEXINIT, host key, and proof
 * that no authentication was attempted), a server that hangs up after its ident, and a
 * hostile length field.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { sshProbe } from '../probes/ssh.js';
import { runConformance } from './support/conformance.js';
import { probePort } from './support/run-probe.js';

const HOST = '127.0.0.1';

/** Starts a raw TCP fake; resolves once it listens. */
async function rawServer(onConnection: (socket: net.Socket, index: number) => void): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket, count);
    count += 1;
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    connections: () => count,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

test('ssh: ident, KEXINIT lists, HASSH and host key from an ssh2 server, with no auth', async () => {
  const keys = ssh2.utils.generateKeyPairSync('ed25519');
  const algorithms: {
    kex: ssh2.KexAlgorithm[];
    cipher: ssh2.CipherAlgorithm[];
    hmac: ssh2.MacAlgorithm[];
    compress: ssh2.CompressionAlgorithm[];
  } = {
    kex: ['curve25519-sha256', 'ecdh-sha2-nistp256'],
    cipher: ['aes128-ctr', 'aes256-ctr'],
    hmac: ['hmac-sha2-256', 'hmac-sha1'],
    compress: ['none'],
  };
  let authAttempts = 0;
  const serverClients = new Set<ssh2.Connection>();
  const server = new ssh2.Server(
    { hostKeys: [keys.private], ident: 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.10', algorithms },
    (client) => {
      serverClients.add(client);
      client.on('error', () => undefined);
      client.on('close', () => serverClients.delete(client));
      client.on('authentication', (ctx) => {
        authAttempts += 1;
        ctx.reject();
      });
    },
  );
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  const { port } = address;

  try {
    const result = await probePort(HOST, port);
    const f = result.fields;
    assert.equal(result.protocol, 'ssh');
    assert.equal(result.status, 'ok');
    assert.equal(f['ssh.ident'], 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10');
    assert.equal(f['ssh.software'], 'OpenSSH_8.9p1');
    assert.equal(f['ssh.comment'], 'Ubuntu-3ubuntu0.10');

    // ssh2 may append its own pseudo-algorithms (ext-info, strict kex) to the kex list.
    const kex = (f['ssh.kex'] ?? '').split(',');
    for (const name of algorithms.kex) assert.ok(kex.includes(name), `kex has ${name}`);
    assert.equal(f['ssh.ciphers'], algorithms.cipher.join(','));
    assert.equal(f['ssh.macs'], algorithms.hmac.join(','));
    assert.equal(f['ssh.compression'], 'none');
    assert.equal(f['ssh.hostkey_algorithms'], 'ssh-ed25519');
    const hassh = createHash('md5')
      .update(`${f['ssh.kex']};${algorithms.cipher.join(',')};${algorithms.hmac.join(',')};none`)
      .digest('hex');
    assert.equal(f['ssh.hassh'], hassh);

    const blob = Buffer.from(keys.public.split(' ')[1] ?? '', 'base64');
    const expected = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
    assert.equal(f['ssh.hostkey_type'], 'ssh-ed25519');
    assert.equal(f['ssh.hostkey_sha256'], expected);
    assert.equal(authAttempts, 0, 'the server saw no authentication attempt');
  } finally {
    for (const c of serverClients) c.end();
    server.close();
  }
});

test('ssh: a server that hangs up after its ident still yields the ident fields', async () => {
  const fake = await rawServer((socket) => socket.end('SSH-2.0-dropbear_2019.78\r\n'));
  try {
    const result = await probePort(HOST, fake.port);
    assert.equal(result.protocol, 'ssh');
    assert.notEqual(result.status, 'internal-error');
    assert.equal(result.fields['ssh.ident'], 'SSH-2.0-dropbear_2019.78');
    assert.equal(result.fields['ssh.software'], 'dropbear_2019.78');
    assert.equal(result.fields['ssh.comment'], undefined);
    assert.equal(result.fields['ssh.kex'], undefined);
    // No KEXINIT, so no second connection for the host key.
    assert.equal(fake.connections(), 1);
  } finally {
    await fake.close();
  }
});

test('ssh: a huge packet length is a protocol error, read without allocating it', async () => {
  const fake = await rawServer((socket) => {
    const head = Buffer.alloc(9);
    head.writeUInt32BE(0x40000000, 0); // 1 GiB
    head[4] = 4;
    head[5] = 20;
    socket.write(Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_7.4\r\n'), head]));
  });
  try {
    const before = process.memoryUsage().arrayBuffers;
    const result = await probePort(HOST, fake.port);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.equal(result.protocol, 'ssh');
    assert.equal(result.status, 'protocol-error');
    assert.equal(result.fields['ssh.software'], 'OpenSSH_7.4');
    assert.ok(grown < 16 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  } finally {
    await fake.close();
  }
});

test('ssh: KEXINIT sent in the same burst as the ident, with a banner line before it', async () => {
  const kexinit = buildKexinit([
    'diffie-hellman-group14-sha1',
    'ssh-rsa',
    'aes128-cbc',
    'aes128-cbc,3des-cbc',
    'hmac-sha1',
    'hmac-md5',
    'none',
    'none,zlib',
    '',
    '',
  ]);
  const fake = await rawServer((socket, index) => {
    if (index > 0) {
      // The host-key connection: hang up, the probe must still report ok.
      socket.destroy();
      return;
    }
    socket.write(
      Buffer.concat([Buffer.from('Welcome\r\nSSH-2.0-dropbear_0.46 extra words\r\n'), kexinit]),
    );
  });
  try {
    const result = await probePort(HOST, fake.port);
    const f = result.fields;
    assert.equal(result.status, 'ok');
    assert.equal(f['ssh.ident'], 'SSH-2.0-dropbear_0.46 extra words');
    assert.equal(f['ssh.comment'], 'extra words');
    assert.equal(f['ssh.kex'], 'diffie-hellman-group14-sha1');
    assert.equal(f['ssh.ciphers'], 'aes128-cbc,3des-cbc');
    assert.equal(f['ssh.macs'], 'hmac-md5');
    assert.equal(f['ssh.compression'], 'none,zlib');
    const hassh = createHash('md5')
      .update('diffie-hellman-group14-sha1;aes128-cbc,3des-cbc;hmac-md5;none,zlib')
      .digest('hex');
    assert.equal(f['ssh.hassh'], hassh);
    assert.equal(f['ssh.hostkey_sha256'], undefined);
    assert.equal(fake.connections(), 2);
  } finally {
    await fake.close();
  }
});

test('ssh: detect wants an SSH-2.0 or SSH-1.99 line', () => {
  assert.equal(sshProbe.detect(Buffer.from('SSH-2.0-x\r\n')), 2);
  assert.equal(sshProbe.detect(Buffer.from('SSH-1.99-x\r\n')), 2);
  assert.equal(sshProbe.detect(Buffer.from('hello\r\nSSH-2.0-x\r\n')), 2);
  assert.equal(sshProbe.detect(Buffer.from('SSH-1.5-x\r\n')), 0);
  assert.equal(sshProbe.detect(Buffer.from('220 ftp ready SSH-2.0-\r\n')), 0);
  assert.equal(sshProbe.detect(Buffer.alloc(0)), 0);
});

/** Builds an unencrypted KEXINIT packet from ten name-lists. */
function buildKexinit(lists: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([20]), Buffer.alloc(16, 7)];
  for (const list of lists) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(list.length, 0);
    parts.push(len, Buffer.from(list, 'latin1'));
  }
  parts.push(Buffer.from([0, 0, 0, 0, 0]));
  const payload = Buffer.concat(parts);
  let padding = 8 - ((payload.length + 5) % 8);
  if (padding < 4) padding += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + padding + 1, 0);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

/**
 * The suite's default list is case-insensitive with a word boundary, so it also flags the
 * `User-Agent:` header HTTP must send; commands here must be followed by a space or the
 * line end.
 */
const FORBIDDEN =
  /^(?:USER|PASS|ACCT|AUTH|MAIL FROM|RCPT TO|DATA|STARTTLS|VRFY|EXPN|LOGIN)(?:[ \t]|\r?$)/im;

runConformance('ssh conformance', 'ssh', 22, { forbidden: FORBIDDEN });

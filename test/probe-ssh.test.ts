/**
 * SSH probe against loopback fakes: a real ssh2 server (ident, KEXINIT, host key, and proof
 * that no authentication was attempted), a server that hangs up after its ident, and a
 * hostile length field.
 */
import assert from 'node:assert/strict';
import { createHash, getDiffieHellman } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { packetFrame, packetPayload, parseKexinit } from '../probes/parsers/ssh-wire.js';
import { sshProbe } from '../probes/ssh.js';
import { parsableKeyPair } from '../src/lab/servers/ssh.js';
import { runConformance } from './support/conformance.js';
import { probePort } from './support/run-probe.js';

const HOST = '127.0.0.1';

/** Starts a raw TCP fake; resolves once it listens. */
async function rawServer(onConnection: (socket: net.Socket, index: number) => void): Promise<{
  port: number;
  connections: () => number;
  /** Resolves once every connection accepted so far has closed. */
  settled: () => Promise<void>;
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
    settled: async () => {
      await Promise.all([...sockets].map((s) => once(s, 'close')));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** An ssh2 server behind our own listener, so accepted connections can be counted. */
async function ssh2Server(
  hostKey: string,
  algorithms: NonNullable<ssh2.ServerConfig['algorithms']>,
): Promise<{ port: number; accepts: () => number; auths: () => number; close: () => void }> {
  let auths = 0;
  const ssh = new ssh2.Server(
    { hostKeys: [hostKey], ident: 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.10', algorithms },
    (client) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        auths += 1;
        ctx.reject();
      });
    },
  );
  const raw = await rawServer((socket) => ssh.injectSocket(socket));
  return {
    port: raw.port,
    accepts: raw.connections,
    auths: () => auths,
    close: () => void raw.close(),
  };
}

const HOST_KEY_TYPES = [
  ['ed25519', {}],
  ['ecdsa', { bits: 256 }],
  ['rsa', { bits: 2048 }],
] as const;

for (const [type, options] of HOST_KEY_TYPES) {
  test(`ssh: ident, KEXINIT lists, HASSH and ${type} host key from an ssh2 server, one connection, no auth`, async () => {
    const keys = parsableKeyPair(() => ssh2.utils.generateKeyPairSync(type, options));
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
    const server = await ssh2Server(keys.private, algorithms);
    try {
      const result = await probePort(HOST, server.port);
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
      const hassh = createHash('md5')
        .update(`${f['ssh.kex']};${algorithms.cipher.join(',')};${algorithms.hmac.join(',')};none`)
        .digest('hex');
      assert.equal(f['ssh.hassh'], hassh);

      // The OpenSSH public key line: key type, then the blob in base64.
      const [keyType, base64] = keys.public.split(' ');
      const blob = Buffer.from(base64 ?? '', 'base64');
      assert.equal(f['ssh.hostkey_type'], keyType);
      assert.equal(f['ssh.hostkey_sha256'], fingerprint(blob));
      assert.equal(server.auths(), 0, 'the server saw no authentication attempt');
      assert.equal(server.accepts(), 1, 'one connection for the whole service');
    } finally {
      server.close();
    }
  });
}

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
  const fake = await rawServer((socket) => {
    socket.write(
      Buffer.concat([Buffer.from('Welcome\r\nSSH-2.0-dropbear_0.46 extra words\r\n'), kexinit]),
    );
    // Then silence: no reply to our key exchange, the probe must still report ok.
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
    assert.equal(fake.connections(), 1);
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
function buildKexinit(lists: readonly string[], firstKexPacketFollows = false): Buffer {
  const parts: Buffer[] = [Buffer.from([20]), Buffer.alloc(16, 7)];
  for (const list of lists) parts.push(str(list));
  parts.push(Buffer.from([firstKexPacketFollows ? 1 : 0, 0, 0, 0, 0]));
  return frame(Buffer.concat(parts));
}

/** Frames a payload as an unencrypted binary packet (zero padding, 8-byte blocks). */
function frame(payload: Buffer): Buffer {
  let padding = 8 - ((payload.length + 5) % 8);
  if (padding < 4) padding += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + padding + 1, 0);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

/** SSH `string`. */
function str(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/** SSH `mpint` of a non-negative bigint. */
function mpintOf(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return str(Buffer.from(value === 0n ? '' : hex, 'hex'));
}

function fingerprint(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** A public key blob the probe can name: `ssh-ed25519` and 32 bytes. */
function ed25519Blob(fill: number): Buffer {
  return Buffer.concat([str('ssh-ed25519'), str(Buffer.alloc(32, fill))]);
}

/** A KEX_ECDH_REPLY / KEXDH_REPLY (or GEX reply with `type` 33) carrying `blob`. */
function kexReply(blob: Buffer, type = 31): Buffer {
  return frame(
    Buffer.concat([Buffer.from([type]), str(blob), str(Buffer.alloc(32, 9)), str('sig')]),
  );
}

function disconnectPacket(reason: number, text: string): Buffer {
  const head = Buffer.from([1, 0, 0, 0, reason]);
  return frame(Buffer.concat([head, str(text), str('')]));
}

/** A server KEXINIT offering `kex` and `hostKey` with common ciphers, MACs and compression. */
function serverKexinit(kex: string, hostKey: string, follows = false): Buffer {
  return buildKexinit(
    [kex, hostKey, 'aes128-ctr', 'aes128-ctr', 'hmac-sha1', 'hmac-sha1', 'none', 'none', '', ''],
    follows,
  );
}

interface ClientMessage {
  readonly type: number;
  readonly payload: Buffer;
}

/**
 * A raw SSH server: sends `greeting` (ident, KEXINIT, anything else), then calls
 * `onMessage` for each whole packet the client sends after its ident line. Every client
 * message is kept in `messages` for the test to check.
 */
async function scriptedSsh(
  greeting: Buffer,
  onMessage: (message: ClientMessage, socket: net.Socket) => void,
) {
  const messages: ClientMessage[] = [];
  const fake = await rawServer((socket) => {
    let buf = Buffer.alloc(0);
    let identSeen = false;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!identSeen) {
        const lf = buf.indexOf(0x0a);
        if (lf < 0) return;
        identSeen = true;
        buf = buf.subarray(lf + 1);
      }
      for (;;) {
        const framed = packetFrame(buf);
        if (framed.kind !== 'complete') return;
        const payload = packetPayload(buf.subarray(0, framed.length));
        buf = buf.subarray(framed.length);
        if (!payload) return;
        const message = { type: payload[0] ?? -1, payload: Buffer.from(payload) };
        messages.push(message);
        onMessage(message, socket);
      }
    });
    socket.write(greeting);
  });
  return { ...fake, messages };
}

const IDENT = Buffer.from('SSH-2.0-OpenSSH_9.6\r\n');
/** RFC 3526 group 14, for the group-exchange fake. */
const MODP14 = BigInt(`0x${getDiffieHellman('modp14').getPrime('hex')}`);

test('ssh: group exchange (request, group, init, reply) with IGNORE and DEBUG in between', async () => {
  const blob = Buffer.concat([str('ssh-rsa'), mpintOf(65537n), mpintOf(MODP14)]);
  let request: number[] = [];
  let e = 0n;
  const fake = await scriptedSsh(
    Buffer.concat([IDENT, serverKexinit('diffie-hellman-group-exchange-sha256', 'rsa-sha2-512')]),
    ({ type, payload }, socket) => {
      if (type === 34) {
        request = [payload.readUInt32BE(1), payload.readUInt32BE(5), payload.readUInt32BE(9)];
        const ignore = frame(Buffer.concat([Buffer.from([2]), str('x')]));
        const debug = frame(Buffer.concat([Buffer.from([4, 0]), str('hi'), str('')]));
        const group = frame(Buffer.concat([Buffer.from([31]), mpintOf(MODP14), mpintOf(2n)]));
        socket.write(Buffer.concat([ignore, debug, group]));
      } else if (type === 32) {
        e = BigInt(`0x${payload.subarray(5).toString('hex') || '0'}`);
        socket.write(kexReply(blob, 33));
      }
    },
  );
  try {
    const result = await probePort(HOST, fake.port);
    await fake.settled();
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['ssh.hostkey_type'], 'ssh-rsa');
    assert.equal(result.fields['ssh.hostkey_sha256'], fingerprint(blob));
    const [min = 0, preferred = 0, max = 0] = request;
    assert.ok(min >= 1024 && min <= preferred && preferred <= max, `request ${request}`);
    assert.ok(e > 1n && e < MODP14 - 1n, 'e is a real public value in (1, p-1)');
    // KEXINIT, GEX request, GEX init, DISCONNECT: never NEWKEYS (21), never a service request.
    assert.deepEqual(
      fake.messages.map((m) => m.type),
      [20, 34, 32, 1],
    );
    assert.equal(fake.connections(), 1);
  } finally {
    await fake.close();
  }
});

test('ssh: a packet guessed wrong by the server is skipped (first_kex_packet_follows)', async () => {
  const real = ed25519Blob(1);
  const guessed = kexReply(ed25519Blob(2));
  let qc: Buffer = Buffer.alloc(0);
  const fake = await scriptedSsh(
    Buffer.concat([
      IDENT,
      serverKexinit('sntrup761x25519-sha512@openssh.com,curve25519-sha256', 'ssh-ed25519', true),
      guessed,
    ]),
    ({ type, payload }, socket) => {
      if (type !== 30) return;
      qc = payload.subarray(5, 5 + payload.readUInt32BE(1));
      socket.write(kexReply(real));
    },
  );
  try {
    const result = await probePort(HOST, fake.port);
    await fake.settled();
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['ssh.hostkey_sha256'], fingerprint(real));
    assert.equal(qc.length, 32, 'Q_C is an X25519 public key');
    assert.deepEqual(
      fake.messages.map((m) => m.type),
      [20, 30, 1],
    );
    // Our KEXINIT names the kex, host key and common cipher lists (RFC 4253 7.1).
    const ours = parseKexinit(fake.messages[0]?.payload ?? Buffer.alloc(0));
    assert.ok(ours);
    assert.ok(ours.kex.split(',').includes('curve25519-sha256'));
    assert.ok(ours.hostKeyAlgorithms.startsWith('ssh-ed25519,'));
    assert.ok(ours.ciphersClientToServer.split(',').includes('aes128-ctr'));
    assert.equal(ours.firstKexPacketFollows, false);
  } finally {
    await fake.close();
  }
});

/** Hostile answers to our key exchange: each leaves the ident and KEXINIT fields, status ok. */
const AFTER_KEXINIT: ReadonlyArray<
  readonly [string, (message: ClientMessage, socket: net.Socket) => void]
> = [
  ['closes after our KEXINIT', ({ type }, socket) => type === 20 && socket.end()],
  [
    'answers with a 2 GiB packet length',
    ({ type }, socket) => {
      if (type !== 30) return;
      const head = Buffer.from([0x7f, 0xff, 0xff, 0xff, 4, 31]);
      socket.write(Buffer.concat([head, Buffer.alloc(4096, 0x41)]));
    },
  ],
  [
    'sends DISCONNECT',
    ({ type }, socket) => type === 20 && socket.end(disconnectPacket(3, 'no matching cipher')),
  ],
  ['sends garbage', ({ type }, socket) => type === 30 && socket.write(Buffer.alloc(3000, 0x41))],
  [
    'replies with an empty host key',
    ({ type }, socket) => type === 30 && socket.write(kexReply(Buffer.alloc(0))),
  ],
  [
    'replies with an unnamed host key',
    ({ type }, socket) => type === 30 && socket.write(kexReply(Buffer.alloc(40, 0xff))),
  ],
  [
    'replies with another KEXINIT',
    ({ type }, socket) =>
      type === 30 && socket.write(serverKexinit('curve25519-sha256', 'ssh-ed25519')),
  ],
  [
    'floods IGNORE messages',
    ({ type }, socket) => {
      if (type !== 30) return;
      const ignore = frame(Buffer.concat([Buffer.from([2]), str('x')]));
      socket.write(Buffer.concat(Array.from({ length: 64 }, () => ignore)));
    },
  ],
];

for (const [name, answer] of AFTER_KEXINIT) {
  test(`ssh: a server that ${name} still yields its ident and KEXINIT, no host key`, async () => {
    const fake = await scriptedSsh(
      Buffer.concat([IDENT, serverKexinit('curve25519-sha256', 'ssh-ed25519')]),
      answer,
    );
    try {
      const before = process.memoryUsage().arrayBuffers;
      const result = await probePort(HOST, fake.port);
      const grown = process.memoryUsage().arrayBuffers - before;
      await fake.settled();
      assert.equal(result.status, 'ok');
      assert.equal(result.fields['ssh.software'], 'OpenSSH_9.6');
      assert.equal(result.fields['ssh.kex'], 'curve25519-sha256');
      assert.equal(result.fields['ssh.hostkey_type'], undefined);
      assert.equal(result.fields['ssh.hostkey_sha256'], undefined);
      assert.equal(fake.messages[0]?.type, 20);
      assert.ok(!fake.messages.some((m) => m.type === 21), 'never NEWKEYS');
      assert.ok(grown < 16 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
      assert.equal(fake.connections(), 1);
    } finally {
      await fake.close();
    }
  });
}

for (const [list, kex, hostKey] of [
  ['kex', 'sntrup761x25519-sha512@openssh.com', 'ssh-ed25519'],
  ['host key', 'curve25519-sha256', 'x509v3-sign-rsa'],
] as const) {
  test(`ssh: no common ${list} algorithm: only a DISCONNECT is sent after the ident`, async () => {
    const fake = await scriptedSsh(Buffer.concat([IDENT, serverKexinit(kex, hostKey)]), () => {});
    try {
      const result = await probePort(HOST, fake.port);
      await fake.settled();
      assert.equal(result.status, 'ok');
      assert.equal(result.fields['ssh.kex'], kex);
      assert.equal(result.fields['ssh.hostkey_algorithms'], hostKey);
      assert.equal(result.fields['ssh.hostkey_type'], undefined);
      assert.deepEqual(
        fake.messages.map((m) => m.type),
        [1],
      );
      // SSH_DISCONNECT_KEY_EXCHANGE_FAILED.
      assert.equal(fake.messages[0]?.payload.readUInt32BE(1), 3);
    } finally {
      await fake.close();
    }
  });
}

/**
 * The suite's default list is case-insensitive with a word boundary, so it also flags the
 * `User-Agent:` header HTTP must send; commands here must be followed by a space or the
 * line end.
 */
const FORBIDDEN =
  /^(?:USER|PASS|ACCT|AUTH|MAIL FROM|RCPT TO|DATA|STARTTLS|VRFY|EXPN|LOGIN)(?:[ \t]|\r?$)/im;

runConformance('ssh conformance', 'ssh', 22, { forbidden: FORBIDDEN });

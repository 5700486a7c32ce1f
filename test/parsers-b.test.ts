/**
 * Pure parsers of the ssh and http probes: SSH wire format, MurmurHash3 and the favicon
 * hash convention, HTML title and WWW-Authenticate realm. Hostile-input properties use
 * fast-check: nothing throws and outputs stay bounded.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  charsetOf,
  collapseWhitespace,
  decodeEntities,
  extractTitle,
  MAX_TITLE_LENGTH,
  metaCharset,
  parseRealm,
} from '../probes/parsers/html.js';
import { base64Lines, faviconMmh3, murmur3x86_32 } from '../probes/parsers/mmh3.js';
import {
  findIdentLine,
  hasshServer,
  hostKeySha256,
  hostKeyType,
  packetFrame,
  packetPayload,
  parseIdent,
  parseKexinit,
} from '../probes/parsers/ssh-wire.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

// --- MurmurHash3 x86_32 -------------------------------------------------------------

test('mmh3: published MurmurHash3 x86_32 vectors', () => {
  const cases: [string, number, number][] = [
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['hello', 0, 0x248bfa47],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['aa', 0x9747b28c, 0x5d211726],
    ['aaa', 0x9747b28c, 0x283e0130],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0x9747b28c, 0xc84a62dd],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ];
  for (const [input, seed, expected] of cases) {
    assert.equal(murmur3x86_32(latin1(input), seed), expected, `${JSON.stringify(input)}/${seed}`);
  }
  // Python's mmh3.hash returns the signed form: mmh3.hash('foo') == -156908512.
  assert.equal(murmur3x86_32(latin1('foo')) | 0, -156908512);
});

test('mmh3: base64 wrapped like Python base64.encodebytes', () => {
  assert.equal(base64Lines(new Uint8Array(0)), '');
  assert.equal(base64Lines(latin1('abc')), 'YWJj\n');
  const line57 = base64Lines(Buffer.alloc(57, 1));
  assert.equal(line57.length, 77);
  assert.ok(line57.endsWith('\n'));
  const two = base64Lines(Buffer.alloc(58, 1)).split('\n');
  assert.deepEqual(
    two.map((l) => l.length),
    [76, 4, 0],
  );
});

test('mmh3: favicon hash is the signed mmh3 of the wrapped base64', () => {
  const icon = Buffer.from(Array.from({ length: 200 }, (_, i) => i));
  const text = base64Lines(icon);
  assert.equal(faviconMmh3(icon), murmur3x86_32(latin1(text), 0) | 0);
  assert.ok(Number.isInteger(faviconMmh3(icon)));
  assert.ok(faviconMmh3(icon) >= -(2 ** 31) && faviconMmh3(icon) < 2 ** 31);
});

// --- SSH wire -----------------------------------------------------------------------

test('ssh-wire: ident line found after other lines, CR LF removed', () => {
  assert.deepEqual(findIdentLine(latin1('SSH-2.0-OpenSSH_9.6\r\n')), {
    line: 'SSH-2.0-OpenSSH_9.6',
    end: 21,
  });
  const pre = latin1('Hello there\r\nSSH-1.99-Cisco-1.25\r\nrest');
  assert.deepEqual(findIdentLine(pre), { line: 'SSH-1.99-Cisco-1.25', end: 34 });
  assert.deepEqual(findIdentLine(latin1('SSH-2.0-dropbe')), { line: 'SSH-2.0-dropbe', end: -1 });
  assert.equal(findIdentLine(latin1('SSH-1.5-old\r\n')), null);
  assert.equal(findIdentLine(latin1('xSSH-2.0-x\r\n')), null);
  const long = findIdentLine(latin1(`SSH-2.0-${'x'.repeat(1000)}\r\n`));
  assert.equal(long?.line.length, 255);
});

test('ssh-wire: ident parts', () => {
  assert.deepEqual(parseIdent('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10'), {
    ident: 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10',
    protoVersion: '2.0',
    software: 'OpenSSH_8.9p1',
    comment: 'Ubuntu-3ubuntu0.10',
  });
  assert.deepEqual(parseIdent('SSH-2.0-dropbear_2019.78'), {
    ident: 'SSH-2.0-dropbear_2019.78',
    protoVersion: '2.0',
    software: 'dropbear_2019.78',
    comment: null,
  });
  assert.equal(parseIdent('HTTP/1.0 200 OK'), null);
});

/** Builds an unencrypted KEXINIT packet from ten name-lists. */
function kexinitPacket(lists: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([20]), Buffer.alloc(16, 0xaa)];
  for (const list of lists) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(list.length, 0);
    parts.push(len, latin1(list));
  }
  parts.push(Buffer.from([0, 0, 0, 0, 0]));
  const payload = Buffer.concat(parts);
  const padding = 4;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + padding + 1, 0);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

const LISTS = [
  'curve25519-sha256,diffie-hellman-group14-sha256',
  'ssh-ed25519,rsa-sha2-512',
  'aes128-ctr',
  'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com',
  'hmac-sha2-256',
  'umac-64-etm@openssh.com,hmac-sha2-512',
  'none',
  'none,zlib@openssh.com',
  '',
  '',
];

test('ssh-wire: frame, payload and KEXINIT lists; HASSH over server-to-client lists', () => {
  const packet = kexinitPacket(LISTS);
  assert.deepEqual(packetFrame(packet), { kind: 'complete', length: packet.length });
  assert.deepEqual(packetFrame(packet.subarray(0, 10)), { kind: 'partial' });
  const payload = packetPayload(packet);
  assert.ok(payload);
  const k = parseKexinit(payload);
  assert.ok(k);
  assert.equal(k.kex, LISTS[0]);
  assert.equal(k.hostKeyAlgorithms, LISTS[1]);
  assert.equal(k.ciphersServerToClient, LISTS[3]);
  assert.equal(k.macsServerToClient, LISTS[5]);
  assert.equal(k.compressionServerToClient, LISTS[7]);
  assert.equal(k.firstKexPacketFollows, false);
  const text = `${LISTS[0]};${LISTS[3]};${LISTS[5]};${LISTS[7]}`;
  assert.equal(hasshServer(k), createHash('md5').update(text).digest('hex'));
});

test('ssh-wire: impossible lengths are rejected, never allocated', () => {
  const huge = Buffer.from([0xff, 0xff, 0xff, 0xff, 4, 20]);
  assert.deepEqual(packetFrame(huge), { kind: 'invalid', packetLength: 0xffffffff });
  assert.equal(packetFrame(Buffer.from([0, 0, 0x88, 0xb9])).kind, 'invalid'); // 35001
  assert.equal(packetFrame(Buffer.from([0, 0, 0, 1, 0])).kind, 'invalid');
  // A name-list claiming more bytes than the payload holds.
  const payload = Buffer.concat([Buffer.from([20]), Buffer.alloc(16), Buffer.from([0, 0, 1, 0])]);
  assert.equal(parseKexinit(payload), null);
  // Not a KEXINIT at all.
  assert.equal(parseKexinit(Buffer.from([21])), null);
  // Padding longer than the packet.
  assert.equal(packetPayload(Buffer.from([0, 0, 0, 6, 200, 20, 0, 0, 0, 0])), null);
});

test('ssh-wire: host key type and OpenSSH-style SHA-256 fingerprint', () => {
  const name = 'ssh-ed25519';
  const blob = Buffer.alloc(4 + name.length + 4 + 32, 9);
  blob.writeUInt32BE(name.length, 0);
  blob.write(name, 4, 'latin1');
  blob.writeUInt32BE(32, 4 + name.length);
  assert.equal(hostKeyType(blob), 'ssh-ed25519');
  const fp = hostKeySha256(blob);
  assert.equal(fp.length, 43);
  assert.ok(!fp.endsWith('='));
  assert.equal(`${fp}=`, createHash('sha256').update(blob).digest('base64'));
  assert.equal(hostKeyType(Buffer.from([0, 0, 0, 200, 65])), null);
});

test('ssh-wire: random bytes never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const buf = Buffer.from(bytes);
      findIdentLine(buf);
      packetFrame(buf);
      const payload = packetPayload(buf);
      if (payload) parseKexinit(payload);
      parseKexinit(Buffer.concat([Buffer.from([20]), buf]));
      hostKeyType(buf);
    }),
  );
});

// --- HTML and realm -----------------------------------------------------------------

test('html: title found case-insensitively, entities decoded, whitespace collapsed', () => {
  assert.equal(
    extractTitle(latin1('<HTML><Title id=t>\r\n  Router &amp; Modem&#32;&#x2014; Login\t</TITLE>')),
    'Router & Modem \u2014 Login',
  );
  assert.equal(extractTitle(latin1('<titlex>no</titlex><title>yes</title>')), 'yes');
  assert.equal(extractTitle(latin1('<title></title>')), null);
  assert.equal(extractTitle(latin1('no title here')), null);
  assert.equal(extractTitle(latin1('<title>never closed')), 'never closed');
});

test('html: title bytes decoded as UTF-8 when valid, else latin1, or by charset', () => {
  assert.equal(
    extractTitle(Buffer.from('<title>Caf\u00e9 \u8def\u7531</title>', 'utf8')),
    'Caf\u00e9 \u8def\u7531',
  );
  assert.equal(
    extractTitle(Buffer.from([...latin1('<title>Caf'), 0xe9, ...latin1('</title>')])),
    'Caf\u00e9',
  );
  const gbk = Buffer.from([...latin1('<title>'), 0xc2, 0xb7, 0xd3, 0xc9, ...latin1('</title>')]);
  assert.equal(extractTitle(gbk, 'gbk'), '\u8def\u7531');
  assert.equal(charsetOf('text/html; charset="GB2312"'), 'gb2312');
  assert.equal(charsetOf('text/html'), null);
});

test('html: a title in the charset the page declares in a <meta> tag, unless the header names one', () => {
  const bytes = (head: string, title: number[]) =>
    Buffer.from([...latin1(`${head}<title>`), ...title, ...latin1('</title>')]);
  // Shift_JIS for ログイン ("login"), as an Aterm or LinkStation page sends it.
  const sjis = [0x83, 0x8d, 0x83, 0x4f, 0x83, 0x43, 0x83, 0x93];
  assert.equal(
    extractTitle(
      bytes(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">',
        sjis,
      ),
    ),
    '\u30ed\u30b0\u30a4\u30f3',
  );
  // GB2312 for 路由 ("router"), declared HTML5-style.
  assert.equal(
    extractTitle(bytes('<meta charset="gb2312">', [0xc2, 0xb7, 0xd3, 0xc9])),
    '\u8def\u7531',
  );
  // windows-1251 for Вход ("sign in"), single-quoted.
  assert.equal(
    extractTitle(
      bytes(
        "<META CONTENT='text/html; charset=windows-1251' HTTP-EQUIV='Content-Type'>",
        [0xc2, 0xf5, 0xee, 0xe4],
      ),
    ),
    '\u0412\u0445\u043e\u0434',
  );
  // The Content-Type header wins over the page; a declared UTF-8 keeps the UTF-8 guess, so
  // bytes that are not UTF-8 still read as latin1 rather than as replacement characters.
  assert.equal(
    extractTitle(bytes('<meta charset="gb2312">', [0xc2, 0xb7]), 'windows-1251'),
    '\u0412\u00b7',
  );
  assert.equal(
    extractTitle(bytes('<meta charset="utf-8">', [0x43, 0x61, 0x66, 0xe9])),
    'Caf\u00e9',
  );
  assert.equal(
    metaCharset('<meta name="description" content="a router"><meta charset=euc-jp>'),
    'euc-jp',
  );
  assert.equal(
    metaCharset(`${' '.repeat(5000)}<meta charset="gb2312">`),
    null,
    'only the first bytes',
  );
});

test('html: entities and whitespace helpers', () => {
  assert.equal(
    decodeEntities('a &lt;b&gt; &unknown; &#0; & &#x110000; &quot;'),
    'a <b> &unknown; &#0; & &#x110000; "',
  );
  assert.equal(collapseWhitespace('  a \n\t b\u00a0 c  '), 'a b c');
});

test('html: realm from Basic and Digest challenges', () => {
  assert.equal(parseRealm('Basic realm="NETGEAR DGN1000"'), 'NETGEAR DGN1000');
  assert.equal(parseRealm('Digest realm="DVR", nonce="abc", qop="auth"'), 'DVR');
  assert.equal(parseRealm('Negotiate, Basic realm="a \\"q\\" b"'), 'a "q" b');
  assert.equal(parseRealm('basic Realm=token-realm'), 'token-realm');
  assert.equal(parseRealm('Bearer realm="api"'), null);
  assert.equal(parseRealm('Basic charset="UTF-8"'), null);
  assert.equal(parseRealm('Basic xrealm="no"'), null);
});

test('html: hostile bodies never throw and titles stay bounded', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 }), (s, b) => {
      const t = extractTitle(Buffer.concat([latin1('<title>'), Buffer.from(b), latin1(s)]));
      assert.ok(t === null || t.length <= MAX_TITLE_LENGTH);
      decodeEntities(s);
      parseRealm(`Basic realm=${s}`);
    }),
  );
  // A flood of ampersands and an endless title are handled in one pass.
  const flood = `<title>${'&'.repeat(60_000)}`;
  assert.equal(extractTitle(latin1(flood))?.length, MAX_TITLE_LENGTH);
});

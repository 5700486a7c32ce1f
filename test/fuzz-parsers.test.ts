/**
 * Property-based tests on arbitrary bytes, end to end through the real port runner and
 * loopback sockets: whatever a peer sends to the SSH, HTTP, telnet, SMTP, FTP and SNMP
 * probes, the result is a status from the closed union (never `internal-error`, which is
 * what a thrown error becomes), every field is a bounded string, and nothing hangs past the
 * deadline. The pure parsers' own properties live in parsers.test.ts / parsers-b.test.ts,
 * except the SSH key-exchange messages' (here, next to the probe that speaks them); the
 * rest add the probes' framing and state machines around them.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ftpProbe } from '../probes/ftp.js';
import { httpProbe } from '../probes/http.js';
import {
  encodePacket,
  fromBigInt,
  mpint,
  negotiate,
  parseDisconnect,
  parseGexGroup,
  parseKexReply,
  toBigInt,
} from '../probes/parsers/ssh-kex.js';
import { packetFrame, packetPayload } from '../probes/parsers/ssh-wire.js';
import { smtpProbe } from '../probes/smtp.js';
import { snmpProbe } from '../probes/snmp.js';
import { sshProbe } from '../probes/ssh.js';
import { telnetProbe } from '../probes/telnet.js';
import type { Probe, ProbeTimeouts } from '../probes/types.js';
import type { PortResult } from '../src/engine/run-port.js';
import { PROBE_STATUSES } from '../src/types.js';
import { type FakeConnection, type FakeServer, startFakeTcp } from './support/fake-server.js';
import { probePort } from './support/run-probe.js';

/** Loopback answers at once; short budgets keep a hundred runs quick. */
const TIMEOUTS: ProbeTimeouts = { connectMs: 500, readMs: 300, bannerMs: 200 };
const MAX_BYTES = 16 * 1024;
const T = { timeout: 180_000 };
const RUNS = 40;
/** Runs for properties whose every run waits out a short idle read (SMTP, HTTP pages). */
const SLOW_RUNS = 20;

/** The property every probe result must hold, whatever the peer sent. */
function assertSane(result: PortResult, label: string): void {
  assert.ok(PROBE_STATUSES.includes(result.status), `${label}: ${result.status}`);
  assert.notEqual(result.status, 'internal-error', `${label}: a probe threw`);
  for (const [name, value] of Object.entries(result.fields)) {
    assert.equal(typeof value, 'string', `${label}: ${name}`);
    // Probes may return raw values (the engine caps them), but never more than was received.
    assert.ok(value.length <= MAX_BYTES * 2, `${label}: ${name} is ${value.length} chars`);
  }
  assert.ok(result.elapsedMs < 5_000, `${label}: took ${result.elapsedMs} ms`);
}

/**
 * One fake TCP server per property: each connection gets the bytes of the current run,
 * `greeting` at once and `reply` after the client's first bytes, then a close.
 */
class Stage {
  greeting: Buffer = Buffer.alloc(0);
  reply: Buffer | null = null;
  server!: FakeServer;

  async start(): Promise<void> {
    this.server = await startFakeTcp({
      kind: 'script',
      onConnect: (conn: FakeConnection) => {
        if (this.reply === null) conn.end(this.greeting);
        else conn.write(this.greeting);
      },
      onData: (() => {
        const answered = new WeakSet<FakeConnection>();
        return (conn: FakeConnection) => {
          if (this.reply === null || answered.has(conn)) return;
          answered.add(conn);
          conn.end(this.reply);
        };
      })(),
    });
  }

  run(probe: Probe): Promise<PortResult> {
    // Only the probe under test is registered (HTTP too for silent greetings), so
    // detection cannot hand the bytes to another protocol.
    const probes = probe === httpProbe ? [httpProbe] : [probe, httpProbe];
    return probePort(this.server.host, this.server.port, {
      probes,
      timeouts: TIMEOUTS,
      maxBytes: MAX_BYTES,
      deadlineMs: 4_000,
    });
  }
}

const bytes = (max = 2_048) => fc.uint8Array({ maxLength: max });

describe('SSH probe on arbitrary bytes', () => {
  const stage = new Stage();
  before(() => stage.start());
  after(() => stage.server.close());

  test('after a valid ident line', T, async () => {
    await fc.assert(
      fc.asyncProperty(bytes(), async (tail) => {
        stage.greeting = Buffer.concat([Buffer.from('SSH-2.0-Fuzz_1.0\r\n'), tail]);
        stage.reply = null;
        assertSane(await stage.run(sshProbe), 'ssh tail');
      }),
      { numRuns: RUNS },
    );
  });

  test('a well-framed packet around an arbitrary KEXINIT payload', T, async () => {
    await fc.assert(
      fc.asyncProperty(bytes(1_500), fc.nat({ max: 255 }), async (body, padding) => {
        const payload = Buffer.concat([Buffer.from([20]), Buffer.from(body)]);
        const pad = Buffer.alloc(Math.max(4, padding % 32));
        const packet = Buffer.alloc(5);
        packet.writeUInt32BE(1 + payload.length + pad.length, 0);
        packet[4] = pad.length;
        stage.greeting = Buffer.concat([Buffer.from('SSH-2.0-Fuzz_1.0\r\n'), packet, payload, pad]);
        stage.reply = null;
        const result = await stage.run(sshProbe);
        assertSane(result, 'ssh kexinit');
        assert.equal(result.fields['ssh.ident'], 'SSH-2.0-Fuzz_1.0');
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary bytes answering our key exchange', T, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KEX_OFFERS), bytes(), async (kex, answer) => {
        stage.greeting = Buffer.concat([Buffer.from('SSH-2.0-Fuzz_1.0\r\n'), sshKexinit(kex)]);
        stage.reply = Buffer.from(answer);
        const result = await stage.run(sshProbe);
        assertSane(result, 'ssh kex answer');
        assert.equal(result.status, 'ok');
        assert.equal(result.fields['ssh.kex'], kex);
      }),
      { numRuns: RUNS },
    );
  });

  test('a well-framed KEX reply or group-exchange group around arbitrary bytes', T, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KEX_OFFERS), bytes(1_500), async (kex, body) => {
        stage.greeting = Buffer.concat([Buffer.from('SSH-2.0-Fuzz_1.0\r\n'), sshKexinit(kex)]);
        stage.reply = sshFrame(Buffer.concat([Buffer.from([31]), Buffer.from(body)]));
        const result = await stage.run(sshProbe);
        assertSane(result, 'ssh kex reply');
        assert.equal(result.status, 'ok');
        const type = result.fields['ssh.hostkey_type'];
        if (type !== undefined) assert.match(type, /^[\x21-\x7e]{1,64}$/);
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary ident lines', T, async () => {
    await fc.assert(
      fc.asyncProperty(bytes(600), async (line) => {
        stage.greeting = Buffer.concat([Buffer.from('SSH-2.0-'), line, Buffer.from('\r\n')]);
        stage.reply = null;
        const result = await stage.run(sshProbe);
        assertSane(result, 'ssh ident');
        assert.ok((result.fields['ssh.ident'] ?? '').length <= 255);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('SSH key-exchange parsers on arbitrary bytes', () => {
  const message = (type: number) =>
    bytes(600).map((b) => Buffer.concat([Buffer.from([type]), Buffer.from(b)]));

  test('KEX reply: the host key is a slice of the payload, or null', () => {
    fc.assert(
      fc.property(fc.oneof(message(31), message(33), bytes().map(Buffer.from)), (payload) => {
        for (const type of [31, 33]) {
          const blob = parseKexReply(payload, type);
          if (blob === null) continue;
          assert.equal(payload[0], type);
          assert.ok(blob.length > 0 && blob.length <= payload.length - 5);
          assert.ok(payload.includes(blob));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('group-exchange group: null, or an odd p of 1024 to 8192 bits and 2 <= g <= p-2', () => {
    const mpints = fc.tuple(bytes(1_100), bytes(8)).map(([p, g]) => {
      const sized = (b: Uint8Array) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(b.length, 0);
        return Buffer.concat([len, Buffer.from(b)]);
      };
      return Buffer.concat([Buffer.from([31]), sized(p), sized(g)]);
    });
    fc.assert(
      fc.property(fc.oneof(mpints, message(31)), (payload) => {
        const group = parseGexGroup(payload);
        if (group === null) return;
        const p = toBigInt(group.p);
        const g = toBigInt(group.g);
        assert.ok(p.toString(2).length >= 1024 && p.toString(2).length <= 8192);
        assert.equal(p % 2n, 1n);
        assert.ok(g >= 2n && g <= p - 2n);
      }),
      { numRuns: 300 },
    );
  });

  test('DISCONNECT: a reason and a bounded description, or null', () => {
    fc.assert(
      fc.property(fc.oneof(message(1), bytes().map(Buffer.from)), (payload) => {
        const d = parseDisconnect(payload);
        if (d === null) return;
        assert.ok(d.reason >= 0 && d.reason <= 0xffffffff);
        assert.ok(d.description.length <= 256);
      }),
      { numRuns: 500 },
    );
  });

  test('negotiation picks one of our names that the server lists, or null', () => {
    const names = fc.array(fc.string({ maxLength: 12 }), { maxLength: 8 });
    fc.assert(
      fc.property(names, names, (ours, theirs) => {
        const chosen = negotiate(ours, theirs.join(','));
        if (chosen === null) {
          assert.ok(!ours.some((n) => theirs.join(',').split(',').includes(n)));
        } else {
          assert.ok(ours.includes(chosen) && theirs.join(',').split(',').includes(chosen));
          assert.equal(
            ours.find((n) => theirs.join(',').split(',').includes(n)),
            chosen,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  test('mpint and bigint round trips', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 4096n) - 1n }), (n) => {
        const encoded = mpint(fromBigInt(n));
        const body = encoded.subarray(4);
        assert.equal(encoded.readUInt32BE(0), body.length);
        assert.ok(body.length === 0 || (body[0] ?? 0) < 0x80, 'never negative');
        assert.ok(body.length < 2 || body[0] !== 0 || (body[1] ?? 0) >= 0x80, 'minimal');
        assert.equal(toBigInt(body), n);
      }),
      { numRuns: 300 },
    );
  });

  test('our packets are well framed, whatever the payload', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3_000 }),
        fc.uint8Array({ minLength: 11, maxLength: 11 }),
        (payload, padding) => {
          const packet = encodePacket(Buffer.from(payload), Buffer.from(padding));
          assert.equal(packet.length % 8, 0);
          const frame = packetFrame(packet);
          assert.deepEqual(frame, { kind: 'complete', length: packet.length });
          assert.deepEqual(packetPayload(packet), Buffer.from(payload));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('HTTP probe on arbitrary responses', () => {
  const stage = new Stage();
  before(() => stage.start());
  after(() => stage.server.close());

  test('arbitrary bytes after a status line', T, async () => {
    await fc.assert(
      fc.asyncProperty(bytes(), async (rest) => {
        stage.greeting = Buffer.alloc(0);
        stage.reply = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), rest]);
        assertSane(await stage.run(httpProbe), 'http');
      }),
      { numRuns: RUNS },
    );
  });

  test('arbitrary title and realm text is found and bounded', T, async () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(text, text, async (title, realm) => {
        // Header values cannot hold CR, LF or NUL; the body can hold anything.
        const safeRealm = realm.replace(/[\r\n\0"\\]/g, ' ');
        const body = Buffer.from(`<html><head><title>${title}</title></head></html>`, 'utf8');
        stage.greeting = Buffer.alloc(0);
        stage.reply = Buffer.concat([
          Buffer.from(
            `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="${safeRealm}"\r\n` +
              `Content-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n`,
            'latin1',
          ),
          body,
        ]);
        const result = await stage.run(httpProbe);
        assertSane(result, 'http title/realm');
        assert.ok((result.fields['http.title'] ?? '').length <= 1_024);
        assert.ok((result.fields['http.realm'] ?? '').length <= safeRealm.length);
      }),
      { numRuns: SLOW_RUNS },
    );
  });
});

describe('telnet, SMTP and FTP probes on arbitrary bytes', () => {
  const stage = new Stage();
  before(() => stage.start());
  after(() => stage.server.close());

  test('telnet: IAC-heavy arbitrary bytes', T, async () => {
    const iacHeavy = fc.array(
      fc.oneof(fc.constant(0xff), fc.integer({ min: 0xf0, max: 0xfe }), fc.nat({ max: 255 })),
      { maxLength: 2_048 },
    );
    await fc.assert(
      fc.asyncProperty(iacHeavy, async (list) => {
        stage.greeting = Buffer.from([0xff, 0xfd, 0x01, ...list]);
        stage.reply = null;
        const result = await stage.run(telnetProbe);
        assertSane(result, 'telnet');
        assert.ok((result.fields['telnet.options'] ?? '').split(',').length <= 32);
      }),
      { numRuns: RUNS },
    );
  });

  test('SMTP: arbitrary greeting tails and EHLO replies', T, async () => {
    await fc.assert(
      fc.asyncProperty(bytes(1_024), bytes(), async (tail, ehlo) => {
        stage.greeting = Buffer.concat([Buffer.from('220 mx.example.net ESMTP'), tail]);
        stage.reply = Buffer.from(ehlo);
        assertSane(await stage.run(smtpProbe), 'smtp');
      }),
      { numRuns: SLOW_RUNS },
    );
  });

  test('SMTP: a valid greeting, then an arbitrary EHLO reply', T, async () => {
    await fc.assert(
      fc.asyncProperty(bytes(), async (ehlo) => {
        stage.greeting = Buffer.from('220 mx.example.net ESMTP\r\n');
        stage.reply = Buffer.concat([Buffer.from('250-'), ehlo]);
        assertSane(await stage.run(smtpProbe), 'smtp ehlo');
      }),
      { numRuns: SLOW_RUNS },
    );
  });

  test('FTP: arbitrary greetings after a 220 or 120', T, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('220', '220-', '120 ', '120-'),
        bytes(),
        async (code, rest) => {
          stage.greeting = Buffer.concat([Buffer.from(`${code}FTP `), rest]);
          stage.reply = null;
          assertSane(await stage.run(ftpProbe), 'ftp');
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('SNMP probe on arbitrary datagrams', () => {
  let socket: dgram.Socket;
  let port = 0;
  let answer: (request: Buffer) => Buffer[] = () => [];

  before(async () => {
    socket = dgram.createSocket('udp4');
    socket.on('message', (message, rinfo) => {
      for (const reply of answer(message)) socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    port = socket.address().port;
  });
  after(() => new Promise<void>((resolve) => socket.close(() => resolve())));

  const run = () =>
    probePort('127.0.0.1', port, {
      transport: 'udp',
      probes: [snmpProbe],
      timeouts: { connectMs: 200, readMs: 150, bannerMs: 100 },
      deadlineMs: 4_000,
    });

  test('control: the fake answers like an agent when the value is an octet string', T, async () => {
    answer = (request) => {
      const id = requestId(request);
      return id === null ? [] : [getResponse(request, id, 0x04, Buffer.from('Fuzz agent 1.0'))];
    };
    const result = await run();
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['snmp.sysDescr'], 'Fuzz agent 1.0');
  });

  test('arbitrary reply datagrams', T, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bytes(1_400), { minLength: 1, maxLength: 3 }), async (replies) => {
        answer = () => replies.map((r) => Buffer.from(r));
        const result = await run();
        assertSane(result, 'snmp raw');
        assert.notEqual(result.status, 'ok', 'random bytes are not an SNMP answer');
      }),
      { numRuns: 25 },
    );
  });

  test('well-formed responses with an arbitrary value, right or wrong request id', T, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 0x7f }),
        bytes(1_000),
        fc.boolean(),
        async (tag, value, rightId) => {
          answer = (request) => {
            const id = requestId(request);
            if (id === null) return [];
            return [getResponse(request, rightId ? id : id ^ 0x5a5a, tag, Buffer.from(value))];
          };
          const result = await run();
          assertSane(result, 'snmp value');
          // An answer to another request id is never taken as the reply.
          if (!rightId) assert.equal(result.fields['snmp.sysDescr'], undefined);
        },
      ),
      { numRuns: 25 },
    );
  });
});

// Minimal BER for the SNMP fakes: enough to echo a request's version, community and id.

function tlv(buf: Buffer, at: number): { tag: number; start: number; end: number } | null {
  const tag = buf[at];
  let len = buf[at + 1];
  if (tag === undefined || len === undefined) return null;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 2 || start + n > buf.length) return null;
    len = buf.readUIntBE(start, n);
    start += n;
  }
  return start + len > buf.length ? null : { tag, start, end: start + len };
}

function requestId(buf: Buffer): number | null {
  const outer = tlv(buf, 0);
  const version = outer && tlv(buf, outer.start);
  const community = version && tlv(buf, version.end);
  const pdu = community && tlv(buf, community.end);
  const id = pdu && tlv(buf, pdu.start);
  if (!id || id.end - id.start < 1 || id.end - id.start > 4) return null;
  return buf.readIntBE(id.start, id.end - id.start);
}

function ber(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

function getResponse(request: Buffer, id: number, tag: number, value: Buffer): Buffer {
  const outer = tlv(request, 0);
  const version = outer && tlv(request, outer.start);
  const community = version && tlv(request, version.end);
  if (!version || !community) return Buffer.alloc(0);
  const idBytes = Buffer.alloc(4);
  idBytes.writeInt32BE(id | 0, 0);
  const sysDescr = Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]);
  return ber(
    0x30,
    request.subarray(outer.start, version.end),
    request.subarray(version.end, community.end),
    ber(
      0xa2,
      ber(0x02, idBytes),
      ber(0x02, Buffer.from([0])),
      ber(0x02, Buffer.from([0])),
      ber(0x30, ber(0x30, ber(0x06, sysDescr), ber(tag, value))),
    ),
  );
}

// Minimal SSH server messages for the SSH properties.

/** Key exchanges a fuzzed server offers: one done in a single reply, one group exchange. */
const KEX_OFFERS = ['curve25519-sha256', 'diffie-hellman-group-exchange-sha256'] as const;

function sshFrame(payload: Buffer): Buffer {
  let padding = 8 - ((payload.length + 5) % 8);
  if (padding < 4) padding += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + padding + 1, 0);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

function sshKexinit(kex: string): Buffer {
  const lists = [kex, 'ssh-ed25519', 'aes128-ctr', 'aes128-ctr', 'hmac-sha1', 'hmac-sha1'];
  const parts = [Buffer.from([20]), Buffer.alloc(16, 1)];
  for (const list of [...lists, 'none', 'none', '', '']) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(list.length, 0);
    parts.push(len, Buffer.from(list, 'latin1'));
  }
  parts.push(Buffer.alloc(5));
  return sshFrame(Buffer.concat(parts));
}

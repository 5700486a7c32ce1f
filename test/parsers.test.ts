/**
 * The telnet IAC parser and the SMTP/FTP reply framer and parser: table tests for the
 * shapes servers send, property tests that hostile bytes never throw and stay bounded.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  createReplyFramer,
  decodeText,
  MAX_REPLY_LINES,
  parseReply,
  replyFramer,
} from '../probes/parsers/reply.js';
import {
  IAC,
  TELNET_COMMANDS,
  type TelnetEvent,
  TelnetParser,
  TelnetRefuser,
} from '../probes/parsers/telnet-iac.js';

const { WILL, WONT, DO, DONT, SB, SE, NOP, GA } = TELNET_COMMANDS;
const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Parses `input` split at the given cut points, returning the joined output. */
function parseSplit(input: Uint8Array, cuts: readonly number[], maxSub?: number) {
  const parser = new TelnetParser(maxSub === undefined ? {} : { maxSubnegotiation: maxSub });
  const data: Buffer[] = [];
  const events: TelnetEvent[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((x, y) => x - y).concat(input.length)) {
    const out = parser.push(input.subarray(at, Math.max(at, cut)));
    data.push(out.data);
    events.push(...out.events);
    at = Math.max(at, cut);
  }
  return { data: Buffer.concat(data), events, parser };
}

describe('TelnetParser', () => {
  test('separates option negotiation from data', () => {
    const { data, events } = parseSplit(
      Buffer.concat([b(IAC, DO, 1, IAC, DO, 31, IAC, WILL, 1, IAC, WILL, 3), ascii('login: ')]),
      [],
    );
    assert.equal(data.toString('latin1'), 'login: ');
    assert.deepEqual(events, [
      { kind: 'negotiate', verb: 'DO', option: 1 },
      { kind: 'negotiate', verb: 'DO', option: 31 },
      { kind: 'negotiate', verb: 'WILL', option: 1 },
      { kind: 'negotiate', verb: 'WILL', option: 3 },
    ]);
  });

  test('turns IAC IAC into one 0xFF data byte', () => {
    const { data, events } = parseSplit(b(0x41, IAC, IAC, 0x42), []);
    assert.deepEqual([...data], [0x41, 0xff, 0x42]);
    assert.deepEqual(events, []);
  });

  test('reads a subnegotiation, with escaped IAC inside', () => {
    const { data, events } = parseSplit(b(IAC, SB, 24, 1, IAC, IAC, 7, IAC, SE, 0x5a), []);
    assert.deepEqual([...data], [0x5a]);
    assert.deepEqual(events, [
      { kind: 'subnegotiation', option: 24, data: b(1, 0xff, 7), truncated: false },
    ]);
  });

  test('cuts a long subnegotiation body at the cap', () => {
    const body = new Array<number>(100).fill(0x61);
    const { events } = parseSplit(b(IAC, SB, 39, ...body, IAC, SE), [], 8);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.ok(event?.kind === 'subnegotiation');
    assert.equal(event.data.length, 8);
    assert.equal(event.truncated, true);
  });

  test('a command inside an unclosed subnegotiation ends it', () => {
    const { events, data } = parseSplit(b(IAC, SB, 24, 1, IAC, WILL, 3, 0x78), []);
    assert.deepEqual(events, [
      { kind: 'subnegotiation', option: 24, data: b(1), truncated: false },
      { kind: 'negotiate', verb: 'WILL', option: 3 },
    ]);
    assert.deepEqual([...data], [0x78]);
  });

  test('reports other commands and counts invalid ones', () => {
    const { events, data, parser } = parseSplit(b(IAC, NOP, IAC, GA, IAC, 0x10, 0x41), []);
    assert.deepEqual(events, [
      { kind: 'command', code: NOP },
      { kind: 'command', code: GA },
    ]);
    assert.deepEqual([...data], [0x10, 0x41]);
    assert.equal(parser.invalidCommands, 1);
  });

  test('a sequence split across chunks is completed by the next one', () => {
    const input = b(IAC, DONT, 5, 0x41, IAC, SB, 31, 0, 80, IAC, SE, IAC, WONT, 6);
    const whole = parseSplit(input, []);
    for (let cut = 0; cut <= input.length; cut++) {
      const split = parseSplit(input, [cut]);
      assert.deepEqual(split.events, whole.events, `cut at ${cut}`);
      assert.deepEqual(split.data, whole.data, `cut at ${cut}`);
    }
    assert.equal(whole.events.length, 3);
  });

  test('never throws, stays bounded and ignores chunking on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.array(fc.nat({ max: 2048 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 64 }),
        (input, cuts, maxSub) => {
          const whole = parseSplit(input, [], maxSub);
          const split = parseSplit(input, cuts, maxSub);
          assert.ok(whole.data.length <= input.length);
          assert.ok(whole.events.length * 2 <= input.length);
          for (const event of whole.events) {
            if (event.kind === 'subnegotiation') assert.ok(event.data.length <= maxSub);
          }
          assert.deepEqual(split.data, whole.data);
          assert.deepEqual(split.events, whole.events);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('IAC-heavy input is parsed without throwing', () => {
    const iacHeavy = fc.array(
      fc.oneof(fc.constant(IAC), fc.integer({ min: 236, max: 255 }), fc.nat({ max: 255 })),
      { maxLength: 1024 },
    );
    fc.assert(
      fc.property(iacHeavy, (bytes) => {
        const { data, events } = parseSplit(Uint8Array.from(bytes), []);
        assert.ok(data.length + events.length <= bytes.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('TelnetRefuser', () => {
  test('refuses DO and WILL, ignores WONT and DONT', () => {
    const refuser = new TelnetRefuser();
    assert.deepEqual(refuser.answer('DO', 24), b(IAC, WONT, 24));
    assert.deepEqual(refuser.answer('WILL', 1), b(IAC, DONT, 1));
    assert.equal(refuser.answer('WONT', 3), null);
    assert.equal(refuser.answer('DONT', 3), null);
  });

  test('answers each distinct request once', () => {
    const refuser = new TelnetRefuser();
    assert.ok(refuser.answer('DO', 1));
    assert.equal(refuser.answer('DO', 1), null);
    assert.ok(refuser.answer('WILL', 1), 'WILL 1 is a different request from DO 1');
    for (let i = 0; i < 10_000; i++) {
      refuser.answer(Math.floor(i / 256) % 2 ? 'DO' : 'WILL', i % 256);
    }
    assert.equal(refuser.answered, 512);
  });
});

describe('reply framer', () => {
  const frame = (text: string) => replyFramer(ascii(text));

  test('frames single-line, multi-line and bare replies', () => {
    assert.equal(frame('220 ready\r\n'), 11);
    assert.equal(frame('220 ready\r\nextra'), 11);
    assert.equal(frame('220\r\n'), 5);
    const ehlo = '250-mx\r\n250-SIZE 1000\r\n250 HELP\r\n';
    assert.equal(frame(`${ehlo}221 bye\r\n`), ehlo.length);
  });

  test('tolerates bare LF', () => {
    assert.equal(frame('220-a\n220-b\n220 c\n'), 18);
  });

  test('waits for the rest of an incomplete reply', () => {
    assert.equal(frame('220-a\r\n220-b\r\n'), undefined);
    assert.equal(frame('220 no line end yet'), undefined);
    assert.equal(frame(''), undefined);
  });

  test('FTP free-text lines continue until the same code with a space', () => {
    const reply = '220-Welcome\r\n  220 is not the end\r\n230 nor this\r\n220 done\r\n';
    assert.equal(frame(reply), reply.length);
  });

  test('a line starting with another code does not end the reply', () => {
    assert.equal(frame('250-a\r\n251 b\r\n'), undefined);
  });

  test('cuts a reply that never ends at the line cap', () => {
    const line = '250-x\r\n';
    assert.equal(createReplyFramer(3)(ascii(line.repeat(10))), line.length * 3);
    assert.equal(frame(line.repeat(200)), line.length * MAX_REPLY_LINES);
  });

  test('frames a first line that is not a reply as one line', () => {
    assert.equal(frame('SSH-2.0-x\r\n220 y\r\n'), 11);
  });

  test('never throws and returns a length within the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const len = replyFramer(Buffer.from(bytes));
        assert.ok(len === undefined || (len > 0 && len <= bytes.length));
      }),
      { numRuns: 500 },
    );
  });

  test('frames and parses any well-formed reply exactly, whatever follows', () => {
    const lineText = fc
      .string({ maxLength: 40 })
      .filter((s) => !s.includes('\n') && !s.includes('\r'));
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.array(lineText, { minLength: 1, maxLength: 20 }),
        fc.boolean(),
        fc.uint8Array({ maxLength: 64 }),
        (code, texts, crlf, tail) => {
          const eol = crlf ? '\r\n' : '\n';
          const reply = texts
            .map((t, i) => `${code}${i === texts.length - 1 ? ' ' : '-'}${t}${eol}`)
            .join('');
          const bytes = Buffer.from(reply, 'utf8');
          assert.equal(replyFramer(Buffer.concat([bytes, tail])), bytes.length);
          const parsed = parseReply(bytes);
          assert.ok(parsed);
          assert.equal(parsed.code, code);
          assert.equal(parsed.complete, true);
          assert.deepEqual(parsed.lines, texts);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseReply', () => {
  test('strips codes and line ends', () => {
    assert.deepEqual(parseReply(ascii('250-mx.example\r\n250-PIPELINING\r\n250 HELP\r\n')), {
      code: 250,
      lines: ['mx.example', 'PIPELINING', 'HELP'],
      complete: true,
    });
  });

  test('keeps FTP free-text continuation lines as sent', () => {
    assert.deepEqual(parseReply(ascii('220-Hi\n  be nice\n220 ready\n')), {
      code: 220,
      lines: ['Hi', '  be nice', 'ready'],
      complete: true,
    });
  });

  test('a bare code is an empty line', () => {
    assert.deepEqual(parseReply(ascii('220\r\n')), { code: 220, lines: [''], complete: true });
  });

  test('a reply cut short is returned incomplete', () => {
    assert.deepEqual(parseReply(ascii('220-a\r\n220 b')), {
      code: 220,
      lines: ['a', 'b'],
      complete: false,
    });
    assert.deepEqual(parseReply(ascii('220-a\r\n')), { code: 220, lines: ['a'], complete: false });
  });

  test('ignores what follows the terminating line', () => {
    assert.deepEqual(parseReply(ascii('220 a\r\n221 b\r\n'))?.lines, ['a']);
  });

  test('returns null for bytes that are not a reply', () => {
    assert.equal(parseReply(ascii('SSH-2.0-x\r\n')), null);
    assert.equal(parseReply(ascii('22')), null);
    assert.equal(parseReply(b()), null);
  });

  test('decodes UTF-8 and falls back to Latin-1', () => {
    assert.deepEqual(parseReply(Buffer.from('220 Grüße\r\n', 'utf8'))?.lines, ['Grüße']);
    assert.deepEqual(parseReply(Buffer.from('220 Gr\xfc\xdfe\r\n', 'latin1'))?.lines, ['Grüße']);
    assert.equal(decodeText(b(0xff, 0x41)), '\u00ffA');
  });

  test('never throws and keeps at most the line cap', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const withCode = Buffer.concat([ascii('220-'), Buffer.from(bytes)]);
        const parsed = parseReply(withCode);
        assert.ok(parsed);
        assert.ok(parsed.lines.length <= MAX_REPLY_LINES);
        parseReply(Buffer.from(bytes));
      }),
      { numRuns: 500 },
    );
  });
});

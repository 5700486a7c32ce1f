import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { isTargetError, isThingscanError, type TargetError } from '../src/errors.js';
import {
  canonicalIp,
  ExcludeList,
  expandTarget,
  formatIPv4,
  formatIPv6,
  Ipv4Set,
  linesFromArgs,
  linesFromFile,
  linesFromStream,
  loadExcludeList,
  parseIPv4,
  parseIPv6,
  parseTargetLine,
  readTargets,
  type TargetItem,
  type TargetSource,
} from '../src/targets/index.js';

/** First `n` values of an iterable; stops (returns) the iterator after them. */
function take<T>(iterable: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const value of iterable) {
    out.push(value);
    if (out.length >= n) break;
  }
  return out;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

/** Addresses a line expands to, or null for a blank/comment line. Fails on a parse error. */
function expandLine(line: string): string[] | null {
  const parsed = parseTargetLine(line);
  if (!parsed.ok) assert.fail(`unexpected error for ${JSON.stringify(line)}: ${parsed.reason}`);
  return parsed.target === null ? null : [...expandTarget(parsed.target)];
}

test('accepted target syntaxes expand to canonical addresses', () => {
  const cases: ReadonlyArray<readonly [string, string[] | null]> = [
    ['192.0.2.7', ['192.0.2.7']],
    ['  192.0.2.7\t', ['192.0.2.7']],
    ['192.0.2.7 # trailing comment', ['192.0.2.7']],
    ['192.0.2.7#no space', ['192.0.2.7']],
    ['[192.0.2.7]', ['192.0.2.7']],
    ['0.0.0.0', ['0.0.0.0']],
    ['255.255.255.255', ['255.255.255.255']],
    ['# whole-line comment', null],
    ['   # indented comment', null],
    ['', null],
    ['   ', null],
    ['2001:DB8:0:0:0:0:0:1', ['2001:db8::1']],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', ['2001:db8::1:0:0:1']],
    ['2001:db8:0:0:1:0:0:0', ['2001:db8:0:0:1::']],
    ['2001:db8:0:1:1:1:1:1', ['2001:db8:0:1:1:1:1:1']],
    ['2001:db8::0:1', ['2001:db8::1']],
    ['[2001:db8::a]', ['2001:db8::a']],
    ['::1', ['::1']],
    ['::', ['::']],
    ['2001:db8::192.0.2.1', ['2001:db8::c000:201']],
    ['::ffff:192.0.2.1', ['192.0.2.1']],
    ['::FFFF:c000:0202', ['192.0.2.2']],
    ['192.0.2.0/30', ['192.0.2.0', '192.0.2.1', '192.0.2.2', '192.0.2.3']],
    ['192.0.2.5/30', ['192.0.2.4', '192.0.2.5', '192.0.2.6', '192.0.2.7']],
    ['192.0.2.9/32', ['192.0.2.9']],
    ['198.51.100.255/31', ['198.51.100.254', '198.51.100.255']],
    ['2001:db8::/126', ['2001:db8::', '2001:db8::1', '2001:db8::2', '2001:db8::3']],
    ['2001:db8::5/128', ['2001:db8::5']],
    ['::ffff:192.0.2.0/127', ['192.0.2.0', '192.0.2.1']],
    ['192.0.2.10-12', ['192.0.2.10', '192.0.2.11', '192.0.2.12']],
    ['192.0.2.7-7', ['192.0.2.7']],
    ['203.0.113.9-203.0.113.11', ['203.0.113.9', '203.0.113.10', '203.0.113.11']],
    ['127.0.0.254-127.0.1.1', ['127.0.0.254', '127.0.0.255', '127.0.1.0', '127.0.1.1']],
  ];
  for (const [line, expected] of cases) {
    assert.deepEqual(expandLine(line), expected, `line ${JSON.stringify(line)}`);
  }
});

test('rejected lines carry a precise reason', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['192.0.2.256', "invalid IPv4 octet 256 in '192.0.2.256'"],
    ['192.0.2', "IPv4 address '192.0.2' has 3 octets, expected 4"],
    ['192.0.2.1.5', "IPv4 address '192.0.2.1.5' has 5 octets, expected 4"],
    ['3221225985', "IPv4 address '3221225985' has 1 octet, expected 4"],
    ['192.0..2', "empty IPv4 octet in '192.0..2'"],
    [
      '192.0.2.07',
      "leading zero in IPv4 octet '07' in '192.0.2.07' (octal or decimal? write it without the zero)",
    ],
    ['192.0.2.1x', "invalid IPv4 octet '1x' in '192.0.2.1x'"],
    ['192.0.2.0/33', 'bad prefix length /33 (IPv4 allows /0 to /32)'],
    ['2001:db8::/129', 'bad prefix length /129 (IPv6 allows /0 to /128)'],
    ['192.0.2.0/abc', 'bad prefix length /abc'],
    ['192.0.2.0/024', 'bad prefix length /024'],
    ['192.0.2.0/', "missing prefix length after '/' in '192.0.2.0/'"],
    ['/24', "missing address before '/' in '/24'"],
    ['192.0.2.0/24/8', "more than one '/' in '192.0.2.0/24/8'"],
    ['192.0.2.300/24', "invalid IPv4 octet 300 in '192.0.2.300'"],
    ['192.0.2.9-3', "range end before start in '192.0.2.9-3'"],
    ['192.0.2.9-192.0.2.1', "range end before start in '192.0.2.9-192.0.2.1'"],
    ['192.0.2.1-256', "bad range end: invalid IPv4 octet 256 in '192.0.2.1-256'"],
    ['192.0.2.1-192.0.2.x', "bad range end: invalid IPv4 octet 'x' in '192.0.2.x'"],
    ['192.0.2.1-', "missing range end in '192.0.2.1-'"],
    ['192.0.2.1-2-3', "more than one '-' in range '192.0.2.1-2-3'"],
    ['192.0.2.999-3', "bad range start: invalid IPv4 octet 999 in '192.0.2.999'"],
    [
      '127.0.0.0/8',
      'CIDR 127.0.0.0/8 expands to 16777216 addresses (limit 65536); pass --allow-large',
    ],
    [
      '127.0.0.0-127.1.0.0',
      'range 127.0.0.0-127.1.0.0 expands to 65537 addresses (limit 65536); pass --allow-large',
    ],
    [
      '2001:db8::/64',
      'CIDR 2001:db8::/64 expands to 18446744073709551616 addresses (limit 65536); pass --allow-large',
    ],
    [
      'mail.example.com',
      "hostname 'mail.example.com' not accepted: thingscan scans addresses and never resolves names",
    ],
    [
      'localhost',
      "hostname 'localhost' not accepted: thingscan scans addresses and never resolves names",
    ],
    [
      'example.com/24',
      "hostname 'example.com/24' not accepted: thingscan scans addresses and never resolves names",
    ],
    ['192.0.2.1:25', "port suffix ':25' not accepted in '192.0.2.1:25'; write the address alone"],
    [
      '192.0.2.1 192.0.2.2',
      "several values on one line ('192.0.2.1 192.0.2.2'); write one target per line",
    ],
    ['2001:db8::1::2', "more than one '::' in IPv6 address '2001:db8::1::2'"],
    ['2001:db8:1:2:3:4:5:6:7', "IPv6 address '2001:db8:1:2:3:4:5:6:7' has 9 groups, expected 8"],
    ['2001:db8:1', "IPv6 address '2001:db8:1' has 3 groups, expected 8"],
    ['1:2:3:4:5:6:7::8', "IPv6 address '1:2:3:4:5:6:7::8' has 8 groups besides '::', at most 7"],
    ['2001:db8::12345', "IPv6 group '12345' in '2001:db8::12345' is longer than 4 hex digits"],
    ['2001:db8::g', "invalid IPv6 group 'g' in '2001:db8::g'"],
    [':1:2:3:4:5:6:7', "empty group in IPv6 address ':1:2:3:4:5:6:7'"],
    ['1.2.3.4::', "invalid IPv6 group '1.2.3.4' in '1.2.3.4::'"],
    ['::192.0.2.256', "embedded IPv4 in '::192.0.2.256': invalid IPv4 octet 256 in '192.0.2.256'"],
    ['fe80::1%eth0', "zone index not accepted in IPv6 address 'fe80::1%eth0'"],
    [
      '2001:db8::1-2001:db8::5',
      "IPv6 ranges are not supported ('2001:db8::1-2001:db8::5'); write a CIDR such as 2001:db8::/120",
    ],
    ['[]', 'empty brackets'],
    ['ab!cd', "unrecognised target 'ab!cd' (expected an IP address, a CIDR or an IPv4 range)"],
    ['x'.repeat(2000), 'line too long (2000 characters, limit 1024)'],
  ];
  for (const [line, reason] of cases) {
    const parsed = parseTargetLine(line);
    assert.equal(parsed.ok, false, `line ${JSON.stringify(line)} should be refused`);
    if (!parsed.ok) assert.equal(parsed.reason, reason, `line ${JSON.stringify(line)}`);
  }
});

test('reasons never echo control characters from the input', () => {
  const parsed = parseTargetLine('\u001b[2J192.0.2.1\u0085');
  assert.equal(parsed.ok, false);
  if (!parsed.ok) {
    assert.doesNotMatch(parsed.reason, /[\u0000-\u001f\u007f-\u009f]/);
    assert.match(parsed.reason, /\\x1b\[2J/);
  }
});

test('the size limit is configurable and --allow-large lifts it', () => {
  const small = parseTargetLine('192.0.2.0/28', { maxExpand: 8 });
  assert.equal(small.ok, false);
  if (!small.ok) {
    assert.equal(
      small.reason,
      'CIDR 192.0.2.0/28 expands to 16 addresses (limit 8); pass --allow-large',
    );
  }
  const exact = parseTargetLine('192.0.2.0/29', { maxExpand: 8 });
  assert.equal(exact.ok, true);
  const allowed = parseTargetLine('192.0.2.0/28', { maxExpand: 8, allowLarge: true });
  assert.equal(allowed.ok, true);
});

test('a /8 with allowLarge expands lazily: the first 10 come without the rest', () => {
  const parsed = parseTargetLine('127.0.0.0/8', { allowLarge: true });
  assert.ok(parsed.ok && parsed.target);
  const before = process.memoryUsage().heapUsed;
  const first = take(expandTarget(parsed.target), 10);
  assert.deepEqual(
    first,
    Array.from({ length: 10 }, (_, i) => `127.0.0.${i}`),
  );
  // Materialising 16M address strings would take gigabytes; the generator takes nothing.
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);

  const v6 = parseTargetLine('2001:db8::/32', { allowLarge: true });
  assert.ok(v6.ok && v6.target);
  assert.deepEqual(take(expandTarget(v6.target), 3), ['2001:db8::', '2001:db8::1', '2001:db8::2']);
});

test('readTargets stops pulling lines when the consumer stops', async () => {
  let pulled = 0;
  function* endless(): Generator<string> {
    for (let i = 0; ; i++) {
      pulled++;
      yield formatIPv4(0x7f000000 + i);
    }
  }
  const got: string[] = [];
  for await (const item of readTargets([{ name: '<stdin>', lines: endless() }])) {
    if (item.kind === 'target') got.push(item.ip);
    if (got.length === 5) break;
  }
  assert.deepEqual(got, ['127.0.0.0', '127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']);
  assert.equal(pulled, 5);

  const big = readTargets([{ name: '<args>', lines: ['127.0.0.0/8'] }], { allowLarge: true });
  const firstTen: string[] = [];
  for await (const item of big) {
    if (item.kind === 'target') firstTen.push(item.ip);
    if (firstTen.length === 10) break;
  }
  assert.equal(firstTen.at(-1), '127.0.0.9');
});

test('readTargets reports bad lines with file and 1-based line, and goes on', async () => {
  const sources: TargetSource[] = [
    { name: 'list.txt', lines: ['# header', '192.0.2.1', '192.0.2.256', '', 'router.example'] },
    { name: '<args>', lines: ['198.51.100.0/33', '198.51.100.1'] },
  ];
  const items = await collect(readTargets(sources));
  const targets = items.filter((i) => i.kind === 'target').map((i) => i.ip);
  assert.deepEqual(targets, ['192.0.2.1', '198.51.100.1']);
  const errors = items
    .filter((i): i is Extract<TargetItem, { kind: 'error' }> => i.kind === 'error')
    .map((i) => i.error);
  assert.deepEqual(
    errors.map((e) => [e.file, e.line, e.reason, e.code]),
    [
      ['list.txt', 3, "invalid IPv4 octet 256 in '192.0.2.256'", 'E_TARGET'],
      [
        'list.txt',
        5,
        "hostname 'router.example' not accepted: thingscan scans addresses and never resolves names",
        'E_TARGET',
      ],
      ['<args>', 1, 'bad prefix length /33 (IPv4 allows /0 to /32)', 'E_TARGET'],
    ],
  );
  assert.ok(errors.every((e) => isTargetError(e)));
  assert.equal(errors[0]?.message, "list.txt:3: invalid IPv4 octet 256 in '192.0.2.256'");
});

test('readTargets removes duplicates across sources and spellings', async () => {
  const sources: TargetSource[] = [
    { name: 'a.txt', lines: ['192.0.2.1', '192.0.2.0/30', '2001:db8::1'] },
    {
      name: 'b.txt',
      lines: [
        '\uFEFF192.0.2.2',
        '::ffff:192.0.2.3',
        '2001:DB8:0::1',
        '192.0.2.3-4',
        '[2001:db8::2]',
      ],
    },
  ];
  const ips = (await collect(readTargets(sources))).map((i) => {
    assert.equal(i.kind, 'target');
    return i.kind === 'target' ? i.ip : '';
  });
  assert.deepEqual(ips, [
    '192.0.2.1',
    '192.0.2.0',
    '192.0.2.2',
    '192.0.2.3',
    '2001:db8::1',
    '192.0.2.4',
    '2001:db8::2',
  ]);
});

test('readTargets marks excluded targets and still yields them', async () => {
  const exclude = new ExcludeList();
  for (const [i, line] of ['192.0.2.0/31', '2001:db8::/127', '203.0.113.5'].entries()) {
    assert.equal(exclude.addLine(line, '<args>', i + 1), null);
  }
  const items = await collect(
    readTargets(
      [{ name: '<args>', lines: ['192.0.2.0/30', '2001:db8::/126', '203.0.113.5', '203.0.113.6'] }],
      { exclude },
    ),
  );
  assert.deepEqual(
    items.map((i) => (i.kind === 'target' ? `${i.ip}${i.excluded ? ' x' : ''}` : 'error')),
    [
      '192.0.2.0 x',
      '192.0.2.1 x',
      '192.0.2.2',
      '192.0.2.3',
      '2001:db8:: x',
      '2001:db8::1 x',
      '2001:db8::2',
      '2001:db8::3',
      '203.0.113.5 x',
      '203.0.113.6',
    ],
  );
});

test('ExcludeList covers exactly its CIDRs, addresses and ranges', async () => {
  const { list, errors } = await loadExcludeList([
    { name: '<args>', lines: linesFromArgs(['198.51.100.0/24', '2001:db8:1::/48']) },
    {
      name: 'exclude.txt',
      lines: [
        '# operators who asked',
        '192.0.2.3-192.0.2.17',
        '203.0.113.0/33',
        '::ffff:203.0.113.9',
      ],
    },
  ]);
  assert.deepEqual(
    errors.map((e) => e.message),
    ['exclude.txt:3: bad prefix length /33 (IPv4 allows /0 to /32)'],
  );
  for (let v = 0; v < 256; v++) {
    assert.equal(list.has(`192.0.2.${v}`), v >= 3 && v <= 17, `192.0.2.${v}`);
    assert.equal(list.has(`198.51.100.${v}`), true);
  }
  assert.equal(list.has('203.0.113.9'), true);
  assert.equal(list.has('203.0.113.8'), false);
  assert.equal(list.has('::ffff:198.51.100.77'), true);
  assert.equal(list.has('2001:db8:1:ffff::1'), true);
  assert.equal(list.has('2001:db8:2::1'), false);
  assert.equal(list.has('not an address'), false);
  assert.equal(new ExcludeList().has('192.0.2.1'), false);

  // Excluding the whole space is allowed: nothing expands.
  const all = new ExcludeList();
  assert.equal(all.addLine('0.0.0.0/0', '<args>', 1), null);
  assert.equal(all.has('203.0.113.200'), true);
  assert.equal(all.has('2001:db8::1'), false);
});

test('ExcludeList agrees with a brute-force range check', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 }),
      (a, b, probes) => {
        const base = 0x7f000000; // 127.0.0.0: loopback only in test data
        const first = base + Math.min(a, b);
        const last = base + Math.max(a, b);
        const list = new ExcludeList();
        assert.equal(list.addLine(`${formatIPv4(first)}-${formatIPv4(last)}`, 'x', 1), null);
        for (const p of [...probes, a, b, Math.max(0, Math.min(a, b) - 1), Math.max(a, b) + 1]) {
          const v = base + p;
          assert.equal(list.hasIPv4(v), v >= first && v <= last);
        }
      },
    ),
  );
});

test('Ipv4Set keeps membership across its sparse and bitmap forms', () => {
  const set = new Ipv4Set();
  const base = 0xc0000200; // 192.0.2.0
  for (let i = 0; i < 2000; i += 2) assert.equal(set.add(base + i), true);
  assert.equal(set.add(base), false);
  assert.equal(set.size, 1000);
  for (let i = 0; i < 2000; i++) assert.equal(set.has(base + i), i % 2 === 0, `offset ${i}`);
  assert.equal(set.has(0xcb007100), false); // 203.0.113.0, another /16
  assert.equal(set.add(0xffffffff), true);
  assert.equal(set.has(0xffffffff), true);
  assert.equal(set.add(0), true);
  assert.equal(set.size, 1002);
});

test('IPv6 canonical form matches the WHATWG serialiser and round-trips', () => {
  // Documentation prefix or the reserved ::/32, so no real-world address appears.
  const prefix = fc.constantFrom([0x2001, 0xdb8], [0, 0]);
  const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
  fc.assert(
    fc.property(prefix, fc.array(group, { minLength: 6, maxLength: 6 }), (head, tail) => {
      const groups = [...head, ...tail];
      const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
      const text = formatIPv6(value);
      const reparsed = parseIPv6(text);
      assert.ok(reparsed.ok);
      assert.equal(reparsed.value, value);
      const mapped = value >> 32n === 0xffffn;
      const spelled = groups.map((g) => g.toString(16).toUpperCase()).join(':');
      if (!mapped) {
        assert.equal(text, new URL(`http://[${spelled}]/`).hostname.slice(1, -1));
      }
      assert.equal(canonicalIp(spelled), mapped ? formatIPv4(Number(value & 0xffffffffn)) : text);
    }),
  );
});

test('IPv4 text round-trips', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 24 - 1 }), (low) => {
      const value = 0x7f000000 + low; // 127.0.0.0/8
      const parsed = parseIPv4(formatIPv4(value));
      assert.ok(parsed.ok);
      assert.equal(parsed.value, value);
    }),
  );
  assert.equal(formatIPv4(0), '0.0.0.0');
  assert.equal(formatIPv4(2 ** 32 - 1), '255.255.255.255');
});

test('linesFromFile reads CRLF files lazily; a missing file is E_IO naming the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'thingscan-targets-'));
  try {
    const path = join(dir, 'targets.txt');
    await writeFile(path, '\uFEFF192.0.2.1\r\n# note\r\n192.0.2.2\r\nbad.example\r\n');
    const items = await collect(readTargets([{ name: path, lines: linesFromFile(path) }]));
    assert.deepEqual(
      items.map((i) => (i.kind === 'target' ? i.ip : `${i.error.file}:${i.error.line}`)),
      ['192.0.2.1', '192.0.2.2', `${path}:4`],
    );

    const missing = join(dir, 'nope.txt');
    await assert.rejects(collect(linesFromFile(missing)), (error: unknown) => {
      assert.ok(isThingscanError(error));
      assert.equal(error.code, 'E_IO');
      assert.match(error.message, new RegExp(`${missing.replaceAll('.', '\\.')}.*ENOENT`));
      return true;
    });
    await assert.rejects(collect(linesFromFile(dir)), (error: unknown) => {
      assert.ok(isThingscanError(error));
      assert.equal(error.code, 'E_IO');
      assert.ok(error.message.includes(dir));
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('linesFromStream splits chunks into lines and maps stream errors to E_IO', async () => {
  const lines = await collect(
    linesFromStream(Readable.from(['192.0.2.1\n192.0', '.2.2\r\n', '192.0.2.3'])),
  );
  assert.deepEqual(lines, ['192.0.2.1', '192.0.2.2', '192.0.2.3']);

  const failing = new Readable({
    read() {
      this.destroy(new Error('boom'));
    },
  });
  await assert.rejects(collect(linesFromStream(failing, '<stdin>')), (error: unknown) => {
    assert.ok(isThingscanError(error));
    assert.equal(error.code, 'E_IO');
    assert.match(error.message, /<stdin>/);
    return true;
  });
});

test('TargetError from readTargets is a ThingscanError with E_TARGET', async () => {
  const [item] = await collect(readTargets([{ name: '<args>', lines: linesFromArgs(['nope']) }]));
  assert.equal(item?.kind, 'error');
  const error = (item as { error: TargetError }).error;
  assert.ok(isThingscanError(error));
  assert.equal(error.code, 'E_TARGET');
  assert.equal(error.line, 1);
});

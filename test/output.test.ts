import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TargetError } from '../src/errors.js';
import {
  bytesToText,
  CSV_COLUMNS,
  createTableWriter,
  csvCell,
  displayWidth,
  excerpt,
  formatCsv,
  formatCsvRow,
  formatNdjson,
  formatTable,
  Summary,
  sanitizeForTerminal,
} from '../src/output/index.js';
import type {
  DeviceClass,
  DeviceVerdict,
  HostRecord,
  HostStatus,
  ServiceRecord,
} from '../src/types.js';

/** Control characters that must never reach a terminal raw. */
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

interface Fake {
  readonly status?: HostStatus;
  readonly iot?: boolean | null;
  readonly cls?: DeviceClass;
  readonly vendor?: string | null;
  readonly product?: string | null;
  readonly model?: string | null;
  readonly nat?: boolean;
  readonly open?: ReadonlyArray<readonly [number, ServiceRecord['protocol']]>;
  readonly banner?: string;
}

function service(
  port: number,
  protocol: ServiceRecord['protocol'],
  banner: string | null,
): ServiceRecord {
  return {
    port,
    transport: protocol === 'snmp' ? 'udp' : 'tcp',
    protocol,
    status: 'ok',
    product: null,
    vendor: null,
    version: null,
    banner,
    fields: banner === null ? {} : { [`${protocol}.banner`]: banner },
    matches: [],
    elapsed_ms: 12,
  };
}

/** A fabricated host record; documentation addresses only. */
function fake(ip: string, f: Fake = {}): HostRecord {
  const device: DeviceVerdict | null =
    f.cls === undefined
      ? null
      : {
          class: f.cls,
          vendor: f.vendor ?? null,
          vendor_id: f.vendor ? f.vendor.toLowerCase().replaceAll(/[^a-z0-9]/g, '') : null,
          product: f.product ?? null,
          model: f.model ?? null,
          os: { vendor: null, family: 'linux', name: null, version: '2.6.22' },
          cpe: [],
          confidence: 0.93,
          nat_gateway_suspected: f.nat ?? false,
          signatures: f.vendor ? [`${f.vendor.toLowerCase()}/thing`, 'generic/busybox'] : [],
        };
  const services = (f.open ?? []).map(([port, protocol]) =>
    service(port, protocol, f.banner ?? null),
  );
  return {
    schema: 1,
    ip,
    status: f.status ?? (device ? 'identified' : 'no-response'),
    iot: f.iot === undefined ? (device ? device.class !== 'computer' : null) : f.iot,
    device,
    alternatives: [],
    services,
    started_at: '2026-11-26T12:00:00.000Z',
    elapsed_ms: 1830,
    signatures_version: '0.1.0',
  };
}

test('sanitizeForTerminal escapes controls visibly and keeps printable Unicode', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['\u001b[31mred\u001b[0m', '\\x1b[31mred\\x1b[0m'],
    ['\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
    ['a\u0000b', 'a\\x00b'],
    ['login:\r\n', 'login:\\r\\n'],
    ['a\tb', 'a\\tb'],
    ['\u007f', '\\x7f'],
    ['next\u0085line', 'next\\u0085line'],
    ['\u009b2J', '\\u009b2J'],
    ['abc\u202edef', 'abc\\u202edef'],
    ['zero\u200bwidth', 'zero\\u200bwidth'],
    ['\ufeffBOM', '\\ufeffBOM'],
    ['sep\u2028arator', 'sep\\u2028arator'],
    ['lone \ud800 high', 'lone \\ud800 high'],
    ['lone \udc00 low', 'lone \\udc00 low'],
    ['bad \ufffd byte', 'bad \\ufffd byte'],
    ['tag \u{e0041}', 'tag \\u{e0041}'],
    ['Grüße aus Köln', 'Grüße aus Köln'],
    ['日本語 ルーター', '日本語 ルーター'],
    ['emoji 😀 pair', 'emoji 😀 pair'],
    ['path C:\\dir', 'path C:\\dir'],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    assert.equal(sanitizeForTerminal(input), expected, JSON.stringify(input));
  }
});

/** Any UTF-16 string, lone surrogates and controls included. */
const anyText = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 40 })
  .map((cps) =>
    cps.map((cp) => (cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp))).join(''),
  );

test('sanitizeForTerminal output never holds a control or lone surrogate', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const out = sanitizeForTerminal(s);
      assert.doesNotMatch(out, RAW_CONTROL);
      assert.doesNotMatch(out, /\p{Cs}/u, 'no lone surrogate');
      assert.doesNotMatch(out, /[\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffd]/);
    }),
  );
});

test('excerpt caps at max code points, never cutting an escape', () => {
  assert.equal(excerpt('abcdef', 4), 'abc…');
  assert.equal(excerpt('abc', 3), 'abc');
  assert.equal(excerpt('abcd', 3), 'ab…');
  assert.equal(excerpt('\u001b\u001b', 5), '\\x1b…');
  assert.equal(excerpt('ab\u001b', 5), 'ab…');
  assert.equal(excerpt('😀😀😀', 2), '😀…');
  fc.assert(
    fc.property(anyText, fc.integer({ min: 1, max: 30 }), (s, max) => {
      const out = excerpt(s, max);
      assert.ok([...out].length <= max);
      assert.doesNotMatch(out, RAW_CONTROL);
      const full = sanitizeForTerminal(s);
      if (!out.endsWith('…') || full === out) assert.equal(out, full);
      else assert.ok(full.startsWith(out.slice(0, -1)));
    }),
  );
});

test('bytesToText decodes UTF-8 when valid, else latin1, losing nothing', () => {
  assert.equal(bytesToText(Buffer.from('Grüße', 'utf8')), 'Grüße');
  assert.equal(bytesToText(Uint8Array.from([0x48, 0xe9, 0x6c])), 'Hél');
  assert.equal(bytesToText(Uint8Array.from([0xff, 0xfd, 0x01])), 'ÿý\u0001');
  assert.equal(
    sanitizeForTerminal(bytesToText(Uint8Array.from([0x9b, 0x33, 0x31, 0x6d]))),
    '\\u009b31m',
  );
  assert.equal(bytesToText(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), '\ufeffA');
  const sliced = Buffer.from('xx\u00e9yy', 'latin1').subarray(2, 3);
  assert.equal(bytesToText(sliced), 'é');
});

test('formatNdjson writes one JSON line in record key order, no raw control or separator', () => {
  const record = fake('192.0.2.7', {
    cls: 'router',
    vendor: 'D-Link',
    open: [[23, 'telnet']],
    banner: 'BusyBox\r\nlogin: \u001b[2J\u0085\u2028\u2029\u202e',
  });
  const line = formatNdjson(record);
  assert.doesNotMatch(line, /[\n\r\u2028\u2029\u0085\u001b\u202e]/);
  assert.deepEqual(JSON.parse(line), record);
  assert.deepEqual(Object.keys(JSON.parse(line) as object), Object.keys(record));
  assert.ok(line.startsWith('{"schema":1,"ip":"192.0.2.7","status":"identified"'));
});

test('csvCell quotes per RFC 4180 and neutralises formulas', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['  =1', "'  =1"],
    ['trailing ', '"trailing "'],
    ['line\nbreak', 'line\\nbreak'],
    ['\u001b[31m', '\\x1b[31m'],
    ['', ''],
  ];
  for (const [input, expected] of cases)
    assert.equal(csvCell(input), expected, JSON.stringify(input));
});

test('formatCsv writes the header and one CRLF row per record', () => {
  const router = fake('192.0.2.1', {
    cls: 'router',
    vendor: 'D-Link',
    product: 'DIR, "600"',
    model: '=cmd|x',
    nat: true,
    open: [
      [22, 'ssh'],
      [23, 'telnet'],
      [80, 'http'],
    ],
  });
  const silent = fake('2001:db8::1');
  const csv = formatCsv([router, silent]);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.equal(
    lines[0],
    'ip,status,iot,class,vendor,vendor_id,product,model,os_family,os_version,confidence,nat_gateway_suspected,signatures,open_ports',
  );
  assert.equal(
    lines[1],
    `192.0.2.1,identified,true,router,D-Link,dlink,"DIR, ""600""",'=cmd|x,linux,2.6.22,0.93,true,d-link/thing generic/busybox,22/ssh 23/telnet 80/http`,
  );
  assert.equal(lines[2], '2001:db8::1,no-response,,,,,,,,,,,,');
  assert.equal(lines[3], '');
  assert.equal(lines.length, 4);
  assert.equal(formatCsvRow(silent), `${lines[2]}\r\n`);
});

test('formatTable shows every column and no raw ESC even when records carry one', () => {
  const hostile = fake('192.0.2.66', {
    cls: 'set-top-box',
    vendor: '\u001b[2JEvil\u009bCorp',
    product: 'Box\u001b]0;title\u0007',
    model: 'X\r\nY',
    open: [[23, 'telnet']],
  });
  const records = [
    fake('192.0.2.1', {
      cls: 'nas',
      vendor: 'D-Link',
      product: 'ShareCenter',
      model: 'DNS-320',
      open: [
        [22, 'ssh'],
        [23, 'telnet'],
        [80, 'http'],
      ],
    }),
    fake('192.0.2.2', { cls: 'computer', vendor: 'Microsoft', open: [[25, 'smtp']] }),
    fake('192.0.2.3', { status: 'unidentified', iot: null, open: [[8080, 'http']] }),
    hostile,
  ];
  const plain = formatTable(records, { color: false });
  assert.ok(!plain.includes('\u001b'), 'no raw ESC');
  assert.doesNotMatch(plain, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  const lines = plain.split('\n');
  assert.equal(lines.length, records.length + 2);
  for (const header of [
    'IP',
    'STATUS',
    'IOT',
    'CLASS',
    'VENDOR',
    'PRODUCT/MODEL',
    'CONF',
    'OPEN',
  ]) {
    assert.ok(lines[0]?.includes(header), header);
  }
  assert.match(
    lines[1] ?? '',
    /^192\.0\.2\.1 +identified +yes +nas +D-Link +ShareCenter DNS-320 +0\.93 +22\/ssh 23\/telnet 80\/http$/,
  );
  assert.match(lines[2] ?? '', /identified +no +computer +Microsoft/);
  assert.match(lines[3] ?? '', /unidentified +\? +- +- +- +- +8080\/http$/);
  assert.ok(lines[4]?.includes('\\x1b[2JEvil'));

  const colored = formatTable(records, { color: true });
  // Our own SGR codes are the only escapes; the remote ones stay visible text.
  assert.doesNotMatch(colored.replaceAll(/\u001b\[[0-9;]*m/g, ''), /\u001b/);
  assert.ok(colored.includes('\u001b[32midentified'));
  assert.ok(colored.includes('\\x1b[2J'));
});

test('formatTable cuts long cells and fits the requested width', () => {
  const long = fake('198.51.100.250', {
    cls: 'media-player',
    vendor: 'A Vendor Name Far Too Long For Its Column',
    product: 'Product '.repeat(10),
    open: Array.from({ length: 20 }, (_, i) => [8000 + i, 'http'] as const),
  });
  const table = formatTable([long], { color: false, width: 120 });
  for (const line of table.trimEnd().split('\n')) assert.ok(displayWidth(line) <= 120, line);
  assert.ok(table.includes('A Vendor Name Fa…') || table.includes('A Vendor Name F…'));
  assert.ok(table.includes('…'));
  const wide = formatTable([long], { color: false });
  assert.ok(wide.includes('8019/http'), 'without a width OPEN is not cut');
});

test('createTableWriter writes the header once, then a row per host', () => {
  const chunks: string[] = [];
  const writer = createTableWriter((s) => chunks.push(s), { color: false });
  writer.write(fake('192.0.2.1', { cls: 'router', vendor: 'Netgear' }));
  writer.write(fake('2001:db8::1'));
  writer.end();
  assert.equal(chunks.length, 3);
  assert.match(chunks[0] ?? '', /^IP +STATUS +IOT +CLASS/);
  assert.match(chunks[1] ?? '', /^192\.0\.2\.1 +identified +yes +router +Netgear/);
  assert.match(chunks[2] ?? '', /^2001:db8::1 +no-response +\?/);
  assert.equal(chunks.filter((c) => c.startsWith('IP ')).length, 1);

  const empty: string[] = [];
  createTableWriter((s) => empty.push(s), { color: false }).end();
  assert.equal(empty.length, 1);
  assert.match(empty[0] ?? '', /^IP +STATUS/);
});

test('Summary counts records and writes the text summary', () => {
  const summary = new Summary();
  const records = [
    fake('192.0.2.1', {
      cls: 'router',
      vendor: 'D-Link',
      nat: true,
      open: [
        [23, 'telnet'],
        [2323, 'telnet'],
      ],
    }),
    fake('192.0.2.2', { cls: 'router', vendor: 'Netgear', nat: true, open: [[80, 'http']] }),
    fake('192.0.2.3', { cls: 'router', vendor: 'TP-Link', nat: true }),
    fake('192.0.2.4', {
      cls: 'nas',
      vendor: 'D-Link',
      open: [
        [22, 'ssh'],
        [23, 'telnet'],
        [25, 'smtp'],
      ],
    }),
    fake('192.0.2.5', { cls: 'nas', vendor: 'Netgear' }),
    fake('192.0.2.6', { cls: 'set-top-box', vendor: 'Dream Multimedia' }),
    fake('192.0.2.7', { cls: 'set-top-box', vendor: 'VU+' }),
    fake('192.0.2.8', { cls: 'media-player' }),
    fake('192.0.2.9', { cls: 'printer', vendor: 'HP' }),
    fake('198.51.100.1', { cls: 'computer', vendor: 'Microsoft', open: [[25, 'smtp']] }),
    fake('198.51.100.2', { cls: 'computer' }),
    fake('203.0.113.1'),
  ];
  for (const r of records) summary.add(r);
  summary.addTargetError(new TargetError('list.txt', 3, 'bad'));
  summary.addTargetError();
  assert.equal(
    summary.toText(),
    [
      '12 hosts scanned: 9 of 12 hosts are IoT: 3 routers, 2 NAS, 2 set-top boxes, 1 media player, 1 printer; 2 general-purpose computers; 1 no response.',
      'vendors: D-Link 2, Netgear 2, Dream Multimedia 1, HP 1, Microsoft 1, TP-Link 1, VU+ 1',
      '3 hosts look like NAT gateways: the mail may come from a machine behind them',
      '2 bad target lines skipped',
      '',
    ].join('\n'),
  );
  const json = summary.toJSON();
  assert.equal(json.total, 12);
  assert.deepEqual(json.status, {
    identified: 11,
    unidentified: 0,
    'no-response': 1,
    excluded: 0,
    error: 0,
  });
  assert.deepEqual(json.iot, { true: 9, false: 2, null: 1 });
  assert.deepEqual(Object.entries(json.classes), [
    ['router', 3],
    ['nas', 2],
    ['set-top-box', 2],
    ['computer', 2],
    ['media-player', 1],
    ['printer', 1],
  ]);
  assert.equal(json.vendors['D-Link'], 2);
  assert.equal(json.nat_gateway_suspected, 3);
  assert.deepEqual(json.open_ports, {
    telnet: 2,
    ssh: 1,
    smtp: 2,
    ftp: 0,
    http: 1,
    snmp: 0,
    ddp: 0,
    https: 0,
    tls: 0,
    rtsp: 0,
    ssdp: 0,
    unknown: 0,
  });
  assert.equal(json.bad_lines, 2);
  assert.deepEqual(JSON.parse(JSON.stringify(summary)), json);
});

test('Summary text uses singulars and lists hosts without a verdict by status', () => {
  const one = new Summary();
  one.add(fake('192.0.2.1', { cls: 'nas', vendor: '\u001b[31mEvil' }));
  one.add(fake('192.0.2.2', { status: 'unidentified', iot: null }));
  one.add(fake('192.0.2.3', { status: 'excluded', iot: null }));
  one.add(fake('192.0.2.4', { status: 'error', iot: null }));
  assert.equal(
    one.toText(),
    '4 hosts scanned: 1 of 4 hosts is IoT: 1 NAS; 1 unidentified; 1 excluded; 1 error.\nvendors: \\x1b[31mEvil 1\n',
  );
  const single = new Summary();
  single.add(fake('192.0.2.9', { cls: 'smart-tv', vendor: 'Acme', nat: false }));
  assert.equal(
    single.toText(),
    '1 host scanned: 1 of 1 host is IoT: 1 smart TV.\nvendors: Acme 1\n',
  );
  assert.equal(new Summary().toText(), '0 hosts scanned.\n');
});

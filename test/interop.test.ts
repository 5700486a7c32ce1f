/**
 * Interop inputs: Nmap XML, masscan JSON and list, ZMap CSV, CSV with an address column and
 * plain lists; format sniffing; per-target ports reaching the scan engine (a real loopback
 * server on a port no default spec names) through the library and the CLI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { type HostRecord, type ScanTarget, scan } from '../src/index.js';
import { ExcludeList } from '../src/targets/exclude.js';
import { readInterop, sniffFormat, splitCsv } from '../src/targets/formats/index.js';
import { runCli } from './support/cli.js';
import { FIXTURES } from './support/paths.js';

const DIR = path.join(FIXTURES, 'interop');

type Item = Awaited<ReturnType<typeof collect>>[number];

async function collect(
  source: Parameters<typeof readInterop>[0],
  options: Parameters<typeof readInterop>[1] = {},
) {
  const out = [];
  for await (const item of readInterop(source, options)) out.push(item);
  return out;
}

/** `ip -> "t23 t80 u161"`, or `ip -> default` when the item carries no ports. */
function summary(items: readonly Item[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    if (item.kind !== 'target') continue;
    const ports = (item as ScanTarget).ports;
    out[item.ip] = ports ? ports.map((p) => `${p.transport[0]}${p.port}`).join(' ') : 'default';
  }
  return out;
}

function errors(items: readonly Item[]): string[] {
  return items.flatMap((i) => (i.kind === 'error' ? [i.error.message] : []));
}

describe('sniffing', () => {
  const cases: Array<[string, string]> = [
    ['<?xml version="1.0" encoding="UTF-8"?>', 'nmap-xml'],
    ['<nmaprun scanner="nmap">', 'nmap-xml'],
    ['[', 'masscan-json'],
    ['{"ip":"192.0.2.1","ports":[]}', 'masscan-json'],
    ['#masscan', 'masscan-list'],
    ['open tcp 23 192.0.2.1 1700000000', 'masscan-list'],
    ['saddr,sport,dport', 'zmap-csv'],
    ['date,ip,subject', 'csv'],
    ['192.0.2.1', 'list'],
    ['# suspects, from mail', 'list'],
    ['192.0.2.1  # 2 messages, 2026-11-20T00:00:00.000Z, "a, b"', 'list'],
    ['\uFEFF192.0.2.0/24', 'list'],
  ];
  for (const [line, format] of cases) {
    test(`${JSON.stringify(line)} is ${format}`, () => assert.equal(sniffFormat(line), format));
  }

  test('CSV cells: quotes, doubled quotes, commas inside quotes', () => {
    assert.deepEqual(splitCsv('a,"b,c","d ""e""",'), ['a', 'b,c', 'd "e"', '']);
  });
});

describe('formats', () => {
  test('Nmap XML: up hosts with open ports only; -sn hosts get the default ports', async () => {
    const seen: string[] = [];
    const items = await collect(path.join(DIR, 'nmap.xml'), { onFormat: (f) => seen.push(f) });
    assert.deepEqual(seen, ['nmap-xml']);
    assert.deepEqual(summary(items), {
      '198.51.100.1': 't23 t80',
      '198.51.100.2': '', // ports scanned, none open: no traffic
      '2001:db8::4': 'default',
      '198.51.100.5': 't2323 u161',
    });
    assert.deepEqual(errors(items), []);
  });

  test('masscan JSON: one object per line, ports merged per host', async () => {
    const items = await collect(path.join(DIR, 'masscan.json'));
    assert.deepEqual(summary(items), { '198.51.100.10': 't23 t8080', '198.51.100.11': 'u161' });
  });

  test('masscan list: open lines; banners skipped; a bad port is a numbered error', async () => {
    const items = await collect(path.join(DIR, 'masscan.txt'));
    assert.deepEqual(summary(items), { '198.51.100.20': 't23 t2323', '198.51.100.21': 't22' });
    assert.deepEqual(errors(items), [
      `${path.join(DIR, 'masscan.txt')}:6: bad address or port: "open tcp 99999 198.51.100.22 1795680004"`,
    ]);
  });

  test('ZMap CSV: saddr and sport; unsuccessful rows dropped', async () => {
    const items = await collect(path.join(DIR, 'zmap.csv'));
    assert.deepEqual(summary(items), { '198.51.100.30': 't23', '198.51.100.32': 't23' });
  });

  test('ZMap default output (addresses only) keeps the scan ports', async () => {
    const items = await collect(
      { name: '<stdin>', stream: Readable.from(['198.51.100.33\n198.51.100.34\n']) },
      { format: 'zmap-csv' },
    );
    assert.deepEqual(summary(items), { '198.51.100.33': 'default', '198.51.100.34': 'default' });
  });

  test('CSV: header found by name ("Source IP"), duplicates dropped, bad cell numbered', async () => {
    const items = await collect(path.join(DIR, 'hosts.csv'));
    assert.deepEqual(summary(items), { '198.51.100.40': 'default', '198.51.100.41': 'default' });
    const e = errors(items);
    assert.equal(e.length, 1);
    assert.match(e[0] ?? '', /hosts\.csv:4: /);
  });

  test('CSV: --ip-column names the column; a missing column is a usage error', async () => {
    const items = await collect(path.join(DIR, 'hosts.csv'), { ipColumn: 'source ip' });
    assert.equal(Object.keys(summary(items)).length, 2);
    await assert.rejects(collect(path.join(DIR, 'hosts.csv'), { ipColumn: 'nope' }), {
      code: 'E_USAGE',
    });
  });

  test('CSV without a header: the first column holding an address', async () => {
    const items = await collect(path.join(DIR, 'noheader.csv'));
    assert.deepEqual(Object.keys(summary(items)), ['198.51.100.50', '198.51.100.51']);
  });

  test('plain lists keep ranges and comments; exclusion applies to every format', async () => {
    const exclude = new ExcludeList();
    exclude.addLine('198.51.100.61', 'x', 1);
    exclude.addLine('198.51.100.20', 'x', 2);
    const list = await collect(path.join(DIR, 'list.txt'), { exclude });
    assert.deepEqual(
      list.map((i) => i.kind === 'target' && [i.ip, i.excluded]),
      [
        ['198.51.100.60', false],
        ['198.51.100.61', true],
        ['198.51.100.62', false],
      ],
    );
    const masscan = await collect(path.join(DIR, 'masscan.txt'), { exclude });
    assert.equal(
      masscan.find((i) => i.kind === 'target' && i.ip === '198.51.100.20')?.kind === 'target' &&
        (masscan.find((i) => i.kind === 'target' && i.ip === '198.51.100.20') as ScanTarget)
          .excluded,
      true,
    );
  });

  test('a missing file is an E_IO error naming it', async () => {
    await assert.rejects(collect(path.join(DIR, 'missing.xml')), { code: 'E_IO' });
  });
});

describe('per-target ports reach the engine', () => {
  let server: net.Server;
  let port: number;
  let connections = 0;

  before(async () => {
    server = net.createServer((socket) => {
      connections++;
      socket.on('error', () => {});
      socket.end('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('scan() probes only the ports an item carries', async () => {
    const records: HostRecord[] = [];
    const target: ScanTarget = {
      kind: 'target',
      ip: '127.0.0.1',
      excluded: false,
      ports: [{ transport: 'tcp', port }],
    };
    for await (const r of scan([target], { readTimeoutMs: 1500, ports: 'T:1' })) records.push(r);
    assert.equal(records.length, 1);
    assert.deepEqual(
      records[0]?.services.map((s) => [s.port, s.protocol]),
      [[port, 'ssh']],
    );
  });

  test('scan -i masscan.txt scans the listed port and no default port', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-interop-'));
    const list = path.join(dir, 'masscan.txt');
    writeFileSync(list, `#masscan\nopen tcp ${port} 127.0.0.1 1795680000\n# end\n`);
    const before = connections;
    const out = path.join(dir, 'out.ndjson');
    const run = await runCli(['scan', '-i', list, '-o', out, '--read-timeout', '1500', '-q']);
    assert.equal(run.code, 0, run.stderr);
    const records = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HostRecord);
    assert.equal(records.length, 1);
    assert.deepEqual(
      records[0]?.services.map((s) => s.port),
      [port],
    );
    assert.ok(connections > before, 'the listed port was not contacted');
  });
});

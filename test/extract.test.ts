/**
 * `thingscan extract`: Received-chain walking (trusted boundary, forged lines, HELO lies,
 * folding, IPv6), mail containers (eml, mbox, Maildir), MTA logs, hostile input, and the
 * CLI's output formats.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import {
  extractOrigins,
  findOrigin,
  parseLogLine,
  parseReceived,
  trustedRelays,
} from '../src/extract/index.js';
import { linesFromArgs, readTargets } from '../src/index.js';
import { runCli } from './support/cli.js';
import { FIXTURES } from './support/paths.js';

const MAIL = path.join(FIXTURES, 'mail');
const CASES = path.join(MAIL, 'cases');
const LAB = path.join(MAIL, 'lab');

describe('parseReceived', () => {
  const cases: Array<[string, string | null]> = [
    [
      'from helo.example (rdns.example [192.0.2.7]) by mx with ESMTP id 1; Mon, 23 Nov 2026 10:00:00 +0000',
      '192.0.2.7',
    ],
    // Postfix: the HELO (first word) is an address literal the client chose.
    [
      'from [198.51.100.9] (unknown [192.0.2.8]) by mx (Postfix); Mon, 23 Nov 2026 10:00:00 +0000',
      '192.0.2.8',
    ],
    // Exim without reverse DNS; HELO in parentheses lies.
    ['from [192.0.2.9] (helo=[198.51.100.9]) by mx with esmtp (Exim 4.96)', '192.0.2.9'],
    // Exim with rDNS and a port.
    ['from rdns.example ([192.0.2.10]:51514 helo=x) by mx with esmtp', '192.0.2.10'],
    // qmail: HELO group first, peer in the last group.
    [
      'from unknown (HELO [198.51.100.9]) (192.0.2.11) by mx with SMTP; 23 Nov 2026 12:20:01 -0000',
      '192.0.2.11',
    ],
    // Sendmail "may be forged" nested group.
    ['from h.example (h.example [192.0.2.12] (may be forged)) by mx (8.17.1/8.17.1)', '192.0.2.12'],
    ['from x (unknown [IPv6:2001:DB8::0:1]) by mx (Postfix)', '2001:db8::1'],
    ['from x ([2001:db8::2]:2525 helo=x) by mx with esmtp', '2001:db8::2'],
    ['from x ([::ffff:192.0.2.13]:1 helo=x) by mx', '192.0.2.13'],
    // Folded over several lines, header name included.
    [
      'Received: from\r\n x.example\r\n\t(unknown\r\n [192.0.2.14])\r\n\tby mx; Mon, 23 Nov 2026 10:00:00 +0000',
      '192.0.2.14',
    ],
    // The word "by" inside the HELO group does not end the clause.
    ['from x (HELO by) (192.0.2.15) by mx', '192.0.2.15'],
    ['by mx.example.net (Postfix, from userid 0) id 4Q; Mon, 23 Nov 2026 10:00:00 +0000', null],
    ['from mystery.example.net by mx with SMTP', null],
  ];
  for (const [value, ip] of cases) {
    test(`${JSON.stringify(value.slice(0, 60))} -> ${ip}`, () => {
      assert.equal(parseReceived(value).ip, ip);
    });
  }

  test('the time stamp after ";" is read; a local hop is marked local', () => {
    const hop = parseReceived(
      'by mx.example.net (Postfix, from userid 0) id 4Q; Mon, 23 Nov 2026 10:00:00 +0000',
    );
    assert.equal(hop.local, true);
    assert.equal(hop.date?.toISOString(), '2026-11-23T10:00:00.000Z');
  });
});

describe('findOrigin', () => {
  const chain = [
    'from gw (gw [127.0.0.1]) by imap; Mon, 23 Nov 2026 10:00:03 +0000',
    'from mx (mx [203.0.113.5]) by gw; Mon, 23 Nov 2026 10:00:02 +0000',
    'from bot (unknown [198.51.100.31]) by mx; Mon, 23 Nov 2026 10:00:01 +0000',
    'from forged (forged [192.0.2.250]) by bot; Mon, 23 Nov 2026 10:00:00 +0000',
  ];

  test('stops at the first untrusted hop from the top', () => {
    const o = findOrigin(chain, trustedRelays());
    assert.deepEqual(o.kind === 'origin' && [o.ip, o.hop], ['203.0.113.5', 1]);
  });

  test('--trusted moves the boundary; lines below the origin are never read', () => {
    const o = findOrigin(chain, trustedRelays(['203.0.113.0/28']));
    assert.equal(o.kind === 'origin' && o.ip, '198.51.100.31');
    assert.equal(o.kind === 'origin' && o.date?.toISOString(), '2026-11-23T10:00:01.000Z');
  });

  test('forged trusted-looking lines below an untrusted hop are ignored', () => {
    const forged = [
      'from bot (unknown [198.51.100.77]) by mx',
      'from relay (relay [127.0.0.9]) by mx',
      'from innocent ([192.0.2.250]) by relay',
    ];
    const o = findOrigin(forged, trustedRelays());
    assert.equal(o.kind === 'origin' && o.ip, '198.51.100.77');
  });

  test('an unreadable hop inside the trusted part stops the walk', () => {
    const o = findOrigin(
      ['from mystery.example.net by mx with SMTP', 'from bot (x [198.51.100.99]) by mystery'],
      trustedRelays(),
    );
    assert.deepEqual(o, { kind: 'unparsed', hop: 0 });
  });

  test('all-trusted chains are internal; --no-default-trusted makes loopback untrusted', () => {
    const local = ['from localhost (localhost [127.0.0.1]) by mx'];
    assert.equal(findOrigin(local, trustedRelays()).kind, 'internal');
    const o = findOrigin(local, trustedRelays([], false));
    assert.equal(o.kind === 'origin' && o.ip, '127.0.0.1');
  });

  test('a bad --trusted value is a usage error', () => {
    assert.throws(() => trustedRelays(['192.0.2.0/33']), { code: 'E_USAGE' });
  });
});

describe('parseLogLine', () => {
  test('Postfix client=, NOQUEUE reject with HELO, and the Subject warning as a hint', () => {
    const a = parseLogLine(
      'Nov 26 14:00:02 mx1 postfix/smtpd[4100]: 5B1C2D3E4F: client=unknown[192.0.2.19]',
      2026,
    );
    assert.deepEqual(
      [a?.ip, a?.message, a?.time?.toISOString()],
      ['192.0.2.19', true, '2026-11-26T14:00:02.000Z'],
    );
    const b = parseLogLine(
      'Nov 26 14:05:00 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[2001:db8::24]: 554 5.7.1 x; from=<a@example.com> to=<b@example.net> proto=ESMTP helo=<box>',
      2026,
    );
    assert.deepEqual([b?.ip, b?.hint], ['2001:db8::24', 'helo box']);
    const c = parseLogLine(
      '2026-11-26T14:00:02.123+01:00 mx1 postfix/cleanup[2]: 5B: warning: header Subject: Hi there from unknown[192.0.2.19]; from=<x@example.com>',
      2026,
    );
    assert.deepEqual([c?.ip, c?.message, c?.hint], ['192.0.2.19', false, 'Hi there']);
    assert.equal(c?.time?.toISOString(), '2026-11-26T13:00:02.123Z');
  });

  test('lines that name no client give nothing', () => {
    assert.equal(parseLogLine('Nov 26 14:00:01 mx1 postfix/qmgr[1]: 5B: removed', 2026), null);
    assert.equal(
      parseLogLine('Nov 26 14:00:01 mx1 sshd[1]: Accepted for root from 192.0.2.1', 2026),
      null,
    );
    assert.equal(
      parseLogLine('2026-11-23 16:03:00 1vE <= root@example.net U=root P=local', 2026),
      null,
    );
  });
});

describe('extractOrigins on the case fixtures', () => {
  test('every origin, count and hint; forged, internal and unreadable chains handled', async () => {
    const { origins, stats } = await extractOrigins([CASES], { logYear: 2026 });
    const byIp = new Map(origins.map((o) => [o.ip, o]));
    assert.deepEqual(
      [...byIp.keys()].sort(),
      [
        '198.51.100.23',
        '198.51.100.24',
        '198.51.100.25',
        '198.51.100.26',
        '198.51.100.27',
        '198.51.100.41',
        '198.51.100.42',
        '198.51.100.51',
        '198.51.100.66',
        '198.51.100.77',
        '2001:db8::25',
        '2001:db8::42',
        '2001:db8::51',
        '203.0.113.5',
      ].sort(),
    );
    // Never an address from below the boundary, nor from an unreadable chain.
    for (const never of [
      '192.0.2.250',
      '192.0.2.251',
      '127.0.0.9',
      '198.51.100.99',
      '192.0.2.99',
    ]) {
      assert.ok(!byIp.has(never), never);
    }
    assert.equal(byIp.get('198.51.100.51')?.messages, 2);
    assert.deepEqual(byIp.get('2001:db8::25')?.hints, ['IPv6 ✓']);
    assert.deepEqual(byIp.get('198.51.100.41')?.hints, ['Cheap "watches"']);
    // The trusted receiver's time, not the sender's Date header (2006 in forged.eml).
    assert.equal(byIp.get('198.51.100.77')?.first_seen, '2026-11-23T11:00:01.000Z');
    assert.equal(stats.internal, 1);
    assert.equal(stats.unparsed, 1);
    assert.equal(stats.errors, 0);
    // Sorted by messages, then address.
    assert.equal(origins[0]?.ip, '198.51.100.51');
  });

  test('hostile subjects reach the output with control characters escaped', async () => {
    const { origins } = await extractOrigins([path.join(CASES, 'hostile.eml')]);
    const hint = origins[0]?.hints[0] ?? '';
    assert.ok(!/[\u0000-\u001f\u007f]/.test(hint), JSON.stringify(hint));
    assert.match(hint, /\\x1b\[31m/);
  });

  test('a header line of megabytes is capped and the origin still found', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-extract-'));
    const file = path.join(dir, 'big.eml');
    writeFileSync(
      file,
      `Received: from x (unknown [198.51.100.88]) by mx; Mon, 23 Nov 2026 10:00:00 +0000\nX-Junk: ${'A'.repeat(3_000_000)}\nSubject: ${'B'.repeat(500)}\n\nbody\n`,
    );
    const { origins } = await extractOrigins([file]);
    assert.equal(origins[0]?.ip, '198.51.100.88');
    assert.ok((origins[0]?.hints[0]?.length ?? 0) <= 100);
  });

  test('stdin is read with "-"', async () => {
    const mail = 'Received: from x (unknown [198.51.100.90]) by mx\n\nx\n';
    const { origins } = await extractOrigins(['-'], { stdin: Readable.from([Buffer.from(mail)]) });
    assert.deepEqual(
      origins.map((o) => o.ip),
      ['198.51.100.90'],
    );
  });

  test('a missing file is reported and the rest is read', async () => {
    const errors: string[] = [];
    const { origins, stats } = await extractOrigins(
      [path.join(MAIL, 'nope.eml'), path.join(CASES, 'forged.eml')],
      { onError: (where) => errors.push(where) },
    );
    assert.equal(stats.errors, 1);
    assert.equal(errors.length, 1);
    assert.deepEqual(
      origins.map((o) => o.ip),
      ['198.51.100.77'],
    );
  });
});

describe('extractOrigins on the lab fixtures (Maildir, mbox, eml, Postfix log)', () => {
  test('Maildir tmp/ is skipped, mbox bodies are not headers, every container is read', async () => {
    const trusted = trustedRelays(['10.0.0.0/8', '127.0.0.1'], false);
    const { origins, stats } = await extractOrigins([LAB], { trusted, logYear: 2026 });
    const ips = origins.map((o) => o.ip);
    assert.ok(!ips.includes('127.77.163.99'), 'Maildir tmp/ was read');
    assert.ok(!ips.includes('127.77.163.50'), 'a body line was read as a header');
    assert.ok(!ips.includes('127.0.0.1'));
    assert.deepEqual(
      [...ips].sort(),
      [
        '127.77.163.10',
        '127.77.163.11',
        '127.77.163.13',
        '127.77.163.14',
        '127.77.163.15',
        '127.77.163.19',
        '127.77.163.21',
        '127.77.163.24',
      ].sort(),
    );
    const nas = origins.find((o) => o.ip === '127.77.163.13');
    assert.equal(nas?.messages, 2);
    assert.deepEqual(nas?.hints, ['Your parcel is waiting']);
    assert.equal(nas?.first_seen, '2026-11-25T08:00:04.000Z');
    assert.equal(nas?.last_seen, '2026-11-26T10:00:01.000Z');
    assert.deepEqual(origins.find((o) => o.ip === '127.77.163.15')?.hints, ['Gewinnspiel für Sie']);
    assert.equal(stats.internal, 1);
  });

  test('with default trust, loopback origins are relays: nothing comes out', async () => {
    const { origins } = await extractOrigins([LAB], { logYear: 2026 });
    assert.deepEqual(origins, []);
  });
});

describe('thingscan extract (CLI)', () => {
  test('the default list output is a valid target list, comments included', async () => {
    const run = await runCli(['extract', '--log-year', '2026', CASES]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 14);
    assert.match(run.stderr, /14 originating addresses/);
    const items = [];
    for await (const item of readTargets([{ name: 'x', lines: linesFromArgs(lines) }])) {
      items.push(item);
    }
    assert.ok(items.every((i) => i.kind === 'target'));
    assert.equal(items.length, 14);
  });

  test('--format csv and json, --trusted adds to the defaults, --quiet silences stderr', async () => {
    const file = path.join(CASES, 'trusted-chain.eml');
    const csv = await runCli(['extract', '--format', 'csv', '--trusted', '203.0.113.0/28', file]);
    assert.equal(csv.code, 0);
    assert.deepEqual(csv.stdout.split('\n').slice(0, 2), [
      'ip,messages,first_seen,last_seen,hints',
      '198.51.100.31,1,2026-11-23T15:00:01.000Z,2026-11-23T15:00:01.000Z,two trusted hops when 203.0.113.0/28 is trusted',
    ]);
    const json = await runCli(['extract', '--format', 'json', '-q', file]);
    assert.equal(json.stderr, '');
    assert.equal(JSON.parse(json.stdout).ip, '203.0.113.5');
  });

  test('reads stdin when no file is given; --json puts the summary on stderr as JSON', async () => {
    const run = await runCli(['extract', '--json'], {
      input: 'Received: from x (unknown [198.51.100.91]) by mx\n\nx\n',
    });
    assert.equal(run.stdout, '198.51.100.91  # 1 message\n');
    assert.equal(JSON.parse(run.stderr).origins, 1);
  });

  test('an unreadable input gives exit code 1 and names the path', async () => {
    const run = await runCli(['extract', path.join(MAIL, 'missing.mbox')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /missing\.mbox: ENOENT/);
  });
});

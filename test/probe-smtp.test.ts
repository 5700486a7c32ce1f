/**
 * The SMTP probe against realistic loopback mail servers, through the engine's port
 * runner: exact fields, and proof it says only EHLO/HELO and QUIT.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PROBES } from '../probes/index.js';
import { detectSmtp, SMTP_CLIENT_NAME } from '../probes/smtp.js';
import { FORBIDDEN_COMMANDS, withExpectedPort } from './support/conformance.js';
import { type FakeServer, type FakeSpec, lineScript, startFakeTcp } from './support/fake-server.js';
import { probePort } from './support/run-probe.js';

const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Starts a fake, probes it as the given probe's port, waits until the probe hung up. */
async function probeAs(probeName: string, spec: FakeSpec, maxBytes = 64 * 1024) {
  const server = await startFakeTcp(spec);
  servers.push(server);
  const result = await probePort(server.host, server.port, {
    probes: withExpectedPort(PROBES, probeName, server.port),
    maxBytes,
  });
  await server.settled();
  const sent = server.received().toString('latin1');
  assert.doesNotMatch(sent, FORBIDDEN_COMMANDS);
  return { result, sent };
}

/** A mail server: answers EHLO (or HELO) with `hello`, QUIT with 221, anything else 502. */
function mailServer(greeting: string, hello: string, helo?: string): FakeSpec {
  return lineScript(greeting, (line, conn) => {
    const verb = line.split(' ')[0]?.toUpperCase();
    if (verb === 'EHLO') return hello;
    if (verb === 'HELO' && helo !== undefined) return helo;
    if (verb === 'QUIT') {
      conn.end('221 2.0.0 Bye\r\n');
      return null;
    }
    return '502 5.5.2 Error: command not recognized\r\n';
  });
}

const EHLO = `EHLO ${SMTP_CLIENT_NAME}\r\n`;

test('Postfix: greeting and EHLO capabilities, then QUIT', async () => {
  const { result, sent } = await probeAs(
    'smtp',
    mailServer(
      '220 mail.example.net ESMTP Postfix (Ubuntu)\r\n',
      [
        '250-mail.example.net',
        '250-PIPELINING',
        '250-SIZE 10240000',
        '250-VRFY',
        '250-ETRN',
        '250-STARTTLS',
        '250-ENHANCEDSTATUSCODES',
        '250-8BITMIME',
        '250-DSN',
        '250-SMTPUTF8',
        '250 CHUNKING',
        '',
      ].join('\r\n'),
    ),
  );
  assert.equal(result.protocol, 'smtp');
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'smtp.greeting': 'mail.example.net ESMTP Postfix (Ubuntu)',
    'smtp.ehlo':
      'mail.example.net\nPIPELINING\nSIZE 10240000\nVRFY\nETRN\nSTARTTLS\nENHANCEDSTATUSCODES\n8BITMIME\nDSN\nSMTPUTF8\nCHUNKING',
  });
  assert.equal(sent, `${EHLO}QUIT\r\n`);
});

test('Exim: a multi-line greeting arriving in pieces, with bare LF', async () => {
  const { result, sent } = await probeAs('smtp', {
    ...mailServer(
      '',
      '250-mx1.example.com Hello thingscan.invalid [127.0.0.1]\n250-SIZE 52428800\n250-8BITMIME\n250-PIPELINING\n250-CHUNKING\n250-PRDR\n250 HELP\n',
    ),
    onConnect: (conn) => {
      conn.write(
        '220-mx1.example.com ESMTP Exim 4.96 Tue, 25 Nov 2026 10:00:00 +0000\n220-We do not',
      );
      // The rest comes after the engine stopped collecting the greeting burst.
      setTimeout(
        () =>
          conn.write(
            ' authorize the use of this system to transport unsolicited,\n220 and/or bulk e-mail.\n',
          ),
        400,
      );
    },
  });
  assert.equal(result.status, 'ok');
  assert.equal(
    result.fields['smtp.greeting'],
    'mx1.example.com ESMTP Exim 4.96 Tue, 25 Nov 2026 10:00:00 +0000\nWe do not authorize the use of this system to transport unsolicited,\nand/or bulk e-mail.',
  );
  assert.equal(
    result.fields['smtp.ehlo'],
    'mx1.example.com Hello thingscan.invalid [127.0.0.1]\nSIZE 52428800\n8BITMIME\nPIPELINING\nCHUNKING\nPRDR\nHELP',
  );
  assert.equal(sent, `${EHLO}QUIT\r\n`);
});

test('Microsoft Exchange: AUTH offered, never used', async () => {
  const { result, sent } = await probeAs(
    'smtp',
    mailServer(
      '220 EXCH01.corp.example.com Microsoft ESMTP MAIL Service ready at Tue, 25 Nov 2026 10:00:00 +0000\r\n',
      [
        '250-EXCH01.corp.example.com Hello [127.0.0.1]',
        '250-SIZE 37748736',
        '250-PIPELINING',
        '250-DSN',
        '250-ENHANCEDSTATUSCODES',
        '250-STARTTLS',
        '250-X-ANONYMOUSTLS',
        '250-AUTH NTLM',
        '250-X-EXPS GSSAPI NTLM',
        '250-8BITMIME',
        '250-BINARYMIME',
        '250-CHUNKING',
        '250 XRDST',
        '',
      ].join('\r\n'),
    ),
  );
  assert.equal(result.status, 'ok');
  assert.equal(
    result.fields['smtp.greeting'],
    'EXCH01.corp.example.com Microsoft ESMTP MAIL Service ready at Tue, 25 Nov 2026 10:00:00 +0000',
  );
  assert.match(
    result.fields['smtp.ehlo'] ?? '',
    /^EXCH01\.corp\.example\.com Hello \[127\.0\.0\.1\]\n/,
  );
  assert.match(result.fields['smtp.ehlo'] ?? '', /\nAUTH NTLM\n/);
  assert.equal(sent, `${EHLO}QUIT\r\n`);
});

test('an old server refusing EHLO gets HELO', async () => {
  const { result, sent } = await probeAs(
    'smtp',
    mailServer(
      '220 nas.local SMTP server ready\r\n',
      '500 Command unrecognized\r\n',
      '250 nas.local\r\n',
    ),
  );
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'smtp.greeting': 'nas.local SMTP server ready',
    'smtp.ehlo': 'nas.local',
  });
  assert.equal(sent, `${EHLO}HELO ${SMTP_CLIENT_NAME}\r\nQUIT\r\n`);
});

test('a 554 greeting is recorded and only QUIT follows', async () => {
  const { result, sent } = await probeAs(
    'smtp',
    mailServer('554 5.7.1 mx.example.org ESMTP not accepting connections\r\n', '250 x\r\n'),
  );
  assert.equal(result.protocol, 'smtp');
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'smtp.greeting': '5.7.1 mx.example.org ESMTP not accepting connections',
  });
  assert.equal(sent, 'QUIT\r\n');
});

test('an EHLO reply that never ends is cut at the line cap and recorded', async () => {
  const endless = Array.from({ length: 500 }, (_, i) => `250-X-CAPABILITY-${i}\r\n`).join('');
  const { result, sent } = await probeAs(
    'smtp',
    mailServer('220 mx ESMTP\r\n', `250-mx\r\n${endless}`),
  );
  assert.equal(result.status, 'ok');
  const lines = (result.fields['smtp.ehlo'] ?? '').split('\n');
  assert.equal(lines.length, 64);
  assert.equal(lines[0], 'mx');
  assert.equal(sent, EHLO);
});

test('a greeting that never ends is cut at the byte cap and recorded', async () => {
  const maxBytes = 2048;
  const { result, sent } = await probeAs(
    'smtp',
    { kind: 'oversize', prefix: '220-mx ESMTP\r\n220-', filler: 'z'.repeat(1024) },
    maxBytes,
  );
  assert.equal(result.protocol, 'smtp');
  assert.equal(result.status, 'ok');
  const greeting = result.fields['smtp.greeting'] ?? '';
  assert.ok(greeting.startsWith('mx ESMTP\nzzz'));
  assert.ok(greeting.length <= maxBytes);
  assert.equal(sent, '');
});

test('an SMTP greeting on the FTP port is SMTP', async () => {
  const { result } = await probeAs(
    'ftp',
    mailServer('220 mail.example.net ESMTP Postfix\r\n', '250 mail.example.net\r\n'),
  );
  assert.equal(result.protocol, 'smtp');
  assert.equal(result.fields['smtp.ehlo'], 'mail.example.net');
});

test('detect: mail software is certain, a bare 220 possible', () => {
  const d = (text: string) => detectSmtp(Buffer.from(text, 'latin1'));
  assert.equal(d('220 mx ESMTP Postfix\r\n'), 2);
  assert.equal(d('220-mx.example.com ESMTP Exim 4.96\r\n'), 2);
  assert.equal(d('220 host Microsoft ESMTP MAIL Service ready\r\n'), 2);
  assert.equal(d('220 mail.example.org Sendmail 8.15.2 ready\r\n'), 2);
  assert.equal(d('220 localhost\r\n'), 1);
  assert.equal(d('220\r\n'), 1);
  assert.equal(d('220 mail.example.org FTP server ready\r\n'), 1);
  assert.equal(d('554 mx ESMTP no service\r\n'), 1);
  assert.equal(d('421 busy\r\n'), 0);
  assert.equal(d('2200 x\r\n'), 0);
  assert.equal(d('SSH-2.0-OpenSSH_9.6\r\n'), 0);
  assert.equal(d('HTTP/1.1 200 OK\r\n'), 0);
});

/**
 * The telnet probe against realistic loopback servers, through the engine's port runner:
 * exact fields, and proof that the only bytes it ever sends are option refusals.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PROBES } from '../probes/index.js';
import { detectTelnet, telnetProbe } from '../probes/telnet.js';
import { servicesFromFields } from '../src/match/identify.js';
import { matchServices } from '../src/match/matcher.js';
import { loadSignatures } from '../src/signatures/loader.js';
import { terminalText } from '../src/text/terminal.js';
import { withExpectedPort } from './support/conformance.js';
import { type FakeServer, type FakeSpec, startFakeTcp } from './support/fake-server.js';
import { probePort } from './support/run-probe.js';

const IAC = 0xff;
const DO = 0xfd;
const WILL = 0xfb;
const WONT = 0xfc;
const DONT = 0xfe;
const SB = 0xfa;
const SE = 0xf0;

const servers: FakeServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Starts a fake and probes it as a telnet port, then waits until the probe hung up. */
async function probeTelnet(spec: FakeSpec, options: { readMs?: number } = {}) {
  const server = await startFakeTcp(spec);
  servers.push(server);
  const readMs = options.readMs ?? 1_000;
  const result = await probePort(server.host, server.port, {
    probes: withExpectedPort(PROBES, 'telnet', server.port),
    timeouts: { connectMs: 1_000, readMs, bannerMs: 500 },
    deadlineMs: readMs + 5_000,
  });
  await server.settled();
  return { result, sent: server.received() };
}

/** Splits what the probe sent into 3-byte commands, failing on anything else. */
function commandsSent(sent: Buffer): string[] {
  assert.equal(sent.length % 3, 0, `sent ${sent.toString('hex')}`);
  const out: string[] = [];
  for (let i = 0; i < sent.length; i += 3) {
    assert.equal(sent[i], IAC, `byte ${i} of ${sent.toString('hex')} is not IAC`);
    const verb = sent[i + 1];
    assert.ok(verb === WONT || verb === DONT, `verb ${verb} is not a refusal`);
    out.push(`${verb === WONT ? 'WONT' : 'DONT'} ${sent[i + 2]}`);
  }
  return out;
}

test('a BusyBox telnetd: options, banner and prompt; only refusals sent', async () => {
  const { result, sent } = await probeTelnet({
    kind: 'script',
    onConnect: (conn) => {
      // busybox telnetd's opening offers: DO ECHO, DO NAWS, WILL ECHO, WILL SGA.
      conn.write(Buffer.from([IAC, DO, 1, IAC, DO, 31, IAC, WILL, 1, IAC, WILL, 3]));
    },
    onData: (() => {
      let greeted = false;
      return (conn) => {
        if (greeted) return;
        greeted = true;
        conn.write('\r\n\r\nBusyBox v1.19.4 (2013-04-16 18:03:25 CST) built-in shell (ash)\r\n');
        conn.write("Enter 'help' for a list of built-in commands.\r\n\r\n(none) login: ");
      };
    })(),
  });
  assert.equal(result.protocol, 'telnet');
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'telnet.options': 'DO 1,DO 31,WILL 1,WILL 3',
    'telnet.banner':
      "BusyBox v1.19.4 (2013-04-16 18:03:25 CST) built-in shell (ash)\nEnter 'help' for a list of built-in commands.\n\n(none) login:",
    'telnet.prompt': '(none) login:',
  });
  assert.deepEqual(commandsSent(sent), ['WONT 1', 'WONT 31', 'DONT 1', 'DONT 3']);
});

test('a MikroTik-style telnet with a subnegotiation and an escaped 0xFF byte', async () => {
  const { result, sent } = await probeTelnet({
    kind: 'script',
    onConnect: (conn) => {
      conn.write(Buffer.from([IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 24, IAC, DO, 31]));
      // A status subnegotiation and a stray IAC IAC (data 0xFF) must leave no trace.
      conn.write(Buffer.from([IAC, SB, 24, 1, IAC, SE]));
      conn.write('\r\nMikroTik v6.49.10 (long-term)\r\n');
      conn.write(Buffer.from([IAC, IAC]));
      conn.write('\rLogin: ');
    },
  });
  assert.equal(result.status, 'ok');
  assert.equal(result.fields['telnet.options'], 'WILL 1,WILL 3,DO 24,DO 31');
  assert.equal(result.fields['telnet.banner'], 'MikroTik v6.49.10 (long-term)\n\u00ff\nLogin:');
  assert.equal(result.fields['telnet.prompt'], 'Login:');
  assert.deepEqual(commandsSent(sent), ['DONT 1', 'DONT 3', 'WONT 24', 'WONT 31']);
});

test('a server that re-asks forever gets each answer once', async () => {
  const doTtype = Buffer.from([IAC, DO, 24]);
  const { result, sent } = await probeTelnet({
    kind: 'script',
    onConnect: (conn) =>
      conn.write(Buffer.concat([doTtype, doTtype, doTtype, Buffer.from('\r\n')])),
    // Every answer triggers the same request again: an endless negotiation if we replied.
    onData: (conn) => conn.write(Buffer.concat([doTtype, Buffer.from('Password: ')])),
  });
  assert.equal(result.status, 'ok');
  assert.equal(result.fields['telnet.prompt'], 'Password:');
  assert.match(result.fields['telnet.options'] ?? '', /^DO 24,DO 24,DO 24/);
  assert.deepEqual(commandsSent(sent), ['WONT 24']);
});

test('a text-only login prompt is telnet, and nothing is sent', async () => {
  const { result, sent } = await probeTelnet({
    kind: 'script',
    onConnect: (conn) => conn.write('\r\n\r\nUser Access Verification\r\n\r\nUsername: '),
  });
  assert.equal(result.protocol, 'telnet');
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.fields, {
    'telnet.banner': 'User Access Verification\n\nUsername:',
    'telnet.prompt': 'Username:',
  });
  assert.equal(sent.length, 0);
});

test('a login screen drawn in colour: exact banner, the prompt as shown, read up to that prompt', async () => {
  const readMs = 20_000;
  const { result, sent } = await probeTelnet(
    {
      kind: 'script',
      onConnect: (conn) =>
        conn.write(
          '\x1b]0;RUT955\x07\x1b[2J\x1b[H\r\n\x1b[0;1m OpenWrt 19.07.10, r11427-9ce6aa9d8d\x1b[0m\r\n\r\n\x1b[1;32mRUT955 login: \x1b[0m',
        ),
    },
    { readMs },
  );
  assert.equal(result.protocol, 'telnet');
  assert.equal(result.status, 'ok');
  assert.ok(result.elapsedMs < readMs, `waited ${result.elapsedMs} ms for a coloured prompt`);
  // The banner keeps the exact text (line ends normalised); the prompt is what is shown.
  assert.deepEqual(result.fields, {
    'telnet.banner':
      '\x1b]0;RUT955\x07\x1b[2J\x1b[H\n\x1b[0;1m OpenWrt 19.07.10, r11427-9ce6aa9d8d\x1b[0m\n\n\x1b[1;32mRUT955 login: \x1b[0m',
    'telnet.prompt': 'RUT955 login:',
  });
  assert.equal(sent.length, 0);
  // Signatures read the banner as shown: OpenWrt's release line starts a line on screen.
  const fired = matchServices(loadSignatures(), servicesFromFields(result.fields)).flatMap((h) =>
    h.fired.map((f) => `${h.signature.id}#${f.item.id}`),
  );
  assert.ok(fired.includes('openwrt/openwrt#telnet-release'), fired.join(' '));
  assert.ok(fired.includes('teltonika/rut#login-host'), fired.join(' '));
});

test('terminal text: control sequences removed, other text kept', () => {
  const cases: Array<[string, string]> = [
    ['\x1b[1;32mlogin:\x1b[0m ', 'login: '],
    ['\x1b[?25l\x1b[10;20HMenu\x1b[K', 'Menu'],
    ['\x1b]2;router\x1b\\Password:', 'Password:'],
    ['\x1b(B\x1b)0\x1b=\x1bcReady', 'Ready'],
    ['a [1;32m b', 'a [1;32m b'],
    ['\u009b31mred\u009b0m', 'red'],
    ['no escapes at all', 'no escapes at all'],
    // An unterminated title is not a sequence: only its ESC ] goes, its text stays.
    [`\x1b]0;${'x'.repeat(300)}`, `0;${'x'.repeat(300)}`],
  ];
  for (const [input, want] of cases) assert.equal(terminalText(input), want, JSON.stringify(input));
});

test('stops at the prompt instead of waiting for the read deadline', async () => {
  const readMs = 20_000;
  const { result } = await probeTelnet(
    {
      kind: 'script',
      onConnect: (conn) =>
        conn.write(Buffer.concat([Buffer.from([IAC, DO, 1]), Buffer.from('login: ')])),
    },
    { readMs },
  );
  assert.equal(result.status, 'ok');
  assert.ok(result.elapsedMs < readMs, `waited ${result.elapsedMs} ms`);
});

test('a banner cut mid-line by a close is connection-closed with its fields', async () => {
  const { result } = await probeTelnet({
    kind: 'script',
    onConnect: (conn) =>
      conn.end(Buffer.concat([Buffer.from([IAC, WILL, 1]), Buffer.from('\r\nWelcome to the ro')])),
  });
  assert.equal(result.status, 'connection-closed');
  assert.equal(result.fields['telnet.options'], 'WILL 1');
  assert.equal(result.fields['telnet.banner'], 'Welcome to the ro');
});

test('SSH on a telnet port is SSH', {
  skip: !sshProbeExists() && 'probes/ssh.ts not there yet',
}, async () => {
  assert.ok(telnetProbe.ports.includes(2323));
  const server = await startFakeTcp({
    kind: 'script',
    onConnect: (conn) => conn.write('SSH-2.0-dropbear_2019.78\r\n'),
  });
  servers.push(server);
  const result = await probePort(server.host, server.port, {
    probes: withExpectedPort(PROBES, 'telnet', server.port),
  });
  assert.equal(result.protocol, 'ssh');
  assert.equal(result.probesTried[0], 'ssh');
});

test('detect: IAC is certain, a bare login prompt possible, other protocols never', () => {
  assert.equal(detectTelnet(Buffer.from([IAC, DO, 1])), 2);
  assert.equal(detectTelnet(Buffer.from([IAC, 0xf1])), 2);
  assert.equal(detectTelnet(Buffer.from([IAC, IAC, 0x41])), 0);
  assert.equal(detectTelnet(Buffer.from([IAC])), 0);
  assert.equal(detectTelnet(Buffer.from('(none) login: ')), 1);
  assert.equal(detectTelnet(Buffer.from('\r\nPassword:')), 1);
  assert.equal(detectTelnet(Buffer.from('User Name:')), 1);
  assert.equal(detectTelnet(Buffer.from('Welcome\r\n')), 0);
  assert.equal(detectTelnet(Buffer.from('220 mail ESMTP\r\nlogin: ')), 0);
  assert.equal(detectTelnet(Buffer.from('SSH-2.0-x\r\nlogin:')), 0);
  assert.equal(detectTelnet(Buffer.from([1, 2, 3, 4, 5, 0x6c, 0x6f, 0x67, 0x69, 0x6e, 0x3a])), 0);
});

function sshProbeExists(): boolean {
  // dist/test/x.js -> repository root.
  return existsSync(fileURLToPath(new URL('../../probes/ssh.ts', import.meta.url)));
}

/**
 * Never a login: a full scan of the whole lab (every persona, every probe, SNMP on) must
 * leave every persona's credential and mail counters at zero. The lab's servers count
 * user names, passwords, SSH auth other than `none`, SMTP AUTH, RTSP Authorization, and
 * MAIL/RCPT/DATA/BDAT; hostile peers count the same lines in whatever they receive.
 * A control at the end logs in by hand to prove the counters do count.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { type HostRecord, loadSignatures, type RunningLab, scan, startLab } from '../src/index.js';

const PREFIX = '127.77.162';
/** A full lab scan with short deadlines; generous for a busy machine. */
const T = { timeout: 120_000 };

let lab: RunningLab;
const records: HostRecord[] = [];

before(async () => {
  lab = await startLab({ prefix: PREFIX, portOffset: 10_000 });
  for await (const r of scan(lab.targets(), {
    library: loadSignatures(),
    ports: lab.portSpec(),
    connectTimeoutMs: 1_000,
    readTimeoutMs: 1_500,
    bannerWaitMs: 800,
    hostTimeoutMs: 10_000,
    concurrency: 64,
    rate: 5_000,
  })) {
    records.push(r);
  }
});

after(async () => {
  await lab?.close();
});

test('the scan reached every persona on every service it exposes', T, () => {
  assert.equal(records.length, lab.targets().length);
  for (const host of lab.hosts) {
    if (host.services.length === 0) continue;
    assert.ok(
      (lab.counters.byHost[host.id]?.connections ?? 0) > 0,
      `${host.id} was never contacted`,
    );
  }
});

test('no persona ever received a username, password, AUTH, MAIL FROM, RCPT or DATA', T, () => {
  const offenders = Object.entries(lab.counters.byHost)
    .filter(([, c]) => c.credentialAttempts > 0 || c.mailCommands > 0)
    .map(([id, c]) => `${id}: ${c.credentialAttempts} credential, ${c.mailCommands} mail`);
  assert.deepEqual(offenders, []);
  assert.equal(lab.counters.credentialAttempts, 0);
  assert.equal(lab.counters.mailCommands, 0);
});

/** Waits for the server's greeting, then sends each line and waits for its reply. */
async function talk(host: string, port: number, lines: readonly string[]): Promise<void> {
  const socket = net.connect({ host, port });
  const reply = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        socket.removeListener('data', done);
        socket.removeListener('close', done);
        resolve();
      };
      socket.once('data', done);
      socket.once('close', done);
    });
  socket.once('error', () => socket.destroy());
  await reply();
  for (const line of lines) {
    const answered = reply();
    socket.write(`${line}\r\n`);
    await answered;
  }
  socket.destroy();
}

test('control: the counters do count a login and a mail transaction', T, async () => {
  const hostWith = (protocol: string) =>
    lab.hosts.find((h) => !h.hostile && h.services.some((s) => s.protocol === protocol));
  const smtpHost = hostWith('smtp');
  const ftpHost = hostWith('ftp');
  assert.ok(smtpHost && ftpHost);
  const port = (h: typeof smtpHost, protocol: string) =>
    h?.services.find((s) => s.protocol === protocol)?.port ?? 0;
  const ftpBefore = lab.counters.byHost[ftpHost.id]?.credentialAttempts ?? 0;
  await talk(ftpHost.address, port(ftpHost, 'ftp'), ['USER anonymous']);
  assert.ok((lab.counters.byHost[ftpHost.id]?.credentialAttempts ?? 0) > ftpBefore);
  const mailBefore = lab.counters.byHost[smtpHost.id]?.mailCommands ?? 0;
  await talk(smtpHost.address, port(smtpHost, 'smtp'), [
    'EHLO x.invalid',
    'MAIL FROM:<a@x.invalid>',
  ]);
  assert.ok((lab.counters.byHost[smtpHost.id]?.mailCommands ?? 0) > mailBefore);
  // Hostile peers count too.
  const tarpit = lab.hosts.find((h) => h.id === 'tarpit');
  assert.ok(tarpit);
  const tarpitBefore = lab.counters.byHost['tarpit']?.credentialAttempts ?? 0;
  const sock = net.connect({ host: tarpit.address, port: tarpit.services[0]?.port ?? 0 });
  await new Promise<void>((resolve) => sock.once('connect', resolve));
  // The tarpit never answers, so wait on the lab's own count rather than a reply.
  const counted = new Promise<void>((resolve) => {
    const check = (): void => {
      if ((lab.counters.byHost['tarpit']?.credentialAttempts ?? 0) > tarpitBefore) resolve();
      else setImmediate(check);
    };
    check();
  });
  sock.write('USER root\r\n');
  await counted;
  sock.destroy();
});

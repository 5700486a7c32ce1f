/**
 * The scale lab (`lab --scale`) inside a private network namespace: it answers on tens of
 * thousands of addresses with the persona its address hashes to, the scanner run inside the
 * namespace labels a sample correctly, and nothing it binds shows in the host namespace.
 * Needs root and iproute2 (`ip netns`); skipped with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { createNetns, type Netns, netnsUnavailable } from '../src/bench/netns.js';
import {
  intToIpv4,
  ipv4ToInt,
  SCALE_BASE,
  SCALE_PERSONAS,
  scalePersonaFor,
} from '../src/lab/scale.js';
import type { HostRecord } from '../src/types.js';
import { runCli } from './support/cli.js';
import { CLI } from './support/paths.js';

const HOSTS = 50_000;
const unavailable = netnsUnavailable();
const base = ipv4ToInt(SCALE_BASE);

/** A spread of addresses over the whole range, first and last included. */
function spread(count: number): string[] {
  const step = Math.floor((HOSTS - 1) / (count - 1));
  return Array.from({ length: count }, (_, i) => intToIpv4(base + Math.min(HOSTS - 1, i * step)));
}

describe('scale lab in a network namespace', { skip: unavailable ?? false }, () => {
  let ns: Netns;
  let lab: ChildProcess;
  let ready = '';

  before(async () => {
    ns = createNetns('test');
    lab = ns.spawn(process.execPath, [CLI, 'lab', '--scale', String(HOSTS)]);
    lab.stdout?.setEncoding('utf8');
    // Wait for the lab's own "ready" line, not for a fixed time.
    await new Promise<void>((resolve, reject) => {
      lab.stdout?.on('data', (d: string) => {
        ready += d;
        if (ready.includes('scale lab ready')) resolve();
      });
      lab.once('close', (code) => reject(new Error(`scale lab exited early (${code})`)));
    });
  });

  after(async () => {
    if (lab && lab.exitCode === null && lab.pid !== undefined) {
      process.kill(lab.pid, 'SIGTERM');
      await once(lab, 'close');
    }
    ns?.close();
  });

  it('serves every address of the range with the persona the address hashes to', () => {
    assert.match(
      ready,
      new RegExp(`${HOSTS} addresses ${SCALE_BASE}-${intToIpv4(base + HOSTS - 1)}`),
    );
    // For 300 addresses, read the greeting of the persona's first server-first service.
    const checks = spread(300).flatMap((address) => {
      const persona = scalePersonaFor(address);
      for (const s of persona.definition.services) {
        if (s.protocol === 'ssh')
          return [{ address, port: s.port, expect: `SSH-2.0-${s.ssh.ident}` }];
        if (s.protocol === 'telnet')
          return [{ address, port: s.port, expect: s.telnet.loginPrompt.trim() }];
        if (s.protocol === 'ftp') return [{ address, port: s.port, expect: `220` }];
        if (s.protocol === 'smtp') return [{ address, port: s.port, expect: `220` }];
      }
      return [];
    });
    assert.ok(checks.length > 150, `only ${checks.length} server-first addresses in the sample`);
    const script = `
      const net = require('node:net');
      const checks = ${JSON.stringify(checks)};
      let bad = [];
      let left = checks.length;
      for (const c of checks) {
        const s = net.connect(c.port, c.address);
        let text = '';
        const done = () => { if (!text.includes(c.expect)) bad.push(c.address + ':' + c.port + ' ' + JSON.stringify(text.slice(0, 80))); s.destroy(); if (--left === 0) console.log(JSON.stringify(bad)); };
        const t = setTimeout(done, 5000);
        s.on('data', (d) => { text += d.toString('latin1'); if (text.includes(c.expect)) { clearTimeout(t); done(); } });
        s.on('error', () => { clearTimeout(t); done(); });
      }`;
    const r = ns.run(process.execPath, ['-e', script]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), []);
  });

  it('labels a sample correctly when the scanner runs inside the namespace', async () => {
    // Every persona at least once, plus addresses from the far end of the range.
    const sample = new Map<string, string>();
    for (let i = 0; i < HOSTS && sample.size < SCALE_PERSONAS.length; i++) {
      const address = intToIpv4(base + i);
      const id = scalePersonaFor(address).id;
      if (![...sample.values()].includes(id)) sample.set(address, id);
    }
    for (const address of spread(10)) sample.set(address, scalePersonaFor(address).id);
    const r = ns.run(process.execPath, [
      CLI,
      'scan',
      '--format',
      'ndjson',
      '--ports',
      'T:21,22,23,25,80,U:161',
      '--rate',
      '2000',
      ...sample.keys(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HostRecord);
    assert.equal(records.length, sample.size);
    for (const record of records) {
      const { expected, id } = scalePersonaFor(record.ip);
      assert.equal(record.device?.class ?? null, expected.class, `${record.ip} (${id})`);
      assert.equal(record.device?.vendor_id ?? null, expected.vendor_id, `${record.ip} (${id})`);
    }
  });

  it('binds nothing in the host namespace, and listens on the wildcard address inside', () => {
    const pid = String(lab.pid);
    const outside = spawnSync('ss', ['-Hltnup'], { encoding: 'utf8' });
    assert.equal(outside.status, 0, outside.stderr);
    assert.ok(
      !outside.stdout.includes(`pid=${pid},`),
      `lab pid ${pid} listens in the host namespace`,
    );
    const inside = ns.run('ss', ['-Hltnp']);
    const wildcard = inside.stdout
      .split('\n')
      .filter((l) => l.includes(`pid=${pid},`) && /\s0\.0\.0\.0:23\s/.test(l));
    assert.equal(wildcard.length, 1, inside.stdout);
  });

  it('refuses to start in the host namespace', async () => {
    const r = await runCli(['lab', '--scale', '10']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to bind wildcard addresses/);
  });
});

describe('an unreachable host costs one connection, not one per port', {
  skip: unavailable ?? false,
}, () => {
  it('stops a host at the first EHOSTUNREACH/ENETUNREACH and reports no-response', () => {
    // 127.192.0.0/10 is an `unreachable` route inside this namespace: connects fail at once
    // with EHOSTUNREACH, as when a router answers for an address nobody holds.
    const ns = createNetns('unreach', ['127.192.0.0/10']);
    try {
      const run = ns.run(process.execPath, [
        CLI,
        'scan',
        '127.192.0.9',
        '127.192.7.1',
        '--ports',
        'T:21-30,80,443,8080',
        '--per-host',
        '1',
        '--log-level',
        'debug',
        '--quiet',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const records = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as HostRecord);
      assert.deepEqual(records.map((r) => [r.ip, r.status, r.services.length]).sort(), [
        ['127.192.0.9', 'no-response', 0],
        ['127.192.7.1', 'no-response', 0],
      ]);
      // One "host unreachable" per host: with one connection at a time, the first refusal
      // by the network ends the host before any other port is tried.
      const lines = run.stderr.split('\n').filter((l) => l.includes('host unreachable'));
      assert.equal(lines.length, 2, run.stderr.slice(0, 2000));
      for (const line of lines) assert.match(line, /"port":21\b/);
      // The host's own tally of connection attempts: 1 each, not 13 (one per port).
      const done = run.stderr.split('\n').filter((l) => l.includes('host done'));
      assert.equal(done.length, 2);
      for (const line of done) assert.match(line, /"connections":1\b/);
    } finally {
      ns.close();
    }
  });
});

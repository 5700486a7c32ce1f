/**
 * The probe conformance suite: every TCP probe, run through the real per-port runner,
 * must survive the same hostile servers with a sensible status and bounded output.
 *
 * Call {@link runConformance} at the top level of a `test/*.test.ts` file; it registers
 * one `describe` block with a test per behaviour. The fake server listens on an ephemeral
 * loopback port, and the registry is cloned so the probe under test treats that port as
 * its own (as if the server sat on `port`): refusal and silence then land on this probe.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROBES } from '../../probes/index.js';
import type { Probe, ProbeTimeouts } from '../../probes/types.js';
import type { PortResult } from '../../src/engine/run-port.js';
import { type FakeBehaviour, type FakeServer, startFakeTcp } from './fake-server.js';
import { probePort } from './run-probe.js';

/** What the suite needs to know about a protocol to play a convincing hostile server. */
export interface ConformanceOptions {
  /** A complete, realistic banner (server-first) or response (client-first). */
  readonly banner?: string | Uint8Array;
  /** Bytes that open this protocol; prefixed to floods and garbage so this probe parses them. */
  readonly opening?: string | Uint8Array;
  /** Byte cap for the oversize case (default 4096). */
  readonly maxBytes?: number;
  /** Host deadline for every case, ms (default 8000); a case must return before it. */
  readonly deadlineMs?: number;
  /** Lines the probe must never send (default: logins, mail and auth commands). */
  readonly forbidden?: RegExp;
  /** The registry to clone (default `PROBES`). */
  readonly probes?: readonly Probe[];
}

/** Short budgets: a silent peer costs a case about two seconds. */
export const CONFORMANCE_TIMEOUTS: ProbeTimeouts = {
  connectMs: 1_000,
  readMs: 1_000,
  bannerMs: 500,
};

/**
 * Commands no thingscan probe may ever send, at the start of a line. A verb must be
 * followed by a space or the line end, so HTTP's `User-Agent:` header is not `USER`.
 */
export const FORBIDDEN_COMMANDS =
  /^(?:(?:USER|PASS|ACCT|AUTH|VRFY|EXPN|DATA|STARTTLS)(?: |\r?$)|MAIL FROM|RCPT TO)/im;

const IAC_OFFERS = Buffer.from([
  0xff, 0xfd, 0x01, 0xff, 0xfd, 0x1f, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03,
]);

/** Built-in banners for the protocols we ship, so a call needs only a name and port. */
export const DEFAULT_CONFORMANCE: Readonly<Record<string, ConformanceOptions>> = {
  telnet: {
    banner: Buffer.concat([
      IAC_OFFERS,
      Buffer.from('\r\nBusyBox v1.24.1 (2019-05-14 10:21:37 CST) built-in shell\r\n(none) login: '),
    ]),
    opening: Buffer.from([0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03]),
  },
  smtp: {
    banner: '220-mx.example.org ESMTP Postfix (Debian/GNU)\r\n220-No UCE here\r\n220 ready\r\n',
    opening: '220-mx.example.org ESMTP\r\n220-',
  },
  ftp: {
    banner: '220-ProFTPD 1.3.6 Server (Debian) [::ffff:127.0.0.1]\r\n220-Welcome\r\n220 Ready\r\n',
    opening: '220-FTP server ready\r\n220-',
  },
  ssh: {
    banner: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n',
    opening: 'SSH-2.0-OpenSSH_9.6p1\r\n',
  },
  http: {
    banner:
      'HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.28\r\nContent-Type: text/html\r\nContent-Length: 64\r\n\r\n<html><head><title>Login</title></head><body></body></html>',
    opening: 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head><title>',
  },
};

/**
 * Returns the registry with `probeName`'s expected ports replaced by `port`, so the runner
 * treats `port` as that probe's default port. The clone inherits everything else (methods
 * included) from the original probe.
 */
export function withExpectedPort(
  probes: readonly Probe[],
  probeName: string,
  port: number,
): Probe[] {
  return probes.map((probe) =>
    probe.name === probeName
      ? (Object.create(probe, {
          ports: { value: [port], enumerable: true },
        }) as Probe)
      : probe,
  );
}

function text(data: string | Uint8Array | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
}

/**
 * Registers the conformance suite for one probe.
 *
 * @param name - Suite title.
 * @param probeName - Registry name of the probe under test (`telnet`, `ssh` …).
 * @param port - The protocol's usual port; the suite checks the probe declares it, then
 *   plays it on an ephemeral loopback port.
 * @param options - Banners and limits; defaults exist for telnet, smtp, ftp, ssh, http.
 */
export function runConformance(
  name: string,
  probeName: string,
  port: number,
  options: ConformanceOptions = {},
): void {
  const opts: ConformanceOptions = { ...DEFAULT_CONFORMANCE[probeName], ...options };
  const registry = opts.probes ?? PROBES;
  const maxBytes = opts.maxBytes ?? 4096;
  const deadlineMs = opts.deadlineMs ?? 8_000;
  const forbidden = opts.forbidden ?? FORBIDDEN_COMMANDS;
  const banner = text(opts.banner);
  const opening = text(opts.opening);
  const probe = registry.find((p) => p.name === probeName);
  const serverFirst = probe?.transport === 'tcp' && probe.serverFirst;
  const trigger = serverFirst ? 'connect' : 'request';

  /** Starts a fake, probes it as this probe's port, checks what was sent, closes it. */
  const run = async (
    behaviour: FakeBehaviour,
    extra: { maxBytes?: number } = {},
  ): Promise<{ result: PortResult; server: FakeServer }> => {
    const server = await startFakeTcp(behaviour);
    try {
      const result = await probePort(server.host, server.port, {
        probes: withExpectedPort(registry, probeName, server.port),
        timeouts: CONFORMANCE_TIMEOUTS,
        maxBytes: extra.maxBytes ?? 64 * 1024,
        deadlineMs,
      });
      await server.settled();
      const sent = server.received().toString('latin1');
      assert.doesNotMatch(sent, forbidden, `${probeName} sent a forbidden command`);
      assert.notEqual(result.status, 'internal-error', 'a probe must never throw');
      assert.ok(result.elapsedMs < deadlineMs, `returned after ${result.elapsedMs} ms`);
      return { result, server };
    } finally {
      await server.close();
    }
  };

  describe(name, { concurrency: true }, () => {
    test('the probe is registered for its usual port', () => {
      assert.ok(probe, `no probe named ${probeName} in the registry`);
      assert.equal(probe.transport, 'tcp');
      assert.ok(probe.ports.includes(port), `${probeName} does not list port ${port}`);
      assert.ok(banner.length > 0, `no conformance banner for ${probeName}`);
    });

    test('a refused port gives connection-refused', async () => {
      const { result } = await run('refuse');
      assert.equal(result.status, 'connection-refused');
      assert.equal(result.protocol, probeName);
    });

    test('a silent server gives io-timeout within the deadline', async () => {
      const { result, server } = await run('silent');
      assert.equal(result.status, 'io-timeout');
      const sent = server.received().toString('latin1');
      if (serverFirst) {
        // The engine waits for a banner, then may try HTTP, and nothing else.
        assert.ok(
          result.probesTried.every((p) => p === 'http'),
          `tried ${result.probesTried.join(',')}`,
        );
        if (!result.probesTried.includes('http')) assert.equal(sent, '');
        else assert.match(sent, /^(?:GET|HEAD) /);
      } else {
        assert.deepEqual(result.probesTried, [probeName]);
      }
    });

    test('a server that stalls mid-banner gives a status within the deadline', async () => {
      const { result } = await run({
        kind: 'script',
        trigger,
        onConnect: serverFirst ? (conn) => conn.write(opening) : undefined,
        onData: serverFirst ? undefined : (conn) => conn.write(opening),
      } as const);
      assert.equal(result.protocol, probeName);
      assert.ok(['io-timeout', 'ok'].includes(result.status), `stall gave ${result.status}`);
    });

    test('closing mid-banner gives connection-closed or ok with partial fields', async () => {
      const { result } = await run({ kind: 'close-mid-banner', banner, trigger });
      assert.equal(result.protocol, probeName);
      assert.ok(
        ['connection-closed', 'ok'].includes(result.status),
        `close-mid-banner gave ${result.status}`,
      );
      if (result.status === 'ok') {
        assert.ok(Object.keys(result.fields).length > 0, 'ok without any field');
      }
    });

    test('an endless flood stops at maxBytes with bounded fields', async () => {
      const { result } = await run({ kind: 'oversize', prefix: opening, trigger }, { maxBytes });
      assert.equal(result.protocol, probeName);
      for (const [key, value] of Object.entries(result.fields)) {
        assert.ok(value.length <= maxBytes, `${key} holds ${value.length} chars`);
      }
      assert.ok((result.banner ?? '').length <= maxBytes, 'banner over the byte cap');
    });

    for (const seed of [1, 2, 3]) {
      test(`garbage after the protocol opening never breaks the probe (seed ${seed})`, async () => {
        const { result } = await run({ kind: 'garbage', prefix: opening, seed, trigger });
        assert.equal(result.protocol, probeName);
      });
    }

    test('pure garbage never breaks the runner', async () => {
      const { result } = await run({ kind: 'garbage', seed: 7, trigger });
      assert.ok(typeof result.status === 'string');
    });

    test('a reset gives connection-closed', async () => {
      const { result } = await run({
        kind: 'reset',
        trigger,
        prefix: serverFirst ? banner.subarray(0, Math.floor(banner.length / 2)) : undefined,
      } as const);
      assert.equal(result.status, 'connection-closed');
    });
  });
}

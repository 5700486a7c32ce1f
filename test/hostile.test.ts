/**
 * The hostile suite: the scanner against every hostile lab persona (tarpit, drip, floods,
 * endless framing, bombs, redirects, broken SSH and SNMP, escape-laden banners, a
 * honeypot). Guarantees checked: every host finishes by its deadline, exactly one record
 * per target with the failure as a status, bounded memory over 2,000 hostile hosts, never
 * following a host elsewhere, `exclude` honoured, honeypots flagged rather than labeled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import {
  type HostRecord,
  linesFromArgs,
  loadExcludeList,
  loadSignatures,
  PROBE_STATUSES,
  type RunningLab,
  type ScanOptions,
  scan,
  startLab,
  type TargetItem,
} from '../src/index.js';
import { PERSONAS } from '../src/lab/personas.js';

const PREFIX = '127.77.161';
/** Per-test limit: generous, the 2,000-host scan takes tens of seconds on a busy machine. */
const T = { timeout: 180_000 };

/** Short budgets: loopback answers at once, so only hostile peers ever wait for these. */
const FAST: ScanOptions = {
  connectTimeoutMs: 500,
  readTimeoutMs: 800,
  bannerWaitMs: 400,
  hostTimeoutMs: 3_000,
  rate: 20_000,
  concurrency: 64,
};
/**
 * Time a host may take past its deadline: the abort reaches every socket at once, then the
 * record is built. Generous, because this checks "never hangs", not speed.
 */
const GRACE_MS = 3_000;

/** The bundled library, loaded once for every scan of this file. */
let library: ReturnType<typeof loadSignatures>;

// A full collection on demand, to measure retained memory rather than pending garbage.
v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

const HOSTILE_IDS = PERSONAS.filter((p) => p.hostile).map((p) => p.id);

let lab: RunningLab;
let records: HostRecord[];

function address(id: string): string {
  const host = lab.hosts.find((h) => h.id === id);
  assert.ok(host, `persona ${id} in the lab`);
  return host.address;
}

/** Nmap-style spec of the ports a persona serves (`T:1` for the empty address). */
function portSpecOf(id: string): string {
  const services = lab.hosts.find((h) => h.id === id)?.services ?? [];
  const list = (t: string) =>
    services
      .filter((s) => s.transport === t)
      .map((s) => s.port)
      .join(',');
  const parts = [list('tcp') && `T:${list('tcp')}`, list('udp') && `U:${list('udp')}`];
  return parts.filter(Boolean).join(',') || 'T:1';
}

function recordOf(id: string): HostRecord {
  const r = records.find((x) => x.ip === address(id));
  assert.ok(r, `record for ${id}`);
  return r;
}

async function collect(input: Iterable<string | TargetItem>, options: ScanOptions) {
  const out: HostRecord[] = [];
  for await (const r of scan(input, { library, ...options })) out.push(r);
  return out;
}

before(async () => {
  library = loadSignatures();
  lab = await startLab({ prefix: PREFIX, portOffset: 10_000, personas: HOSTILE_IDS });
  // Each host on its own ports: the lab's port union grows as personas are added, and a
  // host's deadline should be spent on what it serves.
  records = (
    await Promise.all(
      lab.hosts.map((h) => collect([h.address], { ...FAST, ports: portSpecOf(h.id) })),
    )
  ).flat();
});

after(async () => {
  await lab?.close();
});

describe('every hostile persona', () => {
  test('the lab has the hostile personas of issue 6', T, () => {
    for (const id of [
      'tarpit',
      'drip',
      'flood',
      'reset',
      'half-open',
      'http-giant-headers',
      'http-endless-chunked',
      'http-gzip-bomb',
      'http-1xx-flood',
      'redirect-loop',
      'redirect-away',
      'telnet-endless-subneg',
      'telnet-iac-flood',
      'ssh-bad-ident',
      'ssh-huge-packet',
      'ssh-endless-kexinit',
      'smtp-endless-multiline',
      'snmp-malformed',
      'snmp-huge',
      'snmp-wrong-id',
      'escape-banners',
      'honeypot',
    ]) {
      assert.ok(HOSTILE_IDS.includes(id), id);
    }
  });

  test('exactly one record per target, none identified, no internal error', T, () => {
    assert.deepEqual(records.map((r) => r.ip).sort(), [...lab.targets()].sort());
    for (const r of records) {
      const id = lab.hosts.find((h) => h.address === r.ip)?.id;
      assert.notEqual(r.status, 'identified', `${id}`);
      assert.equal(r.device, null, `${id}`);
      for (const s of r.services) {
        assert.ok(PROBE_STATUSES.includes(s.status), `${id} ${s.port}: ${s.status}`);
        assert.notEqual(s.status, 'internal-error', `${id} ${s.port}`);
      }
    }
  });

  test('every host finishes by its deadline', T, () => {
    const limit = (FAST.hostTimeoutMs as number) + GRACE_MS;
    for (const r of records) assert.ok(r.elapsed_ms <= limit, `${r.ip}: ${r.elapsed_ms} ms`);
  });

  test('fields and banners stay within their caps', T, () => {
    for (const r of records) {
      for (const s of r.services) {
        assert.ok([...(s.banner ?? '')].length <= 512, `${r.ip}:${s.port} banner`);
        for (const [k, v] of Object.entries(s.fields)) {
          assert.ok(v.length <= (k === 'http.body' ? 16_384 : 4_096), `${r.ip}:${s.port} ${k}`);
        }
      }
    }
  });
});

describe('protocol-specific hostility', () => {
  const service = (id: string, protocol: string) => {
    const s = recordOf(id).services.find((x) => x.protocol === protocol);
    assert.ok(s, `${id}: a ${protocol} service in ${JSON.stringify(recordOf(id).services)}`);
    return s;
  };

  test(
    'SSH: endless ident and 4 GB packet are protocol errors; endless KEXINIT keeps the ident',
    T,
    () => {
      assert.equal(service('ssh-bad-ident', 'ssh').status, 'protocol-error');
      assert.ok((service('ssh-bad-ident', 'ssh').fields['ssh.ident'] ?? '').length <= 255);
      const huge = service('ssh-huge-packet', 'ssh');
      assert.equal(huge.status, 'protocol-error');
      assert.equal(huge.fields['ssh.ident'], 'SSH-2.0-OpenSSH_9.6');
      const kex = service('ssh-endless-kexinit', 'ssh');
      assert.equal(kex.fields['ssh.ident'], 'SSH-2.0-OpenSSH_9.6');
      assert.equal(kex.fields['ssh.kex'], undefined);
    },
  );

  test('HTTP: giant headers and 1xx floods are protocol errors, not hangs', T, () => {
    assert.equal(service('http-giant-headers', 'http').status, 'protocol-error');
    assert.equal(service('http-1xx-flood', 'http').status, 'protocol-error');
  });

  test('HTTP: an endless chunked body is cut at the body cap', T, () => {
    const s = service('http-endless-chunked', 'http');
    assert.equal(s.status, 'ok');
    const body = s.fields['http.body'] ?? '';
    assert.ok(body.length > 0 && body.length <= 16_384, String(body.length));
  });

  test('HTTP: a gzip bomb is kept compressed, never inflated', T, () => {
    const s = service('http-gzip-bomb', 'http');
    assert.equal(s.status, 'ok');
    const body = s.fields['http.body'] ?? '';
    // Exactly the compressed bytes as sent (the lab's bomb is deterministic), cut at the
    // field cap: not 32 MiB of inflated zeros.
    const sent = gzipSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 });
    assert.ok(sent.length < 16_384 * 4, 'the bomb is small on the wire');
    assert.equal(body, sent.subarray(0, 16_384).toString('latin1'));
    assert.equal(body.charCodeAt(0), 0x1f);
    assert.equal(body.charCodeAt(1), 0x8b);
  });

  test(
    'telnet: endless subnegotiation and 0xFF floods end at the byte cap with a status',
    T,
    () => {
      for (const id of ['telnet-endless-subneg', 'telnet-iac-flood']) {
        const r = recordOf(id);
        assert.equal(r.services.length, 1, id);
        assert.ok(['ok', 'protocol-error', 'io-timeout'].includes(r.services[0]?.status ?? ''), id);
      }
    },
  );

  test(
    'SMTP: an endless multi-line greeting is cut at the line cap; no EHLO sent into it',
    T,
    () => {
      const s = service('smtp-endless-multiline', 'smtp');
      assert.ok(['ok', 'protocol-error', 'io-timeout'].includes(s.status), s.status);
      assert.ok((s.fields['smtp.greeting'] ?? '').split('\n').length <= 64);
      assert.equal(s.fields['smtp.ehlo'], undefined);
    },
  );

  test('SNMP: malformed BER, wrong request ids and huge values', T, () => {
    const malformed = recordOf('snmp-malformed').services.find((s) => s.transport === 'udp');
    if (malformed) assert.ok(['protocol-error', 'io-timeout'].includes(malformed.status));
    // Replies to requests never sent are not answers: nothing recorded from them.
    const wrong = recordOf('snmp-wrong-id');
    for (const s of wrong.services) assert.equal(s.fields['snmp.sysDescr'], undefined);
    const huge = service('snmp-huge', 'snmp');
    assert.equal(huge.status, 'ok');
    assert.equal(huge.fields['snmp.sysDescr']?.length, 4_096);
  });

  test('escape-laden banners: fields keep the exact text, banners are sanitized', T, () => {
    const r = recordOf('escape-banners');
    const telnet = r.services.find((s) => s.protocol === 'telnet');
    assert.ok(telnet?.fields['telnet.banner']?.includes('\x1b[2J'), 'exact data in fields');
    for (const s of r.services) {
      assert.doesNotMatch(s.banner ?? '', /[\u0000-\u001f\u007f-\u009f\u202e]/, `${s.port}`);
    }
  });

  test('a honeypot answering with many vendors is flagged (unidentified), not labeled', T, () => {
    const r = recordOf('honeypot');
    assert.equal(r.status, 'unidentified');
    assert.equal(r.device, null);
    assert.equal(r.iot, null);
    const vendors = new Set(r.alternatives.map((a) => a.vendor_id).filter((v) => v !== null));
    assert.ok(vendors.size >= 3, `alternatives list the vendors: ${[...vendors]}`);
    // The evidence stays on the services.
    assert.ok(r.services.some((s) => s.matches.length > 0));
  });
});

describe('never steered elsewhere', () => {
  test('a redirect loop is not followed: one GET / and one favicon at most', T, async () => {
    const before = lab.counters.byHost['redirect-loop']?.connections ?? 0;
    const [r] = await collect([address('redirect-loop')], {
      ...FAST,
      ports: portSpecOf('redirect-loop'),
    });
    const used = (lab.counters.byHost['redirect-loop']?.connections ?? 0) - before;
    assert.ok(used <= 2, `${used} connections`);
    const http = r?.services.find((s) => s.protocol === 'http');
    assert.match(http?.fields['http.location'] ?? '', /^http:\/\/127\.77\.161\.\d+:\d+\/$/);
  });

  test('a redirect to another address is recorded, never followed', T, async () => {
    const canary = () => lab.counters.byHost['canary']?.connections ?? 0;
    const before = canary();
    const [r] = await collect([address('redirect-away')], {
      ...FAST,
      ports: portSpecOf('redirect-away'),
    });
    const location = r?.services.find((s) => s.protocol === 'http')?.fields['http.location'];
    // The redirect really points at the canary: following it would have counted there.
    assert.ok(location?.startsWith(`http://${address('canary')}:`), location);
    assert.equal(canary() - before, 0);
  });

  test('an SSDP LOCATION on another address is recorded, never fetched', T, async () => {
    const host = lab.hosts.find((h) => h.id === 'redirect-away');
    const ssdp = host?.services.find((s) => s.standardPort === 1900);
    assert.ok(ssdp, 'redirect-away answers SSDP');
    const canary = () => lab.counters.byHost['canary']?.connections ?? 0;
    const before = canary();
    const [r] = await collect([address('redirect-away')], {
      ...FAST,
      ports: `U:${ssdp.port}`,
      probes: ['ssdp'],
    });
    const location = r?.services[0]?.fields['ssdp.location'];
    assert.ok(location?.startsWith(`http://${address('canary')}:`), JSON.stringify(r?.services));
    assert.equal(canary() - before, 0);
  });

  test('exclude is honoured: an excluded address gets a record and no traffic', T, async () => {
    const { list, errors } = await loadExcludeList([
      { name: '--exclude', lines: linesFromArgs([`${address('canary')}/32`]) },
    ]);
    assert.deepEqual(errors, []);
    const before = lab.counters.byHost['canary']?.connections ?? 0;
    const out = await collect([address('redirect-away'), address('canary')], {
      ...FAST,
      ports: lab.portSpec(),
      exclude: list,
    });
    assert.equal(out.length, 2);
    assert.equal(out.find((r) => r.ip === address('canary'))?.status, 'excluded');
    assert.equal((lab.counters.byHost['canary']?.connections ?? 0) - before, 0);
  });
});

describe('2,000 hostile hosts', () => {
  const HOSTS = 2_000;
  const concurrency = 100;
  const perHost = 2;
  const maxBytes = 16 * 1024;
  /**
   * The bound comes from the byte caps, not from a measurement: every connection in flight
   * may hold `maxBytes`, and a reply passes through at most four copies (socket chunks, the
   * flattened buffer, the consumed slice, the decoded text). The fixed slack covers what
   * does not scale with remote bytes or with the list: the lab's own servers in this
   * process, sockets, timers and parser state. Memory is sampled after a full collection,
   * so it is what the scan retains, not garbage awaiting collection: a per-host leak of
   * 16 KiB over 2,000 hosts would cross the bound.
   */
  const COPIES = 4;
  const SLACK = 24 * 1024 * 1024;
  const bound = concurrency * perHost * maxBytes * COPIES + SLACK;

  test(
    `scan completes, one record each, peak memory under ${Math.round(bound / 2 ** 20)} MiB`,
    T,
    async (t) => {
      const addresses = lab.hosts.filter((h) => h.hostile).map((h) => h.address);
      const expected = new Map<string, number>();
      function* items(): Generator<TargetItem> {
        for (let i = 0; i < HOSTS; i++) {
          const ip = addresses[i % addresses.length] as string;
          expected.set(ip, (expected.get(ip) ?? 0) + 1);
          yield { kind: 'target', ip, excluded: false };
        }
      }
      const used = (): number => {
        gc();
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const base = used();
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, used() - base);
      }, 100);
      const seen = new Map<string, number>();
      let count = 0;
      try {
        for await (const r of scan(items(), {
          ...FAST,
          library,
          ports: lab.portSpec(),
          concurrency,
          perHost,
          maxBytes,
          hostTimeoutMs: 1_500,
          readTimeoutMs: 400,
          bannerWaitMs: 300,
        })) {
          count++;
          seen.set(r.ip, (seen.get(r.ip) ?? 0) + 1);
          assert.ok(r.elapsed_ms <= 1_500 + GRACE_MS, `${r.ip}: ${r.elapsed_ms} ms`);
        }
      } finally {
        clearInterval(sampler);
      }
      assert.equal(count, HOSTS);
      assert.deepEqual(seen, expected);
      t.diagnostic(
        `peak ${Math.round(peak / 2 ** 20)} MiB, bound ${Math.round(bound / 2 ** 20)} MiB`,
      );
      assert.ok(peak < bound, `peak ${Math.round(peak / 2 ** 20)} MiB ≥ bound`);
    },
  );
});

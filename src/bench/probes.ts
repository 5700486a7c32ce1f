/**
 * Bench section `probes`: probe economy on the lab. Every non-hostile persona is scanned
 * on the lab's ports; for each open service (one that answered) the engine's bookkeeping
 * field `scan.probes` says how many probes the port cost, detection included.
 *
 * Figures: share of open services whose protocol was identified (`scan.identified_by`
 * set) within 1 probe and within 2 (targets 80% and 90%; follow-up requests, made once the
 * protocol was known, are left out here), share of open services that a signature or
 * vendor hint labeled within 1 and 2 probes (every probe counted), and the average probes
 * per open port, follow-ups included (target ≤ 2). UDP ports the lab shifts off
 * 161/1900/987 are unknown to the runner, so it asks there in one UDP protocol after
 * another, commonest first, until one answers: the table splits TCP and UDP so that cost
 * shows.
 */
import { scan } from '../engine/scan.js';
import { startLab } from '../lab/index.js';
import { loadSignatures } from '../signatures/loader.js';
import type { ServiceRecord } from '../types.js';
import type { Bench } from './types.js';

/** Loopback prefix of this bench's lab (tests use 127.77.100-199). */
const PREFIX = '127.77.231';

interface Tally {
  open: number;
  probes: number;
  proto1: number;
  proto2: number;
  label1: number;
  label2: number;
}

const empty = (): Tally => ({ open: 0, probes: 0, proto1: 0, proto2: 0, label1: 0, label2: 0 });

function add(t: Tally, s: ServiceRecord): void {
  const spent = Number(s.fields['scan.probes'] ?? '1');
  // Follow-up requests come after the protocol was known: they cost (probes per port, the
  // label columns) but did not help find the protocol.
  const toProtocol = spent - Number(s.fields['scan.followups'] ?? '0');
  t.open++;
  t.probes += spent;
  const identified = s.fields['scan.identified_by'] !== undefined;
  const labeled = s.matches.length > 0;
  if (identified && toProtocol <= 1) t.proto1++;
  if (identified && toProtocol <= 2) t.proto2++;
  if (labeled && spent <= 1) t.label1++;
  if (labeled && spent <= 2) t.label2++;
}

const pct = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);

/** Scans the non-hostile personas with the lab on the given port layout and tallies. */
async function measure(
  portOffset: number | 'auto',
): Promise<{ all: Tally; tcp: Tally; udp: Tally; shifted: boolean }> {
  const lab = await startLab({ prefix: PREFIX, portOffset });
  const all = empty();
  const tcp = empty();
  const udp = empty();
  const shifted = lab.hosts.some((h) => h.services.some((s) => s.port !== s.standardPort));
  try {
    const targets = lab.hosts.filter((h) => !h.hostile && h.id !== 'empty').map((h) => h.address);
    for await (const record of scan(targets, {
      ports: lab.portSpec(),
      library: loadSignatures(),
      readTimeoutMs: 1_000,
      bannerWaitMs: 500,
      hostTimeoutMs: 30_000,
    })) {
      for (const s of record.services) {
        if (s.status !== 'ok') continue;
        add(all, s);
        add(s.transport === 'tcp' ? tcp : udp, s);
      }
    }
  } finally {
    await lab.close();
  }
  return { all, tcp, udp, shifted };
}

/** Runs the section (see the file header). */
export const bench: Bench = async () => {
  const row = (name: string, t: Tally): string =>
    `| ${name} | ${t.open} | ${pct(t.proto1, t.open)} | ${pct(t.proto2, t.open)} | ${pct(t.label1, t.open)} | ${pct(t.label2, t.open)} | ${t.open ? (t.probes / t.open).toFixed(2) : '–'} |`;
  const head = [
    '| services | open | protocol in 1 probe | in 2 | labeled in 1 probe | in 2 | probes per open port |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  const out: string[] = [];
  // Devices' own ports (when this process may bind them), then every port shifted by 10000:
  // the second layout makes every service an "unexpected port" and every UDP port unclaimed.
  const standard = await measure('auto');
  const moved = await measure(10_000);
  for (const [name, m] of [
    [
      standard.shifted
        ? 'ports shifted (+10000: not allowed to bind low ports)'
        : "devices' own ports",
      standard,
    ],
    ['every port shifted by 10000', moved],
  ] as const) {
    out.push(`${name}:`, '', ...head, row('all', m.all), row('tcp', m.tcp), row('udp', m.udp), '');
  }
  out.push(
    'Targets: protocol identified within 1 probe ≥ 80%, within 2 ≥ 90%; ≤ 2 probes per open port. ' +
      'Non-hostile lab personas. On shifted UDP ports no probe claims the port: UDP probes run one at a time, ' +
      'commonest protocol first (SNMP, SSDP, DDP), until one answers.',
  );
  return { title: 'Probe economy (lab)', markdown: out.join('\n') };
};

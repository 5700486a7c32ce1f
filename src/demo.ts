/**
 * `npm run demo`: starts the loopback device lab, scans it with the real engine and
 * signatures, prints the table, each persona's expected and found labels, and the summary,
 * then stops the lab. Exits non-zero when a persona is labeled differently than expected.
 */
import { formatTable, type HostRecord, type LabHost, Summary, scan, startLab } from './index.js';

/** Does the record agree with what the lab says the persona is? */
export function agrees(host: LabHost, record: HostRecord): boolean {
  const want = host.expected;
  if (want.class === null) return record.device === null || record.device.vendor_id === null;
  if (record.device?.class !== want.class) return false;
  if (want.vendor_id !== null && record.device.vendor_id !== want.vendor_id) return false;
  if (want.iot !== null && record.iot !== want.iot) return false;
  return true;
}

async function main(): Promise<number> {
  const lab = await startLab({ portOffset: 'auto' });
  const records: HostRecord[] = [];
  const summary = new Summary();
  try {
    process.stderr.write(
      `lab: ${lab.hosts.length} personas on ${lab.targets().length} loopback addresses, ports ${lab.portSpec()}\n`,
    );
    for await (const record of scan(lab.targets(), {
      ports: lab.portSpec(),
      // Loopback answers at once: shorter waits keep the demo quick; the hostile personas
      // still show every deadline working.
      readTimeoutMs: 2_000,
      bannerWaitMs: 1_000,
      hostTimeoutMs: 15_000,
      concurrency: 32,
    })) {
      records.push(record);
      summary.add(record);
    }
  } finally {
    await lab.close();
  }
  const byIp = new Map(records.map((r) => [r.ip, r]));
  const ordered = lab.targets().flatMap((ip) => byIp.get(ip) ?? []);
  process.stdout.write(
    formatTable(ordered, { color: process.stdout.isTTY === true && !process.env['NO_COLOR'] }),
  );
  process.stdout.write('\nPersona check (expected → found):\n');
  let wrong = 0;
  for (const host of lab.hosts) {
    const record = byIp.get(host.address);
    const ok = record !== undefined && agrees(host, record);
    if (!ok) wrong++;
    const want = host.expected.class
      ? `${host.expected.class}/${host.expected.vendor_id ?? '-'}${host.expected.iot === false ? ' (not IoT)' : ''}`
      : 'nothing to label';
    const got = record?.device
      ? `${record.device.class}/${record.device.vendor_id ?? '-'} ${record.device.product ?? ''}${record.device.model ? ` ${record.device.model}` : ''} iot=${record.iot} conf=${record.device.confidence}`
      : `${record?.status ?? 'no record'}`;
    process.stdout.write(
      `  ${ok ? 'ok  ' : 'FAIL'} ${host.id.padEnd(18)} ${want.padEnd(34)} → ${got}\n`,
    );
  }
  process.stdout.write(`\n${summary.toText()}\n`);
  if (wrong > 0) process.stdout.write(`\n${wrong} persona(s) labeled differently than expected.\n`);
  return wrong > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);

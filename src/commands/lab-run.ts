/**
 * `thingscan lab`: the loopback device lab, until Ctrl-C.
 *
 * The implementation: `lab.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { isThingscanError } from '../errors.js';
import { type RunningLab, startLab, startScaleLab } from '../lab/index.js';
import { EXIT, stderr } from './common.js';

/** The lab's address table, one persona per line. */
export function labTable(lab: RunningLab): string {
  const rows = lab.hosts.map((h) => {
    const expected = h.expected.class
      ? `${h.expected.class}${h.expected.vendor_id ? ` / ${h.expected.vendor_id}` : ''}`
      : '(nothing to identify)';
    const ports = h.services
      .map((s) => `${s.port}/${s.transport === 'udp' ? 'udp ' : ''}${s.protocol}`)
      .join(' ');
    return `${h.address.padEnd(15)} ${h.id.padEnd(18)} ${expected.padEnd(30)} ${ports}`;
  });
  return `${'ADDRESS'.padEnd(15)} ${'PERSONA'.padEnd(18)} ${'EXPECTED'.padEnd(30)} PORTS\n${rows.join('\n')}\n`;
}

/** `lab --scale N`: the scale lab, inside a private network namespace only (see lab/scale.ts). */
async function runScaleLab(hosts: number, delayMs: number, jitterMs: number): Promise<number> {
  let lab: Awaited<ReturnType<typeof startScaleLab>>;
  try {
    lab = await startScaleLab({ hosts, delayMs, jitterMs });
  } catch (error) {
    if (!isThingscanError(error)) throw error;
    stderr(`thingscan lab: ${error.message}`);
    return error.code === 'E_USAGE' ? EXIT.usage : EXIT.failure;
  }
  // One line a supervisor (the bench, the scale test) waits for before scanning.
  process.stdout.write(
    `scale lab ready: ${lab.hosts} addresses ${lab.first}-${lab.last}, ports ${lab.portSpec}, ` +
      `delay ${delayMs}±${jitterMs} ms, snmp on ${lab.snmpHosts} addresses` +
      `${lab.snmpSkipped > 0 ? ` (${lab.snmpSkipped} SNMP addresses left silent)` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await lab.close();
  process.stdout.write(`scale lab counters: ${JSON.stringify(lab.counters)}\n`);
  return EXIT.ok;
}

export async function runLab(argv: {
  prefix: string;
  'port-offset': string;
  scale?: number | undefined;
  'delay-ms': number;
  'jitter-ms': number;
}): Promise<number> {
  if (argv.scale !== undefined) return runScaleLab(argv.scale, argv['delay-ms'], argv['jitter-ms']);
  const offset = argv['port-offset'] === 'auto' ? 'auto' : Number(argv['port-offset']);
  if (offset !== 'auto' && !(Number.isInteger(offset) && offset >= 0)) {
    stderr(`thingscan lab: --port-offset must be 'auto' or a non-negative integer`);
    return EXIT.usage;
  }
  const lab = await startLab({ prefix: argv.prefix, portOffset: offset });
  process.stdout.write(labTable(lab));
  process.stdout.write(
    `\nScan it with:\n  npx thingscan scan --ports '${lab.portSpec()}' ${lab.targets().join(' ')}\n\nCtrl-C stops the lab.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await lab.close();
  return EXIT.ok;
}

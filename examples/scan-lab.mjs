// Start the loopback device lab, scan it with the library API, print one label per host.
//
//   node examples/scan-lab.mjs [LAB_PREFIX]      (default prefix 127.77.0; loopback only)
//
// Uses only the public API: `import ... from 'thingscan'`.
import { scan, startLab } from 'thingscan';

const prefix = process.argv[2] ?? '127.77.0';
const lab = await startLab({ prefix, portOffset: 10_000 });
// Stop the whole scan after a minute, whatever happens: scan() honours an AbortSignal.
const signal = AbortSignal.timeout(60_000);
try {
  for await (const record of scan(lab.targets(), {
    ports: lab.portSpec(),
    readTimeoutMs: 1_500,
    hostTimeoutMs: 15_000,
    signal,
  })) {
    const d = record.device;
    const label = d
      ? [d.class, d.vendor, d.product, d.model].filter(Boolean).join(' ')
      : record.status;
    const iot = record.iot === null ? '?' : record.iot ? 'IoT' : 'not IoT';
    console.log(`${record.ip}\t${iot}\t${label}`);
  }
} finally {
  await lab.close();
}

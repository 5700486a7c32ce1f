/**
 * `sig stats`: what the library covers, counted from the loaded library (so the figures
 * are what a scan uses), with issue 3's coverage targets beside them.
 */
import { DEVICE_CLASSES, type DeviceClass } from '../types.js';
import type { SignatureLibrary } from './model.js';

/** Whether `name` is a device class of DESIGN.md section 4. */
export function isDeviceClassName(name: string): name is DeviceClass {
  return Object.hasOwn(DEVICE_CLASSES, name);
}

/**
 * Classes a vendor target applies to: every class but the two that, by definition, name
 * no device maker (`computer` is judged from software, `unknown-embedded` means "no product").
 */
export const VENDOR_TARGET_CLASSES: readonly DeviceClass[] = (
  Object.keys(DEVICE_CLASSES) as DeviceClass[]
).filter((c) => c !== 'computer' && c !== 'unknown-embedded');

/** One coverage target and whether the library meets it. */
export interface StatsTarget {
  readonly name: string;
  readonly value: number;
  readonly target: number;
  readonly met: boolean;
}

/** Figures of {@link libraryStats}. */
export interface LibraryStats {
  /** Library version (`signatures/VERSION`). */
  readonly version: string;
  readonly signatures: {
    readonly total: number;
    /** Signatures with `device:` (branded or class-only). */
    readonly device: number;
    /** Signatures with `service:` only. */
    readonly software: number;
    /** Device signatures without a vendor. */
    readonly classOnly: number;
  };
  readonly vendors: {
    /** Distinct vendor slugs named by some signature (device or service). */
    readonly used: number;
    /** Vendors in the registry. */
    readonly registry: number;
    /** Registry vendors with at least one SNMP enterprise number. */
    readonly withEnterprise: number;
    /** Enterprise numbers in the registry. */
    readonly enterpriseNumbers: number;
  };
  /** Per device class: signatures and distinct vendors. Every class is listed. */
  readonly classes: Readonly<Record<DeviceClass, { signatures: number; vendors: number }>>;
  readonly examples: number;
  readonly counterexamples: number;
  /** Issue 3 targets. */
  readonly targets: readonly StatsTarget[];
}

/** Counts the loaded library. */
export function libraryStats(library: SignatureLibrary): LibraryStats {
  const used = new Set<string>();
  const perClass = new Map<DeviceClass, { signatures: number; vendors: Set<string> }>();
  for (const c of Object.keys(DEVICE_CLASSES) as DeviceClass[]) {
    perClass.set(c, { signatures: 0, vendors: new Set() });
  }
  let device = 0;
  let classOnly = 0;
  let examples = 0;
  let counterexamples = 0;
  for (const sig of library.signatures) {
    examples += sig.examples.length;
    counterexamples += sig.counterexamples.length;
    if (sig.service?.vendor) used.add(sig.service.vendor);
    if (!sig.device) continue;
    device++;
    const entry = perClass.get(sig.device.class);
    if (entry) entry.signatures++;
    if (sig.device.vendor) {
      used.add(sig.device.vendor);
      entry?.vendors.add(sig.device.vendor);
    } else classOnly++;
  }
  let withEnterprise = 0;
  let enterpriseNumbers = 0;
  for (const v of library.vendors.values()) {
    if (v.enterprise.length > 0) withEnterprise++;
    enterpriseNumbers += v.enterprise.length;
  }
  const classes = Object.fromEntries(
    [...perClass].map(([c, e]) => [c, { signatures: e.signatures, vendors: e.vendors.size }]),
  ) as Record<DeviceClass, { signatures: number; vendors: number }>;
  const thinClasses = VENDOR_TARGET_CLASSES.filter((c) => classes[c].vendors < 3);
  const target = (name: string, value: number, goal: number): StatsTarget => ({
    name,
    value,
    target: goal,
    met: value >= goal,
  });
  return {
    version: library.version,
    signatures: {
      total: library.signatures.length,
      device,
      software: library.signatures.length - device,
      classOnly,
    },
    vendors: {
      used: used.size,
      registry: library.vendors.size,
      withEnterprise,
      enterpriseNumbers,
    },
    classes,
    examples,
    counterexamples,
    targets: [
      target('signatures', library.signatures.length, 300),
      target('vendors used by signatures', used.size, 100),
      target(
        'device classes with 3+ vendors',
        VENDOR_TARGET_CLASSES.length - thinClasses.length,
        VENDOR_TARGET_CLASSES.length,
      ),
      target('registry vendors with enterprise numbers', withEnterprise, 150),
    ],
  };
}

/** Human-readable table of {@link libraryStats}. */
export function formatStats(s: LibraryStats): string {
  const rows = (Object.keys(s.classes) as DeviceClass[]).map((c) => {
    const e = s.classes[c];
    const thin = VENDOR_TARGET_CLASSES.includes(c) && e.vendors < 3 ? '  < 3 vendors' : '';
    return `  ${c.padEnd(18)} ${String(e.signatures).padStart(5)} ${String(e.vendors).padStart(8)}${thin}`;
  });
  const targets = s.targets.map(
    (t) => `  ${t.met ? 'ok  ' : 'SHORT'} ${t.name}: ${t.value} (target ${t.target})`,
  );
  return [
    `signature library ${s.version}`,
    `signatures: ${s.signatures.total} (device ${s.signatures.device}, of which class-only ${s.signatures.classOnly}; software ${s.signatures.software})`,
    `vendors: ${s.vendors.used} used by signatures, ${s.vendors.registry} in the registry, ${s.vendors.withEnterprise} with SNMP enterprise numbers (${s.vendors.enterpriseNumbers} numbers)`,
    `examples: ${s.examples}, counterexamples: ${s.counterexamples}`,
    '',
    `  ${'class'.padEnd(18)} ${'sigs'.padStart(5)} ${'vendors'.padStart(8)}`,
    ...rows,
    '',
    'issue 3 targets:',
    ...targets,
    '',
  ].join('\n');
}

/**
 * Every default the scan uses, in one place. Values are chosen for politeness first:
 * a suspect host is somebody's router, not a target to hammer.
 */

/** Scan defaults. */
export const DEFAULTS = {
  /** New connections per second across the whole scan. */
  rate: 500,
  /** Hosts scanned at the same time. */
  concurrency: 128,
  /**
   * Scan threads (`--threads`). One by default: at the default rate one thread has CPU to
   * spare; more pay off only for fast scans of long lists (see docs/benchmarks.md).
   */
  threads: 1,
  /**
   * V8 semi-space of a scanning thread, MiB (its young generation is three times this). A
   * host's sockets, promises and buffers live for its round trips, long enough that with
   * V8's default (16 MiB) many survive a scavenge or two and are copied; with 32 MiB more
   * of them die young: the scanner's CPU per host fell about a tenth in
   * `scripts/scan-ab.mjs` (figures in docs/benchmarks.md), for some 30 MiB more memory.
   * Worker threads (`--threads`) get it through `resourceLimits`; the main thread from the
   * command line, which the installed command adds for long-running commands (`src/bin.ts`).
   */
  semiSpaceMb: 32,
  /** Probes (connections) in flight per host. */
  perHost: 2,
  /** TCP handshake deadline, ms. */
  connectTimeoutMs: 3_000,
  /** Deadline of one read or request/response exchange, ms. */
  readTimeoutMs: 5_000,
  /** Wait for a volunteered banner on a port whose protocol is unknown, ms. */
  bannerWaitMs: 2_000,
  /**
   * Wait for a UDP reply, ms (each SNMP attempt: v2c, then v1). A UDP port has no handshake
   * to wait for, so its whole wait is a reply's round trip: 1.5 s covers a slow device on a
   * far continent, where the read timeout (5 s, twice) made silent udp/161 the longest part
   * of every host. Measured in `npm run bench -- scan`.
   */
  udpWaitMs: 1_500,
  /** After an interrupt (SIGINT/SIGTERM, an aborted signal), how long hosts in flight may still finish, ms. */
  interruptGraceMs: 3_000,
  /** Whole-host deadline, ms: every host finishes by then, whatever it sends. */
  hostTimeoutMs: 30_000,
  /** Bytes accepted from one connection. */
  maxBytes: 64 * 1024,
  /** Characters kept of one field value in the record and for matching. */
  fieldCap: 4_096,
  /** Characters kept of `http.body`. */
  bodyCap: 16_384,
  /**
   * Follow-up requests per port at most: vendor-telling paths a signature declares
   * (`followup:`), fetched only after the first HTTP exchange softmatched it. The same
   * number bounds the requests one signature may declare.
   */
  maxFollowups: 2,
  /** Characters of the banner excerpt in each service record. */
  bannerCap: 512,
  /** SNMP read community for system info; null = community-based SNMP off. */
  snmpCommunity: 'public' as string | null,
  /** Honest User-Agent with a URL explaining the scan. */
  userAgent:
    'thingscan/0.1 (+https://github.com/thingscan/thingscan; identifies IoT devices for abuse triage; no login attempts)',
  /** CIDR/range expansion limit without --allow-large. */
  maxExpand: 65_536,
} as const;

/** Characters kept of one field's value (HTTP bodies have their own, larger cap). */
export function fieldCapOf(field: string): number {
  return BODY_FIELDS.has(field) ? DEFAULTS.bodyCap : DEFAULTS.fieldCap;
}

/** Fields kept up to `DEFAULTS.bodyCap` rather than `fieldCap`. */
const BODY_FIELDS: ReadonlySet<string> = new Set(['http.body', 'http.followup.body']);

/**
 * Default ports: the `iot` preset (see `presets.ts`), the services compromised things
 * expose. Closed ports cost one refused handshake each.
 */
export const DEFAULT_PORT_SPEC = 'iot';

/**
 * Node flags the installed command (`bin/thingscan`) starts the CLI with; benches give
 * their scanner, lab and fleet processes the same, so they measure what users run.
 */
export const LAUNCHER_NODE_FLAGS: readonly string[] = [
  `--max-semi-space-size=${DEFAULTS.semiSpaceMb}`,
];

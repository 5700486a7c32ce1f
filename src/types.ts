/**
 * The host record and its vocabularies (DESIGN.md sections 3 and 4).
 *
 * These names are a contract that other analyzers parse: change them only with a
 * {@link SCHEMA_VERSION} bump and a changelog note.
 */

/** Version of the host record layout written in every record's `schema` field. */
export const SCHEMA_VERSION = 1 as const;

/** Outcome of one probe against one port. A thrown error is a bug, never an outcome. */
export const PROBE_STATUSES = [
  'ok',
  'connection-refused',
  'connection-timeout',
  'io-timeout',
  'connection-closed',
  'protocol-error',
  'skipped',
  'internal-error',
] as const;
/** One of {@link PROBE_STATUSES}. */
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

/** Overall outcome for one target. */
export const HOST_STATUSES = [
  'identified',
  'unidentified',
  'no-response',
  'excluded',
  'error',
] as const;
/** One of {@link HOST_STATUSES}. */
export type HostStatus = (typeof HOST_STATUSES)[number];

/** Device classes (closed vocabulary) and whether each counts as IoT. */
export const DEVICE_CLASSES = {
  router: true,
  'access-point': true,
  switch: true,
  firewall: true,
  nas: true,
  camera: true,
  'video-recorder': true,
  'set-top-box': true,
  'media-player': true,
  'smart-tv': true,
  'game-console': true,
  printer: true,
  voip: true,
  appliance: true,
  industrial: true,
  bmc: true,
  computer: false,
  'unknown-embedded': true,
} as const satisfies Record<string, boolean>;
/** A key of {@link DEVICE_CLASSES}. */
export type DeviceClass = keyof typeof DEVICE_CLASSES;

/** Classes whose devices usually do NAT for other machines behind them. */
export const NAT_GATEWAY_CLASSES: ReadonlySet<DeviceClass> = new Set<DeviceClass>([
  'router',
  'firewall',
]);

/** Protocols a service can be identified as. */
export const PROTOCOLS = [
  'telnet',
  'ssh',
  'smtp',
  'ftp',
  'http',
  'snmp',
  'ddp',
  'https',
  'tls',
  'rtsp',
  'ssdp',
  'unknown',
] as const;
/** One of {@link PROTOCOLS}. */
export type Protocol = (typeof PROTOCOLS)[number];

/** Transport of a port. */
export type Transport = 'tcp' | 'udp';

/** Operating system guess; every field may be null when not shown. */
export interface OsInfo {
  /** OS vendor display name, e.g. "Microsoft". */
  readonly vendor: string | null;
  /** Family slug: linux, windows, bsd, vxworks, embedded … */
  readonly family: string | null;
  /** Distribution or product name, e.g. "Ubuntu". */
  readonly name: string | null;
  /** Version string as shown by the device. */
  readonly version: string | null;
}

/** What the host is, fused from every service's evidence. */
export interface DeviceVerdict {
  /** Device class (section 4). */
  readonly class: DeviceClass;
  /** Vendor display name from the registry, or null. */
  readonly vendor: string | null;
  /** Vendor slug from `signatures/_taxonomy/vendors.yaml`, or null. */
  readonly vendor_id: string | null;
  /** Product line, e.g. "ShareCenter". */
  readonly product: string | null;
  /** Model, only when the device shows it. */
  readonly model: string | null;
  /** Operating system guess. */
  readonly os: OsInfo;
  /** CPE 2.3 names. */
  readonly cpe: readonly string[];
  /** 0..1; a single weak hint never reads as certain. */
  readonly confidence: number;
  /** True for router/firewall verdicts: the mail may come from a machine behind it. */
  readonly nat_gateway_suspected: boolean;
  /** Ids of the signatures behind this verdict, strongest first. */
  readonly signatures: readonly string[];
}

/** One signature that fired on a service. */
export interface ServiceMatch {
  /** Signature id (`vendor/product`). */
  readonly signature: string;
  /** Combined score 0..1 of the signature on the whole host. */
  readonly score: number;
  /** Ids of the evidence items that fired on this service. */
  readonly evidence: readonly string[];
}

/** One port's result. */
export interface ServiceRecord {
  /** Port number. */
  readonly port: number;
  /** tcp or udp. */
  readonly transport: Transport;
  /** Protocol the service was identified as (from its banner when it volunteered one). */
  readonly protocol: Protocol;
  /** Outcome of the probe. */
  readonly status: ProbeStatus;
  /** Software product named by a software signature, e.g. "Dropbear". */
  readonly product: string | null;
  /** Software vendor display name. */
  readonly vendor: string | null;
  /** Software version, when captured. */
  readonly version: string | null;
  /** Sanitized, capped excerpt of what the service sent. */
  readonly banner: string | null;
  /** Named probe fields (`http.server`, `ssh.ident` …), sanitized and capped. */
  readonly fields: Readonly<Record<string, string>>;
  /** Signatures that fired with evidence from this service. */
  readonly matches: readonly ServiceMatch[];
  /** Wall time spent on this port, ms. */
  readonly elapsed_ms: number;
}

/** One line of NDJSON output: everything known about one target. */
export interface HostRecord {
  /** Record layout version, {@link SCHEMA_VERSION}. */
  readonly schema: typeof SCHEMA_VERSION;
  /** Target address as scanned (canonical text form). */
  readonly ip: string;
  /** Overall outcome. */
  readonly status: HostStatus;
  /** true: a thing; false: a general-purpose computer; null: unknown. */
  readonly iot: boolean | null;
  /** Best verdict, or null when nothing is known. */
  readonly device: DeviceVerdict | null;
  /** Other verdicts above threshold, best first. */
  readonly alternatives: readonly DeviceVerdict[];
  /** Per-port results, in port order (tcp before udp). */
  readonly services: readonly ServiceRecord[];
  /** ISO 8601 time the host scan started. */
  readonly started_at: string;
  /** Wall time for the host, ms. */
  readonly elapsed_ms: number;
  /** Version of the signature library used. */
  readonly signatures_version: string;
}

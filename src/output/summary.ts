/**
 * End-of-scan summary, for stderr (text) or a machine (JSON).
 */
import type { TargetError } from '../errors.js';
import {
  DEVICE_CLASSES,
  type DeviceClass,
  HOST_STATUSES,
  type HostRecord,
  type HostStatus,
  PROTOCOLS,
  type Protocol,
} from '../types.js';
import { sanitizeForTerminal } from './sanitize.js';

/** Singular and plural display names of each class (NAS stays NAS). */
const CLASS_NAMES = {
  router: ['router', 'routers'],
  'access-point': ['access point', 'access points'],
  switch: ['switch', 'switches'],
  firewall: ['firewall', 'firewalls'],
  nas: ['NAS', 'NAS'],
  camera: ['camera', 'cameras'],
  'video-recorder': ['video recorder', 'video recorders'],
  'set-top-box': ['set-top box', 'set-top boxes'],
  'media-player': ['media player', 'media players'],
  'smart-tv': ['smart TV', 'smart TVs'],
  'game-console': ['game console', 'game consoles'],
  printer: ['printer', 'printers'],
  voip: ['VoIP device', 'VoIP devices'],
  appliance: ['appliance', 'appliances'],
  industrial: ['industrial device', 'industrial devices'],
  bmc: ['BMC', 'BMCs'],
  computer: ['general-purpose computer', 'general-purpose computers'],
  'unknown-embedded': ['other embedded device', 'other embedded devices'],
} as const satisfies Record<DeviceClass, readonly [string, string]>;

/** Wording of host statuses whose records carry no IoT verdict. */
const STATUS_NAMES: Readonly<Record<HostStatus, readonly [string, string]>> = {
  identified: ['unclassified', 'unclassified'],
  unidentified: ['unidentified', 'unidentified'],
  'no-response': ['no response', 'no response'],
  excluded: ['excluded', 'excluded'],
  error: ['error', 'errors'],
};

const CLASS_ORDER = Object.keys(DEVICE_CLASSES) as DeviceClass[];

function plural(n: number, [one, many]: readonly [string, string]): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Entries with a count, largest first, then in the given tie order. */
function ranked<K extends string>(
  counts: ReadonlyMap<K, number>,
  tie: (a: K, b: K) => number,
): Array<[K, number]> {
  return [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || tie(a[0], b[0]));
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Counts produced by {@link Summary.toJSON}. Every count is a number of hosts. */
export interface SummaryJson {
  /** Records seen. */
  readonly total: number;
  /** Records by host status (every status present, zero included). */
  readonly status: Readonly<Record<HostStatus, number>>;
  /** Records by IoT verdict. */
  readonly iot: { readonly true: number; readonly false: number; readonly null: number };
  /** Records by device class of their best verdict, largest first. */
  readonly classes: Readonly<Partial<Record<DeviceClass, number>>>;
  /** Records by vendor display name of their best verdict, largest first. */
  readonly vendors: Readonly<Record<string, number>>;
  /** Records whose verdict suspects a NAT gateway. */
  readonly nat_gateway_suspected: number;
  /** Hosts with at least one open port of each protocol (every protocol present). */
  readonly open_ports: Readonly<Record<Protocol, number>>;
  /** Target lines that could not be parsed. */
  readonly bad_lines: number;
}

/** Accumulates host records and bad target lines into end-of-scan counts. */
export class Summary {
  #total = 0;
  readonly #status = new Map<HostStatus, number>();
  readonly #iot = { true: 0, false: 0, null: 0 };
  readonly #classes = new Map<DeviceClass, number>();
  /** Unknown-IoT records by status, for the text line. */
  readonly #unknownByStatus = new Map<HostStatus, number>();
  readonly #vendors = new Map<string, number>();
  readonly #openPorts = new Map<Protocol, number>();
  #nat = 0;
  #badLines = 0;

  /**
   * Counts one host record.
   *
   * @param record - A finished host record.
   */
  add(record: HostRecord): void {
    this.#total++;
    increment(this.#status, record.status);
    if (record.iot === null) {
      this.#iot.null++;
      increment(this.#unknownByStatus, record.status);
    } else if (record.iot) {
      this.#iot.true++;
    } else {
      this.#iot.false++;
    }
    const device = record.device;
    if (device) {
      increment(this.#classes, device.class);
      if (device.vendor) increment(this.#vendors, device.vendor);
      if (device.nat_gateway_suspected) this.#nat++;
    }
    // A host counts once per protocol, however many ports speak it.
    const protocols = new Set(
      record.services.filter((s) => s.status === 'ok').map((s) => s.protocol),
    );
    for (const protocol of protocols) increment(this.#openPorts, protocol);
  }

  /**
   * Counts one bad target line.
   *
   * @param _error - The error, accepted so callers can pass it straight through.
   */
  addTargetError(_error?: TargetError): void {
    this.#badLines++;
  }

  /** Counts as plain data (see {@link SummaryJson}). */
  toJSON(): SummaryJson {
    const status = Object.fromEntries(
      HOST_STATUSES.map((s) => [s, this.#status.get(s) ?? 0]),
    ) as Record<HostStatus, number>;
    const openPorts = Object.fromEntries(
      PROTOCOLS.map((p) => [p, this.#openPorts.get(p) ?? 0]),
    ) as Record<Protocol, number>;
    return {
      total: this.#total,
      status,
      iot: { ...this.#iot },
      classes: Object.fromEntries(this.#rankedClasses()),
      vendors: Object.fromEntries(this.#rankedVendors()),
      nat_gateway_suspected: this.#nat,
      open_ports: openPorts,
      bad_lines: this.#badLines,
    };
  }

  #rankedClasses(): Array<[DeviceClass, number]> {
    return ranked(this.#classes, (a, b) => CLASS_ORDER.indexOf(a) - CLASS_ORDER.indexOf(b));
  }

  #rankedVendors(): Array<[string, number]> {
    return ranked(this.#vendors, (a, b) => a.localeCompare(b, 'en'));
  }

  /**
   * The summary as text lines (each ending with `\n`), for example:
   * `12 hosts scanned: 9 of 12 hosts are IoT: 3 routers, 2 NAS, 2 set-top boxes,
   * 1 media player, 1 printer; 2 general-purpose computers; 1 no response.` then
   * `vendors: D-Link 2, Netgear 1` and, when any, the NAT and bad-line notes.
   */
  toText(): string {
    const total = this.#total;
    const parts: string[] = [];
    const iot = this.#iot.true;
    if (iot > 0) {
      const classes = this.#rankedClasses()
        .filter(([c]) => DEVICE_CLASSES[c])
        .map(([c, n]) => plural(n, CLASS_NAMES[c]));
      const verb = iot === 1 ? 'is' : 'are';
      parts.push(
        `${iot} of ${plural(total, ['host', 'hosts'])} ${verb} IoT${classes.length > 0 ? `: ${classes.join(', ')}` : ''}`,
      );
    }
    if (this.#iot.false > 0) parts.push(plural(this.#iot.false, CLASS_NAMES.computer));
    for (const s of HOST_STATUSES) {
      const n = this.#unknownByStatus.get(s) ?? 0;
      if (n > 0) parts.push(plural(n, STATUS_NAMES[s]));
    }
    const head = `${plural(total, ['host', 'hosts'])} scanned`;
    const lines = [parts.length > 0 ? `${head}: ${parts.join('; ')}.` : `${head}.`];
    const vendors = this.#rankedVendors();
    if (vendors.length > 0) {
      lines.push(
        `vendors: ${vendors.map(([v, n]) => `${sanitizeForTerminal(v)} ${n}`).join(', ')}`,
      );
    }
    if (this.#nat > 0) {
      lines.push(
        `${this.#nat} ${this.#nat === 1 ? 'host looks like a NAT gateway' : 'hosts look like NAT gateways'}: the mail may come from a machine behind ${this.#nat === 1 ? 'it' : 'them'}`,
      );
    }
    if (this.#badLines > 0) {
      lines.push(`${plural(this.#badLines, ['bad target line', 'bad target lines'])} skipped`);
    }
    return lines.map((l) => `${l}\n`).join('');
  }
}

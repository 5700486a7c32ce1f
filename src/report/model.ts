/**
 * The field report: what share of the scanned senders are things, which classes, which
 * brands, which products, how many look like NAT gateways and what they expose. Built from
 * host records, one at a time, with the end-of-scan {@link Summary} doing the counting it
 * already does.
 */
import { Summary, type SummaryJson } from '../output/summary.js';
import type { DeviceClass, HostRecord, Protocol } from '../types.js';

/** Protocols listed under "exposure", in the order the field report gives them. */
export const EXPOSURE_PROTOCOLS = ['telnet', 'ssh', 'smtp', 'ftp', 'http', 'snmp'] as const;

/** Products listed in the report. */
const TOP_PRODUCTS = 10;

/** One product line and how many hosts showed it. */
export interface ProductCount {
  /** Vendor display name, or null. */
  readonly vendor: string | null;
  /** Product line. */
  readonly product: string;
  /** Model, when the device showed one. */
  readonly model: string | null;
  /** Device class. */
  readonly class: DeviceClass;
  /** Hosts. */
  readonly hosts: number;
}

/** The report as data (`thingscan report --json`). Every count is a number of hosts. */
export interface ReportJson {
  /** Records read. */
  readonly hosts: number;
  /** Hosts where something answered (identified or unidentified). */
  readonly responsive: number;
  /** Hosts with a device verdict. */
  readonly identified: number;
  /** Hosts labelled IoT. */
  readonly iot: number;
  /** IoT hosts / all hosts, 0..1 (0 when no hosts). */
  readonly iot_share: number;
  /** IoT hosts / identified hosts, 0..1 (0 when none identified). */
  readonly iot_share_of_identified: number;
  /** Hosts whose verdict suspects a NAT gateway. */
  readonly nat_gateway_suspected: number;
  /** NAT-gateway hosts / identified hosts, 0..1. */
  readonly nat_gateway_share: number;
  /** Hosts by device class, largest first. */
  readonly classes: SummaryJson['classes'];
  /** Hosts by vendor display name, largest first. */
  readonly vendors: SummaryJson['vendors'];
  /** Most common vendor/product/model lines, largest first (at most ten). */
  readonly products: readonly ProductCount[];
  /** Hosts with an answering port per protocol. */
  readonly exposure: Readonly<Record<(typeof EXPOSURE_PROTOCOLS)[number], number>>;
  /** Hosts by status. */
  readonly status: SummaryJson['status'];
  /** Input lines that were not host records. */
  readonly bad_lines: number;
}

/** Accumulates host records into a {@link ReportJson}. */
export class Report {
  readonly #summary = new Summary();
  readonly #products = new Map<string, ProductCount>();
  #badLines = 0;

  /**
   * Counts one record.
   *
   * @param record - A host record (schema 1).
   */
  add(record: HostRecord): void {
    this.#summary.add(record);
    const d = record.device;
    if (d?.product) {
      const key = JSON.stringify([d.vendor, d.product, d.model, d.class]);
      const seen = this.#products.get(key);
      this.#products.set(key, {
        vendor: d.vendor,
        product: d.product,
        model: d.model,
        class: d.class,
        hosts: (seen?.hosts ?? 0) + 1,
      });
    }
  }

  /** Counts one input line that was not a record. */
  addBadLine(): void {
    this.#badLines++;
  }

  /** The report as plain data. */
  toJSON(): ReportJson {
    const s = this.#summary.toJSON();
    const identified = s.status.identified;
    const responsive = s.status.identified + s.status.unidentified;
    const share = (n: number, of: number): number => (of === 0 ? 0 : round(n / of));
    const exposure = Object.fromEntries(
      EXPOSURE_PROTOCOLS.map((p) => [p, s.open_ports[p as Protocol] ?? 0]),
    ) as Record<(typeof EXPOSURE_PROTOCOLS)[number], number>;
    const products = [...this.#products.values()]
      .sort(
        (a, b) =>
          b.hosts - a.hosts ||
          productName(a).localeCompare(productName(b), 'en') ||
          a.class.localeCompare(b.class),
      )
      .slice(0, TOP_PRODUCTS);
    return {
      hosts: s.total,
      responsive,
      identified,
      iot: s.iot.true,
      iot_share: share(s.iot.true, s.total),
      iot_share_of_identified: share(s.iot.true, identified),
      nat_gateway_suspected: s.nat_gateway_suspected,
      nat_gateway_share: share(s.nat_gateway_suspected, identified),
      classes: s.classes,
      vendors: s.vendors,
      products,
      exposure,
      status: s.status,
      bad_lines: this.#badLines,
    };
  }
}

/** `Vendor Product Model`, skipping what is unknown. */
export function productName(p: Pick<ProductCount, 'vendor' | 'product' | 'model'>): string {
  return [p.vendor, p.product, p.model].filter((x) => x !== null && x !== '').join(' ');
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/**
 * Vendor hints: evidence about a host's maker that no signature reads, taken from SNMP
 * enterprise numbers (sysObjectID, SNMPv3 engine ID), MAC addresses (engine ID, DDP
 * host id, UPnP serial and UUID, MACs printed in banners) and the maker a UPnP device
 * description names (`upnp.manufacturer`) when no signature knows the model. The verdict fuses them with the
 * signatures' labels (`src/match/verdict.ts`): they reinforce a verdict of the same
 * vendor, break ties, turn into alternatives when they disagree, and name the vendor on
 * their own only at modest confidence.
 */
import type { ServiceInput } from '../match/matcher.js';
import type { SignatureLibrary } from '../signatures/model.js';
import { enterpriseOfOid, vendorOfEnterprise } from './enterprise.js';
import { macOfUuid, macsInText, normalizeMac, vendorOfMac } from './mac.js';
import { vendorOfManufacturer } from './manufacturer.js';

export { enterpriseOfOid, vendorOfEnterprise } from './enterprise.js';
export { macOfUuid, macsInText, normalizeMac, ouiTableInfo, vendorOfMac } from './mac.js';
export { vendorOfManufacturer } from './manufacturer.js';

/** Where a hint came from. */
export const HINT_SOURCES = ['enterprise-number', 'mac-oui', 'upnp-manufacturer'] as const;
/** One of {@link HINT_SOURCES}. */
export type HintSource = (typeof HINT_SOURCES)[number];

/**
 * Pseudo signature ids under which hints appear in a record (`device.signatures`,
 * `services[].matches`): `enrich/…` can never be a real signature id, as no registry
 * vendor is named `enrich`.
 */
export const HINT_SIGNATURE: Readonly<Record<HintSource, string>> = {
  'enterprise-number': 'enrich/enterprise-number',
  'mac-oui': 'enrich/mac-oui',
  'upnp-manufacturer': 'enrich/upnp-manufacturer',
};

/**
 * How far each kind of hint goes. A sysObjectID names the agent's maker (firmware rarely
 * borrows another's subtree); an engine ID's enterprise number is sometimes the SNMP
 * software's (Net-SNMP), which is not a maker and is dropped; a MAC names the interface
 * maker, often an ODM; a UPnP manufacturer is the firmware naming its own brand (an OEM
 * box may carry the brand it is sold under, which is what an analyst labels too).
 * Calibrated so that alone they stay well short of a signature.
 */
export const HINT_WEIGHTS = {
  sysObjectID: 0.5,
  engineEnterprise: 0.45,
  mac: 0.4,
  upnpManufacturer: 0.5,
} as const;

/** One hint about the maker. */
export interface VendorHint {
  /** Registry vendor id. */
  readonly vendor_id: string;
  readonly source: HintSource;
  /** Index of the service (matcher input order) it came from. */
  readonly service: number;
  /** Field it was read from. */
  readonly field: string;
  /** What was read: `enterprise 9`, `MAC 00:11:32:aa:bb:cc`. */
  readonly detail: string;
  /** 0..1, see {@link HINT_WEIGHTS}. */
  readonly weight: number;
  /**
   * Model the same UPnP description names (`upnp.model_name`), for a `upnp-manufacturer`
   * hint: what a verdict resting on the hint alone reports as model (see {@link upnpModel}).
   */
  readonly model?: string;
}

/**
 * A UPnP `modelName` usable as a model: printable, at most 48 characters, holding a digit
 * (real model names do: "DS-2CD2142FWD-I", "RLC-810A"; the ones without are categories
 * such as "IPCamera" or "Network Camera") and not the manufacturer's name again.
 */
export function upnpModel(modelName: string | undefined, maker: string): string | undefined {
  const m = modelName?.trim();
  if (!m || m.length > 48 || !/^[\x20-\x7e]+$/.test(m) || !/[0-9]/.test(m)) return undefined;
  const fold = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return fold(m) === fold(maker) ? undefined : m;
}

/** Fields holding exactly one MAC (however written). */
const MAC_FIELDS = ['snmp.engine_mac', 'ddp.host_id', 'upnp.serial'] as const;
/** Free-text fields a device may print its MAC in (status pages, login banners). */
const TEXT_FIELDS = [
  'telnet.banner',
  'http.title',
  'http.body',
  'http.followup.body',
  'snmp.sysDescr',
  'upnp.friendly_name',
  'upnp.model_number',
] as const;
/** Fields holding a UPnP UUID (a version-1 UUID ends with a MAC). */
const UUID_FIELDS = ['ssdp.usn'] as const;

/**
 * Every vendor hint in a host's services, in service order. Pure; bounded by the field
 * caps (a few MACs per text at most).
 */
export function vendorHints(
  library: SignatureLibrary,
  services: readonly ServiceInput[],
): VendorHint[] {
  const out: VendorHint[] = [];
  const seen = new Set<string>();
  const push = (hint: VendorHint): void => {
    // One hint per vendor, source and service: a MAC repeated on a page is one fact.
    const key = `${hint.vendor_id}\u0000${hint.source}\u0000${hint.service}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(hint);
  };
  const fromMac = (service: number, field: string, mac: string): void => {
    const vendor = vendorOfMac(mac);
    if (!vendor || !library.vendors.has(vendor)) return;
    push({
      vendor_id: vendor,
      source: 'mac-oui',
      service,
      field,
      detail: `MAC ${mac}`,
      weight: HINT_WEIGHTS.mac,
    });
  };
  services.forEach((s, i) => {
    const f = s.fields;
    const oid = f['snmp.sysObjectID'];
    if (oid !== undefined) {
      const n = enterpriseOfOid(oid);
      const vendor = n === null ? null : vendorOfEnterprise(library, n);
      if (vendor)
        push({
          vendor_id: vendor.id,
          source: 'enterprise-number',
          service: i,
          field: 'snmp.sysObjectID',
          detail: `enterprise ${n}`,
          weight: HINT_WEIGHTS.sysObjectID,
        });
    }
    const engine = f['snmp.engine_enterprise'];
    if (engine !== undefined && /^\d{1,10}$/.test(engine)) {
      const vendor = vendorOfEnterprise(library, Number(engine));
      if (vendor)
        push({
          vendor_id: vendor.id,
          source: 'enterprise-number',
          service: i,
          field: 'snmp.engine_enterprise',
          detail: `enterprise ${engine}`,
          weight: HINT_WEIGHTS.engineEnterprise,
        });
    }
    const maker = f['upnp.manufacturer'];
    if (maker !== undefined) {
      const vendor = vendorOfManufacturer(library, maker.trim());
      const model = upnpModel(f['upnp.model_name'], maker.trim());
      if (vendor)
        push({
          vendor_id: vendor.id,
          source: 'upnp-manufacturer',
          service: i,
          field: 'upnp.manufacturer',
          detail: `manufacturer ${maker.trim()}`,
          weight: HINT_WEIGHTS.upnpManufacturer,
          ...(model === undefined ? {} : { model }),
        });
    }
    for (const field of MAC_FIELDS) {
      const v = f[field];
      const mac = v === undefined ? null : normalizeMac(v);
      if (mac) fromMac(i, field, mac);
    }
    for (const field of UUID_FIELDS) {
      const v = f[field];
      const mac = v === undefined ? null : macOfUuid(v);
      if (mac) fromMac(i, field, mac);
    }
    for (const field of TEXT_FIELDS) {
      const v = f[field];
      if (v !== undefined) for (const mac of macsInText(v)) fromMac(i, field, mac);
    }
  });
  return out;
}

/**
 * SNMP enterprise numbers → registry vendors. An IANA private enterprise number appears in
 * a sysObjectID (`1.3.6.1.4.1.<n>.…`) and in an SNMPv3 engine ID; the registry
 * (`signatures/_taxonomy/vendors.yaml`, `enterprise: [n]`) says whose it is.
 */
import type { SignatureLibrary, Vendor } from '../signatures/model.js';

/** `1.3.6.1.4.1` (iso.org.dod.internet.private.enterprises). */
const ENTERPRISES_PREFIX = '1.3.6.1.4.1.';

/** The enterprise number of an OID under `1.3.6.1.4.1`, or null. A leading dot is allowed. */
export function enterpriseOfOid(oid: string): number | null {
  const s = oid.trim().replace(/^\./, '');
  if (!s.startsWith(ENTERPRISES_PREFIX)) return null;
  const arc = s.slice(ENTERPRISES_PREFIX.length).split('.')[0] ?? '';
  if (!/^\d{1,10}$/.test(arc)) return null;
  const n = Number(arc);
  return n > 0 && n <= 0xffffffff ? n : null;
}

const byNumber = new WeakMap<SignatureLibrary, Map<number, Vendor>>();

/** The registry vendor owning an enterprise number, or null. */
export function vendorOfEnterprise(library: SignatureLibrary, n: number): Vendor | null {
  let map = byNumber.get(library);
  if (!map) {
    map = new Map();
    for (const v of library.vendors.values()) for (const e of v.enterprise) map.set(e, v);
    byNumber.set(library, map);
  }
  return map.get(n) ?? null;
}

/**
 * UPnP `<manufacturer>` → registry vendor. A device description names its maker as the
 * firmware spells it ("Western Digital Corporation", "ASUSTOR Inc.", "ZyXEL"); the
 * registry (`signatures/_taxonomy/vendors.yaml`, `name` and `aliases`) lists those
 * spellings. A name matches when it folds (lower-case, alphanumerics only) to a registry
 * spelling, either whole or once trailing company-form words ("Inc.", "Co., Ltd.",
 * "Corporation") are dropped: never by a substring, so "LG" cannot match "Belgacom".
 */
import { foldName } from '../signatures/loader.js';
import type { SignatureLibrary, Vendor } from '../signatures/model.js';

/** Words that only say what kind of company it is. */
const COMPANY_WORDS: ReadonlySet<string> = new Set([
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'ltd',
  'limited',
  'llc',
  'gmbh',
  'ag',
  'ab',
  'sa',
  'sas',
  'bv',
  'nv',
  'plc',
  'technologies',
  'technology',
  'electronics',
  'international',
  'group',
]);

/** Longer text is not a manufacturer name: not looked up. */
const MAX_NAME = 128;

const bySpelling = new WeakMap<SignatureLibrary, Map<string, Vendor>>();

function spellings(library: SignatureLibrary): Map<string, Vendor> {
  let map = bySpelling.get(library);
  if (!map) {
    map = new Map();
    for (const v of library.vendors.values())
      for (const s of [v.name, ...v.aliases]) {
        const key = foldName(s);
        if (key.length > 0 && !map.has(key)) map.set(key, v);
      }
    bySpelling.set(library, map);
  }
  return map;
}

/** The registry vendor a UPnP manufacturer names, or null. */
export function vendorOfManufacturer(library: SignatureLibrary, text: string): Vendor | null {
  if (text.length === 0 || text.length > MAX_NAME) return null;
  const map = spellings(library);
  const whole = map.get(foldName(text));
  if (whole) return whole;
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  while (words.length > 1 && COMPANY_WORDS.has(words[words.length - 1] ?? '')) words.pop();
  return map.get(words.join('')) ?? null;
}

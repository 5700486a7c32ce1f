#!/usr/bin/env node
/**
 * Builds src/enrich/oui-table.json: MAC OUI (MA-L, 24-bit) → vendor id, for the OUIs whose
 * IEEE organisation name is one of our registry vendors (its name or an alias, compared
 * after folding). Restricting the table to registry vendors keeps it small enough to
 * commit, so neither the build nor a user needs the ieee-data package.
 *
 * Source: Debian's `ieee-data` package (`apt-get install ieee-data`), which mirrors the
 * IEEE public listing: /usr/share/ieee-data/oui.csv (Registry,Assignment,Organization
 * Name,Organization Address). Only the facts (prefix, organisation) are used.
 *
 * Usage: node scripts/build-oui.mjs [--csv PATH] [--out PATH]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const csvPath = opt('--csv', '/usr/share/ieee-data/oui.csv');
const outPath = opt('--out', path.join(root, 'src', 'enrich', 'oui-table.json'));

/** Corporate-form words that say nothing about who the maker is. */
const SUFFIXES = new Set(
  'inc incorporated ltd limited co corp corporation company llc lp gmbh ag kg mbh sa sas sarl bv nv ab oy as asa spa srl pty plc kk sl se'.split(
    ' ',
  ),
);

/** Lower-case words, punctuation dropped, corporate-form words removed at the end. */
function words(name) {
  const list = name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  while (list.length > 1 && SUFFIXES.has(list[list.length - 1])) list.pop();
  return list;
}

/** One CSV record; the file quotes fields that hold commas. */
function csvFields(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const sigRoot = path.join(root, 'signatures');
const vendors = parse(readFileSync(path.join(sigRoot, '_taxonomy', 'vendors.yaml'), 'utf8'));

/** Vendors named by a device signature: hardware makers (others are software projects). */
function deviceVendors() {
  const out = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('_') || e.name === 'software') continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.yaml')) {
        const doc = parse(readFileSync(full, 'utf8'));
        if (typeof doc?.device?.vendor === 'string') out.add(doc.device.vendor);
      }
    }
  };
  walk(sigRoot);
  return out;
}
const makers = deviceVendors();

/**
 * Spellings: folded word list → vendor id. Any spelling may match a whole organisation
 * name exactly. As a prefix ("Huawei" of "Huawei Device Co., Ltd."), a spelling of several
 * words may match, and one word only when it has 5+ letters and names a hardware maker
 * (a registry entry with classes or an enterprise number, or a device signature's vendor):
 * "Apache" or "Digi" as a prefix would catch unrelated organisations.
 */
const exact = new Map();
const prefixes = [];
for (const v of vendors) {
  const maker = makers.has(v.id) || (v.classes ?? []).length > 0 || (v.enterprise ?? []).length > 0;
  for (const spelled of [v.name, ...(v.aliases ?? [])]) {
    const w = words(String(spelled));
    if (w.length === 0) continue;
    const key = w.join(' ');
    if (!exact.has(key)) exact.set(key, v.id);
    if (w.length >= 2 || (maker && key.length >= 5)) prefixes.push({ w, id: v.id });
  }
}
// Longest spelling first, so "Cisco-Linksys" wins over "Cisco".
prefixes.sort((a, b) => b.w.length - a.w.length);

/**
 * Organisations that share a name, or its first word, with a registry vendor but are other
 * companies (found by reading the table this script produced). Checked before matching.
 */
const HOMONYMS = [
  /^melita international/i,
  /^octagon systems/i,
  /^watchguard video/i,
  /^tandberg (data|storage)/i,
  /^lucent trans/i,
  /^sentry\b/i,
  /^zebra information/i,
  /^apache micro/i,
  /^digi[- ](data|i'?s)\b/i,
];

function vendorOf(org) {
  if (HOMONYMS.some((re) => re.test(org.replace(/^"/, '')))) return null;
  const w = words(org);
  const key = w.join(' ');
  const hit = exact.get(key);
  if (hit) return hit;
  for (const p of prefixes) {
    if (p.w.length <= w.length && p.w.every((x, i) => x === w[i])) return p.id;
  }
  return null;
}

const byVendor = new Map();
let total = 0;
const lines = readFileSync(csvPath, 'utf8').split(/\r?\n/);
for (const line of lines.slice(1)) {
  if (line.trim() === '') continue;
  const [registry, assignment, org] = csvFields(line);
  if (registry !== 'MA-L' || !/^[0-9A-Fa-f]{6}$/.test(assignment ?? '')) continue;
  total++;
  const id = vendorOf(org ?? '');
  if (!id) continue;
  const list = byVendor.get(id) ?? [];
  list.push(assignment.toLowerCase());
  byVendor.set(id, list);
}
const sorted = {};
let kept = 0;
for (const id of [...byVendor.keys()].sort()) {
  const list = [...new Set(byVendor.get(id))].sort();
  kept += list.length;
  sorted[id] = list.join(' ');
}
let updated = null;
try {
  updated = readFileSync(path.join(path.dirname(csvPath), '.lastupdate'), 'utf8').trim();
} catch {
  // Not a Debian ieee-data folder: no date to record.
}
const table = {
  source: 'IEEE MA-L listing via Debian ieee-data (oui.csv), restricted to registry vendors',
  source_updated: updated,
  ouis: kept,
  vendors: sorted,
};
writeFileSync(outPath, `${JSON.stringify(table, null, 1)}\n`);
process.stderr.write(
  `build-oui: ${kept} of ${total} MA-L assignments belong to ${byVendor.size} registry vendors → ${path.relative(process.cwd(), outPath)}\n`,
);

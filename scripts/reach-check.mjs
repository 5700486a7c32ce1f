#!/usr/bin/env node
/**
 * Does the matcher's reach bound (a gated regex reads a value only up to its literals'
 * ninth occurrence and 512 characters past the last one before it, `LiteralSet.reach`)
 * change any match on real text? For every HTML and text file under the given folders
 * (default: /usr/share/doc, /usr/share and node_modules: vendor documentation, default pages
 * and README files written by people, not by us), read as the HTTP probe keeps a body
 * (latin1, first 16 KiB), and for every field that holds long text, every regex item whose
 * literal occurs is evaluated twice: on the whole value and as far as the bound lets it
 * read. Prints how many evaluations the bound shortened and every one whose result
 * differs (there should be none).
 *
 * Usage: npm run build && node scripts/reach-check.mjs [FOLDER …]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadSignatures } = await import(path.join(root, 'dist/src/signatures/loader.js'));
const { LITERAL_OCCURRENCES, TAIL_WINDOW } = await import(
  path.join(root, 'dist/src/match/prefilter.js')
);

const folders = process.argv.slice(2);
const roots = folders.length > 0 ? folders : ['/usr/share/doc', '/usr/share', path.join(root, 'node_modules')];
const files = new Set();
for (const dir of roots) {
  const out = execFileSync(
    'find',
    [dir, '-type', 'f', '(', '-name', '*.html', '-o', '-name', '*.htm', '-o', '-name', '*.txt', '-o', '-name', 'README*', ')', '-size', '+1k'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 },
  );
  for (const f of out.split('\n')) if (f !== '') files.add(f);
}
const values = [];
for (const f of files) {
  try {
    values.push(readFileSync(f).subarray(0, 16384).toString('latin1'));
  } catch {
    // unreadable: skip
  }
}

const library = loadSignatures();
/** Fields whose values run long: a page body, a banner, a description, a greeting. */
const LONG = /(?:body|banner|sysDescr|greeting|headers|ehlo)$/;
let evaluations = 0;
let shortened = 0;
let differ = 0;
let matched = 0;
for (const [field, index] of library.byField) {
  if (!LONG.test(field)) continue;
  const set = index.literals;
  const found = new Int32Array(set.size);
  const gates = new Map();
  index.gated.forEach((refs, id) => {
    for (const r of refs) {
      const item = library.signatures[r.sig].evidence[r.item];
      if (item.kind !== 'regex') continue;
      const key = `${library.signatures[r.sig].id}#${item.id}`;
      const entry = gates.get(key) ?? { item, ids: [] };
      entry.ids.push(id);
      gates.set(key, entry);
    }
  });
  for (const value of values) {
    const present = new Set(found.subarray(0, set.scanInto(value, found)));
    for (const [key, { item, ids }] of gates) {
      if (!ids.some((id) => present.has(id))) continue;
      evaluations++;
      const reach = set.reach(Int32Array.from(ids));
      if (reach >= value.length) continue;
      shortened++;
      const result = item.test(value);
      if (result !== null) matched++;
      const whole = JSON.stringify(result);
      const bounded = JSON.stringify(item.test(value.slice(0, reach)));
      if (whole !== bounded) {
        differ++;
        console.log(`differs: ${key} on ${field}: ${whole} whole, ${bounded} bounded`);
      }
    }
  }
}
console.log(
  `reach bound (${LITERAL_OCCURRENCES} occurrences, ${TAIL_WINDOW} characters): ${values.length} documents, ` +
    `${evaluations} gated regex evaluations, ${shortened} shortened by the bound (${matched} of them matching on the whole value), ${differ} with another result`,
);

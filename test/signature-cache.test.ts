/**
 * The compiled-library cache (src/signatures/cache.ts): a hit gives the same library as a
 * full load, any change to the files is a miss, and a broken or unwritable cache never
 * breaks loading.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { identifyServices } from '../src/match/identify.js';
import { defaultSignaturesDir } from '../src/paths.js';
import { libraryKey } from '../src/signatures/cache.js';
import { loadSignatures } from '../src/signatures/loader.js';
import type { SignatureLibrary } from '../src/signatures/model.js';

const work = mkdtempSync(path.join(tmpdir(), 'thingscan-cache-'));
const cache = path.join(work, 'cache');
const lib = path.join(work, 'signatures');
cpSync(defaultSignaturesDir(), lib, { recursive: true });
const saved = process.env['THINGSCAN_CACHE_DIR'];
process.env['THINGSCAN_CACHE_DIR'] = cache;

after(() => {
  if (saved === undefined) delete process.env['THINGSCAN_CACHE_DIR'];
  else process.env['THINGSCAN_CACHE_DIR'] = saved;
  rmSync(work, { recursive: true, force: true });
});

/** Every example of the library, identified: what a library does, as comparable data. */
function verdicts(library: SignatureLibrary): string[] {
  return library.signatures.flatMap((sig) =>
    sig.examples.map((ex) => {
      const services = Object.entries(groupByProtocol(ex.fields)).map(([protocol, fields]) => ({
        port: 1,
        transport: 'tcp' as const,
        protocol: protocol as never,
        fields,
      }));
      const v = identifyServices(library, services);
      return `${sig.id}:${ex.line} ${JSON.stringify(v.device)} ${JSON.stringify(v.services)}`;
    }),
  );
}

function groupByProtocol(
  fields: Readonly<Record<string, string>>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [k, v] of Object.entries(fields)) {
    const protocol = k.split('.')[0] ?? 'unknown';
    out[protocol] ??= {};
    (out[protocol] as Record<string, string>)[k] = v;
  }
  return out;
}

const cacheFiles = (): string[] => readdirSync(cache).filter((f) => f.endsWith('.json'));

test('cache: a hit gives the same signatures and the same verdicts as a full load', () => {
  const full = loadSignatures({ dir: lib, cache: false });
  const first = loadSignatures({ dir: lib });
  assert.equal(cacheFiles().length, 1, 'the first load writes the cache');
  const hit = loadSignatures({ dir: lib });
  for (const l of [first, hit]) {
    assert.equal(l.version, full.version);
    assert.equal(l.signatures.length, full.signatures.length);
    assert.deepEqual([...l.vendors.keys()], [...full.vendors.keys()]);
    assert.deepEqual([...l.byField.keys()].sort(), [...full.byField.keys()].sort());
  }
  const strip = (l: SignatureLibrary): unknown =>
    JSON.parse(JSON.stringify(l.signatures, (k, v) => (k === 'test' ? undefined : v)));
  assert.deepEqual(strip(hit), strip(full));
  assert.deepEqual(verdicts(hit), verdicts(full));
});

test('cache: editing, adding or removing a file is a miss', () => {
  const before = libraryKey(lib);
  const file = path.join(lib, 'VERSION');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, `${text.trim()}-edited\n`);
  assert.notEqual(libraryKey(lib), before);
  assert.equal(loadSignatures({ dir: lib }).version, `${text.trim()}-edited`);
  writeFileSync(file, text);
  assert.equal(libraryKey(lib), before);
  const extra = path.join(lib, '_corpus', 'extra.yaml');
  writeFileSync(extra, '[]\n');
  assert.notEqual(libraryKey(lib), before);
  rmSync(extra);
  assert.equal(libraryKey(lib), before);
  // The same files under another folder are another library (records carry paths).
  const other = path.join(work, 'other');
  cpSync(lib, other, { recursive: true });
  assert.notEqual(libraryKey(other), before);
});

test('cache: a broken signature is still reported with its file and line', () => {
  loadSignatures({ dir: lib });
  const dir = path.join(lib, 'router', 'arris');
  const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.yaml')) as string);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, `${text}\nnot: [valid\n`);
  try {
    assert.throws(
      () => loadSignatures({ dir: lib }),
      (e: Error) => e.message.includes(path.basename(file)) && /:\d+:\d+/.test(e.message),
    );
  } finally {
    writeFileSync(file, text);
  }
});

test('cache: a corrupt cache file or an unwritable folder never breaks loading', () => {
  const good = loadSignatures({ dir: lib, cache: false }).signatures.length;
  loadSignatures({ dir: lib });
  for (const f of cacheFiles()) writeFileSync(path.join(cache, f), '{"format":1,"key":');
  assert.equal(loadSignatures({ dir: lib }).signatures.length, good);
  rmSync(cache, { recursive: true, force: true });
  writeFileSync(cache, 'a file where the folder should be');
  try {
    assert.equal(loadSignatures({ dir: lib }).signatures.length, good);
  } finally {
    rmSync(cache, { force: true });
  }
  if (process.getuid?.() !== 0) {
    // Root ignores permissions; elsewhere a read-only folder must not matter either.
    loadSignatures({ dir: lib });
    chmodSync(cache, 0o500);
    try {
      assert.equal(loadSignatures({ dir: lib }).signatures.length, good);
    } finally {
      chmodSync(cache, 0o700);
    }
  }
});

/**
 * Compiled-library cache: parsing 300+ YAML files costs about a second at every start
 * (each CLI run, each scan thread, each test). The loader's result is plain data except
 * for the compiled matchers, so it is kept as JSON, keyed by a SHA-256 over everything
 * the result depends on: every file of the signature folder (path and bytes) and the code
 * that turns them into a library. Any change to either is a miss, and a miss is a full,
 * checked load (with FILE:LINE errors) that then refreshes the cache.
 *
 * Where: `$THINGSCAN_CACHE_DIR`, else `$XDG_CACHE_HOME/thingscan`, else
 * `~/.cache/thingscan`; `THINGSCAN_CACHE_DIR=off` (or `LoadOptions.cache: false`) turns it
 * off. A cache that cannot be read or written is ignored: the library loads as without it.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledEvidence, CompiledSignature, Vendor } from './model.js';

/** Bumped when the cached shape changes in a way the code hash would not show. */
const CACHE_FORMAT = 1;

/** Code whose output the cache holds (siblings of this module in `dist/`). */
const CODE_FILES = ['loader.js', 'fields.js', 'model.js', 'regex-check.js', 'cache.js'];

/** A library as stored: evidence without its compiled `test`. */
export interface CachedLibrary {
  readonly format: number;
  readonly key: string;
  readonly version: string;
  readonly signatures: ReadonlyArray<
    Omit<CompiledSignature, 'evidence'> & {
      readonly evidence: ReadonlyArray<Omit<CompiledEvidence, 'test'>>;
    }
  >;
  readonly vendors: readonly Vendor[];
}

/** The cache folder, or null when caching is off. */
export function cacheDir(enabled = true): string | null {
  if (!enabled) return null;
  const env = process.env['THINGSCAN_CACHE_DIR'];
  if (env === 'off' || env === '0') return null;
  if (env) return env;
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg) return path.join(xdg, 'thingscan');
  return path.join(os.homedir(), '.cache', 'thingscan');
}

/** SHA-256 over the signature folder's files and the loader's code. */
export function libraryKey(root: string): string {
  const hash = createHash('sha256');
  hash.update(`thingscan-signature-cache ${CACHE_FORMAT}\n`);
  // The library records file paths: the same files elsewhere are another library.
  hash.update(`root ${root}\n`);
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const name of CODE_FILES) {
    hash.update(`code ${name}\n`);
    try {
      hash.update(readFileSync(path.join(here, name)));
    } catch {
      hash.update('missing');
    }
  }
  const walk = (dir: string, rel: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const relName = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(full, relName);
      else if (entry.isFile()) {
        const bytes = readFileSync(full);
        hash.update(`file ${relName} ${bytes.length}\n`);
        hash.update(bytes);
      }
    }
  };
  walk(root, '');
  return hash.digest('hex');
}

function cacheFile(dir: string, key: string): string {
  return path.join(dir, `signatures-${key.slice(0, 32)}.json`);
}

/** The cached library for `key`, or null (absent, unreadable, or for another key). */
export function readCache(dir: string, key: string): CachedLibrary | null {
  try {
    const cached = JSON.parse(readFileSync(cacheFile(dir, key), 'utf8')) as CachedLibrary;
    return cached.format === CACHE_FORMAT && cached.key === key ? cached : null;
  } catch {
    return null;
  }
}

/** Most cache files kept: older ones (other library versions) are removed on write. */
const KEEP = 8;

/** Stores a library (atomically: a reader never sees half a file). Never throws. */
export function writeCache(
  dir: string,
  key: string,
  library: Omit<CachedLibrary, 'format' | 'key'>,
): void {
  try {
    mkdirSync(dir, { recursive: true });
    const data: CachedLibrary = {
      format: CACHE_FORMAT,
      key,
      version: library.version,
      vendors: library.vendors,
      signatures: library.signatures.map((s) => ({
        ...s,
        evidence: s.evidence.map(({ test: _test, ...rest }: Partial<CompiledEvidence>) => rest),
      })) as CachedLibrary['signatures'],
    };
    const file = cacheFile(dir, key);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, JSON.stringify(data));
    renameSync(temp, file);
    prune(dir, file);
  } catch {
    // Read-only home, full disk: the next start loads from YAML again, that is all.
  }
}

function prune(dir: string, keep: string): void {
  const files = readdirSync(dir)
    .filter((f) => /^signatures-[0-9a-f]{32}\.json$/.test(f))
    .map((f) => path.join(dir, f))
    .filter((f) => f !== keep)
    .map((f) => ({ f, t: statSync(f).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(KEEP - 1)) rmSync(f, { force: true });
}

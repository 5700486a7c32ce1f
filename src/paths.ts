/**
 * Where the package's own files live, whether run from `dist/` in a checkout or from an
 * installed package.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** Absolute path of the folder holding thingscan's package.json. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown };
        if (pkg.name === 'thingscan') {
          cached = dir;
          return dir;
        }
      } catch {
        // Not ours or unreadable: keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('thingscan package root not found');
    dir = parent;
  }
}

/** Default signature library folder. */
export function defaultSignaturesDir(): string {
  return path.join(packageRoot(), 'signatures');
}

/** thingscan's own version from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

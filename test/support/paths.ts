/** Paths of the checkout for tests (tests run from dist/test/). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** test/fixtures in the source tree (YAML and text fixtures are not compiled). */
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
/** The compiled CLI. */
export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
/** The installed command (`bin` in package.json): a shell launcher that execs the CLI. */
export const BIN = path.join(ROOT, 'bin', 'thingscan');

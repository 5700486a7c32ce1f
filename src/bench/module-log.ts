/**
 * Records every module a process loads, for the start-up bench and the test that guards
 * which modules a command pulls in. Preload it:
 *
 *   THINGSCAN_MODULE_LOG=/tmp/loaded.txt node --import ./dist/src/bench/module-log.js dist/src/cli.js …
 *
 * One URL per line is appended to the file: ES modules as the loader loads them (a hook
 * on the loader thread, `module-log-hooks.ts`), and, when the process exits, every
 * CommonJS file in the `require` cache (a CommonJS package's own `require`s never reach
 * the ES loader's hooks). Without `THINGSCAN_MODULE_LOG` it does nothing.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env['THINGSCAN_MODULE_LOG'];
if (file) {
  register('./module-log-hooks.js', import.meta.url, { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const urls = Object.keys(cache).map((f) => pathToFileURL(f).href);
    if (urls.length > 0) appendFileSync(file, `${urls.join('\n')}\n`);
  });
}

/**
 * Loader hooks of `module-log.ts` (they run on the ES loader's own thread): append each
 * loaded module's URL to the log file. The main thread waits for each hook call, so every
 * line is written before the module it names runs.
 */
import { appendFileSync } from 'node:fs';
import type { LoadHook } from 'node:module';

let file: string | undefined;

/** Receives the log file from `register(…, { data })`. */
export function initialize(data: { readonly file: string }): void {
  file = data.file;
}

/** Logs the URL, then loads as usual. */
export const load: LoadHook = (url, context, nextLoad) => {
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
};

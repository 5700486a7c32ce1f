/**
 * `thingscan extract`: mail files, mbox, Maildir folders and MTA logs in; one line per
 * originating address out (a target list by default, so it pipes into `scan -i -`).
 *
 * The implementation: `extract.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { ThingscanError } from '../errors.js';
import { type ExtractFormat, formatOrigins } from '../extract/format.js';
import { extractOrigins, trustedRelays } from '../extract/index.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { EXIT, stderr, writeChunk } from './common.js';

/** Parsed `extract` arguments. */
export interface ExtractArgs {
  files: string[];
  trusted?: string | string[] | undefined;
  'default-trusted': boolean;
  format: ExtractFormat;
  output?: string | undefined;
  'log-year'?: number | undefined;
  json: boolean;
  quiet: boolean;
}

export async function runExtract(argv: ExtractArgs): Promise<number> {
  // yargs hands a lone `-` positional over as an empty string.
  const inputs = argv.files.length > 0 ? argv.files.map((f) => (f === '' ? '-' : f)) : ['-'];
  // Repeated options arrive as an array; a single one as a string.
  const extra = argv.trusted === undefined ? [] : [argv.trusted].flat();
  const trusted = trustedRelays(extra, argv['default-trusted']);
  const year = argv['log-year'];
  if (year !== undefined && !(Number.isInteger(year) && year >= 1970 && year <= 9999)) {
    throw new ThingscanError('E_USAGE', `--log-year must be a year, got ${year}`);
  }
  const result = await extractOrigins(inputs, {
    trusted,
    ...(year === undefined ? {} : { logYear: year }),
    onError: (where, message) =>
      stderr(`thingscan extract: cannot read ${sanitizeForTerminal(where)}: ${message}`),
  });
  const text = formatOrigins(result.origins, argv.format);
  if (argv.output && argv.output !== '-') {
    const file = createWriteStream(argv.output);
    file.end(text);
    await once(file, 'finish');
  } else {
    await writeChunk(process.stdout, text);
  }
  const s = result.stats;
  if (argv.json) {
    stderr(JSON.stringify({ ...s, origins: result.origins.length }));
  } else if (!argv.quiet) {
    stderr(
      `extract: ${s.messages} messages from ${s.files} files: ${result.origins.length} originating addresses; ${s.internal} internal, ${s.unparsed} unreadable chains${s.errors > 0 ? `, ${s.errors} files unreadable` : ''}`,
    );
  }
  return s.errors > 0 ? EXIT.failure : EXIT.ok;
}

/**
 * `thingscan extract`: mail files, mbox, Maildir folders and MTA logs in; one line per
 * originating address out (a target list by default, so it pipes into `scan -i -`).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { EXTRACT_FORMATS, type ExtractFormat, formatOrigins } from '../extract/format.js';
import { extractOrigins, trustedRelays } from '../extract/index.js';
import { sanitizeForTerminal, ThingscanError } from '../index.js';
import { type CommandRegistrar, EXIT, stderr, writeChunk } from './common.js';

/** Parsed `extract` arguments. */
interface ExtractArgs {
  files: string[];
  trusted?: string | string[] | undefined;
  'default-trusted': boolean;
  format: ExtractFormat;
  output?: string | undefined;
  'log-year'?: number | undefined;
  json: boolean;
  quiet: boolean;
}

async function runExtract(argv: ExtractArgs): Promise<number> {
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

/** Registers `extract`. */
export const registerExtract: CommandRegistrar = (parser, done) =>
  parser.command(
    'extract [files..]',
    'find the originating IPs of mail (.eml, mbox, Maildir, Postfix/Exim/Sendmail logs)',
    (y) =>
      y
        .positional('files', {
          type: 'string',
          array: true,
          default: [],
          describe: 'files or folders (- or nothing for stdin)',
        })
        .option('trusted', {
          // Not `array`: an array option would swallow the file arguments that follow it.
          type: 'string',
          describe:
            'your own relays (CIDR, repeatable): hops from them are believed; added to the defaults',
        })
        .option('default-trusted', {
          type: 'boolean',
          default: true,
          describe:
            'trust private, loopback and link-local relays (--no-default-trusted: only --trusted)',
        })
        .option('format', {
          type: 'string',
          choices: EXTRACT_FORMATS,
          default: 'list' as ExtractFormat,
          describe: 'list: targets with # comments (pipe into scan -i -); csv; json (NDJSON)',
        })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'write to FILE instead of stdout (- for stdout)',
        })
        .option('log-year', {
          type: 'number',
          describe: 'year of classic syslog time stamps, which carry none (default: this year)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'summary on stderr as one JSON line',
        })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no summary' })
        .example('$0 extract ~/Maildir/.Junk | $0 scan -i -', 'scan the senders of a spam folder')
        .example(
          '$0 extract --trusted 203.0.113.0/28 --format csv /var/log/mail.log',
          'origins from a Postfix log, your MX range trusted',
        ),
    async (argv) => done(await runExtract(argv as unknown as ExtractArgs)),
  );

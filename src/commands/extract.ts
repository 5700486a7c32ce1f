/**
 * `thingscan extract`: mail files, mbox, Maildir folders and MTA logs in; one line per
 * originating address out (a target list by default, so it pipes into `scan -i -`).
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `extract-run.ts`, imported by the handler.
 */
import { EXTRACT_FORMATS, type ExtractFormat } from '../extract/format.js';
import type { CommandRegistrar } from './common.js';
import type { ExtractArgs } from './extract-run.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./extract-run.js');

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
    async (argv) => done(await (await run()).runExtract(argv as unknown as ExtractArgs)),
  );

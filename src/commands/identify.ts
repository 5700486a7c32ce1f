/**
 * `thingscan identify`: offline labels, no network. Either a banner read from stdin
 * (`--protocol ssh <<< 'SSH-2.0-dropbear_2019.78'`) or saved host records re-identified
 * with the current library (`--record out.ndjson`: one line per record, old and new labels).
 * `--explain` says, per label, which evidence fired on which port and field: the same
 * explanation as `scan --explain` (`src/match/explain.ts`), as text on stderr and as JSON
 * (`explain`) on stdout.
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `identify-run.ts`, imported by the handler.
 */
import { BANNER_FIELD } from '../signatures/scaffold.js';
import type { CommandRegistrar } from './common.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./identify-run.js');

/** Registers `identify`. */
export const registerIdentify: CommandRegistrar = (parser, done) =>
  parser.command(
    'identify',
    'label a banner read from stdin, or re-label saved host records, offline',
    (y) =>
      y
        .option('protocol', {
          type: 'string',
          choices: Object.keys(BANNER_FIELD),
          default: 'telnet',
        })
        .option('field', {
          type: 'string',
          describe: 'probe field the banner is (default per protocol)',
        })
        .option('record', {
          type: 'string',
          describe: 'NDJSON host records to re-identify with the current library',
        })
        .option('signatures', { type: 'string' })
        .option('explain', {
          type: 'boolean',
          default: false,
          describe:
            'per label, the evidence that fired, as scan --explain prints it (JSON "explain" on stdout, text on stderr)',
        })
        .example(
          "$0 identify --protocol ssh <<< 'SSH-2.0-dropbear_2019.78'",
          'name the software and device class',
        )
        .example('$0 identify --record out.ndjson', 'old and new labels of each saved host'),
    async (argv) => done(await (await run()).runIdentify(argv)),
  );

/**
 * `thingscan report`: saved NDJSON results in, the field report out — text on stderr-free
 * stdout, `--json` for machines, `--html FILE` for a self-contained page.
 *
 * Options and help only (light to import: the CLI loads every command's definition);
 * the work is in `report-run.ts`, imported by the handler.
 */
import { DEFAULT_MAX_ROWS } from '../report/defaults.js';
import type { CommandRegistrar } from './common.js';
import type { ReportArgs } from './report-run.js';

/** The implementation, imported only when the command runs. */
const run = () => import('./report-run.js');

/** Registers `report`. */
export const registerReport: CommandRegistrar = (parser, done) =>
  parser.command(
    'report <results>',
    'summarise saved results (NDJSON): shares, classes, vendors, products, exposure',
    (y) =>
      y
        .positional('results', {
          type: 'string',
          demandOption: true,
          describe: 'NDJSON file written by scan -o (- for stdin)',
        })
        .option('html', {
          type: 'string',
          describe: 'also write a self-contained HTML page to FILE (- for stdout)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'the summary as one JSON line',
        })
        .option('title', { type: 'string', describe: 'title of the HTML page' })
        .option('max-rows', {
          type: 'number',
          default: DEFAULT_MAX_ROWS,
          describe: 'hosts listed in the HTML table (the counts always cover every host)',
        })
        .option('quiet', {
          alias: 'q',
          type: 'boolean',
          default: false,
          describe: 'no text summary',
        })
        .example('$0 report out.ndjson --html report.html', 'terminal summary and an HTML page'),
    async (argv) => done(await (await run()).runReport(argv as unknown as ReportArgs)),
  );

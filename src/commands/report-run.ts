/**
 * `thingscan report`: saved NDJSON results in, the field report out — text on stderr-free
 * stdout, `--json` for machines, `--html FILE` for a self-contained page.
 *
 * The implementation: `report.ts` declares the options and imports this module only when
 * the command runs. Imports narrow modules, not the public index (see `src/cli.ts`).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { ThingscanError } from '../errors.js';
import { sanitizeForTerminal } from '../output/sanitize.js';
import { formatReportText, Report, readRecords, renderHtml } from '../report/index.js';
import type { HostRecord } from '../types.js';
import { EXIT, stderr, writeChunk } from './common.js';

export interface ReportArgs {
  results: string;
  html?: string | undefined;
  json: boolean;
  title?: string | undefined;
  'max-rows': number;
  quiet: boolean;
}

export async function runReport(argv: ReportArgs): Promise<number> {
  const maxRows = argv['max-rows'];
  if (!(Number.isInteger(maxRows) && maxRows >= 0)) {
    throw new ThingscanError('E_USAGE', `--max-rows must be a whole number, got ${maxRows}`);
  }
  // yargs hands a lone `-` positional over as an empty string.
  const results = argv.results === '' ? '-' : argv.results;
  const report = new Report();
  const rows: HostRecord[] = [];
  for await (const record of readRecords(results, (bad) => {
    report.addBadLine();
    if (!argv.quiet) stderr(`${sanitizeForTerminal(results)}:${bad.line}: ${bad.reason}`);
  })) {
    report.add(record);
    // Only the rows the page will show are kept: memory stays flat for a big scan.
    if (argv.html && rows.length < maxRows) rows.push(record);
  }
  const data = report.toJSON();
  if (argv.html) {
    const page = renderHtml(data, rows, {
      maxRows,
      ...(argv.title === undefined ? {} : { title: argv.title }),
    });
    if (argv.html === '-') {
      await writeChunk(process.stdout, page);
    } else {
      const path = argv.html;
      const file = createWriteStream(path);
      file.on('error', () => undefined);
      file.end(page);
      try {
        await once(file, 'finish');
      } catch (e) {
        throw new ThingscanError('E_IO', `cannot write ${path}: ${(e as Error).message}`);
      }
      if (!argv.quiet) stderr(`report: wrote ${sanitizeForTerminal(path)}`);
    }
  }
  if (argv.html === '-') {
    // stdout carries the page; the summary goes to stderr so the page stays clean.
    if (!argv.quiet)
      process.stderr.write(argv.json ? `${JSON.stringify(data)}\n` : formatReportText(data));
  } else if (argv.json) {
    await writeChunk(process.stdout, `${JSON.stringify(data)}\n`);
  } else if (!argv.quiet) {
    const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
    await writeChunk(process.stdout, formatReportText(data, { color }));
  }
  return data.bad_lines > 0 ? EXIT.badTargets : EXIT.ok;
}

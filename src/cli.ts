#!/usr/bin/env node
/**
 * The command line. Each command registers itself here with one line: its name, options
 * and help live in `src/commands/<name>.ts`, which stays light to import; what it does lives
 * in `src/commands/<name>-run.ts`, imported by the handler only when that command runs, and
 * importing the narrow modules it uses rather than the public index (`src/index.ts`), so
 * `thingscan identify` in a shell loop does not load the scanner, the lab or the fleet
 * (test/startup.test.ts guards this; `npm run bench -- startup` measures it).
 * stdout is data, stderr is talk. Ends with `process.exitCode`, never `process.exit()`,
 * so pending output is flushed.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { registerCollect } from './commands/collect.js';
import { EXIT, EXIT_HELP, stderr } from './commands/common.js';
import { registerEnqueue } from './commands/enqueue.js';
import { registerExtract } from './commands/extract.js';
import { registerIdentify } from './commands/identify.js';
import { registerLab } from './commands/lab.js';
import { registerReport } from './commands/report.js';
import { registerScan } from './commands/scan.js';
import { registerSig } from './commands/sig.js';
import { registerWorker } from './commands/worker.js';
import { isSignatureError, isThingscanError } from './errors.js';
import { packageVersion } from './paths.js';

const COMMANDS = [
  registerScan,
  registerLab,
  registerIdentify,
  registerSig,
  registerExtract,
  registerReport,
  registerEnqueue,
  registerWorker,
  registerCollect,
];

async function main(): Promise<number> {
  let code: number = EXIT.ok;
  const done = (c: number): void => {
    code = c;
  };
  let parser = yargs(hideBin(process.argv))
    .scriptName('thingscan')
    .version(packageVersion())
    .strict()
    .demandCommand(1, 'name a command')
    .epilogue(EXIT_HELP)
    .wrap(Math.min(110, process.stdout.columns || 100));
  for (const register of COMMANDS) parser = register(parser, done);
  parser = parser.fail((message, error, y) => {
    if (error) throw error;
    y.showHelp('error');
    stderr(`\n${message}`);
    code = EXIT.usage;
  });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (isSignatureError(error)) {
      stderr(error.message);
      return EXIT.signatures;
    }
    if (isThingscanError(error)) {
      stderr(`thingscan: ${error.message}`);
      return error.code === 'E_USAGE' || error.code === 'E_TARGET' ? EXIT.usage : EXIT.failure;
    }
    const text = (error as Error)?.stack ?? String(error);
    // Scans run with stack capture off (engine/stacks.ts): say how to get the trace.
    const hint = Error.stackTraceLimit === 0 ? ' (--log-level debug keeps the stack trace)' : '';
    stderr(`thingscan: internal error: ${text}${hint}`);
    return EXIT.failure;
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    stderr(`thingscan: ${String(error)}`);
    process.exitCode = EXIT.failure;
  },
);

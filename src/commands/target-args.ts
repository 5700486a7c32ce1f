/**
 * The target and exclusion sources a command's arguments name (`scan`, `enqueue`): addresses
 * as arguments, `-i FILE` or `-i -` for stdin, `--exclude` and `--exclude-file`. Imported by
 * the commands' implementations only (the definitions stay light).
 */
import {
  linesFromArgs,
  linesFromFile,
  linesFromStream,
  type TargetSource,
} from '../targets/read.js';

/** What the target options hold. */
export interface TargetArgs {
  readonly targets: readonly string[];
  readonly input?: string | undefined;
  readonly exclude: readonly string[];
  readonly 'exclude-file'?: string | undefined;
}

/** The target sources, in order: arguments, then the input file or stdin (may be empty). */
export function targetSources(argv: TargetArgs): TargetSource[] {
  const sources: TargetSource[] = [];
  if (argv.targets.length > 0) sources.push({ name: '<args>', lines: linesFromArgs(argv.targets) });
  if (argv.input === '-') sources.push({ name: '<stdin>', lines: linesFromStream(process.stdin) });
  else if (argv.input) sources.push({ name: argv.input, lines: linesFromFile(argv.input) });
  return sources;
}

/** The exclusion sources: `--exclude` values, then `--exclude-file`. */
export function excludeSources(argv: TargetArgs): TargetSource[] {
  const sources: TargetSource[] = [{ name: '--exclude', lines: linesFromArgs(argv.exclude) }];
  const file = argv['exclude-file'];
  if (file) sources.push({ name: file, lines: linesFromFile(file) });
  return sources;
}

/** The message for a command given no targets. */
export function noTargetsMessage(command: string): string {
  return `thingscan ${command}: no targets: give addresses as arguments or a list with -i FILE (or -i - for stdin)`;
}

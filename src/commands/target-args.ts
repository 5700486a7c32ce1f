/**
 * The target and exclusion sources a command's arguments name (`scan`, `enqueue`): addresses
 * as arguments, `-i FILE` or `-i -` for stdin, `--exclude` and `--exclude-file`. Imported by
 * the commands' implementations only (the definitions stay light).
 */
import { sanitizeForTerminal } from '../output/sanitize.js';
import { type ExcludeList, loadExcludeList } from '../targets/exclude.js';
import {
  linesFromArgs,
  linesFromFile,
  linesFromStream,
  type TargetSource,
} from '../targets/read.js';
import { stderr } from './common.js';

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

/**
 * The target sources and the loaded exclusion list of a command, or null (after saying why
 * on stderr) when no target was given or the exclusion list is broken: a mistyped exclusion
 * must never turn into traffic to a host that asked to be left alone.
 */
export async function openTargetArgs(
  argv: TargetArgs,
  command: string,
): Promise<{ sources: TargetSource[]; exclude: ExcludeList } | null> {
  const sources = targetSources(argv);
  if (sources.length === 0) {
    stderr(
      `thingscan ${command}: no targets: give addresses as arguments or a list with -i FILE (or -i - for stdin)`,
    );
    return null;
  }
  const excluded = await loadExcludeList(excludeSources(argv));
  if (excluded.errors.length > 0) {
    for (const e of excluded.errors) stderr(sanitizeForTerminal(e.message));
    stderr(`thingscan ${command}: refusing to ${command} with a broken exclude list`);
    return null;
  }
  return { sources, exclude: excluded.list };
}

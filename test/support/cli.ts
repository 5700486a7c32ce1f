/** Runs the compiled CLI (or any node script) as a child process and collects its output. */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './paths.js';

/** What a CLI run produced. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/src/cli.js ...args`, feeding `input` on stdin when given. */
export function runCli(
  args: readonly string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return runNode([CLI, ...args], options);
}

/** Runs `node ...args` (node flags, then a script), feeding `input` on stdin when given. */
export function runNode(
  args: readonly string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const run = startCollecting(process.execPath, args, {
    ...options,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  run.child.stdin?.end(options.input ?? '');
  return run.done;
}

/** A started process whose output is being collected. */
export interface Collecting {
  readonly child: ChildProcess;
  /** Output so far. */
  readonly output: { stdout: string; stderr: string };
  /** Resolves at exit with the exit code and all output; rejects if it could not start. */
  readonly done: Promise<CliRun>;
}

/** Starts `command args` with piped stdio (stdin left open) and collects its output. */
export function startCollecting(
  command: string,
  args: readonly string[],
  options: { cwd?: string | undefined; env?: NodeJS.ProcessEnv | undefined } = {},
): Collecting {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    output.stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    output.stderr += d;
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ...output }));
  });
  return { child, output, done };
}

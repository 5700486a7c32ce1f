/**
 * What every command shares: exit codes, stderr talk, backpressure-aware writes.
 */
import { once } from 'node:events';
import type { Argv } from 'yargs';

/** Exit codes, listed in `--help` and the README. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  badTargets: 3,
  signatures: 4,
  interrupted: 130,
} as const;

/** The exit-code table printed under `--help`. */
export const EXIT_HELP = `Exit codes:
  0    success
  1    runtime failure (I/O error, internal error; collect: a fleet batch failed for good)
  2    usage error (bad flag or value, broken exclude list)
  3    scan finished but some target lines were bad (each named as FILE:LINE on stderr);
       with --strict the scan stops at the first bad line
  4    signature library failed to load or its self-test failed
  130  interrupted (SIGINT/SIGTERM); records of finished hosts are written`;

/** Writes one line of talk to stderr. */
export function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Writes a chunk and waits for `drain` when the stream's buffer is full. */
export async function writeChunk(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/** Registers a command on the parser; `done` receives the exit code. */
export type CommandRegistrar = (parser: Argv, done: (code: number) => void) => Argv;

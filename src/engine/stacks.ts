/**
 * Stack traces while scanning. Every refused port and reset connection is an Error, and
 * Node's stream code reads its `stack` when the socket is destroyed, so V8 captures and
 * formats a trace nobody reads: at about twelve refused ports per host that was 5–6 % of the
 * scanner's CPU (profile of `bench scan`). A scan reports remote failures by code and message,
 * never by trace, so the scanning processes and threads turn capture off unless the log
 * level asks for debugging. This is for the CLI and the engine's own threads: a library
 * user's process keeps its own setting.
 */

/** pino levels at which traces are kept. */
const DEBUG_LEVELS: ReadonlySet<string> = new Set(['debug', 'trace']);

/** Turns stack capture off in this isolate unless `logLevel` is a debugging level. */
export function quietStackTraces(logLevel: string | undefined): void {
  if (logLevel !== undefined && DEBUG_LEVELS.has(logLevel)) return;
  Error.stackTraceLimit = 0;
}

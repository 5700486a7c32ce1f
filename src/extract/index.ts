/**
 * From mail to targets: reads `.eml` files, mbox files, Maildir folders and MTA logs, finds
 * each message's originating address (see `received.ts`) and tallies unique addresses with
 * message counts, first/last seen and subject or HELO hints.
 *
 * Everything in a mail file is written by strangers: lines are capped
 * (`lines.ts`), a header block is capped at {@link MAX_HEADER_BYTES}, bodies are skipped
 * without being kept, and hints are sanitized and cut before anyone prints them.
 */
import type { Dirent } from 'node:fs';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { excerpt } from '../output/sanitize.js';
import type { ExcludeList } from '../targets/exclude.js';
import { boundedLines, type Line } from './lines.js';
import { looksLikeLog, parseLogLine } from './logs.js';
import { findOrigin } from './received.js';
import { trustedRelays } from './trusted.js';

export { type LogEvent, parseLogLine } from './logs.js';
export { findOrigin, type OriginResult, parseReceived, type ReceivedHop } from './received.js';
export { DEFAULT_TRUSTED, trustedRelays } from './trusted.js';

/** Largest header block parsed per message, bytes; the rest of an endless header is dropped. */
export const MAX_HEADER_BYTES = 256 * 1024;
/** Hints kept per address. */
const MAX_HINTS = 3;
/** Characters kept per hint. */
const HINT_CAP = 100;
/** Deepest folder nesting walked. */
const MAX_DEPTH = 16;

/** One originating address and what was seen from it. */
export interface Origin {
  /** Canonical address. */
  readonly ip: string;
  /** Messages (or logged attempts) from it. */
  readonly messages: number;
  /** Earliest time seen (ISO 8601), or null when no time stamp was readable. */
  readonly first_seen: string | null;
  /** Latest time seen (ISO 8601), or null. */
  readonly last_seen: string | null;
  /** Up to three distinct subjects or HELO names, sanitized and capped. */
  readonly hints: readonly string[];
}

/** Counts of what was read. */
export interface ExtractStats {
  /** Files read. */
  files: number;
  /** Messages parsed (mail files) plus message lines (logs). */
  messages: number;
  /** Messages whose `Received:` chain never left the trusted relays. */
  internal: number;
  /** Messages whose trusted part held a hop we could not read. */
  unparsed: number;
  /** Files that could not be read. */
  errors: number;
}

/** Options of {@link extractOrigins}. */
export interface ExtractOptions {
  /** Trusted relays; default {@link trustedRelays}() (private, loopback, link-local). */
  readonly trusted?: ExcludeList;
  /** Year for syslog time stamps, which carry none. Default: the current UTC year. */
  readonly logYear?: number;
  /** Called for each file that cannot be read (the walk goes on). */
  readonly onError?: (where: string, message: string) => void;
  /** Stream used for the path `-`. Default `process.stdin`. */
  readonly stdin?: Readable | NodeJS.ReadableStream;
}

/** Result of {@link extractOrigins}. */
export interface ExtractResult {
  /** Unique addresses, most messages first, then by address text. */
  readonly origins: readonly Origin[];
  /** What was read. */
  readonly stats: ExtractStats;
}

interface Tally {
  messages: number;
  first: number | null;
  last: number | null;
  hints: string[];
}

/** Accumulates per-address counts. */
class OriginTable {
  readonly #byIp = new Map<string, Tally>();

  add(ip: string, time: Date | null, hint: string | null, message: boolean): void {
    let t = this.#byIp.get(ip);
    if (!t) {
      t = { messages: 0, first: null, last: null, hints: [] };
      this.#byIp.set(ip, t);
    }
    if (message) t.messages++;
    if (time) {
      const ms = time.getTime();
      if (t.first === null || ms < t.first) t.first = ms;
      if (t.last === null || ms > t.last) t.last = ms;
    }
    if (hint !== null && t.hints.length < MAX_HINTS) {
      const clean = excerpt(hint.replace(/\s+/g, ' ').trim(), HINT_CAP);
      if (clean !== '' && !t.hints.includes(clean)) t.hints.push(clean);
    }
  }

  list(): Origin[] {
    const iso = (ms: number | null): string | null =>
      ms === null ? null : new Date(ms).toISOString();
    return [...this.#byIp]
      .filter(([, t]) => t.messages > 0)
      .map(([ip, t]) => ({
        ip,
        messages: t.messages,
        first_seen: iso(t.first),
        last_seen: iso(t.last),
        hints: t.hints,
      }))
      .sort((a, b) => b.messages - a.messages || compareIp(a.ip, b.ip));
  }
}

function compareIp(a: string, b: string): number {
  const key = (ip: string): string =>
    ip.includes(':')
      ? `6${ip}`
      : `4${ip
          .split('.')
          .map((o) => o.padStart(3, '0'))
          .join('.')}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

interface Context {
  readonly table: OriginTable;
  readonly stats: ExtractStats;
  readonly trusted: ExcludeList;
  readonly year: number;
}

type SimpleParser = typeof import('mailparser').simpleParser;
let parser: Promise<SimpleParser> | undefined;

/** mailparser, loaded on first use: a scan or a report never pays for it. */
function mailParser(): Promise<SimpleParser> {
  parser ??= import('mailparser').then((m) => m.simpleParser);
  return parser;
}

/** Parses one message's header block and records its origin. */
async function handleMessage(header: Buffer, ctx: Context): Promise<void> {
  ctx.stats.messages++;
  const simpleParser = await mailParser();
  const mail = await simpleParser(Buffer.concat([header, Buffer.from('\r\n\r\n')]), {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
  }).catch(() => null);
  if (mail === null) {
    ctx.stats.unparsed++;
    return;
  }
  // headerLines keeps every header in message order, folding included.
  const received = mail.headerLines.filter((h) => h.key === 'received').map((h) => h.line);
  const origin = findOrigin(received, ctx.trusted);
  if (origin.kind === 'internal') {
    ctx.stats.internal++;
    return;
  }
  if (origin.kind === 'unparsed') {
    ctx.stats.unparsed++;
    return;
  }
  // The trusted receiver's time stamp first: the Date header is the sender's claim.
  const date = origin.date ?? (mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null);
  ctx.table.add(origin.ip, date, mail.subject ?? null, true);
}

/**
 * Splits lines into messages (mbox: every line starting `From ` opens a message, as bodies
 * escape theirs to `>From `) or reads one message, and handles each.
 */
async function readMessages(
  first: Line,
  rest: AsyncIterator<Line>,
  mbox: boolean,
  ctx: Context,
): Promise<void> {
  let header: Buffer[] = [];
  let headerBytes = 0;
  let inHeader = true;
  let started = !mbox;
  const flush = async (): Promise<void> => {
    if (started && header.length > 0) await handleMessage(Buffer.concat(header), ctx);
    header = [];
    headerBytes = 0;
    inHeader = true;
  };
  let line: Line | undefined = first;
  while (line !== undefined) {
    const bytes = line.bytes;
    if (mbox && bytes.subarray(0, 5).toString('latin1') === 'From ') {
      await flush();
      started = true;
    } else if (inHeader && started) {
      if (bytes.length === 0) inHeader = false;
      else if (headerBytes + bytes.length + 2 <= MAX_HEADER_BYTES) {
        header.push(bytes, Buffer.from('\r\n'));
        headerBytes += bytes.length + 2;
      }
    }
    const next: IteratorResult<Line> = await rest.next();
    line = next.done ? undefined : next.value;
  }
  await flush();
}

/** Reads a log, one line at a time. */
async function readLog(first: Line, rest: AsyncIterator<Line>, ctx: Context): Promise<void> {
  let line: Line | undefined = first;
  while (line !== undefined) {
    const event = parseLogLine(line.bytes.toString('utf8'), ctx.year);
    if (event && !ctx.trusted.has(event.ip)) {
      if (event.message) ctx.stats.messages++;
      ctx.table.add(event.ip, event.time, event.hint, event.message);
    }
    const next: IteratorResult<Line> = await rest.next();
    line = next.done ? undefined : next.value;
  }
}

/** Sniffs a stream's kind from its first non-empty line and reads it. */
async function readStream(
  stream: Readable | NodeJS.ReadableStream,
  ctx: Context,
  forceMessage: boolean,
): Promise<void> {
  const lines = boundedLines(stream);
  let next = await lines.next();
  while (!next.done && next.value.bytes.length === 0) next = await lines.next();
  if (next.done) return;
  const first = next.value;
  const text = first.bytes.subarray(0, 1024).toString('utf8');
  if (!forceMessage && text.startsWith('From ')) return readMessages(first, lines, true, ctx);
  if (!forceMessage && looksLikeLog(text)) return readLog(first, lines, ctx);
  return readMessages(first, lines, false, ctx);
}

async function readFile(file: string, ctx: Context, forceMessage: boolean): Promise<void> {
  const stream = createReadStream(file);
  try {
    await readStream(stream, ctx, forceMessage);
    ctx.stats.files++;
  } finally {
    stream.destroy();
  }
}

/** Walks a folder: Maildir (`cur/`, `new/`; `tmp/` skipped), Maildir++ sub-folders, plain files. */
async function readFolder(
  dir: string,
  ctx: Context,
  depth: number,
  onError: (where: string, message: string) => void,
): Promise<void> {
  if (depth > MAX_DEPTH) return;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    ctx.stats.errors++;
    onError(dir, errorText(error));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  const maildir = names.has('cur') && names.has('new');
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    // Symbolic links are not followed: a link loop must not trap the walk.
    if (entry.isDirectory()) {
      if (maildir && entry.name === 'tmp') continue;
      await readFolder(full, ctx, depth + 1, onError);
    } else if (entry.isFile() && !entry.name.startsWith('.')) {
      const inMaildir = path.basename(dir) === 'cur' || path.basename(dir) === 'new';
      try {
        await readFile(full, ctx, inMaildir);
      } catch (error) {
        ctx.stats.errors++;
        onError(full, errorText(error));
      }
    }
  }
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Reads mail files, folders and logs and returns each originating address once.
 *
 * @param inputs - Paths: files (`.eml`, mbox, logs: the kind is sniffed), folders (walked;
 *   Maildir understood) or `-` for stdin.
 * @param options - Trusted relays, syslog year, error callback.
 */
export async function extractOrigins(
  inputs: readonly string[],
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const ctx: Context = {
    table: new OriginTable(),
    stats: { files: 0, messages: 0, internal: 0, unparsed: 0, errors: 0 },
    trusted: options.trusted ?? trustedRelays(),
    year: options.logYear ?? new Date().getUTCFullYear(),
  };
  const onError = options.onError ?? (() => undefined);
  for (const input of inputs) {
    if (input === '-') {
      await readStream(options.stdin ?? process.stdin, ctx, false);
      ctx.stats.files++;
      continue;
    }
    try {
      const info = await stat(input);
      if (info.isDirectory()) await readFolder(input, ctx, 0, onError);
      else await readFile(input, ctx, false);
    } catch (error) {
      ctx.stats.errors++;
      onError(input, errorText(error));
    }
  }
  return { origins: ctx.table.list(), stats: ctx.stats };
}

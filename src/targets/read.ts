/**
 * Reading target lists: from files, stdin or command-line arguments, lazily and once.
 *
 * Lines are pulled one at a time and blocks expand one address at a time, so a
 * million-line file or an allowed /8 never sits in memory. Each address is yielded once
 * across all sources; bad lines become error items (file and 1-based line) and reading
 * goes on.
 */
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { TargetError, ThingscanError } from '../errors.js';
import { formatIPv4, formatIPv6, isMappedIPv4 } from './address.js';
import type { ExcludeList } from './exclude.js';
import { Ipv4Set } from './ipv4-set.js';
import { type ParseOptions, parseTargetLine } from './parse.js';

/** A named source of lines. */
export interface TargetSource {
  /** File path, `<stdin>` or `<args>`: shown in error locations. */
  readonly name: string;
  /** Lines without their terminators. */
  readonly lines: AsyncIterable<string> | Iterable<string>;
}

/** One item read from the target sources. */
export type TargetItem =
  | {
      readonly kind: 'target';
      /** Canonical address text. */
      readonly ip: string;
      /** True when the exclude list covers it: it gets an `excluded` record, no traffic. */
      readonly excluded: boolean;
    }
  | { readonly kind: 'error'; readonly error: TargetError };

/** Options of {@link readTargets}. */
export interface ReadTargetsOptions extends ParseOptions {
  /** Addresses to mark as excluded. */
  readonly exclude?: ExcludeList | undefined;
}

/**
 * Reads every source in order and yields each distinct address once, plus an error item
 * for each bad line.
 *
 * Duplicates are dropped across all sources: IPv4 addresses are remembered as 32-bit
 * numbers (see {@link Ipv4Set}), IPv6 addresses as canonical strings. An IPv4-mapped IPv6
 * address counts as its IPv4 address. A leading UTF-8 BOM on a source's first line is
 * ignored. Memory grows with the number of distinct addresses yielded; for IPv6 that is
 * one string each, so an IPv6 block allowed past the size limit costs memory as it goes.
 *
 * @param sources - Named line sources, read one after the other.
 * @param options - Expansion limit and exclude list.
 */
export async function* readTargets(
  sources: Iterable<TargetSource>,
  options: ReadTargetsOptions = {},
): AsyncGenerator<TargetItem, void, undefined> {
  const seen4 = new Ipv4Set();
  const seen6 = new Set<string>();
  const exclude = options.exclude;
  const v4Item = (value: number): TargetItem | null => {
    if (!seen4.add(value)) return null;
    return { kind: 'target', ip: formatIPv4(value), excluded: exclude?.hasIPv4(value) ?? false };
  };
  for (const source of sources) {
    let lineNo = 0;
    for await (const raw of source.lines) {
      lineNo++;
      const parsed = parseTargetLine(lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw, options);
      if (!parsed.ok) {
        yield { kind: 'error', error: new TargetError(source.name, lineNo, parsed.reason) };
        continue;
      }
      const target = parsed.target;
      if (target === null) continue;
      if (target.family === 4) {
        for (let v = target.first; v <= target.last; v++) {
          const item = v4Item(v);
          if (item) yield item;
        }
        continue;
      }
      for (let v = target.first; v <= target.last; v++) {
        if (isMappedIPv4(v)) {
          // Only a short IPv6 CIDR spanning the mapped block gets here; keep one spelling.
          const item = v4Item(Number(v & 0xffffffffn));
          if (item) yield item;
          continue;
        }
        const ip = formatIPv6(v);
        if (seen6.has(ip)) continue;
        seen6.add(ip);
        yield { kind: 'target', ip, excluded: exclude?.hasIPv6(v) ?? false };
      }
    }
  }
}

/** Turns an I/O failure into a {@link ThingscanError} naming the path. */
function ioError(path: string, error: unknown): ThingscanError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  return new ThingscanError('E_IO', `cannot read ${path}: ${detail}`, { cause: error });
}

/**
 * Lines of a readable stream (node:readline, CR LF or LF), pulled lazily.
 * A stream error ends the iteration with a {@link ThingscanError} `E_IO`.
 *
 * @param stream - e.g. `process.stdin`.
 * @param name - Name for error messages. Default `<stdin>`.
 */
export async function* linesFromStream(
  stream: Readable | NodeJS.ReadableStream,
  name = '<stdin>',
): AsyncGenerator<string, void, undefined> {
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of rl) yield line;
  } catch (error) {
    throw ioError(name, error);
  } finally {
    rl.close();
  }
}

/**
 * Lines of a file, pulled lazily. The file is opened on the first pull: a missing or
 * unreadable file (or a directory) makes that pull throw a {@link ThingscanError} `E_IO`
 * naming the path.
 *
 * @param path - File path.
 */
export async function* linesFromFile(path: string): AsyncGenerator<string, void, undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw ioError(path, error);
  }
  // A directory opens fine on Linux and fails only on read, outside this generator's reach.
  const isDirectory = await handle.stat().then(
    (st) => st.isDirectory(),
    () => false,
  );
  if (isDirectory) {
    await handle.close().catch(() => undefined);
    throw ioError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  }
  const stream = handle.createReadStream({ encoding: 'utf8' });
  try {
    yield* linesFromStream(stream, path);
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

/**
 * Command-line targets as lines: one argument is one line.
 *
 * @param args - Positional arguments or `--exclude` values.
 */
export function linesFromArgs(args: readonly string[]): Iterable<string> {
  return [...args];
}

/**
 * `--resume FILE`: which targets already have a record in an NDJSON output file.
 *
 * The file is read line by line (never whole), and only the address of each record is
 * kept, in the compact {@link Ipv4Set} for IPv4, so a million records cost megabytes, not
 * the records. A scan killed with `kill -9` can leave a last line cut in the middle: that
 * line is not a record, so it is cut off the file (truncated back to the last newline) and
 * its target is scanned again. Anything else that does not parse is reported, not guessed.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ThingscanError } from '../errors.js';
import { parseIPv4 } from '../targets/address.js';
import { Ipv4Set } from '../targets/ipv4-set.js';

/** Targets already recorded in a resume file. */
export interface ResumeState {
  /** True when `ip` (canonical text, as `readTargets` yields it) already has a record. */
  has(ip: string): boolean;
  /** Records found (complete lines naming an address). */
  readonly records: number;
  /** Bytes cut off a truncated last line (0 when the file ended cleanly). */
  readonly repairedBytes: number;
  /** 1-based numbers of complete lines that were not records (left in place). */
  readonly badLines: readonly number[];
}

/** Records start `{"schema":N,"ip":"…"` (stable key order): read the address without a parse. */
const FAST_IP = /^\{"schema":\d+,"ip":"([0-9A-Fa-f.:]{2,45})"/;

/** Most bad line numbers kept for the message. */
const MAX_BAD_LINES = 20;

/**
 * Reads the records of `path`, repairing a cut-off last line. A missing file is an empty
 * state (the first run of a resumable scan).
 *
 * @throws ThingscanError `E_IO` when the file exists but cannot be read or repaired.
 */
export async function loadResumeState(path: string): Promise<ResumeState> {
  const v4 = new Ipv4Set();
  const v6 = new Set<string>();
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ThingscanError('E_IO', `--resume ${path}: not a regular file`);
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { has: () => false, records: 0, repairedBytes: 0, badLines: [] };
    }
    if (error instanceof ThingscanError) throw error;
    throw new ThingscanError('E_IO', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const repairedBytes = await repairTail(path, size);
  let records = 0;
  let lineNo = 0;
  const badLines: number[] = [];
  const stream = createReadStream(path, {
    encoding: 'utf8',
    end: Math.max(0, size - repairedBytes - 1),
  });
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    if (size - repairedBytes > 0) {
      for await (const line of rl) {
        lineNo++;
        if (line === '') continue;
        const ip = addressOf(line);
        if (ip === null) {
          if (badLines.length < MAX_BAD_LINES) badLines.push(lineNo);
          continue;
        }
        const v4ip = parseIPv4(ip);
        if (v4ip.ok) v4.add(v4ip.value);
        else v6.add(ip);
        records++;
      }
    }
  } catch (error) {
    throw new ThingscanError('E_IO', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    rl.close();
    stream.destroy();
  }
  return {
    has: (ip) => {
      const v4ip = parseIPv4(ip);
      return v4ip.ok ? v4.has(v4ip.value) : v6.has(ip);
    },
    records,
    repairedBytes,
    badLines,
  };
}

/** The address of one NDJSON record line, or null when the line is not a record. */
function addressOf(line: string): string | null {
  const fast = FAST_IP.exec(line);
  if (fast?.[1] !== undefined && line.endsWith('}')) return fast[1];
  try {
    const value = JSON.parse(line) as { ip?: unknown } | null;
    return typeof value === 'object' && value !== null && typeof value.ip === 'string'
      ? value.ip
      : null;
  } catch {
    return null;
  }
}

/**
 * Cuts everything after the last newline (a record cut short by a kill) and returns how
 * many bytes went. Reads the tail backwards in small blocks: the file is never loaded.
 */
async function repairTail(path: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const handle = await open(path, 'r+').catch((error: unknown) => {
    throw new ThingscanError(
      'E_IO',
      `cannot open ${path} for resuming: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  });
  try {
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const nl = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep < size) await handle.truncate(keep);
        return size - keep;
      }
      end = start;
    }
    // No newline at all: the whole file is one cut-off record.
    await handle.truncate(0);
    return size;
  } finally {
    await handle.close();
  }
}

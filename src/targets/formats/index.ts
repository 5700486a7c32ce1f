/**
 * Interop inputs: target lists written by the tools analysts already run.
 *
 * - `list`: our own target list (addresses, CIDRs, ranges, `#` comments).
 * - `csv`: any CSV with an address column, found by its header (`ip`, `address`, `saddr`,
 *   `src_ip` …) or named with `ipColumn`; without a header, the first column holding an
 *   address.
 * - `nmap-xml`: Nmap `-oX`; hosts that are up, with their `open` ports.
 * - `masscan-json`: masscan `-oJ` (a JSON array, one object per line) or NDJSON.
 * - `masscan-list`: masscan `-oL` (`open tcp 23 192.0.2.7 1700000000`).
 * - `zmap-csv`: ZMap CSV with `saddr` (and `sport`, the port that answered, when present).
 *
 * When the tool says which ports were open, the host is scanned on those ports only
 * (items carry `ports`). Those formats list one port per line in any order, so they are
 * read to the end before the first target is yielded: memory grows with the number of
 * hosts, not with the file. Every value is hostile input: lines are capped, addresses are
 * validated, bad lines become error items with their line number.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { PortSpecItem } from '../../engine/ports.js';
import type { ScanTarget } from '../../engine/scan.js';
import { TargetError, ThingscanError } from '../../errors.js';
import { boundedLines } from '../../extract/lines.js';
import type { Transport } from '../../types.js';
import { canonicalIp } from '../address.js';
import type { ExcludeList } from '../exclude.js';
import { readTargets, type TargetItem, type TargetSource } from '../read.js';
import type { InputFormat } from './names.js';

export { INPUT_FORMATS, type InputFormat } from './names.js';

/** Longest line read from an interop file. Nmap XML host blocks span many lines. */
const MAX_LINE = 64 * 1024;
/** Longest `<host>` block kept while reading Nmap XML. */
const MAX_HOST_BLOCK = 1024 * 1024;

/** Header names taken as the address column, in order of preference. */
const IP_HEADERS = [
  'ip',
  'ip_address',
  'ipaddress',
  'address',
  'addr',
  'saddr',
  'src_ip',
  'source_ip',
  'host',
  'ipv4',
  'ipv6',
];

/** Options of {@link readInterop}. */
export interface InteropOptions {
  /** Format; `auto` (default) sniffs the first non-empty line. */
  readonly format?: InputFormat;
  /** CSV: name of the address column (case-insensitive). */
  readonly ipColumn?: string;
  /** Addresses marked excluded (no traffic). */
  readonly exclude?: ExcludeList | undefined;
  /** Allow large CIDRs/ranges in `list` and `csv` input. */
  readonly allowLarge?: boolean;
  /** Called with the format `auto` chose. */
  readonly onFormat?: (format: Exclude<InputFormat, 'auto'>) => void;
}

/** An interop input: a path, or a stream with a name (`<stdin>`). */
export type InteropSource =
  | string
  | { readonly name: string; readonly stream: Readable | NodeJS.ReadableStream };

interface NumberedLine {
  readonly n: number;
  readonly text: string;
}

async function* numbered(stream: Readable | NodeJS.ReadableStream): AsyncGenerator<NumberedLine> {
  let n = 0;
  for await (const line of boundedLines(stream, MAX_LINE)) {
    n++;
    yield { n, text: line.bytes.toString('utf8') };
  }
}

/**
 * Guesses the format from the first non-empty line (BOM removed).
 *
 * @param first - That line.
 */
export function sniffFormat(first: string): Exclude<InputFormat, 'auto'> {
  const t = first.replace(/^\uFEFF/, '').trim();
  if (t.startsWith('<?xml') || t.startsWith('<nmaprun') || t.startsWith('<!DOCTYPE nmaprun'))
    return 'nmap-xml';
  if (t.startsWith('[') || t.startsWith('{')) return 'masscan-json';
  if (/^#masscan\b/.test(t) || /^(?:open|closed) (?:tcp|udp|sctp) \d+ /.test(t))
    return 'masscan-list';
  // A target list's comments may hold commas (`extract` writes `ip  # 2 messages, …`).
  const data = t.replace(/#.*$/, '').trim();
  if (data.includes(',')) {
    const cells = splitCsv(data).map((c) => c.trim().toLowerCase());
    if (cells.includes('saddr')) return 'zmap-csv';
    return 'csv';
  }
  return 'list';
}

/** Splits one CSV line (RFC 4180 quotes; no line breaks inside quotes). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** Per-host ports gathered from a port-listing format. */
class HostPorts {
  readonly #hosts = new Map<string, { ports: Map<string, PortSpecItem>; portScan: boolean }>();

  /**
   * Records a host, and a port found open on it. `portScan` says the tool looked at ports:
   * a host it found none open on is then scanned on none (it gets a `no-response` record).
   */
  add(ip: string, port: PortSpecItem | null, portScan = true): void {
    let host = this.#hosts.get(ip);
    if (!host) {
      host = { ports: new Map(), portScan };
      this.#hosts.set(ip, host);
    }
    host.portScan ||= portScan;
    if (port) host.ports.set(`${port.transport}/${port.port}`, port);
  }

  *items(exclude: ExcludeList | undefined): Generator<ScanTarget> {
    for (const [ip, host] of this.#hosts) {
      const list = [...host.ports.values()].sort((a, b) =>
        a.transport === b.transport ? a.port - b.port : a.transport === 'tcp' ? -1 : 1,
      );
      const base = { kind: 'target' as const, ip, excluded: exclude?.has(ip) ?? false };
      // A host the tool listed without looking at ports (ZMap address only, Nmap -sn) gets
      // the scan's ports.
      if (list.length === 0 && !host.portScan) yield base;
      else yield { ...base, ports: list };
    }
  }
}

function portItem(transport: string, port: unknown): PortSpecItem | null {
  const n = typeof port === 'number' ? port : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) return null;
  const t: Transport | null = transport === 'tcp' ? 'tcp' : transport === 'udp' ? 'udp' : null;
  return t ? { transport: t, port: n } : null;
}

function bad(source: string, n: number, reason: string): TargetItem {
  return { kind: 'error', error: new TargetError(source, n, reason) };
}

function short(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

async function* fromMasscanList(
  lines: AsyncIterable<NumberedLine>,
  name: string,
  table: HostPorts,
): AsyncGenerator<TargetItem> {
  for await (const { n, text } of lines) {
    const t = text.trim();
    if (t === '' || t.startsWith('#')) continue;
    const parts = t.split(/\s+/);
    if (parts[0] === 'banner') continue;
    if (parts[0] !== 'open' || parts.length < 4) {
      if (parts[0] !== 'closed') yield bad(name, n, `not a masscan list line: ${short(t)}`);
      continue;
    }
    const ip = canonicalIp(parts[3] as string);
    const port = portItem(parts[1] as string, parts[2]);
    if (!ip || !port) {
      yield bad(name, n, `bad address or port: ${short(t)}`);
      continue;
    }
    table.add(ip, port);
  }
}

async function* fromMasscanJson(
  lines: AsyncIterable<NumberedLine>,
  name: string,
  table: HostPorts,
): AsyncGenerator<TargetItem> {
  for await (const { n, text } of lines) {
    // masscan writes `[`, then `{...},` per line, then `]`; NDJSON has no brackets at all.
    const t = text.trim().replace(/^\[/, '').replace(/\]$/, '').replace(/,$/, '').trim();
    if (t === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      yield bad(name, n, `not a JSON object: ${short(t)}`);
      continue;
    }
    const obj = value as { ip?: unknown; ports?: unknown };
    const ip = typeof obj.ip === 'string' ? canonicalIp(obj.ip) : null;
    if (!ip) {
      yield bad(name, n, 'object without a valid "ip"');
      continue;
    }
    const ports = Array.isArray(obj.ports) ? obj.ports : [];
    let added = false;
    for (const p of ports as Array<{ port?: unknown; proto?: unknown; status?: unknown }>) {
      if (p?.status !== undefined && p.status !== 'open') continue;
      const item = portItem(String(p?.proto ?? 'tcp'), p?.port);
      if (item) {
        table.add(ip, item);
        added = true;
      }
    }
    if (!added) yield bad(name, n, `no open port for ${ip}`);
  }
}

async function* fromZmap(
  lines: AsyncIterable<NumberedLine>,
  name: string,
  table: HostPorts,
): AsyncGenerator<TargetItem> {
  let header: string[] | null = null;
  let ipCol = 0;
  let portCol = -1;
  let successCol = -1;
  for await (const { n, text } of lines) {
    const t = text.replace(/^\uFEFF/, '').trim();
    if (t === '' || t.startsWith('#')) continue;
    const cells = splitCsv(t).map((c) => c.trim());
    if (header === null) {
      header = cells.map((c) => c.toLowerCase());
      ipCol = header.indexOf('saddr');
      portCol = header.indexOf('sport');
      successCol = header.indexOf('success');
      if (ipCol >= 0) continue;
      // ZMap's default output: one address per line, no header.
      ipCol = 0;
    }
    if (successCol >= 0 && cells[successCol] !== '1' && cells[successCol] !== 'true') continue;
    const ip = canonicalIp(cells[ipCol] ?? '');
    if (!ip) {
      yield bad(name, n, `bad address ${short(cells[ipCol] ?? '')}`);
      continue;
    }
    const port = portCol >= 0 ? portItem('tcp', cells[portCol]) : null;
    table.add(ip, port, port !== null);
  }
}

/** Attribute value from a tag's text (`name="value"`), entities decoded minimally. */
function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? (m[1] as string).replaceAll('&quot;', '"').replaceAll('&amp;', '&') : null;
}

async function* fromNmap(
  lines: AsyncIterable<NumberedLine>,
  name: string,
  table: HostPorts,
): AsyncGenerator<TargetItem> {
  let block = '';
  let blockLine = 0;
  let inHost = false;
  for await (const { n, text } of lines) {
    let rest = text;
    while (rest.length > 0) {
      if (!inHost) {
        const start = rest.search(/<host[\s>]/);
        if (start < 0) break;
        inHost = true;
        blockLine = n;
        block = '';
        rest = rest.slice(start);
      }
      const end = rest.indexOf('</host>');
      if (end < 0) {
        if (block.length + rest.length > MAX_HOST_BLOCK) {
          yield bad(name, blockLine, 'nmap <host> element too large');
          inHost = false;
          block = '';
        } else block += `${rest}\n`;
        break;
      }
      block += rest.slice(0, end);
      rest = rest.slice(end + '</host>'.length);
      inHost = false;
      const item = nmapHost(block, name, blockLine, table);
      if (item) yield item;
    }
  }
}

function nmapHost(block: string, name: string, line: number, table: HostPorts): TargetItem | null {
  const status = /<status\s[^>]*>/.exec(block)?.[0];
  if (status && attr(status, 'state') !== 'up') return null;
  let ip: string | null = null;
  for (const m of block.matchAll(/<address\s[^>]*>/g)) {
    const type = attr(m[0], 'addrtype');
    if (type === 'ipv4' || type === 'ipv6') {
      ip = canonicalIp(attr(m[0], 'addr') ?? '');
      if (ip) break;
    }
  }
  if (!ip) return bad(name, line, 'nmap host without a valid address');
  const hasPorts = /<ports[\s>]/.test(block);
  if (!hasPorts) {
    // A ping scan (-sn) lists no ports: the host is up, scan it on the default ports.
    table.add(ip, null, false);
    return null;
  }
  table.add(ip, null, true);
  for (const m of block.matchAll(/<port\s[^>]*>([\s\S]*?)<\/port>/g)) {
    const open = /<state\s[^>]*>/.exec(m[1] as string)?.[0];
    if (!open || attr(open, 'state') !== 'open') continue;
    const port = portItem(attr(m[0], 'protocol') ?? '', attr(m[0], 'portid'));
    if (port) table.add(ip, port);
  }
  return null;
}

/** Address column of a CSV header row, or -1. */
function csvIpColumn(header: readonly string[], wanted: string | undefined): number {
  // `Source IP`, `source-ip` and `source_ip` are one name.
  const norm = (h: string): string =>
    h
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_');
  const lower = header.map(norm);
  if (wanted !== undefined) return lower.indexOf(norm(wanted));
  for (const name of IP_HEADERS) {
    const i = lower.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}

async function* fromCsv(
  lines: AsyncIterable<NumberedLine>,
  name: string,
  options: InteropOptions,
): AsyncGenerator<TargetItem> {
  let col: number | null = null;
  // Values go through the target-list reader: CIDRs, ranges, dedupe and exclusion as usual.
  // Line numbers stay those of the CSV: every row yields exactly one line.
  async function* values(): AsyncGenerator<string> {
    for await (const { text } of lines) {
      const t = text.replace(/^\uFEFF/, '');
      if (t.trim() === '' || t.trim().startsWith('#')) {
        yield '';
        continue;
      }
      const cells = splitCsv(t);
      if (col === null) {
        const found = csvIpColumn(cells, options.ipColumn);
        if (found >= 0) {
          col = found;
          yield '';
          continue;
        }
        if (options.ipColumn !== undefined) {
          throw new ThingscanError(
            'E_USAGE',
            `${name}: no column named ${JSON.stringify(options.ipColumn)} in the header`,
          );
        }
        // No header: the first column holding an address.
        const i = cells.findIndex((c) => canonicalIp(c.trim()) !== null);
        col = Math.max(i, 0);
      }
      yield (cells[col] ?? '').trim();
    }
  }
  yield* readTargets([{ name, lines: values() }], {
    exclude: options.exclude,
    allowLarge: options.allowLarge ?? false,
  });
}

/**
 * Reads an interop input and yields scan items (with `ports` when the tool listed open
 * ports) and error items for bad lines.
 *
 * @param source - Path or named stream (`-` is not special here: pass `process.stdin`).
 * @param options - Format, CSV column, exclusion.
 * @throws ThingscanError `E_IO` when the file cannot be opened, `E_USAGE` for a missing
 *   `ipColumn`.
 */
export async function* readInterop(
  source: InteropSource,
  options: InteropOptions = {},
): AsyncGenerator<TargetItem | ScanTarget> {
  const name = typeof source === 'string' ? source : source.name;
  let stream: Readable | NodeJS.ReadableStream;
  if (typeof source === 'string') {
    const file = createReadStream(source);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (e: NodeJS.ErrnoException) =>
        reject(new ThingscanError('E_IO', `cannot read ${source}: ${e.code ?? e.message}`)),
      );
    });
    stream = file;
  } else {
    stream = source.stream;
  }
  try {
    const it = numbered(stream);
    const peeked: NumberedLine[] = [];
    let next = await it.next();
    while (!next.done && next.value.text.trim() === '') {
      peeked.push(next.value);
      next = await it.next();
    }
    if (!next.done) peeked.push(next.value);
    let format = options.format ?? 'auto';
    if (format === 'auto') {
      format = next.done ? 'list' : sniffFormat(next.value.text);
      options.onFormat?.(format);
    }
    async function* all(): AsyncGenerator<NumberedLine> {
      yield* peeked;
      if (next.done) return;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
    const table = new HostPorts();
    switch (format) {
      case 'list': {
        async function* texts(): AsyncGenerator<string> {
          for await (const l of all()) yield l.text;
        }
        yield* readTargets([{ name, lines: texts() } satisfies TargetSource], {
          exclude: options.exclude,
          allowLarge: options.allowLarge ?? false,
        });
        return;
      }
      case 'csv':
        yield* fromCsv(all(), name, options);
        return;
      case 'masscan-list':
        yield* fromMasscanList(all(), name, table);
        yield* table.items(options.exclude);
        return;
      case 'masscan-json':
        yield* fromMasscanJson(all(), name, table);
        yield* table.items(options.exclude);
        return;
      case 'zmap-csv':
        yield* fromZmap(all(), name, table);
        yield* table.items(options.exclude);
        return;
      case 'nmap-xml':
        yield* fromNmap(all(), name, table);
        yield* table.items(options.exclude);
        return;
    }
  } finally {
    if ('destroy' in stream && typeof stream.destroy === 'function' && stream !== process.stdin)
      stream.destroy();
  }
}

/**
 * The targets of `scan` when `-i` names an interop file: command-line targets first (as a
 * target list), then the file (`-` for stdin) read with {@link readInterop}.
 *
 * @param args - Positional targets.
 * @param input - Path of the `-i` file, or `-`.
 * @param options - Format, CSV column, exclusion.
 */
export async function* interopTargets(
  args: readonly string[],
  input: string,
  options: InteropOptions,
): AsyncGenerator<TargetItem | ScanTarget> {
  // One record per distinct address, as with plain lists: an address given both as an
  // argument and in the file is scanned once (the file's ports win for the file's entry).
  const seen = new Set<string>();
  const args$ =
    args.length > 0
      ? readTargets([{ name: '<args>', lines: [...args] }], {
          exclude: options.exclude,
          allowLarge: options.allowLarge ?? false,
        })
      : [];
  for await (const item of args$) {
    if (item.kind === 'target') seen.add(item.ip);
    yield item;
  }
  const file = readInterop(
    input === '-' ? { name: '<stdin>', stream: process.stdin } : input,
    options,
  );
  for await (const item of file) {
    if (item.kind === 'target' && seen.has(item.ip)) continue;
    yield item;
  }
}

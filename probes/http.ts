/**
 * HTTP probe (plain HTTP/1.1, client-first; also the one probe sent to a silent port).
 *
 * Ports: 80, 8080, 8000, 8081, 81, and any TCP port that stayed silent.
 * Sends: `GET /` with `Host: <ip>:<port>`, our honest User-Agent and an Accept header for
 *   any type on the engine's connection; then, when the answer is a redirect whose Location
 *   is on the same scheme, address and port, `GET` of that path (at most
 *   {@link MAX_REDIRECTS} hops, never a path twice); then `/favicon.ico`, only when an HTTP
 *   response came back. One request at a time, on the same connection while the server
 *   keeps it alive (HTTP/1.1's default), else on one more rate-limited connection each
 *   ({@link HttpClient}). Follow-ups (engine-driven, {@link followupSession}): `GET` of at
 *   most 2 paths that a softmatched signature declares, the same way on the same port.
 * Records: `http.status`, `http.server`, `http.headers`, `http.title`, `http.realm`,
 *   `http.generator`, `http.body` (first 16 KiB), `http.favicon_md5`, `http.favicon_mmh3`
 *   — of the final page — `http.error.status` and `http.error.body` (first 1 KiB) when
 *   `/favicon.ico` got a non-2xx answer (the server's error page), plus `http.location` (the first Location seen, followed or not)
 *   and `http.redirects` (hops followed); `http.protocol` ("RTSP/1.0") when an RTSP server
 *   answered instead (nothing more is asked); after follow-ups, `http.followup.path`,
 *   `http.followup.status` and `http.followup.body` (first 16 KiB).
 * Never: sends credentials or an Authorization header, follows a redirect to another
 *   address, port or scheme (nor Refresh headers or meta refresh), asks for or decodes
 *   compressed bodies (no Accept-Encoding), or reads more than 64 KiB of a body.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import net from 'node:net';
import { Client, type Dispatcher } from 'undici';
import { DEFAULTS } from '../src/engine/defaults.js';
import { onAbort as onHostAbort } from '../src/net/abort-hub.js';
import { derivedHttpFields } from './parsers/http-fields.js';
import { faviconMmh3 } from './parsers/mmh3.js';
import type {
  FollowupOutput,
  ProbeContext,
  ProbeOutput,
  TcpConnection,
  TcpProbe,
} from './types.js';

export { extractGenerator } from './parsers/http-fields.js';

/** Bytes of body we read before hanging up; the rest is never received into memory. */
export const BODY_CAP = 64 * 1024;
/** Bytes of body kept in `http.body`. */
export const BODY_FIELD_CAP = 16 * 1024;
/** Bytes of an error page kept in `http.error.body`: error pages are short. */
export const ERROR_BODY_FIELD_CAP = 1024;
/** Largest header block we parse (undici rejects bigger ones as a protocol error). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Interim (1xx) responses tolerated before the real one; real servers send one or two. */
export const MAX_INTERIM_RESPONSES = 8;

/** The HTTP probe (see the file header). */
export const httpProbe: TcpProbe = {
  name: 'http',
  transport: 'tcp',
  ports: [80, 8080, 8000, 8081, 81],
  serverFirst: false,
  // HTTP servers do not speak first: a volunteered banner is never HTTP's.
  detect() {
    return 0;
  },
  run: runHttp,
  followup: (ctx, paths) => followupSession(ctx, plainTransport(ctx), paths),
};

/** One response, as much of it as we allowed ourselves to read. */
export interface HttpResponse {
  readonly kind: 'response';
  readonly statusCode: number;
  /** Reason phrase from the status line, or the standard one when the server sent none. */
  readonly reason: string;
  /** Header names (lower-cased) and values, in the order received. */
  readonly headers: readonly (readonly [string, string])[];
  /** Start of the body, at most the cap given to {@link fetchOnce}. */
  readonly body: Buffer;
  /** True when the body went beyond the cap (or stopped early) and was cut. */
  readonly truncated: boolean;
}

/** An exchange that produced no HTTP response. */
export interface HttpFailure {
  readonly kind: 'failure';
  readonly status: Exclude<ProbeOutput['status'], 'ok' | 'skipped'>;
  readonly message: string;
}

async function runHttp(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput> {
  // undici reads the socket from here on; the bounded reader must stop consuming it.
  const socket = conn.reader.detach();
  return httpSession(ctx, socket, plainTransport(ctx));
}

/** More plain connections to the same port, through the engine (rate-limited). */
function plainTransport(ctx: ProbeContext): HttpTransport {
  return {
    scheme: 'http',
    open: async () => {
      try {
        return await ctx.connect();
      } catch {
        return null;
      }
    },
  };
}

/** Redirect hops followed at most (same address, port and scheme only). */
export const MAX_REDIRECTS = 3;

/** How an HTTP session gets more connections to the same port (plain, or TLS-wrapped). */
export interface HttpTransport {
  /** Scheme spoken on these connections; a redirect to another scheme is not followed. */
  readonly scheme: 'http' | 'https';
  /** Opens one more rate-limited connection ready for HTTP, or null when that fails. */
  open(): Promise<net.Socket | null>;
}

/**
 * The HTTP exchange on an open connection: `GET /`, same-origin redirects (at most
 * {@link MAX_REDIRECTS}), then the favicon. Shared by plain HTTP and HTTPS. Never throws.
 */
export async function httpSession(
  ctx: ProbeContext,
  socket: net.Socket,
  transport: HttpTransport,
): Promise<ProbeOutput> {
  // One client for the page, its redirects and the icon: on the engine's connection while
  // the server keeps it open, on one more rate-limited connection each time it does not.
  const client = new HttpClient(ctx, socket, transport);
  try {
    return await pageAndIcon(ctx, client, transport.scheme);
  } finally {
    client.close();
  }
}

async function pageAndIcon(
  ctx: ProbeContext,
  client: HttpClient,
  scheme: HttpTransport['scheme'],
): Promise<ProbeOutput> {
  // The engine's per-connection byte cap holds here too, though undici does the reading.
  const cap = Math.min(BODY_CAP, ctx.maxBytes);
  let res = await client.fetch('/', cap);
  if (res.kind === 'failure') {
    ctx.log.debug({ reason: res.message }, 'http: no response');
    return { status: res.status, fields: {}, banner: null };
  }
  // An RTSP server answered (llhttp takes `RTSP/1.0` status lines): its status line says
  // so, and CSeq is in every RTSP reply to a request that had one and in no HTTP reply.
  // Record it and ask nothing more; the engine runs RTSP next.
  if (client.rtspVersion !== null || header(res, 'cseq') !== null) {
    const fields = responseFields(res, Math.min(BODY_FIELD_CAP, cap));
    fields['http.protocol'] = client.rtspVersion ?? 'RTSP';
    return { status: 'ok', fields, banner: fields['http.status'] ?? null };
  }
  const firstLocation = header(res, 'location');
  const visited = new Set<string>(['/']);
  let hops = 0;
  while (hops < MAX_REDIRECTS && !ctx.signal.aborted) {
    const next = sameOriginRedirect(ctx, res, scheme);
    if (next === null || visited.has(next)) break;
    visited.add(next);
    const hop = await client.fetch(next, cap);
    // A hop that fails leaves the last good page as the result.
    if (hop.kind === 'failure') break;
    res = hop;
    hops++;
  }
  const fields = responseFields(res, Math.min(BODY_FIELD_CAP, cap));
  if (firstLocation !== null) fields['http.location'] = firstLocation;
  else delete fields['http.location'];
  if (hops > 0) fields['http.redirects'] = String(hops);

  // A second look for the icon; its failure never changes the port's status.
  if (!ctx.signal.aborted) {
    const icon = await client.fetch('/favicon.ico', cap);
    // A cut icon would hash to a value no one publishes; only whole 2xx icons count.
    if (
      icon.kind === 'response' &&
      icon.statusCode >= 200 &&
      icon.statusCode < 300 &&
      !icon.truncated &&
      icon.body.length > 0
    ) {
      fields['http.favicon_md5'] = createHash('md5').update(icon.body).digest('hex');
      fields['http.favicon_mmh3'] = String(faviconMmh3(icon.body));
    } else if (icon.kind === 'response' && icon.statusCode >= 300) {
      // No icon: the server's own error page, which often names it when nothing else
      // does (BusyBox httpd sends no Server header). Costs no request of its own.
      fields['http.error.status'] = statusText(icon);
      if (icon.body.length > 0) {
        const keep = Math.min(icon.body.length, ERROR_BODY_FIELD_CAP, cap);
        fields['http.error.body'] = icon.body.toString('latin1', 0, keep);
      }
    }
  }
  const headerText = fields['http.headers'];
  const banner = `${fields['http.status'] ?? ''}${headerText ? `\n${headerText}` : ''}`;
  return { status: 'ok', fields, banner: banner.slice(0, ctx.maxBytes) };
}

/**
 * Follow-up requests: `GET` of each path in order over connections of `transport` (same
 * host, port and scheme; one kept alive serves the next path), with the session's body
 * cap and deadlines.
 * The first 2xx answer ends them and is the one recorded; failing that, the last answer.
 * A redirect is recorded, never followed. At most `DEFAULTS.maxFollowups` requests
 * whatever is asked (the engine asks for no more; this is the backstop). Never throws.
 */
export async function followupSession(
  ctx: ProbeContext,
  transport: HttpTransport,
  paths: readonly string[],
): Promise<FollowupOutput> {
  const cap = Math.min(BODY_CAP, ctx.maxBytes);
  let requests = 0;
  let kept: { path: string; res: HttpResponse } | null = null;
  const client = new HttpClient(ctx, null, transport);
  try {
    for (const path of paths.slice(0, DEFAULTS.maxFollowups)) {
      // Only a path as the engine vetted it: absolute, and not another origin.
      if (ctx.signal.aborted || !path.startsWith('/') || path.startsWith('//')) break;
      requests++;
      const res = await client.fetch(path, cap);
      if (res.kind === 'failure') {
        if (client.unreachable) break;
        continue;
      }
      kept = { path, res };
      if (res.statusCode >= 200 && res.statusCode < 300) break;
    }
  } finally {
    client.close();
  }
  const fields: Record<string, string> = {};
  if (kept) {
    const { path, res } = kept;
    fields['http.followup.path'] = path;
    fields['http.followup.status'] = statusText(res);
    if (res.body.length > 0) {
      const keep = Math.min(res.body.length, BODY_FIELD_CAP, cap);
      fields['http.followup.body'] = res.body.toString('latin1', 0, keep);
    }
  }
  return { fields, requests };
}

/**
 * The path to request next when `res` is a 3xx redirect to the same scheme, address and
 * port as the target; null otherwise. A redirect elsewhere is recorded, never followed:
 * the scan touches only the addresses it was given.
 */
export function sameOriginRedirect(
  ctx: Pick<ProbeContext, 'host' | 'port'>,
  res: HttpResponse,
  scheme: 'http' | 'https',
): string | null {
  if (res.statusCode < 300 || res.statusCode > 399) return null;
  const location = header(res, 'location');
  if (location === null || location.length > 2048) return null;
  const base = `${scheme}://${hostForUrl(ctx.host)}:${ctx.port}/`;
  let url: URL;
  try {
    url = new URL(location.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== `${scheme}:`) return null;
  if (url.username !== '' || url.password !== '') return null;
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  if (port !== ctx.port) return null;
  if (!sameHost(url.hostname, ctx.host)) return null;
  return `${url.pathname}${url.search}`;
}

/**
 * True when a URL hostname (already canonical: WHATWG URL turns `127.1` into `127.0.0.1`
 * and shortens IPv6) names the target address itself. A name is never followed: it could
 * resolve anywhere. Either way the next request goes to the target's own address and port.
 */
function sameHost(hostname: string, target: string): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (net.isIP(bare) === 0) return false;
  try {
    const canonical = new URL(`http://${hostForUrl(target)}/`).hostname;
    return hostname === canonical;
  } catch {
    return false;
  }
}

function responseFields(res: HttpResponse, bodyFieldCap: number): Record<string, string> {
  const derived = derivedHttpFields(res.headers, res.body);
  const fields: Record<string, string> = {};
  fields['http.status'] = statusText(res);
  if (derived['http.server'] !== undefined) fields['http.server'] = derived['http.server'];
  if (res.headers.length > 0) {
    fields['http.headers'] = res.headers.map(([n, v]) => `${n}: ${v}`).join('\n');
  }
  if (res.body.length > 0) {
    fields['http.body'] = res.body.toString('latin1', 0, Math.min(res.body.length, bodyFieldCap));
  }
  return { ...fields, ...derived };
}

/** Status code and reason, e.g. "404 Not Found". */
function statusText(res: HttpResponse): string {
  return res.reason ? `${res.statusCode} ${res.reason}` : String(res.statusCode);
}

/** First value of a header, or null. */
function header(res: HttpResponse, name: string): string | null {
  for (const [n, v] of res.headers) if (n === name) return v;
  return null;
}

/** `[::1]` for IPv6 literals, as URLs and Host headers need. */
function hostForUrl(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** Reason handed to undici when we end an exchange ourselves; built once, stack and all. */
const EXCHANGE_OVER = new Error('thingscan: exchange over');
void EXCHANGE_OVER.stack;

/** Marks our own hang-up once the body cap is reached (not a failure). */
class BodyCapReached extends Error {
  constructor() {
    super('body cap reached');
    this.name = 'BodyCapReached';
  }
}

/**
 * Sends one `GET path` over an already-open socket through undici and reads at most `cap`
 * body bytes. Never throws; the socket is destroyed when it returns.
 */
export async function fetchOnce(
  ctx: ProbeContext,
  socket: net.Socket,
  path: string,
  cap: number,
): Promise<HttpResponse | HttpFailure> {
  const client = new HttpClient(ctx, socket, null);
  try {
    return await client.fetch(path, cap);
  } finally {
    client.close();
  }
}

/** Why undici found no connection: the transport could not open one (or there is none). */
const NO_CONNECTION = new Error('thingscan: no connection for this request');
void NO_CONNECTION.stack;

/**
 * `GET` requests to one port through one undici client, one at a time, each reading at
 * most `cap` body bytes. The first goes over `first` (the engine's connection); a server
 * that keeps the connection alive gets the next ones on it, and whenever undici needs a
 * connection again (the server closed, a body was cut at the cap, a request failed) one
 * more comes from `transport`, rate-limited by the engine, or none when it is null.
 * Requests never throw. `close()` destroys the client and every connection it had.
 */
export class HttpClient {
  readonly #ctx: ProbeContext;
  readonly #client: Client;
  readonly #origin: string;
  readonly #sockets = new Set<net.Socket>();
  readonly #transport: HttpTransport | null;
  #first: net.Socket | null;
  /** Connections handed to undici so far. */
  #handed = 0;
  #closed = false;
  /** The transport could not open a connection: the port is gone, asking again is moot. */
  unreachable = false;
  /**
   * `RTSP/1.0` when a reply came with an RTSP status line (undici's parser takes those as
   * HTTP), else null. Read from the first bytes of each connection, see {@link #watch}.
   */
  rtspVersion: string | null = null;
  /** Connections whose first bytes are watched already. */
  readonly #watched = new WeakSet<net.Socket>();

  constructor(ctx: ProbeContext, first: net.Socket | null, transport: HttpTransport | null) {
    this.#ctx = ctx;
    this.#first = first;
    this.#transport = transport;
    if (first) this.#sockets.add(first);
    this.#origin = `http://${hostForUrl(ctx.host)}:${ctx.port}`;
    this.#client = new Client(this.#origin, {
      // The engine opens (and rate-limits) every socket; undici never opens one itself.
      // The callback must run on a later tick: undici calls `connect` from inside its own
      // resume loop and ignores a resume request made re-entrantly, so a synchronous answer
      // leaves the request queued forever.
      connect: (_options, callback) => {
        const ready = this.#first;
        this.#first = null;
        if (ready) {
          this.#handed++;
          process.nextTick(() => callback(null, ready));
          return;
        }
        if (!transport || this.#closed) {
          process.nextTick(() => callback(NO_CONNECTION, null));
          return;
        }
        // `open` resolves null on failure; a rejection would be a bug, treated the same.
        void transport
          .open()
          .catch(() => null)
          .then((socket) => {
            if (!socket || this.#closed) {
              socket?.destroy();
              if (!socket) this.unreachable = true;
              callback(NO_CONNECTION, null);
              return;
            }
            this.#sockets.add(socket);
            socket.once('close', () => this.#sockets.delete(socket));
            this.#handed++;
            callback(null, socket);
          });
      },
      maxHeaderSize: Math.max(1, Math.min(MAX_HEADER_BYTES, ctx.maxBytes)),
      headersTimeout: ctx.timeouts.readMs,
      bodyTimeout: ctx.timeouts.readMs,
      pipelining: 1,
      // The session's next request leaves as soon as the last answer is read, so any
      // keep-alive time the server announces will do. undici's default margin (2 s, for
      // pools holding idle connections) refused every server announcing 2 s or less
      // (`Keep-Alive: timeout=1`) and cost a connection each.
      keepAliveTimeoutThreshold: 0,
    });
  }

  /**
   * Watches the first bytes of each connection for an RTSP status line: an RTSP server
   * that answers a GET without CSeq (its request had none) is otherwise taken for HTTP.
   * Called as a request leaves, when undici reads the socket through 'readable' already:
   * a 'data' listener then only sees the chunks undici reads, it takes none.
   */
  #watch(): void {
    for (const socket of this.#sockets) {
      if (this.#watched.has(socket)) continue;
      this.#watched.add(socket);
      socket.once('data', (chunk: Buffer) => {
        const version = /^RTSP\/[0-9]\.[0-9] /.exec(chunk.toString('latin1', 0, 9));
        if (version) this.rtspVersion = version[0].trim();
      });
    }
  }

  /** Destroys the client and its connections. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // undici builds (and formats the stack of) a fresh error per destroy unless given one:
    // at thousands of hosts a second, that was a measurable share of the scan's CPU.
    this.#client.destroy(EXCHANGE_OVER).catch(() => undefined);
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /**
   * One `GET path`; never throws. A request that failed on a connection an earlier one had
   * used (closed, or bytes past the last response: a kept-alive connection can fail like
   * that as the request leaves) is sent once more on a fresh connection, as browsers do
   * for idempotent requests; a timeout is not, nor a failure on a new connection.
   */
  async fetch(path: string, cap: number): Promise<HttpResponse | HttpFailure> {
    const handed = this.#handed;
    const res = await this.#get(path, cap);
    const reused = handed > 0 && this.#handed === handed;
    if (
      res.kind === 'failure' &&
      reused &&
      this.#transport !== null &&
      (res.status === 'connection-closed' || res.status === 'protocol-error') &&
      !this.#closed &&
      !this.#ctx.signal.aborted
    ) {
      this.#ctx.log.debug(
        { path, reason: res.message },
        'http: kept-alive connection failed, once more',
      );
      return this.#get(path, cap);
    }
    return res;
  }

  #get(path: string, cap: number): Promise<HttpResponse | HttpFailure> {
    const ctx = this.#ctx;
    return new Promise((resolve) => {
      let settled = false;
      let started: { code: number; reason: string; headers: [string, string][] } | null = null;
      const chunks: Buffer[] = [];
      let received = 0;
      let truncated = false;
      let interim = 0;

      const finish = (result: HttpResponse | HttpFailure): void => {
        if (settled) return;
        settled = true;
        unwatch();
        resolve(result);
      };
      const succeed = (): void => {
        if (!started) return;
        finish({
          kind: 'response',
          statusCode: started.code,
          reason: started.reason,
          headers: started.headers,
          body: Buffer.concat(chunks),
          truncated,
        });
      };
      const onAbort = (): void => {
        // The host is over: nothing more goes out on this client.
        this.close();
        if (started) {
          truncated = true;
          succeed();
        } else {
          finish({ kind: 'failure', status: 'io-timeout', message: 'aborted' });
        }
      };
      let unwatch = (): void => {};
      if (ctx.signal.aborted || this.#closed) {
        onAbort();
        return;
      }
      unwatch = onHostAbort(ctx.signal, onAbort);
      // The bytes a connection may bring in are capped per connection (the engine's rule).
      const overCap = (): boolean => {
        for (const socket of this.#sockets) if (socket.bytesRead > ctx.maxBytes) return true;
        return false;
      };

      const isRtsp = (): boolean => this.rtspVersion !== null;
      const handler: Dispatcher.DispatchHandler = {
        // undici 7 recognises the new handler API by this method; without it the handler is
        // taken for a legacy one and rejected.
        onRequestStart: () => this.#watch(),
        onResponseStart(c, statusCode, _headers, statusMessage) {
          // 1xx interim responses come before the real one. undici restarts its header timer
          // on each, so a peer sending them forever would hold us until the host deadline:
          // cut it at a few of them or at the connection's byte cap, whichever first.
          if (statusCode < 200) {
            interim += 1;
            if (interim > MAX_INTERIM_RESPONSES || overCap()) {
              finish({
                kind: 'failure',
                status: 'protocol-error',
                message: 'endless 1xx responses',
              });
              c.abort(new Error('endless 1xx responses'));
            }
            return;
          }
          started = {
            code: statusCode,
            reason: (statusMessage ?? '').trim() || STATUS_CODES[statusCode] || '',
            headers: rawHeaderPairs(c.rawHeaders),
          };
          // An RTSP reply: its headers are all we keep, and its body (if any) may never end.
          if (isRtsp()) {
            c.abort(new BodyCapReached());
            succeed();
          }
        },
        onResponseData(c, chunk) {
          if (!started) return;
          const room = cap - received;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            received = cap;
            truncated = true;
            // Hang up rather than drain: the rest of the body never reaches memory.
            c.abort(new BodyCapReached());
            succeed();
            return;
          }
          chunks.push(chunk);
          received += chunk.length;
        },
        onResponseEnd() {
          succeed();
        },
        onResponseError(_c, error) {
          if (error instanceof BodyCapReached) {
            succeed();
            return;
          }
          if (started) {
            // Headers arrived and the body stopped early: keep what came.
            truncated = true;
            succeed();
            return;
          }
          finish(failureOf(error));
        },
      };

      try {
        this.#client.dispatch(
          {
            origin: this.#origin,
            method: 'GET',
            path,
            headers: {
              host: `${hostForUrl(ctx.host)}:${ctx.port}`,
              'user-agent': ctx.settings.userAgent,
              accept: '*/*',
            },
            headersTimeout: ctx.timeouts.readMs,
            bodyTimeout: ctx.timeouts.readMs,
          },
          handler,
        );
      } catch (error) {
        finish(failureOf(error));
      }
    });
  }
}

/** Pairs undici's raw header list (names as sent) into lower-cased names and values. */
function rawHeaderPairs(raw: Dispatcher.DispatchController['rawHeaders']): [string, string][] {
  const out: [string, string][] = [];
  if (!Array.isArray(raw)) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (name === undefined || value === undefined) continue;
    out.push([text(name).toLowerCase(), text(value)]);
  }
  return out;
}

function text(v: Buffer | string): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

/** Maps an undici or socket error to a status. */
function failureOf(error: unknown): HttpFailure {
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? String((error as { code: unknown }).code)
      : '';
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  // undici's parser errors carry an `HPE_*` code only for some llhttp errors: go by name too.
  if (
    name === 'HTTPParserError' ||
    code.startsWith('HPE_') ||
    code === 'UND_ERR_HEADERS_OVERFLOW'
  ) {
    return { kind: 'failure', status: 'protocol-error', message };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'failure', status: 'io-timeout', message };
  }
  // Closed or reset before a response (UND_ERR_SOCKET, ECONNRESET, EPIPE) and the rest.
  return { kind: 'failure', status: 'connection-closed', message };
}

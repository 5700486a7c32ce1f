/**
 * HTTP probe (plain HTTP/1.1, client-first; also the one probe sent to a silent port).
 *
 * Ports: 80, 8080, 8000, 8081, 81, and any TCP port that stayed silent.
 * Sends: `GET /` with `Host: <ip>:<port>`, our honest User-Agent, an Accept header for any
 *   type and `Connection: close` on the engine's connection; then the same for
 *   `/favicon.ico` on one extra rate-limited connection, only when the first exchange
 *   produced an HTTP response.
 * Records: `http.status`, `http.server`, `http.headers`, `http.title`, `http.realm`,
 *   `http.body` (first 16 KiB), `http.location`, `http.favicon_md5`, `http.favicon_mmh3`.
 * Never: sends credentials or an Authorization header, follows redirects, asks for or
 *   decodes compressed bodies (no Accept-Encoding), or reads more than 64 KiB of a body.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import net from 'node:net';
import { Client, type Dispatcher } from 'undici';
import { charsetOf, extractTitle, parseRealm } from './parsers/html.js';
import { faviconMmh3 } from './parsers/mmh3.js';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

/** Bytes of body we read before hanging up; the rest is never received into memory. */
export const BODY_CAP = 64 * 1024;
/** Bytes of body kept in `http.body`. */
export const BODY_FIELD_CAP = 16 * 1024;
/** Largest header block we parse (undici rejects bigger ones as a protocol error). */
export const MAX_HEADER_BYTES = 16 * 1024;

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
  // The engine's per-connection byte cap holds here too, though undici does the reading.
  const cap = Math.min(BODY_CAP, ctx.maxBytes);
  const res = await fetchOnce(ctx, socket, '/', cap);
  if (res.kind === 'failure') {
    ctx.log.debug({ reason: res.message }, 'http: no response');
    return { status: res.status, fields: {}, banner: null };
  }
  const fields = responseFields(res, Math.min(BODY_FIELD_CAP, cap));

  // A second look for the icon; its failure never changes the port's status.
  if (!ctx.signal.aborted) {
    let iconSocket: net.Socket | null = null;
    try {
      iconSocket = await ctx.connect();
    } catch {
      iconSocket = null;
    }
    if (iconSocket) {
      const icon = await fetchOnce(ctx, iconSocket, '/favicon.ico', cap);
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
      }
    }
  }
  const headerText = fields['http.headers'];
  const banner = `${fields['http.status'] ?? ''}${headerText ? `\n${headerText}` : ''}`;
  return { status: 'ok', fields, banner: banner.slice(0, ctx.maxBytes) };
}

function responseFields(res: HttpResponse, bodyFieldCap: number): Record<string, string> {
  const fields: Record<string, string> = {};
  fields['http.status'] = res.reason ? `${res.statusCode} ${res.reason}` : String(res.statusCode);
  const server = header(res, 'server');
  if (server !== null) fields['http.server'] = server;
  if (res.headers.length > 0) {
    fields['http.headers'] = res.headers.map(([n, v]) => `${n}: ${v}`).join('\n');
  }
  const title = extractTitle(res.body, charsetOf(header(res, 'content-type') ?? ''));
  if (title !== null) fields['http.title'] = title;
  for (const [name, value] of res.headers) {
    if (name !== 'www-authenticate') continue;
    const realm = parseRealm(value);
    if (realm !== null) {
      fields['http.realm'] = realm;
      break;
    }
  }
  if (res.body.length > 0) {
    fields['http.body'] = res.body.toString('latin1', 0, Math.min(res.body.length, bodyFieldCap));
  }
  const location = header(res, 'location');
  if (location !== null) fields['http.location'] = location;
  return fields;
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
export function fetchOnce(
  ctx: ProbeContext,
  socket: net.Socket,
  path: string,
  cap: number,
): Promise<HttpResponse | HttpFailure> {
  const origin = `http://${hostForUrl(ctx.host)}:${ctx.port}`;
  let handedOver = false;
  const client = new Client(origin, {
    // The engine opened (and rate-limited) this socket; undici must never open another.
    // The callback must run on a later tick: undici calls `connect` from inside its own
    // resume loop and ignores a resume request made re-entrantly, so a synchronous answer
    // leaves the request queued forever.
    connect: (_options, callback) => {
      if (handedOver) {
        process.nextTick(() =>
          callback(new Error('thingscan: no second connection for this request'), null),
        );
        return;
      }
      handedOver = true;
      process.nextTick(() => callback(null, socket));
    },
    maxHeaderSize: Math.max(1, Math.min(MAX_HEADER_BYTES, ctx.maxBytes)),
    headersTimeout: ctx.timeouts.readMs,
    bodyTimeout: ctx.timeouts.readMs,
    pipelining: 1,
  });

  return new Promise((resolve) => {
    let settled = false;
    let started: { code: number; reason: string; headers: [string, string][] } | null = null;
    const chunks: Buffer[] = [];
    let received = 0;
    let truncated = false;

    const finish = (result: HttpResponse | HttpFailure): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      client.destroy().catch(() => undefined);
      socket.destroy();
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
      if (started) {
        truncated = true;
        succeed();
      } else {
        finish({ kind: 'failure', status: 'io-timeout', message: 'aborted' });
      }
    };
    if (ctx.signal.aborted) {
      onAbort();
      return;
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      // undici 7 recognises the new handler API by this method; without it the handler is
      // taken for a legacy one and rejected.
      onRequestStart() {},
      onResponseStart(c, statusCode, _headers, statusMessage) {
        // 1xx interim responses come before the real one.
        if (statusCode < 200) return;
        started = {
          code: statusCode,
          reason: (statusMessage ?? '').trim() || STATUS_CODES[statusCode] || '',
          headers: rawHeaderPairs(c.rawHeaders),
        };
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
      client.dispatch(
        {
          origin,
          method: 'GET',
          path,
          headers: {
            host: `${hostForUrl(ctx.host)}:${ctx.port}`,
            'user-agent': ctx.settings.userAgent,
            accept: '*/*',
            connection: 'close',
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

/**
 * HTTP server emulation on `node:http`: canned responses by exact path, a fallback for every
 * other path, the device's own header order and reason phrase. One request per connection
 * (`Connection: close`), as many embedded web servers do, unless the persona's server keeps
 * connections alive (`keepAlive`, as lighttpd, Apache, IIS and Twisted do).
 */
import http from 'node:http';
import type net from 'node:net';
import type { HostRecorder, HttpConfig, HttpResponseSpec, RunningServer } from '../types.js';
import { bindServer, DEFAULT_IDLE_MS } from './common.js';

/** Request header bytes accepted; embedded servers have small buffers too. */
const MAX_HEADER_BYTES = 8192;

/** Starts an HTTP server on `address:port` configured by persona data. */
export function startHttp(
  address: string,
  port: number,
  config: HttpConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  return bindServer(createHttpServer(address, config, recorder, sockets), address, port, sockets);
}

/**
 * Builds the persona's HTTP server without binding it: the scale lab hands it sockets
 * accepted elsewhere (`server.emit('connection', socket)`). Open sockets are kept in `sockets`.
 */
export function createHttpServer(
  address: string,
  config: HttpConfig,
  recorder: HostRecorder,
  sockets: Set<net.Socket>,
): http.Server {
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    // Request bodies are never read into memory: drained and forgotten.
    req.resume();
    const method = req.method ?? 'GET';
    recorder.httpRequest?.(`${method} ${req.url ?? ''}`);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (method !== 'GET' && method !== 'HEAD') {
      send(
        res,
        {
          status: 501,
          headers: [...config.serverHeaders, ['Content-Type', 'text/html']],
          body: '',
        },
        false,
        address,
        false,
      );
      return;
    }
    const spec = Object.hasOwn(config.routes, path) ? config.routes[path] : undefined;
    send(res, spec ?? config.fallback, method === 'HEAD', address, config.keepAlive === true);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 1_000;
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    recorder.connection();
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(DEFAULT_IDLE_MS, () => socket.destroy());
  });
  // Malformed requests get a bare 400 and a close, like a small embedded server.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function send(
  res: http.ServerResponse,
  spec: HttpResponseSpec,
  headOnly: boolean,
  address: string,
  keepAlive: boolean,
): void {
  const body =
    typeof spec.body === 'string'
      ? Buffer.from(spec.body.replaceAll('{address}', address), 'utf8')
      : spec.body;
  const flat: string[] = [];
  let hasLength = false;
  let hasConnection = false;
  for (const [name, value] of spec.headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-length') hasLength = true;
    if (lower === 'connection') hasConnection = true;
    flat.push(name, value);
  }
  if (!hasLength) flat.push('Content-Length', String(body.byteLength));
  if (!keepAlive) {
    if (!hasConnection) flat.push('Connection', 'close');
    res.shouldKeepAlive = false;
  }
  if (spec.reason !== undefined) res.writeHead(spec.status, spec.reason, flat);
  else res.writeHead(spec.status, flat);
  res.end(headOnly ? undefined : body);
}

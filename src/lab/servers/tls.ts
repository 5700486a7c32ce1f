/**
 * HTTPS server emulation: a persona's HTTP config served inside TLS, with a lab-only
 * certificate from `src/lab/certs/` (read from the package root, not from `dist/`). Same
 * routing as the plain HTTP server: exact paths, a fallback, the device's header order, one
 * request per connection.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { packageRoot } from '../../paths.js';
import type { HostRecorder, HttpResponseSpec, HttpsConfig, RunningServer } from '../types.js';
import { bindServer, DEFAULT_IDLE_MS } from './common.js';

/** Request header bytes accepted; embedded servers have small buffers too. */
const MAX_HEADER_BYTES = 8192;

/** Reads a lab certificate and key by file stem. */
export function labCertificate(stem: string): { cert: Buffer; key: Buffer } {
  if (!/^[a-z0-9-]+$/.test(stem)) throw new Error(`bad lab certificate name '${stem}'`);
  const dir = path.join(packageRoot(), 'src', 'lab', 'certs');
  return {
    cert: readFileSync(path.join(dir, `${stem}.crt`)),
    key: readFileSync(path.join(dir, `${stem}.key`)),
  };
}

/** Starts an HTTPS server on `address:port` configured by persona data. */
export function startHttps(
  address: string,
  port: number,
  config: HttpsConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const { cert, key } = labCertificate(config.cert);
  const site = config.http;
  const server = https.createServer({ cert, key, maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    req.resume();
    const method = req.method ?? 'GET';
    recorder.httpRequest?.(`${method} ${req.url ?? ''}`);
    const route = (req.url ?? '/').split('?')[0] ?? '/';
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, { status: 501, headers: [...site.serverHeaders], body: '' }, false, address);
      return;
    }
    const spec = Object.hasOwn(site.routes, route) ? site.routes[route] : undefined;
    send(res, spec ?? site.fallback, method === 'HEAD', address);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    recorder.connection();
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(DEFAULT_IDLE_MS, () => socket.destroy());
  });
  // A client that speaks plain text, or hangs up mid-handshake, just goes away.
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  return bindServer(server, address, port, sockets);
}

function send(
  res: http.ServerResponse,
  spec: HttpResponseSpec,
  headOnly: boolean,
  address: string,
): void {
  const body =
    typeof spec.body === 'string'
      ? Buffer.from(spec.body.replaceAll('{address}', address), 'utf8')
      : spec.body;
  const flat: string[] = [];
  for (const [name, value] of spec.headers) flat.push(name, value);
  if (!spec.headers.some(([n]) => n.toLowerCase() === 'content-length')) {
    flat.push('Content-Length', String(body.byteLength));
  }
  flat.push('Connection', 'close');
  res.shouldKeepAlive = false;
  if (spec.reason !== undefined) res.writeHead(spec.status, spec.reason, flat);
  else res.writeHead(spec.status, flat);
  res.end(headOnly ? undefined : body);
}

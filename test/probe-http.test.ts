/**
 * HTTP probe against loopback servers: fields from a login page with a realm and a
 * favicon, a redirect that is not followed, a non-HTTP reply, and a body far beyond the cap.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { httpProbe } from '../probes/http.js';
import { faviconMmh3 } from '../probes/parsers/mmh3.js';
import { bookkeepingFields } from '../src/engine/run-port.js';
import { runConformance } from './support/conformance.js';
import { probePort } from './support/run-probe.js';

const HOST = '127.0.0.1';
const UA = 'thingscan-test/0 (+https://example.invalid/thingscan)';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** Starts a node:http server recording each request; resolves once it listens. */
async function httpServer(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ port: number; seen: Seen[]; connections: () => number; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handle(req, res);
  });
  server.on('connection', () => {
    connections++;
  });
  // Announces `Keep-Alive: timeout=1`, as small servers do: short, and still reusable.
  server.keepAliveTimeout = 1_000;
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    seen,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const ICON = Buffer.from(
  Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff), // not text, crosses 76-char lines
);

test('http: status, server, realm, title, headers, body and favicon hashes', async () => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(200, { 'Content-Type': 'image/x-icon', 'Content-Length': ICON.length });
      res.end(ICON);
      return;
    }
    res.writeHead(401, 'Unauthorized Here', {
      Server: 'lighttpd/1.4.28',
      'WWW-Authenticate': 'Basic realm="NAS &quot;Admin\\" Login"',
      'Content-Type': 'text/html; charset=utf-8',
    });
    res.end(
      '<html><head><TITLE lang="en">\n  Caf\u00e9  &amp; Storage\t\n Login </TITLE></head><body>x</body></html>',
    );
  });
  try {
    const result = await probePort(HOST, srv.port);
    const f = result.fields;
    assert.equal(result.protocol, 'http');
    assert.equal(result.status, 'ok');
    assert.equal(f['http.status'], '401 Unauthorized Here');
    assert.equal(f['http.server'], 'lighttpd/1.4.28');
    assert.equal(f['http.realm'], 'NAS &quot;Admin" Login');
    assert.equal(f['http.title'], 'Caf\u00e9 & Storage Login');
    assert.match(f['http.headers'] ?? '', /^server: lighttpd\/1\.4\.28$/m);
    assert.match(f['http.headers'] ?? '', /^www-authenticate: Basic realm=/m);
    assert.match(f['http.body'] ?? '', /<body>x<\/body>/);
    assert.equal(f['http.location'], undefined);
    assert.equal(f['http.favicon_md5'], createHash('md5').update(ICON).digest('hex'));
    assert.equal(f['http.favicon_mmh3'], String(faviconMmh3(ICON)));

    assert.deepEqual(
      srv.seen.map((s) => `${s.method} ${s.url}`),
      ['GET /', 'GET /favicon.ico'],
    );
    for (const s of srv.seen) {
      assert.equal(s.headers['user-agent'], UA);
      assert.equal(s.headers.authorization, undefined);
      assert.equal(s.headers['accept-encoding'], undefined);
      assert.equal(s.headers.accept, '*/*');
      assert.equal(s.headers.host, `${HOST}:${srv.port}`);
    }
    // The server kept the connection alive: the icon came over the page's connection.
    assert.equal(srv.connections(), 1);
  } finally {
    await srv.close();
  }
});

test('http: a server that closes after each answer gets the icon request on a new connection', async () => {
  const srv = await httpServer((req, res) => {
    res.shouldKeepAlive = false;
    if (req.url === '/favicon.ico') {
      res.writeHead(200, { 'Content-Type': 'image/x-icon', 'Content-Length': ICON.length });
      res.end(ICON);
      return;
    }
    res.writeHead(200, { Server: 'GoAhead-Webs', 'Content-Type': 'text/html' });
    res.end('<html><title>Router</title></html>');
  });
  try {
    const result = await probePort(HOST, srv.port);
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['http.server'], 'GoAhead-Webs');
    assert.equal(result.fields['http.favicon_md5'], createHash('md5').update(ICON).digest('hex'));
    assert.deepEqual(
      srv.seen.map((s) => `${s.url} ${s.headers.connection}`),
      ['/ keep-alive', '/favicon.ico keep-alive'],
    );
    assert.equal(srv.connections(), 2, 'one more connection once the server had closed');
  } finally {
    await srv.close();
  }
});

test('http: a kept-alive connection that drops the next request: the icon is asked once more on a new one', async () => {
  // Keeps the first connection open after the page, then hangs up on the request that
  // follows on it without answering (a device mishandling keep-alive, or a close racing
  // the request). A second connection answers everything.
  let connections = 0;
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    const index = ++connections;
    let buffered = '';
    let answered = 0;
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const path = buffered.slice(0, end).split(' ')[1] ?? '';
        buffered = buffered.slice(end + 4);
        requests.push(`${index} ${path}`);
        if (index === 1 && answered === 1) {
          socket.destroy();
          return;
        }
        answered++;
        const body = path === '/favicon.ico' ? ICON : Buffer.from('<title>Camera</title>');
        socket.write(
          `HTTP/1.1 200 OK\r\nServer: Boa/0.94.14rc21\r\nContent-Length: ${body.length}\r\n\r\n`,
        );
        socket.write(body);
      }
    });
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    const result = await probePort(HOST, port);
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['http.server'], 'Boa/0.94.14rc21');
    assert.equal(result.fields['http.favicon_md5'], createHash('md5').update(ICON).digest('hex'));
    assert.deepEqual(requests, ['1 /', '1 /favicon.ico', '2 /favicon.ico']);
  } finally {
    server.close();
  }
});

test('http: a same-origin redirect is followed once; its Location is recorded', async () => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(301, { Location: '/cgi-bin/login.cgi', Server: 'Boa/0.94.14rc21' });
      res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  });
  try {
    const result = await probePort(HOST, srv.port);
    assert.equal(result.status, 'ok');
    // The final page's fields (issue 4: same host and port, at most 3 hops).
    assert.equal(result.fields['http.status'], '404 Not Found');
    assert.equal(result.fields['http.location'], '/cgi-bin/login.cgi');
    assert.equal(result.fields['http.redirects'], '1');
    assert.equal(result.fields['http.favicon_md5'], undefined, 'a 404 icon is not hashed');
    // The icon's 404 is recorded as the server's error page (empty here: no body field).
    assert.equal(result.fields['http.error.status'], '404 Not Found');
    assert.equal(result.fields['http.error.body'], undefined);
    assert.deepEqual(
      srv.seen.map((s) => s.url),
      ['/', '/cgi-bin/login.cgi', '/favicon.ico'],
    );
  } finally {
    await srv.close();
  }
});

test('http: no icon: the error page is recorded, its first KiB only; a 2xx icon records none', async () => {
  const page = `<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n${'x'.repeat(3000)}`;
  const srv = await httpServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end(page);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<title>Camera</title>');
  });
  const withIcon = await httpServer((req, res) => {
    res.writeHead(200, { 'Content-Type': req.url === '/' ? 'text/html' : 'image/x-icon' });
    res.end(req.url === '/' ? '<title>Camera</title>' : ICON);
  });
  try {
    const result = await probePort(HOST, srv.port);
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['http.status'], '200 OK');
    assert.equal(result.fields['http.error.status'], '404 Not Found');
    assert.equal(result.fields['http.error.body'], page.slice(0, 1024));
    const icon = await probePort(HOST, withIcon.port);
    assert.ok(icon.fields['http.favicon_md5']);
    assert.equal(icon.fields['http.error.status'], undefined);
    assert.equal(icon.fields['http.error.body'], undefined);
  } finally {
    await srv.close();
    await withIcon.close();
  }
});

test('http: a reply that is not HTTP is a protocol error; only a TLS attempt follows', async () => {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('hello, this is no web server\r\n'));
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  try {
    const result = await probePort(HOST, address.port);
    assert.equal(result.protocol, 'http');
    assert.equal(result.status, 'protocol-error');
    assert.deepEqual(result.fields, {});
    // No second HTTP request: the one extra connection is the TLS attempt (issue 4).
    assert.deepEqual(result.probesTried, ['http', 'https']);
    assert.equal(connections, 2);
  } finally {
    server.close();
    await once(server, 'close');
  }
});

test('http: a body far beyond the cap is cut and the connection dropped', async () => {
  const total = 8 * 1024 * 1024;
  let aborted: Promise<boolean> = Promise.resolve(false);
  const srv = await httpServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': total });
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    aborted = new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
    const pump = (): void => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (sent >= total) res.end();
    };
    pump();
  });
  try {
    const result = await probePort(HOST, srv.port);
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['http.status'], '200 OK');
    assert.equal(result.fields['http.body']?.length, 16 * 1024);
    assert.equal(await aborted, true, 'the client hung up before the body ended');
  } finally {
    await srv.close();
  }
});

test('http: on its own port the probe speaks first without waiting for a banner', async () => {
  const srv = await httpServer((_req, res) => {
    res.writeHead(200, { Server: 'mini_httpd/1.19 19dec2003' });
    res.end('<title>x</title>');
  });
  try {
    const probe = { ...httpProbe, ports: [srv.port] };
    // Without the greeting wait, the exchange must fit in a banner budget far below readMs.
    const result = await probePort(HOST, srv.port, {
      probes: [probe],
      timeouts: { connectMs: 1_000, readMs: 1_000, bannerMs: 60_000 },
    });
    assert.equal(result.status, 'ok');
    assert.equal(result.fields['http.server'], 'mini_httpd/1.19 19dec2003');
    assert.equal(result.fields['http.title'], 'x');
  } finally {
    await srv.close();
  }
});

test('http follow-ups: planned from the first exchange, at most 2, first 2xx kept, counted as probes', async () => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<title>Acme Router</title>');
      return;
    }
    if (req.url === '/second.xml') {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end('<Model>AR-500</Model>');
      return;
    }
    res.writeHead(404);
    res.end('nothing here');
  });
  try {
    const planned: Array<Readonly<Record<string, string>>> = [];
    const result = await probePort(HOST, srv.port, {
      followup: (fields) => {
        planned.push(fields);
        // More than allowed, on purpose: the runner must cut at 2.
        return ['/first.xml', '/second.xml', '/third.xml'];
      },
    });
    assert.equal(result.status, 'ok');
    // Planned once, from the first exchange's fields.
    assert.equal(planned.length, 1);
    assert.equal(planned[0]?.['http.title'], 'Acme Router');
    assert.equal(planned[0]?.['http.followup.path'], undefined);
    assert.deepEqual(
      srv.seen.map((s) => `${s.method} ${s.url}`),
      ['GET /', 'GET /favicon.ico', 'GET /first.xml', 'GET /second.xml'],
    );
    // The same honest request as the main probe: our User-Agent, no credentials.
    for (const s of srv.seen.slice(2)) {
      assert.equal(s.headers['user-agent'], UA);
      assert.equal(s.headers.authorization, undefined);
    }
    assert.equal(result.fields['http.title'], 'Acme Router', 'first-exchange fields stay');
    assert.equal(result.fields['http.followup.path'], '/second.xml');
    assert.equal(result.fields['http.followup.status'], '200 OK');
    assert.equal(result.fields['http.followup.body'], '<Model>AR-500</Model>');
    assert.deepEqual(result.probesTried, ['http', 'http-followup', 'http-followup']);
    assert.equal(bookkeepingFields(result)['scan.probes'], '3');
    assert.equal(bookkeepingFields(result)['scan.identified_by'], 'http');
    assert.equal(bookkeepingFields(result)['scan.followups'], '2');
  } finally {
    await srv.close();
  }
});

test('http follow-ups: none planned, none sent; a failed first exchange plans nothing', async () => {
  const srv = await httpServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<title>x</title>');
  });
  try {
    const result = await probePort(HOST, srv.port, { followup: () => [] });
    assert.deepEqual(
      srv.seen.map((s) => s.url),
      ['/', '/favicon.ico'],
    );
    assert.deepEqual(result.probesTried, ['http']);
    assert.equal(result.fields['http.followup.path'], undefined);
    assert.equal(bookkeepingFields(result)['scan.followups'], undefined);
  } finally {
    await srv.close();
  }
  // Not HTTP at all: the planner is never consulted.
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('not http\r\n'));
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  let consulted = false;
  try {
    const result = await probePort(HOST, address.port, {
      followup: () => {
        consulted = true;
        return ['/x'];
      },
    });
    assert.equal(result.status, 'protocol-error');
    assert.equal(consulted, false);
  } finally {
    server.close();
    await once(server, 'close');
  }
});

test('http follow-ups: a huge answer is cut to the body cap; a redirect is recorded, not followed', async () => {
  const srv = await httpServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(Buffer.alloc(200 * 1024, 0x42));
      return;
    }
    if (req.url === '/moved') {
      res.writeHead(302, { Location: '/elsewhere' });
      res.end();
      return;
    }
    res.writeHead(200);
    res.end('<title>y</title>');
  });
  try {
    const big = await probePort(HOST, srv.port, { followup: () => ['/big'] });
    assert.equal(big.fields['http.followup.body']?.length, 16 * 1024);
    const moved = await probePort(HOST, srv.port, { followup: () => ['/moved'] });
    assert.equal(moved.fields['http.followup.status'], '302 Found');
    assert.equal(moved.fields['http.followup.path'], '/moved');
    assert.ok(
      !srv.seen.some((s) => s.url === '/elsewhere'),
      'a follow-up redirect is not followed',
    );
  } finally {
    await srv.close();
  }
});

/**
 * The suite's default list is case-insensitive with a word boundary, so it also flags the
 * `User-Agent:` header HTTP must send; commands here must be followed by a space or the
 * line end, and any Authorization header is forbidden too.
 */
const FORBIDDEN =
  /^(?:USER|PASS|ACCT|AUTH|MAIL FROM|RCPT TO|DATA|STARTTLS|VRFY|EXPN|LOGIN)(?:[ \t]|\r?$)|^authorization:/im;

runConformance('http conformance', 'http', 80, { forbidden: FORBIDDEN });

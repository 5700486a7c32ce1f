/**
 * TLS and HTTPS: certificate fields from real certificates, the HTTP → TLS fallback on a
 * port of no known protocol (and on a port whose HTTP server refuses plain text with its
 * 400), TLS without HTTP inside, no SNI for addresses, the redirect
 * rules (same scheme, address and port only) and the meta generator.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import {
  extractGenerator,
  type HttpResponse,
  httpProbe,
  sameOriginRedirect,
} from '../probes/http.js';
import { httpsProbe, refusesPlainHttp, TLS_PORTS } from '../probes/https.js';
import { certificateFields, formatDn } from '../probes/parsers/x509.js';
import { bookkeepingFields } from '../src/engine/run-port.js';
import { startFakeTcp } from './support/fake-server.js';
import { ROOT } from './support/paths.js';
import { probePort } from './support/run-probe.js';

const CERTS = path.join(ROOT, 'src', 'lab', 'certs');
const read = (name: string): Buffer => readFileSync(path.join(CERTS, name));

describe('certificate fields', () => {
  test('a CA-issued RSA certificate (the FortiGate-like lab certificate)', () => {
    const pem = read('fortigate.crt');
    const fields = certificateFields(new X509Certificate(pem));
    assert.equal(
      fields['tls.subject'],
      'C=US, ST=California, L=Sunnyvale, O=Fortinet, OU=FortiGate, CN=FGT60E4Q17003891, emailAddress=support@fortinet.com',
    );
    assert.match(fields['tls.issuer'] ?? '', /^C=US, .*OU=Certificate Authority, CN=support, /);
    assert.equal(fields['tls.serial'], '2A7F13');
    assert.equal(fields['tls.self_signed'], 'false');
    assert.equal(fields['tls.key_type'], 'rsa-2048');
    // SHA-256 of the DER bytes, computed independently of X509Certificate.
    const der = Buffer.from(
      pem
        .toString('latin1')
        .replace(/-----[^-]+-----/g, '')
        .replace(/\s+/g, ''),
      'base64',
    );
    assert.equal(fields['tls.sha256'], createHash('sha256').update(der).digest('hex'));
    assert.match(fields['tls.not_before'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.ok((fields['tls.not_after'] ?? '') > (fields['tls.not_before'] ?? ''));
  });

  test('a self-signed EC certificate', () => {
    const fields = certificateFields(new X509Certificate(read('router.crt')));
    assert.equal(fields['tls.subject'], 'CN=router');
    assert.equal(fields['tls.issuer'], 'CN=router');
    assert.equal(fields['tls.self_signed'], 'true');
    assert.equal(fields['tls.key_type'], 'ec-prime256v1');
  });

  test("an empty subject (a leaf of Caddy 2.6's internal CA): the other fields are kept", () => {
    const pem = readFileSync(
      path.join(ROOT, 'test', 'fixtures', 'certs', 'caddy-internal-leaf.pem'),
    );
    const fields = certificateFields(new X509Certificate(pem));
    assert.equal(fields['tls.subject'], undefined);
    assert.equal(fields['tls.issuer'], 'CN=Caddy Local Authority - ECC Intermediate');
    assert.equal(fields['tls.san'], 'IP Address:127.77.60.47');
    assert.equal(fields['tls.self_signed'], 'false');
    assert.equal(fields['tls.key_type'], 'ec-prime256v1');
    assert.match(fields['tls.sha256'] ?? '', /^[0-9a-f]{64}$/);
  });

  test('bytes that are not a certificate give no fields', () => {
    assert.deepEqual(certificateFields(Buffer.from('not a certificate')), {});
    assert.equal(formatDn('CN=a\nO=b, c\n'), 'CN=a, O=b, c');
  });
});

/** A TLS server on 127.0.0.1 with the lab router certificate. */
async function startTlsServer(
  onSecure: (socket: tls.TLSSocket) => void,
): Promise<{ port: number; servernames: unknown[]; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const servernames: unknown[] = [];
  const server = tls.createServer({ cert: read('router.crt'), key: read('router.key') }, (s) => {
    servernames.push(s.servername);
    s.on('error', () => {});
    onSecure(s);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    servernames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function answerHttp(socket: tls.TLSSocket, body: string): void {
  socket.once('data', () => {
    socket.end(
      `HTTP/1.1 200 OK\r\nServer: tiny-tls/2.1\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

describe('HTTPS on a port of no known protocol', () => {
  let server: Awaited<ReturnType<typeof startTlsServer>>;
  before(async () => {
    server = await startTlsServer((s) =>
      answerHttp(
        s,
        '<html><head><meta content="TinyCMS 4.2" name="Generator"><title>Secure box</title></head></html>',
      ),
    );
  });
  after(() => server.close());

  test('silent, then HTTP gets no HTTP back, then TLS with HTTP inside', async () => {
    assert.ok(!TLS_PORTS.includes(server.port));
    const result = await probePort('127.0.0.1', server.port);
    assert.equal(result.status, 'ok');
    assert.equal(result.protocol, 'https');
    assert.deepEqual(result.probesTried, ['http', 'https']);
    assert.deepEqual(bookkeepingFields(result), {
      'scan.identified_by': 'https',
      'scan.probes': '2',
    });
    assert.equal(result.fields['tls.subject'], 'CN=router');
    assert.equal(result.fields['tls.self_signed'], 'true');
    assert.match(result.fields['tls.version'] ?? '', /^TLSv1\.[0-3]$/);
    assert.equal(result.fields['http.title'], 'Secure box');
    assert.equal(result.fields['http.server'], 'tiny-tls/2.1');
    assert.equal(result.fields['http.generator'], 'TinyCMS 4.2');
    // An IP target gets no SNI (RFC 6066 carries names only).
    assert.ok(server.servernames.length > 0);
    for (const name of server.servernames) assert.equal(name, false);
  });

  test('a port known to be TLS goes straight to TLS (one probe)', async () => {
    const probes = [{ ...httpsProbe, ports: [server.port] }];
    const result = await probePort('127.0.0.1', server.port, { probes });
    assert.equal(result.protocol, 'https');
    assert.deepEqual(result.probesTried, ['https']);
    assert.equal(bookkeepingFields(result)['scan.probes'], '1');
  });
});

describe('an HTTP port that refuses plain text with a 400 (nginx "ssl" on 8080)', () => {
  /** nginx 1.22's answer to a plain request on a TLS listener (its own 400 page). */
  const NGINX_400 =
    '<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n' +
    '<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n' +
    '<center>The plain HTTP request was sent to HTTPS port</center>\r\n' +
    '<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';
  let server: net.Server;
  let port = 0;
  const sockets = new Set<net.Socket>();
  before(async () => {
    const secure = tls.createServer({ cert: read('router.crt'), key: read('router.key') }, (s) => {
      s.on('error', () => {});
      answerHttp(s, '<html><head><title>Behind TLS</title></head></html>');
    });
    secure.on('tlsClientError', () => {});
    // One port for both: a ClientHello (0x16) goes to TLS, plain text gets the 400.
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.once('close', () => sockets.delete(s));
      s.once('data', (chunk: Buffer) => {
        if (chunk[0] === 0x16) {
          s.pause();
          s.unshift(chunk);
          secure.emit('connection', s);
          return;
        }
        s.end(
          `HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\nContent-Length: ${NGINX_400.length}\r\nConnection: close\r\n\r\n${NGINX_400}`,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    port = address.port;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );

  test('the 400 gets one TLS attempt, and HTTP inside TLS is what is recorded', async () => {
    const probes = [{ ...httpProbe, ports: [port] }, httpsProbe];
    // Two exchanges and an RSA handshake: budgets that a loaded machine still meets.
    const timeouts = { connectMs: 2_000, readMs: 4_000, bannerMs: 500 };
    const result = await probePort('127.0.0.1', port, { probes, timeouts });
    assert.equal(result.status, 'ok');
    assert.equal(result.protocol, 'https');
    assert.deepEqual(result.probesTried, ['http', 'https']);
    assert.equal(result.fields['tls.subject'], 'CN=router');
    assert.equal(result.fields['http.title'], 'Behind TLS');
  });

  test('which 400s say so', () => {
    assert.equal(
      refusesPlainHttp({ 'http.status': '400 Bad Request', 'http.body': NGINX_400 }),
      true,
    );
    const apache =
      "<p>Your browser sent a request that this server could not understand.<br />\nReason: You're speaking plain HTTP to an SSL-enabled server port.<br />";
    assert.equal(refusesPlainHttp({ 'http.status': '400 Bad Request', 'http.body': apache }), true);
    const go = 'Client sent an HTTP request to an HTTPS server.\n';
    assert.equal(refusesPlainHttp({ 'http.status': '400 Bad Request', 'http.body': go }), true);
    // Another 400, or the same words on a 200 page (a forum post quoting nginx): no.
    assert.equal(
      refusesPlainHttp({ 'http.status': '400 Bad Request', 'http.body': '<h1>Bad Request</h1>' }),
      false,
    );
    assert.equal(refusesPlainHttp({ 'http.status': '200 OK', 'http.body': NGINX_400 }), false);
  });
});

test('TLS with no HTTP inside is recorded as tls with its certificate', async () => {
  // Speaks TLS, then answers the HTTP request with a non-HTTP line (an IMAPS-like server).
  const server = await startTlsServer((s) => {
    s.write('* OK IMAP4rev1 ready\r\n');
    s.on('data', () => s.end('* BYE\r\n'));
  });
  try {
    const result = await probePort('127.0.0.1', server.port);
    assert.equal(result.status, 'ok');
    assert.equal(result.protocol, 'tls');
    assert.equal(result.fields['tls.subject'], 'CN=router');
    assert.equal(result.fields['http.status'], undefined);
  } finally {
    await server.close();
  }
});

test('not HTTP and not TLS: the HTTP outcome stands, both attempts counted', async () => {
  const server = await startFakeTcp({
    kind: 'script',
    trigger: 'request',
    onData: (conn) => conn.end('?? not a protocol we know\r\n'),
  });
  try {
    const result = await probePort(server.host, server.port);
    assert.equal(result.protocol, 'http');
    assert.notEqual(result.status, 'ok');
    assert.deepEqual(bookkeepingFields(result), { 'scan.probes': '2' });
    assert.equal(server.connections, 2);
  } finally {
    await server.close();
  }
});

test('a port that spoke telnet gets neither HTTP nor a TLS ClientHello', async () => {
  const server = await startFakeTcp({
    kind: 'script',
    onConnect: (conn) =>
      conn.write(Buffer.concat([Buffer.from([0xff, 0xfd, 0x01]), Buffer.from('\r\nlogin: ')])),
  });
  try {
    const result = await probePort(server.host, server.port);
    assert.equal(result.protocol, 'telnet');
    assert.deepEqual(bookkeepingFields(result), {
      'scan.identified_by': 'telnet',
      'scan.probes': '1',
    });
    const sent = server.received();
    assert.equal(sent.indexOf('GET '), -1);
    // A TLS handshake record starts 0x16 0x03.
    assert.equal(sent.indexOf(Buffer.from([0x16, 0x03])), -1);
    assert.equal(server.connections, 1);
  } finally {
    await server.close();
  }
});

describe('redirects stay on the target', () => {
  const ctx = { host: '127.0.0.1', port: 8080 };
  const res = (location: string, statusCode = 302): HttpResponse => ({
    kind: 'response',
    statusCode,
    reason: 'Found',
    headers: [['location', location]],
    body: Buffer.alloc(0),
    truncated: false,
  });
  test('same scheme, address and port are followed', () => {
    assert.equal(sameOriginRedirect(ctx, res('/login.html?x=1'), 'http'), '/login.html?x=1');
    assert.equal(sameOriginRedirect(ctx, res('cgi/next'), 'http'), '/cgi/next');
    assert.equal(sameOriginRedirect(ctx, res('http://127.0.0.1:8080/a'), 'http'), '/a');
    // WHATWG URL canonicalises 127.1; the request still goes to the target itself.
    assert.equal(sameOriginRedirect(ctx, res('http://127.1:8080/b'), 'http'), '/b');
  });
  test('another address, port, scheme, a name or credentials are not', () => {
    for (const loc of [
      'http://127.0.0.2:8080/',
      'http://192.0.2.1:8080/',
      'http://127.0.0.1/',
      'http://127.0.0.1:8081/',
      'https://127.0.0.1:8080/',
      'http://localhost:8080/',
      '//198.51.100.7:8080/x',
      'http://user:pw@127.0.0.1:8080/',
      'javascript:alert(1)',
    ]) {
      assert.equal(sameOriginRedirect(ctx, res(loc), 'http'), null, loc);
    }
    assert.equal(sameOriginRedirect(ctx, res('/x', 200), 'http'), null);
  });
  test('IPv6 targets compare canonically', () => {
    const v6 = { host: '::1', port: 443 };
    assert.equal(sameOriginRedirect(v6, res('https://[0:0::1]/y'), 'https'), '/y');
    assert.equal(sameOriginRedirect(v6, res('https://[::2]/y'), 'https'), null);
  });
});

test('meta generator: attribute order, quoting, absence', () => {
  const g = (html: string) => extractGenerator(Buffer.from(html, 'latin1'));
  assert.equal(g('<meta name="generator" content="WordPress 6.4.2">'), 'WordPress 6.4.2');
  assert.equal(g("<META CONTENT='Joomla! - Open Source' NAME=GENERATOR>"), 'Joomla! - Open Source');
  assert.equal(g('<meta name=generator content=Hugo>'), 'Hugo');
  assert.equal(g('<meta name="description" content="x"><meta charset="utf-8">'), null);
  assert.equal(g('<meta name="generator" content="">'), null);
  // A huge attribute soup stays linear and bounded.
  assert.equal(g(`<meta ${'a'.repeat(100_000)}>`), null);
});

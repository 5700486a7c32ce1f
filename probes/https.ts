/**
 * HTTPS / TLS probe (client-first: a server never speaks TLS first).
 *
 * Ports: 443, 8443, 993, 995, 465, 636 (TLS from the first byte), and any TCP port whose
 *   plain HTTP attempt got no HTTP back, or an HTTP 400 saying the port wants TLS
 *   ({@link refusesPlainHttp}); the engine then opens a fresh connection for this.
 * Sends: a TLS ClientHello through `node:tls` over the engine's rate-limited socket, with
 *   no SNI for an IP address, certificate checks off (we read the certificate, we do not
 *   trust it) and old protocol versions allowed (old devices only speak TLS 1.0); then the
 *   HTTP probe's requests inside TLS (`GET /`, same-origin redirects, `/favicon.ico`, and
 *   the engine's follow-up GETs), each extra request on its own rate-limited connection
 *   with its own handshake.
 * Records: `tls.version`, `tls.cipher`, `tls.subject`, `tls.issuer`, `tls.san`,
 *   `tls.serial`, `tls.not_before`, `tls.not_after`, `tls.self_signed`, `tls.key_type`,
 *   `tls.sha256`, and every `http.*` field when HTTP answers inside TLS.
 * Never: sends a client certificate, credentials or anything but the HTTP probe's GETs;
 *   waits longer than the read deadline for a handshake. OpenSSL bounds the handshake's
 *   size itself (certificate chains beyond its limit fail the handshake).
 */
import net from 'node:net';
import tls from 'node:tls';
import { onAbort as onHostAbort } from '../src/net/abort-hub.js';
import { followupSession, type HttpTransport, httpSession } from './http.js';
import { certificateFields } from './parsers/x509.js';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

/** Ports where TLS starts at the first byte: HTTPS, IMAPS, POP3S, SMTPS, LDAPS. */
export const TLS_PORTS: readonly number[] = [443, 8443, 993, 995, 465, 636];

/**
 * What HTTP servers answer a plain request on a TLS port, in the body of their 400: nginx
 * and its forks (OpenResty, Tengine: "The plain HTTP request was sent to HTTPS port"),
 * Apache's mod_ssl ("You're speaking plain HTTP to an SSL-enabled server port") and Go's
 * net/http ("Client sent an HTTP request to an HTTPS server"). Literals only: linear.
 */
const PLAIN_ON_TLS =
  /plain HTTP request was sent to HTTPS port|speaking plain HTTP to an SSL-enabled server port|Client sent an HTTP request to an HTTPS server/i;

/**
 * True when a plain HTTP exchange (its `http.*` fields) was the server refusing plain text
 * on a TLS port: a 400 whose body says so. Such a port is worth one TLS attempt, as is one
 * that answered no HTTP at all.
 */
export function refusesPlainHttp(fields: Readonly<Record<string, string>>): boolean {
  return (
    (fields['http.status'] ?? '').startsWith('400') && PLAIN_ON_TLS.test(fields['http.body'] ?? '')
  );
}

/** A finished handshake, or why there is none. */
export type TlsOutcome =
  | { readonly ok: true; readonly socket: tls.TLSSocket; readonly fields: Record<string, string> }
  | { readonly ok: false; readonly status: 'protocol-error' | 'io-timeout' | 'connection-closed' };

/**
 * Runs a TLS handshake over an open TCP socket and reads the peer certificate. Resolves
 * within the read deadline (or the host deadline); never throws. On failure the socket is
 * destroyed.
 */
export function startTls(ctx: ProbeContext, socket: net.Socket): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const secure = tls.connect({
      socket,
      rejectUnauthorized: false,
      // SNI carries names, never addresses (RFC 6066); for an IP target we send none.
      ...(net.isIP(ctx.host) === 0 ? { servername: ctx.host } : {}),
      // Old embedded servers speak only TLS 1.0 with weak suites: we read, we do not trust.
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    const finish = (outcome: TlsOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch();
      secure.removeListener('secureConnect', onSecure);
      secure.removeListener('error', onError);
      secure.removeListener('close', onClose);
      if (!outcome.ok) {
        secure.destroy();
        socket.destroy();
      }
      resolve(outcome);
    };
    const onAbort = (): void => finish({ ok: false, status: 'io-timeout' });
    const onError = (error: NodeJS.ErrnoException): void => {
      const code = error.code ?? '';
      // A reset or close mid-handshake is the peer leaving; bytes that are not TLS are a
      // protocol error (the usual answer of a plain-text service to a ClientHello).
      const closed =
        code === 'ECONNRESET' || code === 'EPIPE' || /socket disconnected/i.test(error.message);
      finish({ ok: false, status: closed ? 'connection-closed' : 'protocol-error' });
    };
    const onClose = (): void => finish({ ok: false, status: 'connection-closed' });
    const onSecure = (): void => {
      const fields: Record<string, string> = {};
      const version = secure.getProtocol();
      if (version) fields['tls.version'] = version;
      const cipher = secure.getCipher();
      if (cipher?.name) fields['tls.cipher'] = cipher.name;
      const cert = secure.getPeerX509Certificate();
      if (cert) Object.assign(fields, certificateFields(cert));
      // Later errors (a reset during HTTP) must not be unhandled; fetchOnce sees the close.
      secure.on('error', () => {});
      finish({ ok: true, socket: secure, fields });
    };
    // The handshake ends with the host or after one read timeout, whichever comes first.
    const timer = setTimeout(onAbort, ctx.timeouts.readMs);
    const unwatch = onHostAbort(ctx.signal, onAbort);
    if (ctx.signal.aborted) {
      onAbort();
      return;
    }
    secure.once('secureConnect', onSecure);
    secure.once('error', onError);
    secure.once('close', onClose);
  });
}

async function runHttps(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput> {
  // node:tls reads the socket from here on; the bounded reader must stop consuming it.
  const outcome = await startTls(ctx, conn.reader.detach());
  if (!outcome.ok) return { status: outcome.status, fields: {}, banner: null };
  const http = await httpSession(ctx, outcome.socket, tlsTransport(ctx));
  outcome.socket.destroy();
  const fields = { ...outcome.fields, ...(http.status === 'ok' ? http.fields : {}) };
  const certLine = [fields['tls.version'], fields['tls.subject']].filter(Boolean).join(' ');
  const banner = http.status === 'ok' && http.banner ? `${certLine}\n${http.banner}` : certLine;
  // TLS answered: the port is open and identified even when no HTTP came back inside it
  // (IMAPS, LDAPS): the engine labels such a service `tls`.
  return { status: 'ok', fields, banner: banner.length > 0 ? banner : null };
}

/** More connections to the same port, each rate-limited and with its own TLS handshake. */
function tlsTransport(ctx: ProbeContext): HttpTransport {
  return {
    scheme: 'https',
    open: async () => {
      let raw: net.Socket;
      try {
        raw = await ctx.connect();
      } catch {
        return null;
      }
      const next = await startTls(ctx, raw);
      return next.ok ? next.socket : null;
    },
  };
}

/** The HTTPS / TLS probe (see the file header). */
export const httpsProbe: TcpProbe = {
  name: 'https',
  transport: 'tcp',
  ports: TLS_PORTS,
  serverFirst: false,
  // TLS servers never speak first: a volunteered banner is never TLS.
  detect() {
    return 0;
  },
  run: runHttps,
  // Follow-ups inside TLS too: an HTTPS port is asked over HTTPS, never in plain text.
  followup: (ctx, paths) => followupSession(ctx, tlsTransport(ctx), paths),
};

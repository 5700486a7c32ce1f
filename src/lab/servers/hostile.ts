/**
 * Peers that exist to hurt a scanner. Each mode is one way a compromised host can try to
 * hang, flood, steer or confuse the client: silence, one byte a second, endless data,
 * resets, protocol framing that never ends (HTTP headers, chunks, 1xx replies, telnet
 * subnegotiation, SSH packets, SMTP multi-line replies), a gzip bomb, redirects, and SNMP
 * replies that are malformed, huge or answer another request. They prove the scanner's
 * deadlines and byte caps hold and that it never follows a host elsewhere.
 *
 * Every writer respects backpressure (`drain`), so a flood costs the lab a socket buffer,
 * not memory, and none of them reads more than it must.
 */
import { randomBytes } from 'node:crypto';
import type dgram from 'node:dgram';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  type HostileMode,
  type HostRecorder,
  isUdpHostileMode,
  type RunningServer,
} from '../types.js';
import { listenTcp, listenUdp } from './common.js';

/** How long a silent or flooding peer holds a connection, ms (close() ends it sooner). */
const TARPIT_HOLD_MS = 10 * 60_000;
/** Flood chunk size, bytes; the same buffer is written again and again. */
const FLOOD_CHUNK_BYTES = 16 * 1024;
/** Interval of the drip, ms: one byte each. */
const DRIP_INTERVAL_MS = 1_000;
/** The never-ending KEXINIT trickles this many bytes … */
const TRICKLE_BYTES = 16;
/** … every this many ms, so it never completes within any sane read deadline. */
const TRICKLE_INTERVAL_MS = 200;
/** Uncompressed size of the gzip bomb (the wire carries about a thousandth of it). */
const GZIP_BOMB_BYTES = 32 * 1024 * 1024;
/** Bytes of the SNMP `sysDescr` in the huge reply (a UDP datagram holds at most ~64 KiB). */
const SNMP_HUGE_DESCR_BYTES = 60_000;

/** Starts a hostile server (TCP, or UDP for the `snmp-*` and `ssdp-*` modes) on `address:port`. */
export function startHostile(
  address: string,
  port: number,
  mode: HostileMode,
  recorder: HostRecorder,
): Promise<RunningServer> {
  if (isUdpHostileMode(mode)) return startHostileUdp(address, port, mode, recorder);
  // Every TCP mode holds its connection as long as the client does; the lab's close() ends it.
  return listenTcp({ address, port, recorder, idleMs: TARPIT_HOLD_MS }, (socket) => {
    watchForCredentials(socket, recorder);
    onConnection(socket, mode, address, port);
  });
}

/** Client lines that would be a login or a mail transaction, in any protocol we emulate. */
const CREDENTIAL_LINE = /^(?:USER|PASS|AUTH) |^[Aa]uthorization:/m;
const MAIL_LINE = /^(?:MAIL FROM|RCPT TO|DATA|BDAT)\b/m;
/** Client bytes looked at per connection: enough for any probe's request. */
const WATCH_BYTES = 4 * 1024;

/**
 * Counts credentials and mail commands a client sends to a hostile peer, as the protocol
 * servers do, so the never-login guarantee covers these hosts too. Reads nothing on its
 * own: it only sees data when the mode lets the socket flow (`half-open` never does).
 */
function watchForCredentials(socket: net.Socket, recorder: HostRecorder): void {
  let seen = '';
  let credential = false;
  let mail = false;
  const onData = (chunk: Buffer): void => {
    seen = (seen + chunk.toString('latin1')).slice(0, WATCH_BYTES);
    if (!credential && CREDENTIAL_LINE.test(seen)) {
      credential = true;
      recorder.credentialAttempt();
    }
    if (!mail && MAIL_LINE.test(seen)) {
      mail = true;
      recorder.mailCommand();
    }
    if (seen.length >= WATCH_BYTES) socket.removeListener('data', onData);
  };
  socket.on('data', onData);
}

function onConnection(socket: net.Socket, mode: HostileMode, address: string, port: number): void {
  switch (mode) {
    case 'tarpit':
      // Read and drop whatever comes so the peer's writes never block; answer nothing.
      socket.resume();
      return;
    case 'half-open':
      // Accept and never read: the peer's request sits in the kernel buffers forever.
      socket.pause();
      return;
    case 'reset':
      socket.resetAndDestroy();
      return;
    case 'flood': {
      const chunk = randomBytes(FLOOD_CHUNK_BYTES);
      socket.resume();
      pump(socket, () => chunk);
      return;
    }
    case 'garbage':
      socket.resume();
      socket.end(garbage());
      return;
    case 'drip':
      drip(socket);
      return;
    case 'telnet-endless-subneg': {
      // IAC SB TERMINAL-TYPE, then a body that never reaches IAC SE.
      socket.resume();
      socket.write(Buffer.from([0xff, 0xfa, 0x18, 0x00]));
      const body = Buffer.alloc(FLOOD_CHUNK_BYTES, 0x41);
      pump(socket, () => body);
      return;
    }
    case 'telnet-text-flood': {
      // Telnet by its first bytes, then text that never reaches a prompt: the probe keeps
      // reading until its byte cap or deadline, the worst case for the scanner's memory.
      socket.resume();
      socket.write(Buffer.from([0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03]));
      const text = Buffer.from(
        'Welcome, this banner never ends and never asks for anything '.repeat(300),
      );
      pump(socket, () => text);
      return;
    }
    case 'telnet-iac-flood': {
      socket.resume();
      const iacs = Buffer.alloc(FLOOD_CHUNK_BYTES, 0xff);
      pump(socket, () => iacs);
      return;
    }
    case 'ssh-bad-ident':
      // An ident line that starts right, carries an escape sequence and never ends.
      socket.resume();
      socket.write(`SSH-2.0-\x1b[31mOpenSSH_9.9${'A'.repeat(4_000)}`);
      return;
    case 'ssh-huge-packet':
      // A correct ident, then a binary packet claiming 4 GB (0xFFFFFFFF).
      socket.resume();
      socket.write(
        Buffer.concat([
          Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'),
          Buffer.from([0xff, 0xff, 0xff, 0xff, 0x04, 0x14]),
          randomBytes(64),
        ]),
      );
      return;
    case 'ssh-endless-kexinit':
      endlessKexinit(socket);
      return;
    case 'smtp-endless-multiline': {
      socket.resume();
      const lines = Buffer.from('220-mail.example.net ESMTP still greeting you\r\n'.repeat(256));
      pump(socket, () => lines);
      return;
    }
    case 'http-giant-headers':
      onRequest(socket, () => {
        socket.write('HTTP/1.1 200 OK\r\nServer: giant/1.0\r\n');
        const pad = Buffer.from(`X-Pad: ${'h'.repeat(1_000)}\r\n`.repeat(16));
        pump(socket, () => pad);
      });
      return;
    case 'http-endless-chunked':
      onRequest(socket, () => {
        socket.write(
          'HTTP/1.1 200 OK\r\nServer: endless/1.0\r\nContent-Type: text/html\r\n' +
            'Transfer-Encoding: chunked\r\n\r\n',
        );
        const data = 'c'.repeat(4_000);
        const chunk = Buffer.from(`${data.length.toString(16)}\r\n${data}\r\n`.repeat(4));
        pump(socket, () => chunk);
      });
      return;
    case 'http-gzip-bomb':
      onRequest(socket, () => {
        const body = gzipBomb();
        socket.end(
          Buffer.concat([
            Buffer.from(
              'HTTP/1.1 200 OK\r\nServer: bomb/1.0\r\nContent-Type: text/html\r\n' +
                `Content-Encoding: gzip\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
            ),
            body,
          ]),
        );
      });
      return;
    case 'http-1xx-flood':
      onRequest(socket, () => {
        const interim = Buffer.from('HTTP/1.1 102 Processing\r\n\r\n'.repeat(64));
        pump(socket, () => interim);
      });
      return;
    case 'http-redirect-loop':
      onRequest(socket, () => {
        redirect(socket, `http://${hostForUrl(address)}:${port}/`);
      });
      return;
    case 'http-redirect-away':
      // Points at the next address of the lab (the canary persona) on the same port, and
      // at a documentation address: a client that follows either is caught.
      onRequest(socket, () => {
        redirect(socket, `http://${nextAddress(address)}:${port}/login`, [
          ['Refresh', '0; url=http://192.0.2.1/'],
          ['Content-Location', `http://${nextAddress(address)}/`],
        ]);
      });
      return;
  }
  // The UDP modes never reach a TCP listener (see startHostile).
  socket.destroy();
}

/** Writes `next()` chunks forever while the peer reads; waits for 'drain' when it does not. */
function pump(socket: net.Socket, next: () => Buffer): void {
  const go = (): void => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(next())) {
        socket.once('drain', go);
        return;
      }
    }
  };
  go();
}

/** Runs `respond` once, when the client's first bytes (its request) arrive. */
function onRequest(socket: net.Socket, respond: () => void): void {
  socket.once('data', () => respond());
  socket.resume();
}

/** One byte a second, forever: a text line that never ends, so no framer is satisfied. */
function drip(socket: net.Socket): void {
  socket.resume();
  const text = Buffer.from('Welcome to the slow lane ');
  let i = 0;
  const tick = (): void => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(text.subarray(i % text.length, (i % text.length) + 1));
    i++;
  };
  tick();
  const timer = setInterval(tick, DRIP_INTERVAL_MS);
  socket.once('close', () => clearInterval(timer));
}

/** A correct ident, then a KEXINIT whose 34 000 announced bytes trickle in forever. */
function endlessKexinit(socket: net.Socket): void {
  socket.resume();
  const head = Buffer.alloc(6);
  head.writeUInt32BE(34_000, 0);
  head[4] = 4; // padding length
  head[5] = 20; // SSH_MSG_KEXINIT
  socket.write(Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'), head, randomBytes(16)]));
  const filler = Buffer.alloc(TRICKLE_BYTES, 0x61);
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(filler);
  }, TRICKLE_INTERVAL_MS);
  socket.once('close', () => clearInterval(timer));
}

function redirect(
  socket: net.Socket,
  location: string,
  extra: readonly (readonly [string, string])[] = [],
): void {
  const body = `<html><head><title>Moved</title></head><body><a href="${location}">here</a></body></html>`;
  const headers = [
    ['Server', 'redirector/1.0'],
    ['Location', location],
    ...extra,
    ['Content-Type', 'text/html'],
    ['Content-Length', String(Buffer.byteLength(body))],
    ['Connection', 'close'],
  ];
  socket.end(
    `HTTP/1.1 302 Found\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${body}`,
  );
}

let bomb: Buffer | null = null;
/** Gzip of 32 MiB of zeros (about 32 KiB on the wire), made once. */
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.alloc(GZIP_BOMB_BYTES), { level: 9 });
  return bomb;
}

/** The address after `address` (last octet + 1): where the lab puts the canary persona. */
export function nextAddress(address: string): string {
  const parts = address.split('.');
  const last = Number(parts.pop());
  return [...parts, String(last + 1)].join('.');
}

function hostForUrl(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/**
 * 64 to 576 random bytes, with a CR LF somewhere in the middle now and then so line-based
 * parsers see a "line" of binary as well as bytes with no line end.
 */
function garbage(): Buffer {
  const bytes = randomBytes(64 + (randomBytes(2).readUInt16BE(0) % 513));
  if (bytes[0]! % 2 === 0) {
    const at = 8 + (bytes[1]! % (bytes.length - 10));
    bytes[at] = 0x0d;
    bytes[at + 1] = 0x0a;
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------
// SNMP (UDP)

/** Starts a hostile SNMP or SSDP responder: every request gets the mode's kind of bad answer. */
function startHostileUdp(
  address: string,
  port: number,
  mode: HostileMode,
  recorder: HostRecorder,
): Promise<RunningServer> {
  let n = 0;
  return listenUdp(address, port, (socket: dgram.Socket, message, rinfo) => {
    recorder.connection();
    const request = parseRequest(message);
    let replies: Buffer[];
    switch (mode) {
      case 'snmp-malformed':
        replies = [MALFORMED[n++ % MALFORMED.length] as Buffer];
        break;
      case 'snmp-huge':
        replies = request ? [response(request, request.id, 'X'.repeat(SNMP_HUGE_DESCR_BYTES))] : [];
        break;
      case 'ssdp-location-away':
        // A LOCATION on the next address (the canary), with a CSI (0x9B) and an ESC in it
        // for the logs, and a documentation address in a second header.
        replies =
          message.subarray(0, 8).toString('latin1') === 'M-SEARCH' ? [ssdpAway(address, port)] : [];
        break;
      case 'snmp-wrong-id':
        // Answers to requests never asked, and a few copies: none may be taken as the reply.
        replies = request
          ? [1, 2, -1].map((d) =>
              response(request, (request.id + d) | 0, 'HP ETHERNET MULTI-ENVIRONMENT,JETDIRECT'),
            )
          : [];
        break;
      default:
        replies = [];
    }
    for (const r of replies) socket.send(r, rinfo.port, rinfo.address);
  });
}

/** An SSDP answer pointing at the canary's HTTP port (80 shifted like this port from 1900). */
function ssdpAway(address: string, port: number): Buffer {
  const httpPort = 80 + (port - 1900);
  return Buffer.from(
    'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n' +
      `LOCATION: http://${nextAddress(address)}:${httpPort}/\x9b6n\x1b]0;owned\x07rootDesc.xml\r\n` +
      'SERVER: Linux/4.9 UPnP/1.0 \x1b[31mhoney\x1b[0m/1.0\r\nST: upnp:rootdevice\r\n' +
      'USN: uuid:00000000-0000-0000-0000-000000000000::upnp:rootdevice\r\n' +
      'AL: <http://192.0.2.1/desc.xml>\r\n\r\n',
    'latin1',
  );
}

/** Malformed replies: lengths past the end, 4 GB lengths, wrong tags, truncation, junk. */
const MALFORMED: readonly Buffer[] = [
  Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01]),
  Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75]),
  Buffer.from([0x30, 0x0a, 0x02, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0xa2, 0x80, 0x00]),
  Buffer.from([0x04, 0x03, 0x1b, 0x5b, 0x32]),
  Buffer.from([0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x30, 0x80, 0x00, 0x00]),
  Buffer.alloc(0),
];

interface SnmpRequest {
  readonly version: number;
  readonly community: Buffer;
  readonly id: number;
}

/** Reads version, community and request id of a v1/v2c request; null when malformed. */
function parseRequest(buf: Buffer): SnmpRequest | null {
  const outer = tlvAt(buf, 0);
  if (outer?.tag !== 0x30) return null;
  const version = tlvAt(buf, outer.start);
  if (version?.tag !== 0x02) return null;
  const community = tlvAt(buf, version.end);
  if (community?.tag !== 0x04) return null;
  const pdu = tlvAt(buf, community.end);
  if (!pdu) return null;
  const id = tlvAt(buf, pdu.start);
  if (id?.tag !== 0x02 || id.end - id.start > 4 || id.end === id.start) return null;
  return {
    version: buf.readIntBE(version.start, Math.min(4, version.end - version.start) || 1),
    community: buf.subarray(community.start, community.end),
    id: buf.readIntBE(id.start, id.end - id.start),
  };
}

function tlvAt(buf: Buffer, at: number): { tag: number; start: number; end: number } | null {
  const tag = buf[at];
  let len = buf[at + 1];
  if (tag === undefined || len === undefined) return null;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2 || start + n > buf.length) return null;
    len = buf.readUIntBE(start, n);
    start += n;
  }
  const end = start + len;
  return end > buf.length ? null : { tag, start, end };
}

/** A GetResponse carrying `descr` as sysDescr.0, under request id `id`. */
function response(request: SnmpRequest, id: number, descr: string): Buffer {
  const sysDescr = Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]);
  const varbind = ber(0x30, [ber(0x06, [sysDescr]), ber(0x04, [Buffer.from(descr, 'latin1')])]);
  const idBytes = Buffer.alloc(4);
  idBytes.writeInt32BE(id, 0);
  const pdu = ber(0xa2, [
    ber(0x02, [idBytes]),
    ber(0x02, [Buffer.from([0])]),
    ber(0x02, [Buffer.from([0])]),
    ber(0x30, [varbind]),
  ]);
  return ber(0x30, [
    ber(0x02, [Buffer.from([request.version & 0xff])]),
    ber(0x04, [request.community]),
    pdu,
  ]);
}

function ber(tag: number, parts: readonly Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  const n = content.length;
  const len =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

/**
 * SSH probe.
 *
 * Ports: 22, 2222 (and any port whose greeting holds an `SSH-2.0-` / `SSH-1.99-` line).
 * Sends: on the engine's connection, our identification line `SSH-2.0-thingscan_0.1\r\n`
 *   and nothing else; on one extra rate-limited connection, ssh2's client side of the key
 *   exchange (ident, KEXINIT, ECDH/DH init) up to the server's host key.
 * Records: `ssh.ident`, `ssh.software`, `ssh.comment`, the server KEXINIT lists
 *   (`ssh.kex`, `ssh.hostkey_algorithms`, `ssh.ciphers`, `ssh.macs`, `ssh.compression`),
 *   `ssh.hassh`, `ssh.hostkey_type`, `ssh.hostkey_sha256`.
 * Never: authenticates. The host-key verifier refuses the key, so the handshake stops
 *   before ssh2 could ask for the `ssh-userauth` service; the username ssh2 insists on
 *   is a placeholder that is never sent.
 */
import type net from 'node:net';
import ssh2 from 'ssh2';
import type { Framer } from '../src/net/bounded.js';
import {
  findIdentLine,
  hasshServer,
  hostKeySha256,
  hostKeyType,
  type Kexinit,
  MAX_IDENT_LENGTH,
  MAX_PACKET_LENGTH,
  packetPayload,
  parseIdent,
  parseKexinit,
} from './parsers/ssh-wire.js';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

/** Our software version, sent in the identification line (honest, no imitation). */
const OUR_SOFTWARE = 'thingscan_0.1';

/** SSH_MSG_IGNORE and SSH_MSG_DEBUG may legally precede KEXINIT; skip a few of them. */
const SKIPPABLE_MESSAGES: ReadonlySet<number> = new Set([2, 4]);
const MAX_PACKETS_BEFORE_KEXINIT = 4;

/** How far past the greeting we read for the end of an unterminated ident line. */
const MAX_PRE_IDENT_BYTES = 8 * 1024;

/** The SSH probe (see the file header). */
export const sshProbe: TcpProbe = {
  name: 'ssh',
  transport: 'tcp',
  ports: [22, 2222],
  serverFirst: true,
  detect(greeting) {
    return findIdentLine(greeting) ? 2 : 0;
  },
  run: runSsh,
};

type Fields = Record<string, string>;

async function runSsh(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput> {
  const fields: Fields = {};
  const { reader } = conn;
  let buf = conn.greeting;
  let loc = findIdentLine(buf);

  // The greeting burst may stop mid-line: read on until the LF, within bounds.
  while (loc && loc.end < 0) {
    if (loc.line.length >= MAX_IDENT_LENGTH || buf.length > MAX_PRE_IDENT_BYTES) {
      recordIdent(fields, loc.line);
      return { status: 'protocol-error', fields, banner: loc.line };
    }
    const more = await reader.read(ctx.timeouts.readMs, lineEndFramer);
    buf = Buffer.concat([buf, more.data]);
    loc = findIdentLine(buf);
    if (more.end !== 'matched' && loc && loc.end < 0) {
      recordIdent(fields, loc.line);
      const status = more.end === 'closed' ? 'connection-closed' : 'io-timeout';
      return { status, fields, banner: loc.line };
    }
  }
  if (!loc) return { status: 'protocol-error', fields, banner: buf.toString('latin1') };

  recordIdent(fields, loc.line);
  const banner = loc.line;
  reader.write(`SSH-2.0-${OUR_SOFTWARE}\r\n`);

  const kex = await readKexinit(ctx, conn, buf.subarray(loc.end));
  if (kex.kind === 'invalid') return { status: 'protocol-error', fields, banner };
  if (kex.kind === 'aborted') return { status: 'io-timeout', fields, banner };
  if (kex.kind === 'missing') {
    // The ident is a complete SSH answer on its own (some servers hang up right after it
    // when busy); report it rather than lose it.
    return { status: 'ok', fields, banner };
  }
  recordKexinit(fields, kex.kexinit);
  // Done with the first connection before opening the second.
  reader.close();

  const key = await fetchHostKey(ctx);
  if (key) {
    fields['ssh.hostkey_type'] = key.type;
    fields['ssh.hostkey_sha256'] = key.sha256;
  }
  return { status: 'ok', fields, banner };
}

/** Framer: up to and including the next LF. */
const lineEndFramer: Framer = (b) => {
  const i = b.indexOf(0x0a);
  return i >= 0 ? i + 1 : undefined;
};

function recordIdent(fields: Fields, line: string): void {
  const ident = parseIdent(line);
  fields['ssh.ident'] = line;
  if (!ident) return;
  if (ident.software !== '') fields['ssh.software'] = ident.software;
  if (ident.comment !== null) fields['ssh.comment'] = ident.comment;
}

function recordKexinit(fields: Fields, k: Kexinit): void {
  fields['ssh.kex'] = k.kex;
  fields['ssh.hostkey_algorithms'] = k.hostKeyAlgorithms;
  fields['ssh.ciphers'] = k.ciphersServerToClient;
  fields['ssh.macs'] = k.macsServerToClient;
  fields['ssh.compression'] = k.compressionServerToClient;
  fields['ssh.hassh'] = hasshServer(k);
}

type KexResult =
  | { readonly kind: 'ok'; readonly kexinit: Kexinit }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'aborted' };

/**
 * Reads the server's first binary packets until KEXINIT. `pending` holds bytes that came
 * with the greeting after the ident line (many servers send KEXINIT without waiting).
 */
async function readKexinit(
  ctx: ProbeContext,
  conn: TcpConnection,
  initial: Buffer,
): Promise<KexResult> {
  let pending = initial;
  for (let n = 0; n < MAX_PACKETS_BEFORE_KEXINIT; n += 1) {
    const packet = await readPacket(ctx, conn, pending);
    if (packet.kind !== 'ok') return packet;
    pending = packet.rest;
    const payload = packetPayload(packet.packet);
    if (!payload) return { kind: 'invalid' };
    const type = payload[0] ?? -1;
    if (SKIPPABLE_MESSAGES.has(type)) continue;
    const kexinit = parseKexinit(payload);
    return kexinit ? { kind: 'ok', kexinit } : { kind: 'invalid' };
  }
  return { kind: 'invalid' };
}

type PacketResult =
  | { readonly kind: 'ok'; readonly packet: Buffer; readonly rest: Buffer }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'aborted' };

async function readPacket(
  ctx: ProbeContext,
  conn: TcpConnection,
  pending: Buffer,
): Promise<PacketResult> {
  const own = lengthOf(pending);
  if (own === 'invalid') return { kind: 'invalid' };
  if (own !== undefined && pending.length >= own) {
    return { kind: 'ok', packet: pending.subarray(0, own), rest: pending.subarray(own) };
  }
  let invalid = false;
  // The length field may straddle `pending` and the reader: look at both without copying
  // more than the 4-byte header, and never size anything from the peer's number.
  const framer: Framer = (buffered) => {
    const head = pending.length >= 4 ? pending : Buffer.concat([pending, buffered.subarray(0, 4)]);
    const total = lengthOf(head);
    if (total === 'invalid') {
      invalid = true;
      return buffered.length;
    }
    if (total === undefined) return undefined;
    const need = total - pending.length;
    return buffered.length >= need ? need : undefined;
  };
  const res = await conn.reader.read(ctx.timeouts.readMs, framer);
  if (invalid) return { kind: 'invalid' };
  if (res.end === 'aborted') return { kind: 'aborted' };
  if (res.end !== 'matched') return { kind: 'missing' };
  return { kind: 'ok', packet: Buffer.concat([pending, res.data]), rest: Buffer.alloc(0) };
}

/** Whole packet size (length field included), `undefined` if unknown yet, or 'invalid'. */
function lengthOf(head: Buffer): number | 'invalid' | undefined {
  if (head.length < 4) return undefined;
  const len = head.readUInt32BE(0);
  // padding_length + 4 bytes of minimum padding + a message byte.
  if (len < 6 || len > MAX_PACKET_LENGTH) return 'invalid';
  return len + 4;
}

interface HostKey {
  readonly type: string;
  readonly sha256: string;
}

/**
 * Reads the host key on a second connection through ssh2, refusing it in `hostVerifier`
 * so the session ends before authentication. Any failure yields null.
 */
async function fetchHostKey(ctx: ProbeContext): Promise<HostKey | null> {
  if (ctx.signal.aborted) return null;
  let sock: net.Socket;
  try {
    sock = await ctx.connect();
  } catch {
    return null;
  }
  return new Promise<HostKey | null>((resolve) => {
    const client = new ssh2.Client();
    let result: HostKey | null = null;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', finish);
      sock.destroy();
      resolve(result);
    };
    // ssh2 reports the refused key (and everything else) as an 'error'; all of them just end
    // the step. The listener stays so a late error after `finish` cannot crash the process.
    client.on('error', finish);
    client.on('close', finish);
    // 'ready' would mean authentication succeeded, which cannot happen with a refused key;
    // if it ever did, leave at once.
    client.on('ready', finish);
    sock.on('error', finish);
    if (ctx.signal.aborted) {
      finish();
      return;
    }
    ctx.signal.addEventListener('abort', finish, { once: true });
    try {
      client.connect({
        sock,
        // Required by ssh2's option check; never sent, since we refuse the host key first.
        username: 'thingscan',
        ident: OUR_SOFTWARE,
        readyTimeout: ctx.timeouts.readMs,
        tryKeyboard: false,
        hostVerifier: (key: Buffer): boolean => {
          const type = hostKeyType(key);
          if (type) result = { type, sha256: hostKeySha256(key) };
          return false;
        },
      });
    } catch (error) {
      ctx.log.debug({ err: error }, 'ssh2 connect threw');
      finish();
    }
  });
}

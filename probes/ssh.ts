/**
 * SSH probe.
 *
 * Ports: 22, 2222 (and any port whose greeting holds an `SSH-2.0-` / `SSH-1.99-` line).
 * Sends, all on the engine's connection and in plaintext: our identification line
 *   `SSH-2.0-thingscan_0.1\r\n`; after the server's KEXINIT, our KEXINIT and the key
 *   exchange's first message (KEX_ECDH_INIT / KEXDH_INIT with a fresh ephemeral public
 *   value, or a group-exchange request, then its KEX_DH_GEX_INIT); then SSH_MSG_DISCONNECT.
 * Records: `ssh.ident`, `ssh.software`, `ssh.comment`, the server KEXINIT lists
 *   (`ssh.kex`, `ssh.hostkey_algorithms`, `ssh.ciphers`, `ssh.macs`, `ssh.compression`),
 *   `ssh.hassh`, and from the server's KEX(EC)DH reply the host key: `ssh.hostkey_type`,
 *   `ssh.hostkey_sha256`.
 * Never: computes a shared secret, sends NEWKEYS, requests a service or authenticates; the
 *   connection ends as soon as the host key is read. A server that refuses, garbles or
 *   shares no algorithm with us still yields its ident and KEXINIT fields (status `ok`).
 */
import type { Framer, ReadEnd } from '../src/net/bounded.js';
import { MSG } from './parsers/ssh-kex.js';
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
import { exchangeForHostKey, type HostKeyOutcome, type KexChannel } from './ssh-kex.js';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

/** Our software version, sent in the identification line (honest, no imitation). */
const OUR_SOFTWARE = 'thingscan_0.1';

/** SSH_MSG_IGNORE and SSH_MSG_DEBUG may legally precede KEXINIT; skip a few of them. */
const SKIPPABLE_MESSAGES: ReadonlySet<number> = new Set([MSG.IGNORE, MSG.DEBUG]);
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

  const outcome = await exchangeForHostKey(kex.kexinit, channel(ctx, conn, kex.rest));
  if (outcome.kind === 'host-key') {
    const type = hostKeyType(outcome.blob);
    if (type) {
      fields['ssh.hostkey_type'] = type;
      fields['ssh.hostkey_sha256'] = hostKeySha256(outcome.blob);
    } else {
      ctx.log.debug('ssh host key blob names no key type');
    }
  } else {
    ctx.log.debug({ outcome: describe(outcome) }, 'ssh host key not read');
  }
  reader.close();
  return { status: 'ok', fields, banner };
}

/** The key exchange's view of the connection: whole packets in, bytes out. */
function channel(ctx: ProbeContext, conn: TcpConnection, initial: Buffer): KexChannel {
  let pending = initial;
  return {
    async next() {
      const packet = await readPacket(ctx, conn, pending);
      if (packet.kind === 'invalid') return 'invalid';
      if (packet.kind === 'aborted') return 'aborted';
      if (packet.kind === 'missing') return packet.end === 'timeout' ? 'timeout' : 'closed';
      pending = packet.rest;
      return packetPayload(packet.packet) ?? 'invalid';
    },
    send(data) {
      conn.reader.write(data);
    },
  };
}

/** One line for the log about an exchange that gave no host key. */
function describe(outcome: Exclude<HostKeyOutcome, { kind: 'host-key' }>): string {
  switch (outcome.kind) {
    case 'no-common':
      return `no common ${outcome.list} algorithm`;
    case 'disconnected':
      return `server disconnected (reason ${outcome.reason})`;
    case 'failed':
      return outcome.why;
  }
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
  | { readonly kind: 'ok'; readonly kexinit: Kexinit; readonly rest: Buffer }
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
    return kexinit ? { kind: 'ok', kexinit, rest: pending } : { kind: 'invalid' };
  }
  return { kind: 'invalid' };
}

type PacketResult =
  | { readonly kind: 'ok'; readonly packet: Buffer; readonly rest: Buffer }
  | { readonly kind: 'invalid' }
  /** Timed out, closed, or the connection's byte cap reached before a whole packet. */
  | { readonly kind: 'missing'; readonly end: ReadEnd }
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
  if (res.end !== 'matched') return { kind: 'missing', end: res.end };
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

/**
 * SSH wire format, the few pieces the ssh probe reads before any key exchange: the
 * identification line, the binary packet frame and the server's KEXINIT (RFC 4253 4.2,
 * 6 and 7.1). Pure functions over bytes a hostile server chose: every length is checked
 * against what is actually there, and no buffer is ever sized from a length field.
 */
import { createHash } from 'node:crypto';

/**
 * Largest `packet_length` we accept. RFC 4253 6.1 asks implementations to handle packets
 * of 35000 bytes; a first KEXINIT is a few hundred to a few thousand bytes, so anything
 * above is a hostile or broken peer.
 */
export const MAX_PACKET_LENGTH = 35_000;

/** RFC 4253 4.2: the identification line is at most 255 bytes, CR LF included. */
export const MAX_IDENT_LENGTH = 255;

/** SSH_MSG_KEXINIT. */
const MSG_KEXINIT = 20;

/** The parts of an identification line `SSH-protoversion-softwareversion SP comments`. */
export interface SshIdent {
  /** Whole line without CR LF, e.g. `SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10`. */
  readonly ident: string;
  /** Protocol version, `2.0` or `1.99`. */
  readonly protoVersion: string;
  /** Software version, e.g. `OpenSSH_8.9p1`; may be empty on broken servers. */
  readonly software: string;
  /** Comment after the first space, or null when absent. */
  readonly comment: string | null;
}

/** Where the identification line sits in the bytes the server sent first. */
export interface IdentLocation {
  /** The line, CR LF removed (truncated to {@link MAX_IDENT_LENGTH}). */
  readonly line: string;
  /** Offset just past the line's LF, or -1 when the line is not terminated yet. */
  readonly end: number;
}

/**
 * Finds the first line starting `SSH-2.0-` or `SSH-1.99-` (RFC 4253 allows other lines
 * before it). Returns null when there is none.
 */
export function findIdentLine(buf: Buffer): IdentLocation | null {
  let start = 0;
  while (start < buf.length) {
    const lf = buf.indexOf(0x0a, start);
    const stop = lf < 0 ? buf.length : lf;
    if (isIdentStart(buf, start)) {
      let lineEnd = stop;
      if (lineEnd > start && buf[lineEnd - 1] === 0x0d) lineEnd -= 1;
      const capped = Math.min(lineEnd, start + MAX_IDENT_LENGTH);
      return { line: buf.toString('latin1', start, capped), end: lf < 0 ? -1 : lf + 1 };
    }
    if (lf < 0) break;
    start = lf + 1;
  }
  return null;
}

function isIdentStart(buf: Buffer, at: number): boolean {
  return startsWithAscii(buf, at, 'SSH-2.0-') || startsWithAscii(buf, at, 'SSH-1.99-');
}

function startsWithAscii(buf: Buffer, at: number, text: string): boolean {
  if (buf.length - at < text.length) return false;
  for (let i = 0; i < text.length; i += 1) {
    if (buf[at + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** Splits an identification line into its parts; null when it is not `SSH-x-y`. */
export function parseIdent(line: string): SshIdent | null {
  if (!line.startsWith('SSH-')) return null;
  const dash = line.indexOf('-', 4);
  if (dash < 0) return null;
  const protoVersion = line.slice(4, dash);
  const rest = line.slice(dash + 1);
  const space = rest.indexOf(' ');
  const software = space < 0 ? rest : rest.slice(0, space);
  const comment = space < 0 ? null : rest.slice(space + 1);
  return { ident: line, protoVersion, software, comment: comment === '' ? null : comment };
}

/** What {@link packetFrame} found at the start of a buffer. */
export type PacketFrame =
  /** A whole packet of `length` bytes (length field included) is available. */
  | { readonly kind: 'complete'; readonly length: number }
  /** More bytes are needed. */
  | { readonly kind: 'partial' }
  /** The length field is impossible; the peer is not speaking SSH (or is hostile). */
  | { readonly kind: 'invalid'; readonly packetLength: number };

/**
 * Frames one unencrypted binary packet: `uint32 packet_length`, then that many bytes
 * (no MAC before keys are exchanged). The length is only compared, never allocated.
 */
export function packetFrame(buf: Buffer): PacketFrame {
  if (buf.length < 4) return { kind: 'partial' };
  const packetLength = buf.readUInt32BE(0);
  // padding_length (1) + at least 4 bytes of padding (RFC 4253 6) + a message type.
  if (packetLength < 6 || packetLength > MAX_PACKET_LENGTH) {
    return { kind: 'invalid', packetLength };
  }
  const total = 4 + packetLength;
  return buf.length >= total ? { kind: 'complete', length: total } : { kind: 'partial' };
}

/** Extracts the payload of a complete unencrypted packet; null when padding is impossible. */
export function packetPayload(packet: Buffer): Buffer | null {
  if (packet.length < 5) return null;
  const packetLength = packet.readUInt32BE(0);
  if (packetLength + 4 > packet.length) return null;
  const padding = packet[4] ?? 0;
  const payloadLength = packetLength - 1 - padding;
  if (payloadLength < 1) return null;
  return packet.subarray(5, 5 + payloadLength);
}

/** The algorithm lists of a KEXINIT, each a comma-separated name-list as sent. */
export interface Kexinit {
  readonly kex: string;
  readonly hostKeyAlgorithms: string;
  readonly ciphersClientToServer: string;
  readonly ciphersServerToClient: string;
  readonly macsClientToServer: string;
  readonly macsServerToClient: string;
  readonly compressionClientToServer: string;
  readonly compressionServerToClient: string;
  readonly languagesClientToServer: string;
  readonly languagesServerToClient: string;
  /** `first_kex_packet_follows`. */
  readonly firstKexPacketFollows: boolean;
}

/**
 * Parses a KEXINIT payload (message byte, 16-byte cookie, ten name-lists, boolean,
 * reserved uint32). Returns null when the message is not KEXINIT or any list overruns.
 */
export function parseKexinit(payload: Buffer): Kexinit | null {
  if (payload[0] !== MSG_KEXINIT) return null;
  let at = 17;
  const lists: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    if (at + 4 > payload.length) return null;
    const len = payload.readUInt32BE(at);
    at += 4;
    if (len > payload.length - at) return null;
    const list = payload.toString('latin1', at, at + len);
    // Name-lists are US-ASCII without NUL (RFC 4251 5); anything else is not a KEXINIT.
    if (!/^[\x20-\x7e]*$/.test(list)) return null;
    lists.push(list);
    at += len;
  }
  if (at + 1 > payload.length) return null;
  const follows = payload[at] !== 0;
  const [kex, hostKey, encCs, encSc, macCs, macSc, compCs, compSc, langCs, langSc] = lists;
  return {
    kex: kex ?? '',
    hostKeyAlgorithms: hostKey ?? '',
    ciphersClientToServer: encCs ?? '',
    ciphersServerToClient: encSc ?? '',
    macsClientToServer: macCs ?? '',
    macsServerToClient: macSc ?? '',
    compressionClientToServer: compCs ?? '',
    compressionServerToClient: compSc ?? '',
    languagesClientToServer: langCs ?? '',
    languagesServerToClient: langSc ?? '',
    firstKexPacketFollows: follows,
  };
}

/**
 * HASSH server fingerprint: MD5 hex of `kex;ciphers;macs;compression`, the lists taken in
 * the server-to-client direction, as the HASSH method defines it.
 */
export function hasshServer(k: Kexinit): string {
  const text = [
    k.kex,
    k.ciphersServerToClient,
    k.macsServerToClient,
    k.compressionServerToClient,
  ].join(';');
  return createHash('md5').update(text, 'latin1').digest('hex');
}

/** The key type named at the start of a public key blob (`string` type), or null. */
export function hostKeyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || len > blob.length - 4) return null;
  const name = blob.toString('latin1', 4, 4 + len);
  return /^[\x21-\x7e]+$/.test(name) ? name : null;
}

/** SHA-256 fingerprint of a public key blob, base64 without `=` padding (as OpenSSH prints). */
export function hostKeySha256(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * SSH key-exchange messages, the few the ssh probe exchanges in plaintext to reach the
 * server's host key: our KEXINIT, the (EC)DH and group-exchange requests, KEX(EC)DH_REPLY,
 * the group-exchange group and DISCONNECT (RFC 4253 7-8 and 11.1, RFC 4419, RFC 5656,
 * RFC 8731). Pure functions over bytes: builders take every random value as an argument,
 * and parsers check each length against what is actually there.
 */
/** Message numbers (RFC 4250 4.1). 30-34 are reused by each key-exchange method. */
export const MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  KEXINIT: 20,
  NEWKEYS: 21,
  /** KEXDH_INIT and KEX_ECDH_INIT. */
  KEX_INIT: 30,
  /** KEXDH_REPLY and KEX_ECDH_REPLY; KEX_DH_GEX_GROUP in a group exchange. */
  KEX_REPLY: 31,
  KEX_DH_GEX_INIT: 32,
  KEX_DH_GEX_REPLY: 33,
  KEX_DH_GEX_REQUEST: 34,
} as const;

/** Disconnect reason codes we send (RFC 4253 11.1). */
export const DISCONNECT_REASON = {
  KEY_EXCHANGE_FAILED: 3,
  BY_APPLICATION: 11,
} as const;

/** Group sizes we ask for in a group exchange, bits (OpenSSH's client bounds, and its floor). */
export const GEX_REQUEST = { min: 2048, preferred: 2048, max: 8192 } as const;

/** Modulus sizes accepted from a group exchange, bits: what we asked for, plus old 1024-bit servers. */
const GEX_ACCEPTED_BITS = { min: 1024, max: GEX_REQUEST.max } as const;

/** Our algorithm lists, most preferred first (the order RFC 4253 7.1 negotiates by). */
export interface ClientAlgorithms {
  readonly kex: readonly string[];
  readonly hostKey: readonly string[];
  readonly ciphers: readonly string[];
  readonly macs: readonly string[];
  readonly compression: readonly string[];
}

/**
 * The 16-byte cookie and name-lists of a KEXINIT from our side, as one payload: both
 * directions get the same lists, no languages, no guessed packet.
 */
export function encodeKexinit(cookie: Buffer, algorithms: ClientAlgorithms): Buffer {
  if (cookie.length !== 16) throw new RangeError('a KEXINIT cookie is 16 bytes');
  const { kex, hostKey, ciphers, macs, compression } = algorithms;
  const lists = [kex, hostKey, ciphers, ciphers, macs, macs, compression, compression, [], []];
  return Buffer.concat([
    Buffer.from([MSG.KEXINIT]),
    cookie,
    ...lists.map((list) => sshString(Buffer.from(list.join(','), 'latin1'))),
    // first_kex_packet_follows = false, reserved uint32 0.
    Buffer.from([0, 0, 0, 0, 0]),
  ]);
}

/**
 * RFC 4253 7.1: the first algorithm of the client's list that the server's comma-separated
 * list also holds, or null when they share none.
 */
export function negotiate(client: readonly string[], server: string): string | null {
  const offered = new Set(server.split(','));
  return client.find((name) => offered.has(name)) ?? null;
}

/** KEXDH_INIT with `e` (an mpint), or KEX_ECDH_INIT with `Q_C` (a string). */
export function encodeKexInit(publicValue: Buffer, asMpint: boolean): Buffer {
  const value = asMpint ? mpint(publicValue) : sshString(publicValue);
  return Buffer.concat([Buffer.from([MSG.KEX_INIT]), value]);
}

/** KEX_DH_GEX_REQUEST: min, preferred and max group size in bits. */
export function encodeGexRequest(): Buffer {
  const out = Buffer.alloc(13);
  out[0] = MSG.KEX_DH_GEX_REQUEST;
  out.writeUInt32BE(GEX_REQUEST.min, 1);
  out.writeUInt32BE(GEX_REQUEST.preferred, 5);
  out.writeUInt32BE(GEX_REQUEST.max, 9);
  return out;
}

/** KEX_DH_GEX_INIT with `e`. */
export function encodeGexInit(e: Buffer): Buffer {
  return Buffer.concat([Buffer.from([MSG.KEX_DH_GEX_INIT]), mpint(e)]);
}

/** SSH_MSG_DISCONNECT with a reason code and an ASCII description, no language tag. */
export function encodeDisconnect(reason: number, description: string): Buffer {
  const head = Buffer.alloc(5);
  head[0] = MSG.DISCONNECT;
  head.writeUInt32BE(reason, 1);
  return Buffer.concat([
    head,
    sshString(Buffer.from(description, 'latin1')),
    sshString(Buffer.alloc(0)),
  ]);
}

/**
 * Frames a payload as an unencrypted binary packet (RFC 4253 6): padding brings the whole
 * packet to a multiple of 8 bytes with at least 4 bytes of it; `padding` supplies them
 * (random on the wire) and must hold at least 11.
 */
export function encodePacket(payload: Buffer, padding: Buffer): Buffer {
  let padLength = 8 - ((payload.length + 5) % 8);
  if (padLength < 4) padLength += 8;
  if (padding.length < padLength) throw new RangeError('not enough padding bytes');
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length + padLength, 0);
  head[4] = padLength;
  return Buffer.concat([head, payload, padding.subarray(0, padLength)]);
}

/** Padding bytes {@link encodePacket} may need at most. */
export const MAX_PADDING = 11;

/**
 * The host key blob `K_S` of a KEXDH_REPLY / KEX_ECDH_REPLY (31) or KEX_DH_GEX_REPLY (33),
 * the first field of each. The rest (the server's public value and its signature) is not
 * read. Null when the message is another one or the string overruns the payload.
 */
export function parseKexReply(payload: Buffer, type: number): Buffer | null {
  if (payload[0] !== type) return null;
  const blob = readString(payload, 1);
  return blob && blob.value.length > 0 ? blob.value : null;
}

/** A group from KEX_DH_GEX_GROUP. */
export interface GexGroup {
  /** Safe prime `p`, unsigned big-endian without leading zeros. */
  readonly p: Buffer;
  /** Generator `g`, unsigned big-endian without leading zeros. */
  readonly g: Buffer;
}

/**
 * Parses KEX_DH_GEX_GROUP. Null when malformed, or when the group is one no honest server
 * sends: `p` even or outside {@link GEX_ACCEPTED_BITS}, or `g` not in [2, p-2]. The size
 * check also bounds the cost of the exponentiation the caller does with it.
 */
export function parseGexGroup(payload: Buffer): GexGroup | null {
  if (payload[0] !== MSG.KEX_REPLY) return null;
  const p = readMpint(payload, 1);
  const g = p && readMpint(payload, p.next);
  if (!p || !g) return null;
  const bits = bitLength(p.value);
  if (bits < GEX_ACCEPTED_BITS.min || bits > GEX_ACCEPTED_BITS.max) return null;
  if (((p.value.at(-1) ?? 0) & 1) === 0) return null;
  const pBig = toBigInt(p.value);
  const gBig = toBigInt(g.value);
  if (gBig < 2n || gBig > pBig - 2n) return null;
  return { p: p.value, g: g.value };
}

/** A server's DISCONNECT. */
export interface Disconnect {
  readonly reason: number;
  /** Description as sent (UTF-8 per RFC; read as latin1 and left to the caller to sanitize). */
  readonly description: string;
}

/** Parses SSH_MSG_DISCONNECT; a missing or overrunning description reads as empty. */
export function parseDisconnect(payload: Buffer): Disconnect | null {
  if (payload[0] !== MSG.DISCONNECT || payload.length < 5) return null;
  const reason = payload.readUInt32BE(1);
  const text = readString(payload, 5);
  return { reason, description: text ? text.value.toString('latin1', 0, 256) : '' };
}

/** `string`: uint32 length, then the bytes. */
export function sshString(value: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(value.length, 0);
  return Buffer.concat([len, value]);
}

/**
 * `mpint` of a non-negative integer given as unsigned big-endian bytes: leading zeros
 * dropped, one zero byte added when the top bit is set (RFC 4251 5).
 */
export function mpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start += 1;
  const digits = unsigned.subarray(start);
  const needsZero = digits.length > 0 && ((digits[0] ?? 0) & 0x80) !== 0;
  return sshString(needsZero ? Buffer.concat([Buffer.from([0]), digits]) : digits);
}

/** Unsigned big-endian bytes of a non-negative bigint (no leading zeros; empty for 0). */
export function fromBigInt(value: bigint): Buffer {
  if (value === 0n) return Buffer.alloc(0);
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

/** The bigint of unsigned big-endian bytes. */
export function toBigInt(unsigned: Buffer): bigint {
  return unsigned.length === 0 ? 0n : BigInt(`0x${unsigned.toString('hex')}`);
}

function readString(buf: Buffer, at: number): { value: Buffer; next: number } | null {
  if (at + 4 > buf.length) return null;
  const len = buf.readUInt32BE(at);
  if (len > buf.length - at - 4) return null;
  return { value: buf.subarray(at + 4, at + 4 + len), next: at + 4 + len };
}

/** A non-negative mpint as unsigned bytes without leading zeros; null when negative or overrunning. */
function readMpint(buf: Buffer, at: number): { value: Buffer; next: number } | null {
  const s = readString(buf, at);
  if (!s) return null;
  if (s.value.length > 0 && ((s.value[0] ?? 0) & 0x80) !== 0) return null;
  let start = 0;
  while (start < s.value.length && s.value[start] === 0) start += 1;
  return { value: s.value.subarray(start), next: s.next };
}

function bitLength(unsigned: Buffer): number {
  if (unsigned.length === 0) return 0;
  return (unsigned.length - 1) * 8 + (32 - Math.clz32(unsigned[0] ?? 0));
}

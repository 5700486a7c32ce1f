/**
 * SNMPv3 engine-ID discovery (RFC 3414 section 4): the request, the Report it draws, and
 * the decoding of the engine ID (RFC 3411 `SnmpEngineID`).
 *
 * Discovery is an unauthenticated, unencrypted GetRequest with no variable, an empty user
 * name and an empty engine ID, flagged reportable. An agent that speaks SNMPv3 answers
 * with a Report PDU (usmStatsUnknownEngineIDs) whose security parameters carry its
 * authoritative engine ID, boots and time. No community, no user, no credential is sent.
 *
 * Our own BER reader: every length is checked against the enclosing element before use,
 * nesting and element counts are bounded, and any inconsistency returns null (never a
 * throw, never a read past the datagram).
 */

/** BER tags used here. */
const TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
  getRequest: 0xa0,
  report: 0xa8,
} as const;

/** USM security model number (RFC 3414). */
const USM = 3;
/** msgFlags: reportable, no authentication, no privacy. */
const FLAGS_REPORTABLE = 0x04;
/** Largest message we say we accept (msgMaxSize); the RFC minimum is 484. */
const MAX_MESSAGE_SIZE = 1500;
/** An engine ID is 5 to 32 octets (RFC 3411); older agents send 12. */
const ENGINE_ID_MIN = 5;
const ENGINE_ID_MAX = 32;
/** Children read per constructed element at most: real messages have 2 to 6. */
const MAX_CHILDREN = 16;

/** A decoded element: tag and the bounds of its content in the datagram. */
interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** Reads one TLV at `offset` within `[offset, limit)`; null when it does not fit. */
function readTlv(buf: Uint8Array, offset: number, limit: number): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = buf[offset] as number;
  // Multi-byte tags never occur in SNMP.
  if ((tag & 0x1f) === 0x1f) return null;
  let len = buf[offset + 1] as number;
  let start = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    // Indefinite length (0x80) is not allowed in SNMP; 3 octets cover any UDP datagram.
    if (count === 0 || count > 3 || start + count > limit) return null;
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + (buf[start + i] as number);
    start += count;
  }
  const end = start + len;
  if (end > limit) return null;
  return { tag, start, end };
}

/** The children of a constructed element, or null when one does not fit. */
function children(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    if (out.length >= MAX_CHILDREN) return null;
    const child = readTlv(buf, offset, parent.end);
    if (!child) return null;
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** A non-negative INTEGER of at most 4 content octets (5 with a leading zero), else null. */
function readUnsigned(buf: Uint8Array, t: Tlv | undefined): number | null {
  if (!t || t.tag !== TAG.integer) return null;
  const len = t.end - t.start;
  if (len < 1 || len > 5) return null;
  if (((buf[t.start] as number) & 0x80) !== 0) return null;
  let v = 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + (buf[i] as number);
  return v <= 0xffffffff ? v : null;
}

function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else if (n < 0x100) header = [tag, 0x81, n];
  else header = [tag, 0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from(header), content]);
}

/** Minimal content octets of a non-negative integer below 2^32. */
function uintContent(value: number): Buffer {
  const bytes: number[] = [];
  let v = Math.max(0, Math.floor(value)) % 2 ** 32;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (((bytes[0] as number) & 0x80) !== 0) bytes.unshift(0);
  return Buffer.from(bytes);
}

const integer = (v: number): Buffer => tlv(TAG.integer, uintContent(v));
const octets = (b: Uint8Array): Buffer => tlv(TAG.octetString, b);
const sequence = (...parts: Buffer[]): Buffer => tlv(TAG.sequence, Buffer.concat(parts));

/** USM security parameters, as the inner BER of msgSecurityParameters. */
function usmParameters(engineId: Uint8Array, boots: number, time: number): Buffer {
  const empty = Buffer.alloc(0);
  return sequence(
    octets(engineId),
    integer(boots),
    integer(time),
    octets(empty),
    octets(empty),
    octets(empty),
  );
}

/**
 * The discovery request: SNMPv3, USM, noAuthNoPriv, reportable, empty engine ID and user,
 * a GetRequest with no variable bindings. `msgId` and `requestId` must be below 2^31.
 */
export function encodeDiscoveryRequest(msgId: number, requestId: number): Buffer {
  const empty = Buffer.alloc(0);
  const pdu = tlv(
    TAG.getRequest,
    Buffer.concat([integer(requestId), integer(0), integer(0), sequence()]),
  );
  return sequence(
    integer(3),
    sequence(
      integer(msgId),
      integer(MAX_MESSAGE_SIZE),
      octets(Buffer.from([FLAGS_REPORTABLE])),
      integer(USM),
    ),
    octets(usmParameters(empty, 0, 0)),
    sequence(octets(empty), octets(empty), pdu),
  );
}

/** What a discovery Report says about the agent. */
export interface DiscoveryReport {
  /** msgID echoed by the agent (to pair it with our request). */
  readonly msgId: number;
  /** msgAuthoritativeEngineID. */
  readonly engineId: Buffer;
  /** msgAuthoritativeEngineBoots: times the engine (re)started. */
  readonly engineBoots: number;
  /** msgAuthoritativeEngineTime: seconds since the last boot. */
  readonly engineTime: number;
}

/**
 * Reads a discovery answer: an SNMPv3 USM message with a plaintext Report PDU (or, from
 * lax agents, any plaintext PDU) carrying a non-empty engine ID of sane length. Anything
 * else, malformed or not, is null.
 */
export function parseDiscoveryResponse(datagram: Uint8Array): DiscoveryReport | null {
  const outer = readTlv(datagram, 0, datagram.length);
  if (!outer || outer.tag !== TAG.sequence) return null;
  const parts = children(datagram, outer);
  if (parts?.length !== 4) return null;
  const [versionTlv, headerTlv, securityTlv, dataTlv] = parts as [Tlv, Tlv, Tlv, Tlv];
  if (readUnsigned(datagram, versionTlv) !== 3) return null;
  if (headerTlv.tag !== TAG.sequence) return null;
  const header = children(datagram, headerTlv);
  if (header?.length !== 4) return null;
  const msgId = readUnsigned(datagram, header[0]);
  if (msgId === null) return null;
  const flags = header[2] as Tlv;
  if (flags.tag !== TAG.octetString || flags.end - flags.start !== 1) return null;
  // A Report to a discovery is never authenticated or encrypted: a set auth/priv flag
  // means a message we cannot read, not a discovery answer.
  if (((datagram[flags.start] as number) & 0x03) !== 0) return null;
  if (readUnsigned(datagram, header[3]) !== USM) return null;
  if (securityTlv.tag !== TAG.octetString) return null;
  const usmOuter = readTlv(datagram, securityTlv.start, securityTlv.end);
  if (!usmOuter || usmOuter.tag !== TAG.sequence || usmOuter.end !== securityTlv.end) return null;
  const usm = children(datagram, usmOuter);
  if (usm?.length !== 6) return null;
  const engineTlv = usm[0] as Tlv;
  if (engineTlv.tag !== TAG.octetString) return null;
  const engineLength = engineTlv.end - engineTlv.start;
  if (engineLength < ENGINE_ID_MIN || engineLength > ENGINE_ID_MAX) return null;
  const engineBoots = readUnsigned(datagram, usm[1]);
  const engineTime = readUnsigned(datagram, usm[2]);
  if (engineBoots === null || engineTime === null) return null;
  // The scoped PDU must be plaintext and hold a PDU; we do not need its varbinds.
  if (dataTlv.tag !== TAG.sequence) return null;
  const scoped = children(datagram, dataTlv);
  if (scoped?.length !== 3) return null;
  const pdu = scoped[2] as Tlv;
  if ((pdu.tag & 0xe0) !== 0xa0) return null;
  return {
    msgId,
    engineId: Buffer.from(datagram.subarray(engineTlv.start, engineTlv.end)),
    engineBoots,
    engineTime,
  };
}

/** Formats of an RFC 3411 engine ID (the octet after the enterprise number). */
export const ENGINE_ID_FORMATS = {
  1: 'ipv4',
  2: 'ipv6',
  3: 'mac',
  4: 'text',
  5: 'octets',
} as const;

/** What an engine ID tells. */
export interface EngineIdInfo {
  /** IANA private enterprise number of the agent's maker (or of its SNMP software). */
  readonly enterprise: number;
  /** `ipv4`, `ipv6`, `mac`, `text`, `octets`, `enterprise-N` (N ≥ 128), `reserved-N`, or `rfc1910` (old 12-octet form). */
  readonly format: string;
  /** MAC address (format 3), lower-case `aa:bb:cc:dd:ee:ff`. */
  readonly mac?: string;
  /** Address (formats 1 and 2), text form. */
  readonly address?: string;
  /** Administratively assigned text (format 4), printable ASCII only. */
  readonly text?: string;
}

/** Lower-case hex of a buffer. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** `aa:bb:cc:dd:ee:ff` of 6 octets. */
export function macText(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * Decodes an engine ID per RFC 3411: with the first bit set, octets 1-4 are the
 * enterprise number (high bit cleared) and octet 5 says how the rest reads; with it
 * clear, the RFC 1910 form (enterprise number, then 8 octets of the maker's choosing).
 * Null when the octets fit neither form.
 */
export function decodeEngineId(id: Uint8Array): EngineIdInfo | null {
  if (id.length < ENGINE_ID_MIN || id.length > ENGINE_ID_MAX) return null;
  const first = Buffer.from(id).readUInt32BE(0);
  if ((first & 0x80000000) === 0) {
    if (id.length !== 12 || first === 0) return null;
    return { enterprise: first, format: 'rfc1910' };
  }
  const enterprise = first & 0x7fffffff;
  if (enterprise === 0) return null;
  const format = id[4] as number;
  const rest = id.subarray(5);
  switch (format) {
    case 1:
      return rest.length === 4
        ? { enterprise, format: 'ipv4', address: [...rest].join('.') }
        : { enterprise, format: 'ipv4' };
    case 2: {
      if (rest.length !== 16) return { enterprise, format: 'ipv6' };
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(Buffer.from(rest).readUInt16BE(i).toString(16));
      return { enterprise, format: 'ipv6', address: groups.join(':') };
    }
    case 3:
      return rest.length === 6
        ? { enterprise, format: 'mac', mac: macText(rest) }
        : { enterprise, format: 'mac' };
    case 4: {
      // Text is printable only; anything else is kept out of the fields.
      const text = Buffer.from(rest).toString('latin1');
      return /^[\x20-\x7e]+$/.test(text)
        ? { enterprise, format: 'text', text }
        : { enterprise, format: 'text' };
    }
    case 5:
      return { enterprise, format: 'octets' };
    default:
      return { enterprise, format: format >= 128 ? `enterprise-${format}` : `reserved-${format}` };
  }
}

/**
 * A discovery Report as the lab's agent (or a test) sends it: the request's msgID echoed,
 * the engine's ID, boots and time, and a Report PDU with usmStatsUnknownEngineIDs.0.
 */
export function encodeDiscoveryReport(
  msgId: number,
  requestId: number,
  engineId: Uint8Array,
  boots: number,
  time: number,
  unknownEngineIds = 1,
): Buffer {
  // usmStatsUnknownEngineIDs.0 = 1.3.6.1.6.3.15.1.1.4.0, a Counter32 (tag 0x41).
  const oid = tlv(TAG.oid, Buffer.from([0x2b, 6, 1, 6, 3, 15, 1, 1, 4, 0]));
  const counter = tlv(0x41, uintContent(unknownEngineIds));
  const report = tlv(
    TAG.report,
    Buffer.concat([integer(requestId), integer(0), integer(0), sequence(sequence(oid, counter))]),
  );
  return sequence(
    integer(3),
    sequence(integer(msgId), integer(MAX_MESSAGE_SIZE), octets(Buffer.from([0x00])), integer(USM)),
    octets(usmParameters(engineId, boots, time)),
    sequence(octets(engineId), octets(Buffer.alloc(0)), report),
  );
}

/**
 * Reads a discovery request (for the lab's agent): msgID and request-id when `datagram` is
 * an SNMPv3 USM noAuthNoPriv reportable GetRequest with an empty engine ID; else null.
 */
export function parseDiscoveryRequest(
  datagram: Uint8Array,
): { readonly msgId: number; readonly requestId: number } | null {
  const outer = readTlv(datagram, 0, datagram.length);
  if (!outer || outer.tag !== TAG.sequence) return null;
  const parts = children(datagram, outer);
  if (parts?.length !== 4) return null;
  const [versionTlv, headerTlv, securityTlv, dataTlv] = parts as [Tlv, Tlv, Tlv, Tlv];
  if (readUnsigned(datagram, versionTlv) !== 3 || headerTlv.tag !== TAG.sequence) return null;
  const header = children(datagram, headerTlv);
  if (header?.length !== 4) return null;
  const msgId = readUnsigned(datagram, header[0]);
  const flags = header[2] as Tlv;
  if (msgId === null || flags.tag !== TAG.octetString || flags.end - flags.start !== 1) return null;
  if (((datagram[flags.start] as number) & 0x04) === 0) return null;
  if (readUnsigned(datagram, header[3]) !== USM || securityTlv.tag !== TAG.octetString) return null;
  const usmOuter = readTlv(datagram, securityTlv.start, securityTlv.end);
  if (!usmOuter || usmOuter.tag !== TAG.sequence) return null;
  const usm = children(datagram, usmOuter);
  if (usm?.length !== 6 || (usm[0] as Tlv).tag !== TAG.octetString) return null;
  if (dataTlv.tag !== TAG.sequence) return null;
  const scoped = children(datagram, dataTlv);
  if (scoped?.length !== 3) return null;
  const pdu = scoped[2] as Tlv;
  if (pdu.tag !== TAG.getRequest) return null;
  const pduParts = children(datagram, pdu);
  const requestId = readUnsigned(datagram, pduParts?.[0]);
  if (requestId === null) return null;
  return { msgId, requestId };
}

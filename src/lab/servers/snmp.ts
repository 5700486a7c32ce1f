/**
 * A small SNMP v1/v2c agent over UDP: GET, GETNEXT and GETBULK on a fixed set of scalars
 * (sysDescr, sysObjectID, sysName …) with one read community. Written as a BER responder
 * rather than net-snmp's agent because that agent cannot report a failed bind to its caller
 * (needed for the `auto` port fallback) and treats port 0 as 161.
 *
 * Requests are parsed defensively: anything malformed, oversized or with a wrong community
 * is dropped without reply, as real agents do. SNMPv3 gets an answer only to an engine-ID
 * discovery, and only from personas given an `engineId` (a Report, as RFC 3414 says).
 */

import { encodeDiscoveryReport, parseDiscoveryRequest } from '../../../probes/parsers/snmpv3.js';
import type { HostRecorder, RunningServer, SnmpConfig, SnmpVariable } from '../types.js';
import { listenUdp } from './common.js';

/** Largest request datagram handled, bytes. */
const MAX_REQUEST_BYTES = 2048;
/** Most varbinds answered per request. */
const MAX_VARBINDS = 32;

const TAG = {
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  sequence: 0x30,
  timeTicks: 0x43,
  getRequest: 0xa0,
  getNextRequest: 0xa1,
  getResponse: 0xa2,
  getBulkRequest: 0xa5,
  noSuchObject: 0x80,
  endOfMibView: 0x82,
} as const;

/** SNMP error-status noSuchName (v1). */
const NO_SUCH_NAME = 2;

/** Starts an SNMP agent on UDP `address:port` configured by persona data. */
export function startSnmp(
  address: string,
  port: number,
  config: SnmpConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  const startedAt = Date.now();
  const table = config.variables
    .map((v) => ({ variable: v, arcs: parseOid(v.oid) }))
    .sort((a, b) => compareOids(a.arcs, b.arcs));
  return listenUdp(address, port, (socket, message, rinfo) => {
    recorder.connection();
    if (message.length > MAX_REQUEST_BYTES) return;
    let reply: Buffer | null;
    try {
      reply =
        discoveryReport(message, config, startedAt) ??
        answer(message, config.community, table, startedAt);
    } catch {
      // Malformed BER: a real agent counts it in snmpInASNParseErrs and stays silent.
      reply = null;
    }
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
}

/**
 * The Report an SNMPv3 agent sends to an engine-ID discovery (RFC 3414 section 4): its
 * engine ID, boots and time, whatever the community. Null when the persona has no engine
 * ID or the datagram is not a discovery.
 */
function discoveryReport(message: Buffer, config: SnmpConfig, startedAt: number): Buffer | null {
  if (config.engineId === undefined) return null;
  const request = parseDiscoveryRequest(message);
  if (!request) return null;
  const seconds = Math.floor((Date.now() - startedAt) / 1000);
  return encodeDiscoveryReport(
    request.msgId,
    request.requestId,
    Buffer.from(config.engineId, 'hex'),
    config.engineBoots ?? 1,
    seconds,
  );
}

interface TableEntry {
  readonly variable: SnmpVariable;
  readonly arcs: readonly number[];
}

interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly offset: number;
  /** Offset of the first content byte. */
  readonly start: number;
  readonly end: number;
}

/** Builds the response to one request datagram, or null to stay silent. */
function answer(
  message: Buffer,
  community: string,
  table: readonly TableEntry[],
  startedAt: number,
): Buffer | null {
  const outer = readTlv(message, 0);
  if (outer.tag !== TAG.sequence) return null;
  const [versionTlv, communityTlv, pduTlv] = children(message, outer);
  if (!versionTlv || !communityTlv || !pduTlv) return null;
  if (versionTlv.tag !== TAG.integer || communityTlv.tag !== TAG.octetString) return null;
  const version = readInteger(message, versionTlv);
  // 0 = v1, 1 = v2c; v3 needs USM, which this agent does not pretend to have.
  if (version !== 0 && version !== 1) return null;
  const sentCommunity = message.subarray(communityTlv.start, communityTlv.end);
  if (!sentCommunity.equals(Buffer.from(community, 'latin1'))) return null;
  const pduTag = pduTlv.tag;
  if (pduTag !== TAG.getRequest && pduTag !== TAG.getNextRequest && pduTag !== TAG.getBulkRequest)
    return null;
  if (pduTag === TAG.getBulkRequest && version === 0) return null;
  const [idTlv, field1Tlv, field2Tlv, listTlv] = children(message, pduTlv);
  if (!idTlv || !field1Tlv || !field2Tlv || !listTlv || listTlv.tag !== TAG.sequence) return null;
  const requested: { oid: Buffer; arcs: number[]; value: Buffer }[] = [];
  for (const vb of children(message, listTlv)) {
    if (requested.length >= MAX_VARBINDS) break;
    const [oidTlv, valueTlv] = children(message, vb);
    if (!oidTlv || oidTlv.tag !== TAG.oid || !valueTlv) return null;
    requested.push({
      oid: message.subarray(oidTlv.start, oidTlv.end),
      arcs: decodeOid(message.subarray(oidTlv.start, oidTlv.end)),
      value: message.subarray(valueTlv.offset, valueTlv.end),
    });
  }

  const encodeValue = (entry: TableEntry): Buffer => encodeVariable(entry.variable, startedAt);
  const out: Buffer[] = [];
  let errorStatus = 0;
  let errorIndex = 0;
  const lookupNext = (arcs: readonly number[]): TableEntry | undefined =>
    table.find((e) => compareOids(e.arcs, arcs) > 0);

  if (pduTag === TAG.getBulkRequest) {
    const nonRepeaters = Math.max(0, readInteger(message, field1Tlv));
    const maxRepetitions = Math.min(Math.max(0, readInteger(message, field2Tlv)), 10);
    requested.forEach((req, i) => {
      const repeats = i < nonRepeaters ? 1 : maxRepetitions;
      let cursor: readonly number[] = req.arcs;
      for (let r = 0; r < repeats && out.length < MAX_VARBINDS; r++) {
        const next = lookupNext(cursor);
        if (!next) {
          out.push(varbind(encodeOid(cursor), tlv(TAG.endOfMibView, Buffer.alloc(0))));
          break;
        }
        out.push(varbind(encodeOid(next.arcs), encodeValue(next)));
        cursor = next.arcs;
      }
    });
  } else {
    requested.forEach((req, i) => {
      const entry =
        pduTag === TAG.getRequest
          ? table.find((e) => compareOids(e.arcs, req.arcs) === 0)
          : lookupNext(req.arcs);
      if (entry) {
        out.push(varbind(encodeOid(entry.arcs), encodeValue(entry)));
      } else if (version === 0) {
        if (errorStatus === 0) {
          errorStatus = NO_SUCH_NAME;
          errorIndex = i + 1;
        }
      } else {
        const exception = pduTag === TAG.getRequest ? TAG.noSuchObject : TAG.endOfMibView;
        out.push(varbind(req.oid, tlv(exception, Buffer.alloc(0))));
      }
    });
  }
  // A v1 error echoes the request's varbinds unchanged (RFC 1157 section 4.1.2).
  const varbinds = errorStatus !== 0 ? requested.map((r) => varbind(r.oid, r.value)) : out;
  const pdu = tlv(
    TAG.getResponse,
    Buffer.concat([
      message.subarray(idTlv.offset, idTlv.end),
      tlv(TAG.integer, encodeIntegerContent(errorStatus)),
      tlv(TAG.integer, encodeIntegerContent(errorIndex)),
      tlv(TAG.sequence, Buffer.concat(varbinds)),
    ]),
  );
  return tlv(
    TAG.sequence,
    Buffer.concat([
      tlv(TAG.integer, encodeIntegerContent(version)),
      tlv(TAG.octetString, sentCommunity),
      pdu,
    ]),
  );
}

function encodeVariable(variable: SnmpVariable, startedAt: number): Buffer {
  switch (variable.type) {
    case 'string':
      return tlv(TAG.octetString, Buffer.from(variable.value, 'utf8'));
    case 'oid':
      return tlv(TAG.oid, encodeOid(parseOid(variable.value)));
    case 'integer':
      return tlv(TAG.integer, encodeIntegerContent(Number.parseInt(variable.value, 10)));
    case 'uptime': {
      // TimeTicks are hundredths of a second, unsigned 32-bit.
      const ticks = Math.floor((Date.now() - startedAt) / 10) % 2 ** 32;
      return tlv(TAG.timeTicks, encodeIntegerContent(ticks));
    }
  }
}

function varbind(oidContent: Buffer, encodedValue: Buffer): Buffer {
  return tlv(TAG.sequence, Buffer.concat([tlv(TAG.oid, oidContent), encodedValue]));
}

/** Reads one TLV header at `offset`; throws on truncation or absurd lengths. */
function readTlv(buf: Buffer, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new RangeError('truncated TLV');
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 3 || start + count > buf.length) throw new RangeError('bad length');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[start + i]!;
    start += count;
  }
  const end = start + len;
  if (end > buf.length) throw new RangeError('TLV past end');
  return { tag, offset, start, end };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end && out.length <= MAX_VARBINDS) {
    const child = readTlv(buf, offset);
    if (child.end > parent.end) throw new RangeError('child past parent');
    out.push(child);
    offset = child.end;
  }
  return out;
}

function readInteger(buf: Buffer, t: Tlv): number {
  const len = t.end - t.start;
  if (len < 1 || len > 4) throw new RangeError('integer size');
  let value = buf.readIntBE(t.start, len);
  if (!Number.isFinite(value)) value = 0;
  return value;
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let header: Buffer;
  if (n < 0x80) header = Buffer.from([tag, n]);
  else if (n < 0x100) header = Buffer.from([tag, 0x81, n]);
  else header = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  return Buffer.concat([header, content]);
}

/** Minimal two's-complement content octets of an integer (int32 or uint32 range). */
function encodeIntegerContent(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  for (;;) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
    const high = (bytes[0]! & 0x80) !== 0;
    if ((v === 0 && !high) || (v === -1 && high)) break;
  }
  return Buffer.from(bytes);
}

/** `1.3.6.1` → arcs; throws on anything else. */
function parseOid(text: string): number[] {
  const arcs = text.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new Error(`bad OID ${text}`);
    return Number(s);
  });
  if (arcs.length < 2) throw new Error(`bad OID ${text}`);
  return arcs;
}

function encodeOid(arcs: readonly number[]): Buffer {
  const [a = 0, b = 0, ...rest] = arcs;
  const out: number[] = [a * 40 + b];
  for (const arc of rest) {
    const groups: number[] = [arc & 0x7f];
    let v = Math.floor(arc / 128);
    while (v > 0) {
      groups.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...groups);
  }
  return Buffer.from(out);
}

function decodeOid(content: Buffer): number[] {
  if (content.length === 0 || content.length > 128) throw new RangeError('OID size');
  const first = content[0]!;
  const arcs = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  let value = 0;
  for (let i = 1; i < content.length; i++) {
    const byte = content[i]!;
    value = value * 128 + (byte & 0x7f);
    if (value > 0xffffffff) throw new RangeError('OID arc too large');
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs;
}

function compareOids(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

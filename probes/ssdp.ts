/**
 * SSDP / UPnP probe (UDP), for routers, media renderers, TVs, NAS boxes and hubs.
 *
 * Ports: udp/1900.
 * Sends: one unicast `M-SEARCH * HTTP/1.1` datagram to the target only (`HOST:
 *   239.255.255.250:1900` as libupnp requires, `MAN: "ssdp:discover"`, `ST:
 *   upnp:rootdevice`, `MX: 1`), never to a multicast group; the reply may come from
 *   another port of the target (libupnp answers from a fresh socket); then,
 *   only when the reply's LOCATION is an `http://` URL on the target's own address, one
 *   `GET` of that path on a rate-limited TCP connection to that port of the target.
 * Records: `ssdp.server`, `ssdp.location`, `ssdp.st`, `ssdp.usn`; from the device
 *   description: `upnp.manufacturer`, `upnp.model_name`, `upnp.model_number`,
 *   `upnp.friendly_name`, `upnp.device_type`, `upnp.serial`.
 * Never: fetches a LOCATION on another address (nor a host name, which could resolve
 *   anywhere), follows redirects, subscribes, invokes actions or reads more than
 *   {@link MAX_DESCRIPTION_BYTES} of a description. XML is read by a bounded linear scan,
 *   not a parser: no entities expanded beyond the five predefined and numeric ones, no DTD.
 */
import net from 'node:net';
import { udpExchange } from '../src/net/udp.js';
import { fetchOnce } from './http.js';
import type { ProbeContext, ProbeOutput, UdpProbe } from './types.js';

/** Bytes of a device description read at most. */
export const MAX_DESCRIPTION_BYTES = 32 * 1024;
/** Bytes of the M-SEARCH reply kept. */
const MAX_REPLY_BYTES = 4096;
/** Characters kept of one description value. */
const MAX_VALUE = 256;

/**
 * The M-SEARCH request. Sent unicast to the target, it still names the SSDP group in HOST,
 * as multicast searches do: libupnp (the "Portable SDK for UPnP devices" of countless
 * routers, NAS boxes and TVs) drops an M-SEARCH whose HOST is anything else, and the
 * other stacks (miniupnpd, MiniDLNA) do not look at it.
 */
export function mSearch(): Buffer {
  return Buffer.from(
    'M-SEARCH * HTTP/1.1\r\n' +
      'HOST: 239.255.255.250:1900\r\n' +
      'MAN: "ssdp:discover"\r\n' +
      'MX: 1\r\n' +
      'ST: upnp:rootdevice\r\n\r\n',
    'latin1',
  );
}

/** Headers of an SSDP reply (`HTTP/1.1 200 OK` + headers), names lower-case; null if not one. */
export function parseSsdpReply(data: Buffer): Map<string, string> | null {
  const text = data.toString('latin1');
  const lines = text.split(/\r?\n/);
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1, 64)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** Description elements recorded, XML tag → field. */
const DESCRIPTION_TAGS = [
  ['manufacturer', 'upnp.manufacturer'],
  ['modelName', 'upnp.model_name'],
  ['modelNumber', 'upnp.model_number'],
  ['friendlyName', 'upnp.friendly_name'],
  ['deviceType', 'upnp.device_type'],
  ['serialNumber', 'upnp.serial'],
] as const;

/**
 * Reads the root device's elements from a UPnP description: the first occurrence of each
 * tag (the root `<device>` comes before its embedded devices). A linear scan with bounded
 * element and text lengths; namespace prefixes are allowed, CDATA and nested markup in a
 * value are not (the value is skipped).
 */
export function parseDescription(xml: string): Record<string, string> {
  const text = xml.slice(0, MAX_DESCRIPTION_BYTES);
  const fields: Record<string, string> = {};
  const tag = /<(?:[A-Za-z_][\w.-]{0,31}:)?([A-Za-z]{1,32})(?:\s[^<>]{0,256})?>([^<]{0,1024})</g;
  for (let m = tag.exec(text); m !== null; m = tag.exec(text)) {
    // The match ends on the next tag's '<': step back onto it, or an element opening right
    // after another (`<device><deviceType>`, minified as miniupnpd and MiniDLNA write
    // them) would be skipped, and an embedded device's value taken for the root's.
    tag.lastIndex = m.index + m[0].length - 1;
    const name = m[1] ?? '';
    const entry = DESCRIPTION_TAGS.find(([t]) => t === name);
    if (!entry || fields[entry[1]] !== undefined) continue;
    const value = decodeEntities(m[2] ?? '').trim();
    if (value !== '') fields[entry[1]] = value.slice(0, MAX_VALUE);
  }
  return fields;
}

function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g,
    (all, dec, hex, named) => {
      if (named)
        return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[named as string] ?? all;
      const code = dec ? Number(dec) : Number.parseInt(hex as string, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    },
  );
}

/**
 * The port and path to fetch when `location` is an `http://` URL on the target's own
 * address; null otherwise (another address, a host name, another scheme, credentials).
 */
export function locationOnTarget(
  location: string,
  target: string,
): { port: number; path: string } | null {
  let url: URL;
  try {
    url = new URL(location.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || url.username !== '' || url.password !== '') return null;
  let own: string;
  try {
    own = new URL(`http://${net.isIPv6(target) ? `[${target}]` : target}/`).hostname;
  } catch {
    return null;
  }
  // Both sides are canonical WHATWG hostnames (`127.1` became `127.0.0.1`).
  if (url.hostname !== own) return null;
  const port = url.port === '' ? 80 : Number(url.port);
  return { port, path: `${url.pathname}${url.search}` };
}

async function runSsdp(ctx: ProbeContext): Promise<ProbeOutput> {
  const reply = await udpExchange({
    host: ctx.host,
    port: ctx.port,
    payload: mSearch(),
    timeoutMs: ctx.timeouts.readMs,
    maxBytes: Math.min(MAX_REPLY_BYTES, ctx.maxBytes),
    signal: ctx.signal,
    // libupnp answers from a fresh socket of its own, not from port 1900: an SSDP reply
    // from another port of the target counts too.
    otherPortReply: (message) => parseSsdpReply(message) !== null,
  });
  if (reply === null) return { status: 'io-timeout', fields: {}, banner: null };
  const headers = parseSsdpReply(reply);
  if (!headers) {
    return { status: 'protocol-error', fields: {}, banner: reply.toString('latin1', 0, 512) };
  }
  const fields: Record<string, string> = {};
  for (const [header, field] of [
    ['server', 'ssdp.server'],
    ['location', 'ssdp.location'],
    ['st', 'ssdp.st'],
    ['usn', 'ssdp.usn'],
  ] as const) {
    const value = headers.get(header);
    if (value !== undefined && value !== '') fields[field] = value;
  }
  const location = fields['ssdp.location'];
  const target = location === undefined ? null : locationOnTarget(location, ctx.host);
  if (target && ctx.connectPort && !ctx.signal.aborted) {
    Object.assign(fields, await fetchDescription(ctx, ctx.connectPort.bind(ctx), target));
  } else if (location !== undefined && !target) {
    ctx.log.debug({ location }, 'ssdp: LOCATION is not on the target; not fetched');
  }
  const banner = [...headers].map(([n, v]) => `${n}: ${v}`).join('\n');
  return { status: 'ok', fields, banner: `HTTP/1.1 200 OK\n${banner}` };
}

async function fetchDescription(
  ctx: ProbeContext,
  connectPort: (port: number) => Promise<net.Socket>,
  target: { port: number; path: string },
): Promise<Record<string, string>> {
  let socket: net.Socket;
  try {
    socket = await connectPort(target.port);
  } catch {
    return {};
  }
  const cap = Math.min(MAX_DESCRIPTION_BYTES, ctx.maxBytes);
  const res = await fetchOnce({ ...ctx, port: target.port }, socket, target.path, cap);
  if (res.kind !== 'response' || res.statusCode < 200 || res.statusCode > 299) return {};
  return parseDescription(res.body.toString('utf8'));
}

/** The SSDP / UPnP probe (see the file header). */
export const ssdpProbe: UdpProbe = {
  name: 'ssdp',
  transport: 'udp',
  ports: [1900],
  // Tried second on a port no probe claims: UPnP is on most home routers, less elsewhere.
  rarity: 2,
  run: runSsdp,
};

/**
 * DDP — the Device Discovery Protocol game consoles answer on udp/987 (PlayStation 4 and
 * later, also in rest mode, when other services are closed).
 *
 * Ports: udp/987.
 * Sends: one datagram, `SRCH * HTTP/1.1\ndevice-discovery-protocol-version:00020020\n`.
 * Records: `ddp.status`, `ddp.host_type`, `ddp.host_name`, `ddp.host_id`, `ddp.system_version`.
 * Never: sends the wake-up or launch requests, or anything after the search.
 */
import { udpExchange } from '../src/net/udp.js';
import type { ProbeContext, ProbeOutput, UdpProbe } from './types.js';

/** The search request, as consoles expect it (LF line ends, protocol version 2.0.20). */
const SEARCH = Buffer.from(
  'SRCH * HTTP/1.1\ndevice-discovery-protocol-version:00020020\n',
  'latin1',
);

/** Largest reply kept; real replies are ~200 bytes. */
const MAX_REPLY = 2048;

const HEADER_FIELDS: Record<string, string> = {
  'host-type': 'ddp.host_type',
  'host-name': 'ddp.host_name',
  'host-id': 'ddp.host_id',
  'system-version': 'ddp.system_version',
};

/** Parses a DDP reply: `HTTP/1.1 <code> <text>` then `name:value` lines. Null if not DDP. */
export function parseDdpReply(reply: Buffer): Record<string, string> | null {
  const lines = reply.toString('latin1').split(/\r?\n/, 32);
  const status = /^HTTP\/1\.1 (\d{3} [^\r\n]{0,64})$/.exec(lines[0] ?? '');
  if (!status?.[1]) return null;
  const fields: Record<string, string> = { 'ddp.status': status[1] };
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const field = HEADER_FIELDS[line.slice(0, i).trim().toLowerCase()];
    if (field && !(field in fields))
      fields[field] = line
        .slice(i + 1)
        .trim()
        .slice(0, 256);
  }
  return fields;
}

/** The DDP probe. */
export const ddpProbe: UdpProbe = {
  name: 'ddp',
  transport: 'udp',
  ports: [987],
  // Tried last on a port no probe claims: only game consoles answer it.
  rarity: 3,
  async run(ctx: ProbeContext): Promise<ProbeOutput> {
    const reply = await udpExchange({
      host: ctx.host,
      port: ctx.port,
      payload: SEARCH,
      timeoutMs: ctx.timeouts.readMs,
      maxBytes: MAX_REPLY,
      signal: ctx.signal,
    });
    if (!reply) return { status: 'io-timeout', fields: {}, banner: null };
    const fields = parseDdpReply(reply);
    if (!fields) return { status: 'protocol-error', fields: {}, banner: reply.toString('latin1') };
    return { status: 'ok', fields, banner: reply.toString('latin1') };
  },
};

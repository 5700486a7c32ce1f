/**
 * RTSP probe (client-first), for IP cameras and video recorders.
 *
 * Ports: 554, 8554.
 * Sends: one `OPTIONS rtsp://<ip>:<port>/ RTSP/1.0` with `CSeq: 1` and our honest
 *   User-Agent, on the engine's connection.
 * Records: `rtsp.status` ("200 OK"), `rtsp.server`, `rtsp.public` (methods offered),
 *   `rtsp.headers` (all headers as "name: value" lines, names lower-case).
 * Never: sends DESCRIBE, SETUP or PLAY, a stream path, credentials or an Authorization
 *   header; reads past the header block (at most {@link MAX_RTSP_HEADER_BYTES}).
 */
import net from 'node:net';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

/** Header block bytes read at most; an RTSP OPTIONS reply is a few hundred bytes. */
export const MAX_RTSP_HEADER_BYTES = 16 * 1024;

/** Frames the header block: up to and including the first empty line (CRLF or LF). */
function headerFramer(buf: Buffer): number | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  if (crlf >= 0) return crlf + 4;
  const lf = buf.indexOf('\n\n');
  if (lf >= 0) return lf + 2;
  return buf.length >= MAX_RTSP_HEADER_BYTES ? MAX_RTSP_HEADER_BYTES : undefined;
}

/** Parsed status line and headers of an RTSP reply, or null when it is not RTSP. */
export function parseRtspReply(
  text: string,
): { status: string; headers: [string, string][] } | null {
  const lines = text.split(/\r?\n/);
  const status = /^RTSP\/\d\.\d (\d{3})(?: ([^\r\n]{0,128}))?$/.exec(lines[0] ?? '');
  if (!status) return null;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    if (headers.length >= 64) break;
  }
  return { status: `${status[1]}${status[2] ? ` ${status[2].trim()}` : ''}`, headers };
}

async function runRtsp(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput> {
  const host = net.isIPv6(ctx.host) ? `[${ctx.host}]` : ctx.host;
  const request =
    `OPTIONS rtsp://${host}:${ctx.port}/ RTSP/1.0\r\n` +
    'CSeq: 1\r\n' +
    `User-Agent: ${ctx.settings.userAgent}\r\n\r\n`;
  if (!conn.reader.write(request)) return { status: 'connection-closed', fields: {}, banner: null };
  const reply = await conn.reader.read(ctx.timeouts.readMs, headerFramer);
  const data = Buffer.concat([conn.greeting, reply.data]);
  if (data.length === 0) {
    const status = reply.end === 'closed' ? 'connection-closed' : 'io-timeout';
    return { status, fields: {}, banner: null };
  }
  const text = data.subarray(0, MAX_RTSP_HEADER_BYTES).toString('latin1');
  const parsed = parseRtspReply(text);
  if (!parsed) return { status: 'protocol-error', fields: {}, banner: text.slice(0, 512) };
  const fields: Record<string, string> = { 'rtsp.status': parsed.status };
  for (const [name, value] of parsed.headers) {
    if (name === 'server' && fields['rtsp.server'] === undefined) fields['rtsp.server'] = value;
    if (name === 'public' && fields['rtsp.public'] === undefined) fields['rtsp.public'] = value;
  }
  if (parsed.headers.length > 0) {
    fields['rtsp.headers'] = parsed.headers.map(([n, v]) => `${n}: ${v}`).join('\n');
  }
  const banner = text.split(/\r?\n\r?\n/)[0] ?? text;
  return { status: 'ok', fields, banner };
}

/** The RTSP probe (see the file header). */
export const rtspProbe: TcpProbe = {
  name: 'rtsp',
  transport: 'tcp',
  ports: [554, 8554],
  serverFirst: false,
  // RTSP servers wait for the client's request.
  detect() {
    return 0;
  },
  run: runRtsp,
};

/**
 * SNMP probe (UDP).
 *
 * Ports: 161.
 * Sends: one SNMPv3 engine-ID discovery (RFC 3414 4: a noAuthNoPriv reportable GetRequest
 *   with no variable, empty user name and empty engine ID — no community, no credential),
 *   always, even when community-based SNMP is off; beside it, with a configured read
 *   community, one SNMPv2c and one SNMPv1 GetRequest for sysDescr.0, sysObjectID.0 and
 *   sysName.0 (a v2c answer wins; v1 alone, when it fails with noSuchName, is asked again
 *   for sysDescr.0 only). No retries. All go out at once, so a silent address costs one
 *   read timeout, not three.
 * Records: `snmp.sysDescr`, `snmp.sysObjectID` (dotted), `snmp.sysName`, `snmp.version`
 *   ("v2c", "v1", or "v3" when only the discovery answered); from the discovery Report
 *   `snmp.engine_id` (hex), `snmp.engine_enterprise`, `snmp.engine_format`,
 *   `snmp.engine_mac` (format 3 only), `snmp.engine_boots`.
 * Never: sets, walks or bulk-reads; never tries other communities than the configured one;
 *   never sends a user name, an authentication or privacy parameter.
 *
 * Every datagram goes through the scan thread's shared UDP socket (src/net/udp-shared.ts;
 * net-snmp takes it as its `dgramModule`): no socket, bind and close per request. UDP has
 * no connection for the engine to hand over; the engine charged the rate limiter before
 * calling `run`.
 */

import { randomInt } from 'node:crypto';
import net from 'node:net';
import snmp from 'net-snmp';
import { onAbort } from '../src/net/abort-hub.js';
import { pooledRandomBytes } from '../src/net/random-pool.js';
import { createSocket, sharedDgram } from '../src/net/udp-shared.js';
import {
  decodeEngineId,
  encodeDiscoveryRequest,
  hex,
  parseDiscoveryResponse,
} from './parsers/snmpv3.js';
import type { ProbeContext, ProbeOutput, UdpProbe } from './types.js';

/**
 * Our own SNMP engine ID, for net-snmp's sessions. Community requests never send it, but a
 * session without one draws 12 random bytes from OpenSSL when it is created: two sessions
 * per host, a cost the scan profile showed. One ID per process, in net-snmp's own format
 * (RFC 3411 format 5 under its enterprise number), serves them all.
 */
const LOCAL_ENGINE_ID = Buffer.concat([Buffer.from('8000b98380', 'hex'), pooledRandomBytes(12)]);

/** SNMPv2-MIB system group scalars we read. */
export const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
export const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
export const SYS_NAME = '1.3.6.1.2.1.1.5.0';

/** The field each OID fills. */
const FIELD_OF: Readonly<Record<string, string>> = {
  [SYS_DESCR]: 'snmp.sysDescr',
  [SYS_OBJECT_ID]: 'snmp.sysObjectID',
  [SYS_NAME]: 'snmp.sysName',
};

/** The SNMP probe (see the file header). */
export const snmpProbe: UdpProbe = {
  name: 'snmp',
  transport: 'udp',
  ports: [161],
  // Tried first on a port no probe claims: of our UDP protocols, SNMP answers on most devices.
  rarity: 1,
  run: runSnmp,
};

/** What one GET attempt gave. */
type Attempt =
  | { readonly kind: 'answer'; readonly fields: Record<string, string> }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'aborted' };

async function runSnmp(ctx: ProbeContext): Promise<ProbeOutput> {
  const [engine, community] = await Promise.all([
    discoverEngine(ctx),
    runCommunity(ctx, ctx.settings.snmpCommunity),
  ]);
  // The discovery went out even with the community off: silence is a timeout, not a skip.
  if (engine === null)
    return community.status === 'skipped' ? { ...community, status: 'io-timeout' } : community;
  if (community.status === 'ok')
    return { ...community, fields: { ...community.fields, ...engine } };
  // Only the v3 discovery answered (community off, wrong, or v3-only agent).
  return {
    status: 'ok',
    fields: { ...engine, 'snmp.version': 'v3' },
    banner: `SNMPv3 engine ${engine['snmp.engine_id'] ?? ''}`,
  };
}

async function runCommunity(ctx: ProbeContext, community: string | null): Promise<ProbeOutput> {
  if (community === null) return { status: 'skipped', fields: {}, banner: null };
  const answered = (label: 'v2c' | 'v1', attempt: Attempt): ProbeOutput | null => {
    if (attempt.kind !== 'answer') return null;
    const fields: Record<string, string> = { ...attempt.fields, 'snmp.version': label };
    return { status: 'ok', fields, banner: fields['snmp.sysDescr'] ?? null };
  };
  const query = [SYS_DESCR, SYS_OBJECT_ID, SYS_NAME];
  // v2c and v1 go out together: a silent address (most of them) then costs one wait, not
  // two. The v1 request is dropped as soon as v2c answers; a v2c answer wins over v1.
  // v1 stops with the probe or once v2c answered (linked by hand: AbortSignal.any costs
  // weak references per call).
  const v1Stop = new AbortController();
  const stopV1 = (): void => v1Stop.abort(ctx.signal.reason);
  if (ctx.signal.aborted) stopV1();
  const unwatchV1 = onAbort(ctx.signal, stopV1);
  const v1Ctx: ProbeContext = { ...ctx, signal: v1Stop.signal };
  const v1Pending = getSystem(v1Ctx, community, snmp.Version1, query).finally(unwatchV1);
  const v2 = await getSystem(ctx, community, snmp.Version2c, query);
  const v2Out = answered('v2c', v2);
  if (v2Out) {
    v1Stop.abort();
    await v1Pending;
    return v2Out;
  }
  if (v2.kind === 'error')
    ctx.log.debug({ version: 'v2c', reason: v2.message }, 'snmp: error reply');
  const v1 = await v1Pending;
  if (v2.kind === 'aborted' || (v1.kind === 'aborted' && ctx.signal.aborted)) {
    return { status: 'io-timeout', fields: {}, banner: null };
  }
  const v1Out = answered('v1', v1);
  if (v1Out) return v1Out;
  if (v1.kind === 'error') {
    ctx.log.debug({ version: 'v1', reason: v1.message }, 'snmp: error reply');
    // SNMPv1 fails the whole GET when one OID is missing (noSuchName): sysDescr alone is in
    // every agent's system group.
    const single = await getSystem(ctx, community, snmp.Version1, [SYS_DESCR]);
    const singleOut = answered('v1', single);
    if (singleOut) return singleOut;
    if (single.kind === 'aborted') return { status: 'io-timeout', fields: {}, banner: null };
  }
  const sawError = v2.kind === 'error' || v1.kind === 'error';
  return { status: sawError ? 'protocol-error' : 'io-timeout', fields: {}, banner: null };
}

/** One GET on a fresh session, closed on every path (answer, error, timeout, abort). */
function getSystem(
  ctx: ProbeContext,
  community: string,
  version: typeof snmp.Version1 | typeof snmp.Version2c,
  oids: string[],
): Promise<Attempt> {
  if (ctx.signal.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    let settled = false;
    // `engineID` is a session option net-snmp reads but its typings omit.
    const options: snmp.SessionOptions & { engineID: Buffer } = {
      port: ctx.port,
      version,
      transport: net.isIPv6(ctx.host) ? 'udp6' : 'udp4',
      timeout: ctx.timeouts.readMs,
      retries: 0,
      dgramModule: sharedDgram,
      engineID: LOCAL_ENGINE_ID,
    };
    const session = snmp.createSession(ctx.host, community, options);
    const finish = (result: Attempt): void => {
      if (settled) return;
      settled = true;
      unwatch();
      try {
        session.close();
      } catch {
        // Already closed: nothing left to release.
      }
      resolve(result);
    };
    // A send failure (unreachable, EPERM) surfaces here or in the callback; both end it.
    session.on('error', (error: unknown) =>
      finish({ kind: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
    const unwatch = onAbort(ctx.signal, () => finish({ kind: 'aborted' }));
    try {
      session.get(oids, (error, varbinds) => {
        if (error) {
          // The typings list only ResponseInvalidError; timeouts arrive here too at runtime.
          if ((error as Error).name === 'RequestTimedOutError') finish({ kind: 'timeout' });
          else finish({ kind: 'error', message: error.message });
          return;
        }
        const fields: Record<string, string> = {};
        for (const vb of varbinds ?? []) {
          if (snmp.isVarbindError(vb)) continue;
          const field = FIELD_OF[vb.oid];
          if (field === undefined) continue;
          const value = valueText(vb.value);
          if (value !== null) fields[field] = value;
        }
        finish({ kind: 'answer', fields });
      });
    } catch (error) {
      finish({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
}

/** Text of a varbind value: OIDs as given, octet strings as UTF-8 when valid, else latin1. */
function valueText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(value);
    } catch {
      return value.toString('latin1');
    }
  }
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

/** Largest datagram we look at; a discovery Report is well under 200 bytes. */
const MAX_DATAGRAM = 2048;

/**
 * SNMPv3 engine-ID discovery (on the shared datagram socket): one request, the first reply from
 * the target's address and port that parses as a Report to our msgID wins. Null when
 * nothing usable came back within the read timeout. Never throws.
 */
export function discoverEngine(ctx: ProbeContext): Promise<Record<string, string> | null> {
  if (ctx.signal.aborted) return Promise.resolve(null);
  const msgId = randomInt(1, 2 ** 31 - 1);
  const request = encodeDiscoveryRequest(msgId, randomInt(1, 2 ** 31 - 1));
  return new Promise((resolve) => {
    let settled = false;
    const socket = createSocket(net.isIPv6(ctx.host) ? 'udp6' : 'udp4');
    const finish = (result: Record<string, string> | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch();
      try {
        socket.close();
      } catch {
        // Already closed.
      }
      resolve(result);
    };
    const timer = setTimeout(() => finish(null), ctx.timeouts.readMs);
    const unwatch = onAbort(ctx.signal, () => finish(null));
    socket.on('error', (error: Error) => {
      ctx.log.debug({ reason: error.message }, 'snmp v3: socket error');
      finish(null);
    });
    socket.on('message', (message: Buffer, rinfo: { address: string; port: number }) => {
      // Only the target may answer (the shared socket routes by source; checked again here).
      if (rinfo.port !== ctx.port || !sameAddress(rinfo.address, ctx.host)) return;
      if (message.length > MAX_DATAGRAM) return;
      const report = parseDiscoveryResponse(message);
      if (!report || report.msgId !== msgId) return;
      finish(engineFields(report.engineId, report.engineBoots));
    });
    socket.send(request, ctx.port, ctx.host, (error: Error | null) => {
      if (error) {
        ctx.log.debug({ reason: error.message }, 'snmp v3: send failed');
        finish(null);
      }
    });
  });
}

/** Fields of an engine ID (only what decodes safely), plus the boot count. */
export function engineFields(engineId: Uint8Array, boots: number): Record<string, string> {
  const fields: Record<string, string> = { 'snmp.engine_id': hex(engineId) };
  const info = decodeEngineId(engineId);
  if (info) {
    fields['snmp.engine_enterprise'] = String(info.enterprise);
    fields['snmp.engine_format'] = info.format;
    if (info.mac) fields['snmp.engine_mac'] = info.mac;
  }
  fields['snmp.engine_boots'] = String(boots);
  return fields;
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  // An IPv4 target may answer as an IPv4-mapped IPv6 address on dual-stack sockets.
  return a.replace(/^::ffff:/i, '') === b.replace(/^::ffff:/i, '');
}

/**
 * SNMP probe (UDP).
 *
 * Ports: 161.
 * Sends: with a configured read community, one SNMPv2c GetRequest for sysDescr.0,
 *   sysObjectID.0 and sysName.0; if nothing answers, the same as SNMPv1. No retries. With
 *   no community configured (`snmpCommunity: null`) it sends nothing at all.
 * Records: `snmp.sysDescr`, `snmp.sysObjectID` (dotted), `snmp.sysName`, `snmp.version`.
 * Never: sets, walks or bulk-reads; never tries other communities than the configured one.
 *
 * net-snmp opens its own datagram socket per session; UDP has no connection for the
 * engine to hand over, and the engine charged the rate limiter before calling `run`.
 */

import net from 'node:net';
import snmp from 'net-snmp';
import type { ProbeContext, ProbeOutput, UdpProbe } from './types.js';

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
  run: runSnmp,
};

/** What one GET attempt gave. */
type Attempt =
  | { readonly kind: 'answer'; readonly fields: Record<string, string> }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'aborted' };

async function runSnmp(ctx: ProbeContext): Promise<ProbeOutput> {
  const community = ctx.settings.snmpCommunity;
  if (community === null) return { status: 'skipped', fields: {}, banner: null };

  let sawError = false;
  for (const [label, version] of [
    ['v2c', snmp.Version2c],
    ['v1', snmp.Version1],
  ] as const) {
    const attempt = await getSystem(ctx, community, version, [SYS_DESCR, SYS_OBJECT_ID, SYS_NAME]);
    if (attempt.kind === 'aborted') return { status: 'io-timeout', fields: {}, banner: null };
    if (attempt.kind === 'answer') {
      const fields: Record<string, string> = { ...attempt.fields, 'snmp.version': label };
      return { status: 'ok', fields, banner: fields['snmp.sysDescr'] ?? null };
    }
    if (attempt.kind === 'error') {
      sawError = true;
      ctx.log.debug({ version: label, reason: attempt.message }, 'snmp: error reply');
      // SNMPv1 fails the whole GET when one OID is missing (noSuchName): sysDescr alone
      // is in every agent's system group.
      if (label === 'v1') {
        const single = await getSystem(ctx, community, version, [SYS_DESCR]);
        if (single.kind === 'answer') {
          const fields: Record<string, string> = { ...single.fields, 'snmp.version': label };
          return { status: 'ok', fields, banner: fields['snmp.sysDescr'] ?? null };
        }
        if (single.kind === 'aborted') return { status: 'io-timeout', fields: {}, banner: null };
      }
    }
  }
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
    const session = snmp.createSession(ctx.host, community, {
      port: ctx.port,
      version,
      transport: net.isIPv6(ctx.host) ? 'udp6' : 'udp4',
      timeout: ctx.timeouts.readMs,
      retries: 0,
    });
    const finish = (result: Attempt): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      try {
        session.close();
      } catch {
        // Already closed: nothing left to release.
      }
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    // A send failure (unreachable, EPERM) surfaces here or in the callback; both end it.
    session.on('error', (error: unknown) =>
      finish({ kind: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
    ctx.signal.addEventListener('abort', onAbort, { once: true });
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

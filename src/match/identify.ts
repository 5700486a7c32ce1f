/**
 * Offline identification: labels for fields already gathered (a saved record, a banner),
 * with no network. The scan engine uses the same path for live results.
 */
import type { SignatureLibrary } from '../signatures/model.js';
import {
  type MatchOptions,
  matchServices,
  type ServiceInput,
  type SignatureHit,
} from './matcher.js';
import { decide, type HostVerdict } from './verdict.js';

/** Verdict plus the raw hits behind it (for --explain). */
export interface Identification extends HostVerdict {
  readonly hits: readonly SignatureHit[];
}

/** Runs matcher and verdict on a host's services. Pure and synchronous. */
export function identifyServices(
  library: SignatureLibrary,
  services: readonly ServiceInput[],
  options: MatchOptions = {},
): Identification {
  const hits = matchServices(library, services, options);
  return { ...decide(library, services.length, hits), hits };
}

/**
 * Splits a flat field map (`{ 'ssh.ident': …, 'http.title': … }`) into one service per
 * protocol, as a host with those services would present them.
 */
export function servicesFromFields(fields: Readonly<Record<string, string>>): ServiceInput[] {
  const byProtocol = new Map<string, Record<string, string>>();
  for (const [name, value] of Object.entries(fields)) {
    const protocol = name.slice(0, name.indexOf('.'));
    const f = byProtocol.get(protocol) ?? {};
    f[name] = value;
    byProtocol.set(protocol, f);
  }
  return [...byProtocol].map(([protocol, f]) => ({
    port: 0,
    transport: protocol === 'snmp' ? 'udp' : 'tcp',
    protocol: protocol as ServiceInput['protocol'],
    fields: f,
  }));
}

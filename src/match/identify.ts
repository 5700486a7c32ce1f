/**
 * Offline identification: labels for fields already gathered (a saved record, a banner),
 * with no network. The scan engine uses the same path for live results.
 */
import { vendorHints } from '../enrich/index.js';
import { loadSignatures } from '../signatures/loader.js';
import type { SignatureLibrary } from '../signatures/model.js';
import type { HostRecord } from '../types.js';
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
  const hints = vendorHints(library, services);
  const v = decide(library, services.length, hits, hints);
  // Spelled out rather than spread: V8 copies a spread object slowly, and this runs per host.
  return {
    device: v.device,
    alternatives: v.alternatives,
    services: v.services,
    honeypot: v.honeypot,
    hints: v.hints,
    hits,
  };
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

/** Options of {@link identify}. */
export interface IdentifyOptions extends MatchOptions {
  /** Library to match with; default the bundled one (loaded once and kept). */
  readonly library?: SignatureLibrary;
}

let bundled: SignatureLibrary | undefined;

/**
 * Labels what was already gathered, offline: a flat field map (`{ 'ssh.ident': … }`, one
 * service per protocol) or a saved {@link HostRecord} (its services as recorded). Re-running
 * a saved record against a newer library relabels it without touching the network.
 *
 * @param input - Field map or host record.
 * @param options - Library and match options.
 * @returns The verdict (`device`, `alternatives`, per-service labels) and the raw hits.
 */
export function identify(
  input: Readonly<Record<string, string>> | HostRecord,
  options: IdentifyOptions = {},
): Identification {
  bundled ??= options.library === undefined ? loadSignatures() : undefined;
  const library = options.library ?? (bundled as SignatureLibrary);
  const services: ServiceInput[] = isHostRecord(input)
    ? input.services.map((s) => ({
        port: s.port,
        transport: s.transport,
        protocol: s.protocol,
        fields: s.fields,
      }))
    : servicesFromFields(input);
  return identifyServices(library, services, options);
}

function isHostRecord(input: object): input is HostRecord {
  return Array.isArray((input as { services?: unknown }).services);
}

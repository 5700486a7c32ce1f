/**
 * Port specifications in Nmap's syntax, which users already know:
 * `21-25,80,8080,U:161,T:2323` — a `T:` or `U:` prefix switches the transport for the
 * items that follow it; items before any prefix are TCP.
 */
import { ThingscanError } from '../errors.js';
import type { Transport } from '../types.js';
import { expandPresets } from './presets.js';

/** One port to probe. */
export interface PortSpecItem {
  readonly transport: Transport;
  readonly port: number;
}

/** Largest number of ports one spec may list (a guard against `1-65535` on UDP by accident). */
const MAX_PORTS = 65_536 * 2;

/** Parses a port spec; throws a `ThingscanError` (`E_USAGE`) naming the bad item. */
export function parsePortSpec(spec: string): PortSpecItem[] {
  const seen = new Set<string>();
  const out: PortSpecItem[] = [];
  let transport: Transport = 'tcp';
  // Preset names (`iot`, `mail`, `all-common`) expand in place: see presets.ts.
  for (const raw of expandPresets(spec).split(',')) {
    let item = raw.trim();
    if (item === '') continue;
    const prefix = /^([TUtu]):/.exec(item);
    if (prefix) {
      transport = prefix[1]?.toUpperCase() === 'U' ? 'udp' : 'tcp';
      item = item.slice(2).trim();
      if (item === '') continue;
    }
    const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    if (!range)
      throw new ThingscanError('E_USAGE', `bad port '${raw.trim()}' in --ports '${spec}'`);
    const lo = Number(range[1]);
    const hi = range[2] === undefined ? lo : Number(range[2]);
    if (lo < 1 || hi > 65_535 || hi < lo) {
      throw new ThingscanError('E_USAGE', `bad port range '${item}' (ports are 1-65535)`);
    }
    for (let p = lo; p <= hi; p++) {
      const key = `${transport}/${p}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ transport, port: p });
      if (out.length > MAX_PORTS) throw new ThingscanError('E_USAGE', 'too many ports');
    }
  }
  if (out.length === 0) throw new ThingscanError('E_USAGE', `--ports '${spec}' names no port`);
  return out.sort((a, b) =>
    a.transport === b.transport ? a.port - b.port : a.transport === 'tcp' ? -1 : 1,
  );
}

/**
 * Named port presets for `--ports`: `iot`, `mail`, `all-common`. A preset name may stand
 * anywhere in a port spec and mixes with ports and ranges (`iot,8888,U:5353`); each preset
 * expands to Nmap syntax with its own `T:`/`U:` prefixes, and the transport after it is
 * TCP again, so `iot,8888` scans TCP 8888.
 */

/** Preset name → port spec in Nmap syntax. */
export const PORT_PRESETS = {
  /**
   * What compromised things expose: telnet 23, 2323; ssh 22, 2222; smtp 25, 587; ftp 21;
   * http 80, 81, 8000, 8080, 8081; https 443, 8443; rtsp 554; TR-069 7547; snmp udp/161;
   * ssdp udp/1900.
   */
  iot: 'T:21,22,23,25,80,81,443,554,587,2222,2323,7547,8000,8080,8081,8443,U:161,1900',
  /** Mail hosts: smtp, submission, smtps, pop3(s), imap(s). */
  mail: 'T:25,110,143,465,587,993,995',
  /** `iot` and `mail` plus other common management ports (TR-069 alt, RTSP alt, UPnP HTTP). */
  'all-common':
    'T:21,22,23,25,53,80,81,110,143,443,465,554,587,993,995,2000,2222,2323,5000,5431,7547,8000,8008,8023,8080,8081,8443,8554,8888,9000,49152,U:161,1900',
} as const satisfies Record<string, string>;

/** A preset name. */
export type PortPreset = keyof typeof PORT_PRESETS;

/** Type guard for a preset name. */
export function isPortPreset(name: string): name is PortPreset {
  return Object.hasOwn(PORT_PRESETS, name);
}

/**
 * Replaces every preset name in a spec by its ports. Items that are not preset names pass
 * through unchanged (the port parser judges them). After a preset, the transport returns
 * to what it was before it, so a preset never changes how the next item is read.
 */
export function expandPresets(spec: string): string {
  let transport: 'T' | 'U' = 'T';
  const out: string[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    const prefix = /^([TUtu]):(.*)$/.exec(item);
    const body = (prefix ? (prefix[2] ?? '') : item).trim().toLowerCase();
    if (prefix) transport = prefix[1]?.toUpperCase() === 'U' ? 'U' : 'T';
    if (isPortPreset(body)) {
      out.push(PORT_PRESETS[body], `${transport}:`);
      continue;
    }
    out.push(raw);
  }
  return out.join(',');
}

/**
 * The closed vocabulary of probe fields: what probes may record and signatures may read.
 * One place for this fact; lint rejects a signature reading a field not listed here.
 */
import type { Protocol } from '../types.js';

/** A field a probe records, with what it holds. */
export interface FieldInfo {
  readonly protocol: Protocol;
  readonly description: string;
}

/** Every probe field, by name (`<protocol>.<part>`). */
export const FIELDS = {
  'telnet.banner': {
    protocol: 'telnet',
    description:
      'All text the server sent before we stopped reading (prompt included), IAC sequences removed, CR LF as LF',
  },
  'telnet.prompt': {
    protocol: 'telnet',
    description: 'Last non-empty line sent (the login or shell prompt)',
  },
  'telnet.options': {
    protocol: 'telnet',
    description: 'IAC negotiation the server opened with, e.g. "DO 1,DO 31,WILL 1,WILL 3"',
  },
  'ssh.ident': {
    protocol: 'ssh',
    description: 'Identification line without CR LF, e.g. "SSH-2.0-dropbear_2019.78"',
  },
  'ssh.software': {
    protocol: 'ssh',
    description: 'softwareversion part of the ident, e.g. "OpenSSH_8.9p1"',
  },
  'ssh.comment': {
    protocol: 'ssh',
    description: 'comment part of the ident, e.g. "Ubuntu-3ubuntu0.10"',
  },
  'ssh.kex': { protocol: 'ssh', description: 'Server KEXINIT kex_algorithms, comma-separated' },
  'ssh.hostkey_algorithms': {
    protocol: 'ssh',
    description: 'Server KEXINIT server_host_key_algorithms',
  },
  'ssh.ciphers': {
    protocol: 'ssh',
    description: 'Server KEXINIT encryption_algorithms_server_to_client',
  },
  'ssh.macs': { protocol: 'ssh', description: 'Server KEXINIT mac_algorithms_server_to_client' },
  'ssh.compression': {
    protocol: 'ssh',
    description: 'Server KEXINIT compression_algorithms_server_to_client',
  },
  'ssh.hassh': { protocol: 'ssh', description: 'HASSH server fingerprint (md5 hex)' },
  'ssh.hostkey_type': { protocol: 'ssh', description: 'Host key type, e.g. "ssh-ed25519"' },
  'ssh.hostkey_sha256': {
    protocol: 'ssh',
    description: 'Host key SHA-256 fingerprint, base64 without padding',
  },
  'smtp.greeting': {
    protocol: 'smtp',
    description: 'Greeting reply text (all lines, codes stripped)',
  },
  'smtp.ehlo': {
    protocol: 'smtp',
    description: 'EHLO reply lines (first line is the server name), newline-separated',
  },
  'ftp.greeting': {
    protocol: 'ftp',
    description: 'Greeting reply text (all lines, codes stripped)',
  },
  'http.status': { protocol: 'http', description: 'Status code and reason, e.g. "200 OK"' },
  'http.server': { protocol: 'http', description: 'Server header' },
  'http.headers': {
    protocol: 'http',
    description: 'All response headers as "name: value" lines, names lower-case',
  },
  'http.title': { protocol: 'http', description: 'Text of <title>, whitespace collapsed' },
  'http.realm': { protocol: 'http', description: 'Basic/Digest realm from WWW-Authenticate' },
  'http.body': { protocol: 'http', description: 'Start of the body (capped), decoded as latin1' },
  'http.location': { protocol: 'http', description: 'Location header of a redirect' },
  'http.favicon_md5': { protocol: 'http', description: 'MD5 hex of /favicon.ico' },
  'http.favicon_mmh3': {
    protocol: 'http',
    description: 'Shodan-style mmh3 hash of /favicon.ico (signed 32-bit, decimal)',
  },
  'snmp.sysDescr': { protocol: 'snmp', description: 'SNMPv2-MIB::sysDescr.0' },
  'snmp.sysObjectID': { protocol: 'snmp', description: 'SNMPv2-MIB::sysObjectID.0 as dotted OID' },
  'snmp.sysName': { protocol: 'snmp', description: 'SNMPv2-MIB::sysName.0' },
  'snmp.version': { protocol: 'snmp', description: 'Version that answered: "v2c" or "v1"' },
} as const satisfies Record<string, FieldInfo>;

/** A known field name. */
export type FieldName = keyof typeof FIELDS;

/** Type guard for a known field name. */
export function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(FIELDS, name);
}

/**
 * The closed vocabulary of probe fields: what probes may record and signatures may read.
 * One place for this fact; lint rejects a signature reading a field not listed here.
 */
import type { Protocol } from '../types.js';

/** A field a probe records, with what it holds. */
export interface FieldInfo {
  /**
   * Protocol that records it; `tls` fields appear on any TLS service, `upnp` ones on the
   * SSDP service, and `scan` ones are bookkeeping of the engine that signatures may not read.
   */
  readonly protocol: Protocol | 'upnp' | 'scan';
  readonly description: string;
  /**
   * How signatures read it when that differs from the exact text the record keeps:
   * `terminal`, as a terminal shows it (control sequences removed, see `terminalText`).
   */
  readonly view?: 'terminal';
}

/** Every probe field, by name (`<protocol>.<part>`). */
export const FIELDS = {
  'telnet.banner': {
    protocol: 'telnet',
    description:
      'All text the server sent before we stopped reading (prompt included), IAC sequences removed, CR LF as LF; signatures read it as a terminal shows it (colour and cursor sequences removed)',
    view: 'terminal',
  },
  'telnet.prompt': {
    protocol: 'telnet',
    description:
      'Last non-empty line sent (the login or shell prompt), as a terminal shows it: colour and cursor sequences removed',
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
  'http.location': {
    protocol: 'http',
    description: 'Location header of the first response (GET /), whether followed or not',
  },
  'http.favicon_md5': { protocol: 'http', description: 'MD5 hex of /favicon.ico' },
  'http.favicon_mmh3': {
    protocol: 'http',
    description: 'Shodan-style mmh3 hash of /favicon.ico (signed 32-bit, decimal)',
  },
  'http.error.status': {
    protocol: 'http',
    description:
      'Status code and reason of the answer to /favicon.ico when it was not a 2xx (3xx-5xx)',
  },
  'http.error.body': {
    protocol: 'http',
    description:
      "Start (1 KiB) of that non-2xx answer's body: the server's own error page, asked for no extra request",
  },
  'snmp.sysDescr': { protocol: 'snmp', description: 'SNMPv2-MIB::sysDescr.0' },
  'snmp.sysObjectID': { protocol: 'snmp', description: 'SNMPv2-MIB::sysObjectID.0 as dotted OID' },
  'snmp.sysName': { protocol: 'snmp', description: 'SNMPv2-MIB::sysName.0' },
  'snmp.version': {
    protocol: 'snmp',
    description: 'Version that answered: "v2c" or "v1"; "v3" when only the engine-ID discovery did',
  },
  'snmp.engine_id': {
    protocol: 'snmp',
    description: 'SNMPv3 authoritative engine ID from the discovery Report, lower-case hex',
  },
  'snmp.engine_enterprise': {
    protocol: 'snmp',
    description: 'IANA enterprise number in the engine ID (RFC 3411), decimal',
  },
  'snmp.engine_format': {
    protocol: 'snmp',
    description:
      'Engine ID format: ipv4, ipv6, mac, text, octets, enterprise-N, reserved-N or rfc1910',
  },
  'snmp.engine_mac': {
    protocol: 'snmp',
    description: 'MAC address in an engine ID of format 3, "aa:bb:cc:dd:ee:ff"',
  },
  'snmp.engine_boots': {
    protocol: 'snmp',
    description: 'msgAuthoritativeEngineBoots: times the SNMP engine has (re)started',
  },
  'ddp.status': {
    protocol: 'ddp',
    description: 'Device Discovery Protocol status line, e.g. "620 Server Standby"',
  },
  'ddp.host_type': { protocol: 'ddp', description: 'DDP host-type, e.g. "PS4"' },
  'ddp.host_name': { protocol: 'ddp', description: 'DDP host-name (the console name)' },
  'ddp.host_id': { protocol: 'ddp', description: 'DDP host-id (the console MAC address, hex)' },
  'ddp.system_version': {
    protocol: 'ddp',
    description: 'DDP system-version (firmware, 8 hex digits)',
  },
  'http.generator': { protocol: 'http', description: 'content of <meta name="generator">' },
  'http.redirects': {
    protocol: 'http',
    description:
      "Redirects followed on the same host and port (0-3); other fields are the final page's",
  },
  'http.protocol': {
    protocol: 'http',
    description:
      'Set when an RTSP server answered the GET ("RTSP/1.0" from its status line, "RTSP" from a CSeq header alone); nothing more was asked',
  },
  'http.followup.path': {
    protocol: 'http',
    description:
      "Path of the follow-up request recorded (a signature's `followup:`; the first 2xx answer, else the last answer)",
  },
  'http.followup.status': {
    protocol: 'http',
    description: 'Status code and reason of the follow-up response, e.g. "200 OK"',
  },
  'http.followup.body': {
    protocol: 'http',
    description: 'Start of the follow-up response body (capped), decoded as latin1',
  },
  'tls.version': { protocol: 'tls', description: 'Negotiated TLS version, e.g. "TLSv1.3"' },
  'tls.cipher': { protocol: 'tls', description: 'Negotiated cipher suite (OpenSSL name)' },
  'tls.subject': {
    protocol: 'tls',
    description: 'Leaf certificate subject as "C=US, O=Acme, CN=name" in certificate order',
  },
  'tls.issuer': { protocol: 'tls', description: 'Leaf certificate issuer, same format as subject' },
  'tls.san': {
    protocol: 'tls',
    description: 'subjectAltName entries, e.g. "DNS:fritz.box, IP Address:192.0.2.1"',
  },
  'tls.serial': { protocol: 'tls', description: 'Serial number, upper-case hex' },
  'tls.not_before': { protocol: 'tls', description: 'Validity start, ISO 8601 UTC' },
  'tls.not_after': { protocol: 'tls', description: 'Validity end, ISO 8601 UTC' },
  'tls.self_signed': {
    protocol: 'tls',
    description: '"true" when the certificate is issued by and verifies with its own key',
  },
  'tls.key_type': {
    protocol: 'tls',
    description: 'Public key type and size or curve, e.g. "rsa-2048", "ec-prime256v1", "ed25519"',
  },
  'tls.sha256': { protocol: 'tls', description: 'SHA-256 of the DER certificate, lower-case hex' },
  'unknown.banner': {
    protocol: 'unknown',
    description:
      'What a TCP port volunteered that no probe recognised (a serial server, a custom daemon): the first burst as Latin-1 text, CR LF as LF',
  },
  'rtsp.status': { protocol: 'rtsp', description: 'OPTIONS status code and reason, e.g. "200 OK"' },
  'rtsp.server': { protocol: 'rtsp', description: 'Server header of the OPTIONS reply' },
  'rtsp.public': { protocol: 'rtsp', description: 'Public header: methods the server supports' },
  'rtsp.headers': {
    protocol: 'rtsp',
    description: 'All reply headers as "name: value" lines, names lower-case',
  },
  'ssdp.server': { protocol: 'ssdp', description: 'SERVER header of the M-SEARCH reply' },
  'ssdp.location': { protocol: 'ssdp', description: 'LOCATION header (device description URL)' },
  'ssdp.st': { protocol: 'ssdp', description: 'ST header (search target answered)' },
  'ssdp.usn': { protocol: 'ssdp', description: 'USN header (unique service name)' },
  'upnp.manufacturer': { protocol: 'upnp', description: 'Device description <manufacturer>' },
  'upnp.model_name': { protocol: 'upnp', description: 'Device description <modelName>' },
  'upnp.model_number': { protocol: 'upnp', description: 'Device description <modelNumber>' },
  'upnp.friendly_name': { protocol: 'upnp', description: 'Device description <friendlyName>' },
  'upnp.device_type': { protocol: 'upnp', description: 'Device description <deviceType>' },
  'upnp.serial': { protocol: 'upnp', description: 'Device description <serialNumber>' },
  'scan.identified_by': {
    protocol: 'scan',
    description: 'Probe that identified the service (bookkeeping; signatures may not read it)',
  },
  'scan.probes': {
    protocol: 'scan',
    description:
      'Probes spent on the port, detection and follow-up requests included (bookkeeping; not for signatures)',
  },
  'scan.followups': {
    protocol: 'scan',
    description:
      'Follow-up requests among scan.probes, when there were any (bookkeeping; not for signatures)',
  },
} as const satisfies Record<string, FieldInfo>;

/** A known field name. */
export type FieldName = keyof typeof FIELDS;

/** Type guard for a known field name. */
export function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(FIELDS, name);
}

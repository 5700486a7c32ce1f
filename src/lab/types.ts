/**
 * Data shapes of the loopback lab: persona definitions (pure data, in `personas.ts`) and the
 * per-protocol configurations the generic servers in `servers/` are driven by.
 *
 * The servers hold protocol behaviour only; every banner, page and header that names a
 * vendor lives in persona data, so a persona can change without touching a server.
 */
import type { DeviceClass } from '../types.js';

/** What the scanner should conclude about a lab host. */
export interface LabExpectation {
  /** Expected device class, or null when nothing should be identified. */
  readonly class: DeviceClass | null;
  /** Expected vendor slug (`signatures/_taxonomy/vendors.yaml`), or null. */
  readonly vendor_id: string | null;
  /** Expected IoT flag, or null when unknown. */
  readonly iot: boolean | null;
  /** Expected product line, when the device shows one. */
  readonly product?: string;
  /** Expected model, only when the device shows it on a probed service. */
  readonly model?: string;
}

/** Telnet daemon behaviour: option offers, pre-login text, login dialogue. */
export interface TelnetConfig {
  /** Raw bytes sent first, usually IAC option offers (`FF FB 01` = WILL ECHO). */
  readonly negotiation: readonly number[];
  /** Text sent after the options and before the prompt (issue file, version line). */
  readonly banner: string;
  /** Login prompt, e.g. `(none) login: `. */
  readonly loginPrompt: string;
  /** Password prompt sent after a user name line. */
  readonly passwordPrompt: string;
  /** Text sent after a rejected password, before the login prompt again. */
  readonly failure: string;
  /** Rejected logins before the daemon hangs up (real `login` gives 3). */
  readonly maxAttempts: number;
}

/** Key type for the SSH host key; RSA is left out because generating it is slow. */
export type SshHostKeyType = 'ed25519' | 'ecdsa';

/** SSH daemon behaviour: identification string and the algorithm offer of its KEXINIT. */
export interface SshConfig {
  /** Software version part of the ident line (after `SSH-2.0-`), e.g. `dropbear_2017.75`. */
  readonly ident: string;
  /** Host key type the daemon presents. */
  readonly hostKey: SshHostKeyType;
  /**
   * Algorithm lists in the daemon's own order. Names the `ssh2` package cannot speak are
   * dropped at start (the real daemon would list them too; we cannot fake what we cannot do).
   */
  readonly kex: readonly string[];
  readonly ciphers: readonly string[];
  readonly macs: readonly string[];
  readonly compression: readonly string[];
  /**
   * Names the daemon lists in kex_algorithms after the real methods that select no key
   * exchange but signal an extension, e.g. Dropbear's `kexguess2@matt.ucc.asn.au`. `ssh2`
   * refuses names it cannot run, so the lab adds these to the offer it sends and hashes
   * (`servers/ssh.ts`). Clients list such markers after real methods too, so negotiation
   * never lands on one.
   */
  readonly kexSignals?: readonly string[];
}

/**
 * SMTP daemon behaviour. Texts may hold `{date}` (RFC 5322 date, UTC), `{client}` (peer
 * address) and `{helo}` (the name the client gave).
 */
export interface SmtpConfig {
  /** Greeting lines without the `220` code; several lines make a multi-line reply. */
  readonly greeting: readonly string[];
  /** EHLO reply lines without the `250` code: first the hello line, then keywords. */
  readonly ehlo: readonly string[];
  /** HELO reply text without the `250` code. */
  readonly helo: string;
  /** Full replies (with codes) for commands the daemon refuses or answers specially. */
  readonly replies: SmtpReplies;
}

/** Complete reply lines (code included) of an SMTP daemon. */
export interface SmtpReplies {
  readonly mail: string;
  readonly rcpt: string;
  readonly data: string;
  readonly auth: string;
  readonly starttls: string;
  readonly quit: string;
  readonly unknown: string;
  readonly noop: string;
  readonly rset: string;
  readonly vrfy: string;
  readonly help: string;
  /** Sent when a command line exceeds the daemon's limit, before hanging up. */
  readonly tooLong: string;
}

/** FTP daemon behaviour. Texts are full reply lines without CRLF. */
export interface FtpConfig {
  /** Greeting text lines without the `220` code; several make a `220-` multi-line reply. */
  readonly greeting: readonly string[];
  /** Reply to USER (real daemons ask for the password first). */
  readonly user: string;
  /** Reply to PASS. */
  readonly pass: string;
  /** Reply to SYST. */
  readonly syst: string;
  /** FEAT reply lines (full, with codes), or null when the daemon answers 500/502. */
  readonly feat: readonly string[] | null;
  /** Reply to QUIT. */
  readonly quit: string;
  /** Reply to any other command before login. */
  readonly notLoggedIn: string;
  /** Reply to an unknown command. */
  readonly unknown: string;
}

/** One canned HTTP response. */
export interface HttpResponseSpec {
  readonly status: number;
  /** Reason phrase when the device prints a non-standard one (`401 N/A`). */
  readonly reason?: string;
  /** Headers in the device's order; Date and Content-Length are added by the server. */
  readonly headers: readonly (readonly [string, string])[];
  /** Body bytes; text is sent as UTF-8 with `{address}` replaced by the bound address. */
  readonly body: string | Uint8Array;
}

/** HTTP server behaviour: fixed routes by path, everything else gets `fallback`. */
export interface HttpConfig {
  /** Exact path (query ignored) to response. */
  readonly routes: Readonly<Record<string, HttpResponseSpec>>;
  /** Response for any other path (a 404 page, or the login page on devices that ignore paths). */
  readonly fallback: HttpResponseSpec;
  /** Headers added to the 501 sent for methods other than GET and HEAD. */
  readonly serverHeaders: readonly (readonly [string, string])[];
  /**
   * Keeps the connection open between requests (HTTP/1.1 persistent connections), as
   * lighttpd, Apache, nginx, IIS and Twisted do by default. Default false: one request per
   * connection and `Connection: close`, as many small embedded servers answer.
   */
  readonly keepAlive?: boolean;
}

/** One SNMP scalar the agent answers. */
export interface SnmpVariable {
  /** Dotted OID with instance, e.g. `1.3.6.1.2.1.1.1.0`. */
  readonly oid: string;
  /** Value type: `uptime` is TimeTicks since the lab started. */
  readonly type: 'string' | 'oid' | 'integer' | 'uptime';
  /** String, dotted OID or decimal integer; ignored for `uptime`. */
  readonly value: string;
}

/** SNMP v1/v2c agent behaviour. */
export interface SnmpConfig {
  /** Read community; requests with another community are dropped, as real agents do. */
  readonly community: string;
  /** Scalars served by GET and GETNEXT. */
  readonly variables: readonly SnmpVariable[];
  /**
   * SNMPv3 engine ID (hex, RFC 3411 form). When set, an SNMPv3 engine-ID discovery gets a
   * Report carrying it (as any v3 agent answers, community or not); when absent, v3 is
   * dropped like before.
   */
  readonly engineId?: string;
  /** msgAuthoritativeEngineBoots reported with {@link engineId}; default 1. */
  readonly engineBoots?: number;
}

/** A UDP service that answers one text request with one text reply (discovery protocols). */
export interface UdpTextConfig {
  /** The reply is sent only when the datagram starts with this text. */
  readonly requestPrefix: string;
  /** Reply datagram. */
  readonly reply: string;
}

/** HTTPS: an HTTP config served inside TLS with a lab certificate. */
export interface HttpsConfig {
  /** Certificate file stem in `src/lab/certs/` (`fortigate` → fortigate.crt + fortigate.key). */
  readonly cert: string;
  /** What is served inside TLS. */
  readonly http: HttpConfig;
}

/** RTSP server behaviour: the reply to OPTIONS (and, as 401/405, to anything else). */
export interface RtspConfig {
  /** Headers of the OPTIONS reply after CSeq, in the device's order. */
  readonly headers: readonly (readonly [string, string])[];
}

/**
 * SSDP responder behaviour: the reply to a unicast `M-SEARCH`. Texts may hold `{address}`
 * (the persona's own address), `{next}` (the next lab address, to test that a LOCATION on
 * another address is never fetched) and `{port:N}` (where the lab bound standard port N).
 */
export interface SsdpConfig {
  readonly server: string;
  readonly location: string;
  readonly st: string;
  readonly usn: string;
}

/** Hostile behaviours (see `servers/hostile.ts`); `snmp-*` and `ssdp-*` are UDP, the rest TCP. */
export const HOSTILE_MODES = [
  'tarpit',
  'reset',
  'flood',
  'garbage',
  'drip',
  'half-open',
  'telnet-endless-subneg',
  'telnet-iac-flood',
  'telnet-text-flood',
  'ssh-bad-ident',
  'ssh-huge-packet',
  'ssh-endless-kexinit',
  'smtp-endless-multiline',
  'http-giant-headers',
  'http-endless-chunked',
  'http-gzip-bomb',
  'http-1xx-flood',
  'http-redirect-loop',
  'http-redirect-away',
  'snmp-malformed',
  'snmp-huge',
  'snmp-wrong-id',
  'ssdp-location-away',
] as const;
/** One of {@link HOSTILE_MODES}. */
export type HostileMode = (typeof HOSTILE_MODES)[number];
/** True for the hostile modes served over UDP. */
export function isUdpHostileMode(mode: HostileMode): boolean {
  return mode.startsWith('snmp-') || mode.startsWith('ssdp-');
}

/** One service of a persona, on its standard port. */
export type ServiceDefinition =
  | { readonly protocol: 'telnet'; readonly port: number; readonly telnet: TelnetConfig }
  | { readonly protocol: 'ssh'; readonly port: number; readonly ssh: SshConfig }
  | { readonly protocol: 'smtp'; readonly port: number; readonly smtp: SmtpConfig }
  | { readonly protocol: 'ftp'; readonly port: number; readonly ftp: FtpConfig }
  | { readonly protocol: 'http'; readonly port: number; readonly http: HttpConfig }
  | { readonly protocol: 'snmp'; readonly port: number; readonly snmp: SnmpConfig }
  | { readonly protocol: 'udp-text'; readonly port: number; readonly udpText: UdpTextConfig }
  | { readonly protocol: 'https'; readonly port: number; readonly https: HttpsConfig }
  | { readonly protocol: 'rtsp'; readonly port: number; readonly rtsp: RtspConfig }
  | { readonly protocol: 'ssdp'; readonly port: number; readonly ssdp: SsdpConfig }
  | { readonly protocol: 'hostile'; readonly port: number; readonly mode: HostileMode };

/** An emulated device (or hostile peer) of the lab. */
export interface PersonaDefinition {
  /** Stable id, e.g. `dlink-nas`. */
  readonly id: string;
  /** One line for humans (demo output). */
  readonly description: string;
  /** True for personas that exist to hurt the scanner. */
  readonly hostile: boolean;
  /** What a correct scan concludes. */
  readonly expected: LabExpectation;
  /** Services on their standard ports. */
  readonly services: readonly ServiceDefinition[];
}

/** Counting hooks a server calls; the lab aggregates them per host. */
export interface HostRecorder {
  /** A TCP connection was accepted or a UDP request received. */
  connection(): void;
  /** The client sent something that looks like a user name, password or AUTH. */
  credentialAttempt(): void;
  /** The client tried to send mail (MAIL, RCPT, DATA). */
  mailCommand(): void;
  /**
   * An HTTP(S) request arrived: `METHOD target`, e.g. `GET /favicon.ico`. Optional: only
   * the address-per-persona lab keeps a request log.
   */
  httpRequest?(line: string): void;
}

/** A running protocol server bound to one address and port. */
export interface RunningServer {
  /** Port actually bound. */
  readonly port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

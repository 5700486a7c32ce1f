/**
 * The contract between the engine and a protocol probe.
 *
 * A probe holds protocol logic only: the engine opens sockets (rate-limited), owns the
 * deadlines and byte caps, and turns failures into statuses. A probe returns named fields
 * (see `src/signatures/fields.ts`) and never a vendor name: signatures decide.
 */

import type net from 'node:net';
import type { Logger } from 'pino';
import type { BoundedReader } from '../src/net/bounded.js';
import type { Protocol } from '../src/types.js';

/** Time budgets a probe works within, ms. */
export interface ProbeTimeouts {
  /** TCP handshake. */
  readonly connectMs: number;
  /** One read or request/response exchange. */
  readonly readMs: number;
  /** How long to wait for a volunteered banner on an unknown port before trying HTTP. */
  readonly bannerMs: number;
}

/** Settings a probe may read. */
export interface ProbeSettings {
  /** Honest User-Agent for HTTP, with a URL explaining the scan. */
  readonly userAgent: string;
  /** SNMP read community for v2c/v1 system info; null disables community-based SNMP. */
  readonly snmpCommunity: string | null;
}

/** Everything a probe gets from the engine for one port. */
export interface ProbeContext {
  /** Target address (IPv4 or IPv6 text form). */
  readonly host: string;
  /** Port being probed. */
  readonly port: number;
  /** Aborted at the host deadline or when the scan stops. */
  readonly signal: AbortSignal;
  /** Time budgets. */
  readonly timeouts: ProbeTimeouts;
  /** Byte cap per connection. */
  readonly maxBytes: number;
  /** Child logger bound to host and port. */
  readonly log: Logger;
  /** Scan settings. */
  readonly settings: ProbeSettings;
  /**
   * Opens one more rate-limited TCP connection to this host and port (for a second request,
   * like HTTP's redirect or favicon). Rejects with `ProbeFailure`.
   */
  connect(): Promise<net.Socket>;
  /**
   * Opens one rate-limited TCP connection to another port of this same host (a UPnP
   * description named by SSDP's LOCATION). Absent when the runner does not offer it.
   * Rejects with `ProbeFailure`.
   */
  connectPort?(port: number): Promise<net.Socket>;
}

/** What a probe found on one port. */
export interface ProbeOutput {
  /** Outcome; `ok` when the protocol answered as expected. */
  readonly status: 'ok' | 'protocol-error' | 'io-timeout' | 'connection-closed' | 'skipped';
  /** Named fields (`telnet.banner`, `ssh.ident` …). Values are raw text; the engine sanitizes and caps. */
  readonly fields: Readonly<Record<string, string>>;
  /** Human-readable excerpt of what the service sent (raw; the engine sanitizes and caps). */
  readonly banner: string | null;
}

/** A TCP connection the engine opened, with whatever the server volunteered first. */
export interface TcpConnection {
  /** Bounded reader over the socket; write through it too. */
  readonly reader: BoundedReader;
  /** Bytes the server sent before anyone spoke (already consumed from the reader); may be empty. */
  readonly greeting: Buffer;
}

/** What follow-up requests found (see {@link TcpProbe.followup}). */
export interface FollowupOutput {
  /** `http.followup.*` fields of the response recorded; empty when none came back. */
  readonly fields: Readonly<Record<string, string>>;
  /** Requests attempted (each on its own connection), for the port's probe count. */
  readonly requests: number;
}

/** A probe for a TCP protocol. */
export interface TcpProbe {
  readonly name: Exclude<Protocol, UdpProtocol | 'tls' | 'unknown'>;
  readonly transport: 'tcp';
  /** Ports where this protocol is expected; its probe runs first there. */
  readonly ports: readonly number[];
  /** True when the server speaks first (telnet, ssh, smtp, ftp). */
  readonly serverFirst: boolean;
  /**
   * How sure the volunteered bytes belong to this protocol: 0 = not this protocol,
   * 1 = possible (e.g. any `220 ` greeting), 2 = certain (e.g. `SSH-2.0-`).
   */
  detect(greeting: Buffer): 0 | 1 | 2;
  /** Runs the protocol exchange on the engine's connection. */
  run(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput>;
  /**
   * Optional second look the engine asks for after matching the first exchange: GET each
   * path (absolute, same origin, already vetted) on a fresh rate-limited connection to the
   * same host and port, in order, under the same deadlines and byte caps. HTTP and HTTPS
   * have it; the engine decides the paths (signatures' `followup:`), never the probe.
   */
  followup?(ctx: ProbeContext, paths: readonly string[]): Promise<FollowupOutput>;
}

/** Protocols spoken over UDP. */
export type UdpProtocol = 'snmp' | 'ddp' | 'ssdp';

/** A probe for a UDP protocol; it manages its own datagram socket through the given context. */
export interface UdpProbe {
  readonly name: UdpProtocol;
  readonly transport: 'udp';
  readonly ports: readonly number[];
  /**
   * How rarely the service answers on the internet, 1 = the commonest (Nmap's probes carry
   * the same idea). A UDP port says nothing until asked in its own protocol, so a port no
   * probe claims gets the probes one after another, commonest first, until one answers:
   * the usual answer costs one or two probes, not one of each.
   */
  readonly rarity: number;
  /** Sends its requests and reads the replies within `ctx.timeouts`. */
  run(ctx: ProbeContext): Promise<ProbeOutput>;
}

/** Any probe. */
export type Probe = TcpProbe | UdpProbe;

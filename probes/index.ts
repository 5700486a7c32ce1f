/**
 * The explicit probe registry: one line per protocol. Order matters only for ties in
 * banner detection (earlier wins).
 */
import { ftpProbe } from './ftp.js';
import { httpProbe } from './http.js';
import { smtpProbe } from './smtp.js';
import { snmpProbe } from './snmp.js';
import { sshProbe } from './ssh.js';
import { telnetProbe } from './telnet.js';
import type { Probe } from './types.js';

/** Every probe thingscan ships, in detection-priority order. */
export const PROBES: readonly Probe[] = [
  sshProbe,
  smtpProbe,
  ftpProbe,
  telnetProbe,
  httpProbe,
  snmpProbe,
];

export type {
  Probe,
  ProbeContext,
  ProbeOutput,
  ProbeSettings,
  ProbeTimeouts,
  TcpConnection,
  TcpProbe,
  UdpProbe,
} from './types.js';

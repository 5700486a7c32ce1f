/**
 * The explicit probe registry: one line per protocol. Order matters only for ties in
 * banner detection (earlier wins).
 */
import { ddpProbe } from './ddp.js';
import { ftpProbe } from './ftp.js';
import { httpProbe } from './http.js';
import { httpsProbe } from './https.js';
import { rtspProbe } from './rtsp.js';
import { smtpProbe } from './smtp.js';
import { snmpProbe } from './snmp.js';
import { ssdpProbe } from './ssdp.js';
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
  httpsProbe,
  rtspProbe,
  snmpProbe,
  ddpProbe,
  ssdpProbe,
];

export type {
  FollowupOutput,
  Probe,
  ProbeContext,
  ProbeOutput,
  ProbeSettings,
  ProbeTimeouts,
  TcpConnection,
  TcpProbe,
  UdpProbe,
} from './types.js';

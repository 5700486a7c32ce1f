/**
 * A UDP responder for text discovery protocols: one datagram in, one canned datagram out,
 * only when the request starts with the expected text. Used by personas whose only network
 * service is a discovery answer (a game console's device discovery, for instance).
 */
import type { HostRecorder, RunningServer, UdpTextConfig } from '../types.js';
import { listenUdp } from './common.js';

/** Largest request datagram looked at, bytes. */
const MAX_REQUEST_BYTES = 2048;

/** Starts a UDP text responder on `address:port` configured by persona data. */
export function startUdpText(
  address: string,
  port: number,
  config: UdpTextConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  const prefix = Buffer.from(config.requestPrefix, 'latin1');
  const reply = Buffer.from(config.reply, 'latin1');
  return listenUdp(address, port, (socket, message, rinfo) => {
    recorder.connection();
    if (message.length > MAX_REQUEST_BYTES) return;
    if (message.subarray(0, prefix.length).equals(prefix)) {
      socket.send(reply, rinfo.port, rinfo.address);
    }
  });
}

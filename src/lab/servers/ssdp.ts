/**
 * SSDP responder: answers a unicast `M-SEARCH` carrying `MAN: "ssdp:discover"` with one
 * `HTTP/1.1 200 OK` datagram (SERVER, LOCATION, ST, USN) to the sender. The device
 * description LOCATION points at is an ordinary lab HTTP service of the persona.
 */

import type { HostRecorder, RunningServer, SsdpConfig } from '../types.js';
import { listenUdp } from './common.js';
import { nextAddress } from './hostile.js';

/** SSDP's standard port, from which the lab's port offset is read. */
const SSDP_PORT = 1900;

/** Largest request datagram looked at, bytes. */
const MAX_REQUEST_BYTES = 2048;

/** Starts an SSDP responder on `address:port` configured by persona data. */
export function startSsdp(
  address: string,
  port: number,
  config: SsdpConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  // The lab may shift every port by an offset; SSDP's standard port is 1900, so `{port:80}`
  // names the persona's port 80 wherever it was bound.
  const offset = port - SSDP_PORT;
  const fill = (text: string): string =>
    text
      .replaceAll('{address}', address)
      .replaceAll('{next}', nextAddress(address))
      .replace(/\{port:(\d{1,5})\}/g, (_all, p: string) => String(Number(p) + offset));
  const reply = Buffer.from(
    'HTTP/1.1 200 OK\r\n' +
      'CACHE-CONTROL: max-age=1800\r\n' +
      'EXT:\r\n' +
      `LOCATION: ${fill(config.location)}\r\n` +
      `SERVER: ${fill(config.server)}\r\n` +
      `ST: ${fill(config.st)}\r\n` +
      `USN: ${fill(config.usn)}\r\n\r\n`,
    'latin1',
  );
  return listenUdp(address, port, (socket, message, rinfo) => {
    recorder.connection();
    if (message.length > MAX_REQUEST_BYTES) return;
    const text = message.toString('latin1');
    if (!text.startsWith('M-SEARCH * HTTP/1.1') || !/^MAN:\s*"ssdp:discover"/im.test(text)) return;
    socket.send(reply, rinfo.port, rinfo.address);
  });
}

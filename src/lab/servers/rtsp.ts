/**
 * RTSP server emulation (cameras, recorders): answers `OPTIONS` with the persona's headers
 * and everything else with `401 Unauthorized`, as a camera that wants a login for streams.
 * Never streams anything. A credential in a request (an Authorization header) is counted.
 */
import type { HostRecorder, RtspConfig, RunningServer } from '../types.js';
import { listenTcp, safeWrite } from './common.js';

/** Request bytes held at most before the header block ends. */
const MAX_REQUEST_BYTES = 4096;

/** Starts an RTSP server on `address:port` configured by persona data. */
export function startRtsp(
  address: string,
  port: number,
  config: RtspConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  return listenTcp({ address, port, recorder }, (socket) => {
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) break;
        const request = pending.slice(0, end);
        pending = pending.slice(end + 4);
        answer(request);
      }
      if (pending.length > MAX_REQUEST_BYTES) socket.destroy();
    });
    const answer = (request: string): void => {
      const lines = request.split('\r\n');
      const method = (lines[0] ?? '').split(' ')[0] ?? '';
      const cseq =
        lines
          .find((l) => /^cseq:/i.test(l))
          ?.slice(5)
          .trim() ?? '0';
      if (lines.some((l) => /^authorization:/i.test(l))) recorder.credentialAttempt();
      const head =
        method === 'OPTIONS'
          ? ['RTSP/1.0 200 OK', `CSeq: ${cseq}`, ...config.headers.map(([n, v]) => `${n}: ${v}`)]
          : [
              'RTSP/1.0 401 Unauthorized',
              `CSeq: ${cseq}`,
              'WWW-Authenticate: Digest realm="IP Camera", nonce="0a4f7c311d2e4b5a"',
            ];
      safeWrite(socket, `${head.join('\r\n')}\r\n\r\n`);
    };
  });
}

/**
 * FTP daemon emulation: greeting (multi-line when the persona's daemon prints one), SYST,
 * FEAT, QUIT. USER and PASS are answered as a daemon that never lets anyone in, and counted.
 */
import type net from 'node:net';
import type { FtpConfig, HostRecorder, RunningServer } from '../types.js';
import { LineSplitter, listenTcp, multiline, renderTemplate, safeWrite } from './common.js';

/** Starts an FTP control-channel server on `address:port` configured by persona data. */
export function startFtp(
  address: string,
  port: number,
  config: FtpConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  return listenTcp({ address, port, recorder }, (socket) => handleFtp(socket, config, recorder));
}

/** Serves one accepted FTP connection (also used by the scale lab's wildcard listener). */
export function handleFtp(socket: net.Socket, config: FtpConfig, recorder: HostRecorder): void {
  const client = socket.remoteAddress ?? '0.0.0.0';
  const reply = (line: string): void =>
    safeWrite(socket, `${renderTemplate(line, { client })}\r\n`);
  const lines = new LineSplitter(
    (line) => {
      const verb = (line.trim().split(/\s+/)[0] ?? '').toUpperCase();
      switch (verb) {
        case 'USER':
          recorder.credentialAttempt();
          reply(config.user);
          return;
        case 'PASS':
          recorder.credentialAttempt();
          reply(config.pass);
          return;
        case 'SYST':
          reply(config.syst);
          return;
        case 'FEAT':
          if (config.feat === null) reply(config.unknown);
          else safeWrite(socket, config.feat.map((l) => `${l}\r\n`).join(''));
          return;
        case 'QUIT':
          reply(config.quit);
          socket.end();
          return;
        case '':
          return;
        default:
          reply(/^[A-Z]{3,4}$/.test(verb) ? config.notLoggedIn : config.unknown);
      }
    },
    () => {
      reply(config.unknown);
      socket.end();
    },
  );
  socket.on('data', (chunk: Buffer) => lines.push(chunk));
  safeWrite(socket, multiline('220', config.greeting));
}

/**
 * SMTP daemon emulation: greeting, EHLO/HELO, QUIT and a few harmless verbs. Mail is never
 * accepted: MAIL, RCPT and DATA get the persona's 5xx reply and are counted, AUTH is refused
 * and counted as a credential attempt.
 */
import type net from 'node:net';
import type { HostRecorder, RunningServer, SmtpConfig } from '../types.js';
import { LineSplitter, listenTcp, multiline, renderTemplate, safeWrite } from './common.js';

/** Starts an SMTP server on `address:port` configured by persona data. */
export function startSmtp(
  address: string,
  port: number,
  config: SmtpConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  return listenTcp({ address, port, recorder }, (socket) => handleSmtp(socket, config, recorder));
}

/** Serves one accepted SMTP connection (also used by the scale lab's wildcard listener). */
export function handleSmtp(socket: net.Socket, config: SmtpConfig, recorder: HostRecorder): void {
  const client = socket.remoteAddress ?? '0.0.0.0';
  const render = (text: string, helo?: string): string =>
    renderTemplate(text, helo === undefined ? { client } : { client, helo });
  const reply = (line: string): void => safeWrite(socket, `${render(line)}\r\n`);
  const lines = new LineSplitter(
    (line) => {
      const [verb = '', ...rest] = line.trim().split(/\s+/);
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          safeWrite(
            socket,
            multiline(
              '250',
              config.ehlo.map((l) => render(l, arg || client)),
            ),
          );
          return;
        case 'HELO':
          safeWrite(socket, `250 ${render(config.helo, arg || client)}\r\n`);
          return;
        case 'MAIL':
          recorder.mailCommand();
          reply(config.replies.mail);
          return;
        case 'RCPT':
          recorder.mailCommand();
          reply(config.replies.rcpt);
          return;
        case 'DATA':
        case 'BDAT':
          recorder.mailCommand();
          reply(config.replies.data);
          return;
        case 'AUTH':
          recorder.credentialAttempt();
          reply(config.replies.auth);
          return;
        case 'STARTTLS':
          reply(config.replies.starttls);
          return;
        case 'NOOP':
          reply(config.replies.noop);
          return;
        case 'RSET':
          reply(config.replies.rset);
          return;
        case 'VRFY':
          reply(config.replies.vrfy);
          return;
        case 'HELP':
          reply(config.replies.help);
          return;
        case 'QUIT':
          reply(config.replies.quit);
          socket.end();
          return;
        default:
          reply(config.replies.unknown);
      }
    },
    () => {
      reply(config.replies.tooLong);
      socket.end();
    },
  );
  socket.on('data', (chunk: Buffer) => lines.push(chunk));
  safeWrite(
    socket,
    multiline(
      '220',
      config.greeting.map((l) => render(l)),
    ),
  );
}

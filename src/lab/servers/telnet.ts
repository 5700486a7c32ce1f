/**
 * Telnet daemon emulation: option offers, pre-login text and a `login` dialogue that never
 * succeeds. Any non-empty line typed at the login or password prompt is recorded as a
 * credential attempt, so a test can prove the scanner never types one.
 */
import type net from 'node:net';
import type { HostRecorder, RunningServer, TelnetConfig } from '../types.js';
import { LineSplitter, listenTcp, safeWrite } from './common.js';

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;
/** WILL, WONT, DO, DONT: three-byte commands. */
const OPTION_VERBS = new Set([0xfb, 0xfc, 0xfd, 0xfe]);

/** Starts a telnet server on `address:port` configured by persona data. */
export function startTelnet(
  address: string,
  port: number,
  config: TelnetConfig,
  recorder: HostRecorder,
): Promise<RunningServer> {
  return listenTcp({ address, port, recorder }, (socket) => handleTelnet(socket, config, recorder));
}

/** Serves one accepted telnet connection (also used by the scale lab's wildcard listener). */
export function handleTelnet(
  socket: net.Socket,
  config: TelnetConfig,
  recorder: HostRecorder,
): void {
  let awaiting: 'user' | 'password' = 'user';
  let failures = 0;
  const filter = new IacFilter();
  const lines = new LineSplitter(
    (raw) => {
      const line = raw.replaceAll('\0', '');
      if (line.trim() === '') {
        // An empty line at a prompt re-prints it, as `login` does.
        safeWrite(socket, awaiting === 'user' ? `\r\n${config.loginPrompt}` : '\r\n');
        return;
      }
      recorder.credentialAttempt();
      if (awaiting === 'user') {
        awaiting = 'password';
        safeWrite(socket, `\r\n${config.passwordPrompt}`);
        return;
      }
      awaiting = 'user';
      failures += 1;
      if (failures >= config.maxAttempts) {
        safeWrite(socket, `\r\n${config.failure}\r\n`);
        socket.end();
        return;
      }
      safeWrite(socket, `\r\n${config.failure}\r\n${config.loginPrompt}`);
    },
    () => socket.destroy(),
  );
  socket.on('data', (chunk: Buffer) => lines.push(filter.strip(chunk)));
  safeWrite(socket, Uint8Array.from(config.negotiation));
  safeWrite(socket, config.banner + config.loginPrompt);
}

/**
 * Removes telnet commands (IAC verb option, IAC SB … IAC SE, IAC IAC → 0xFF) from client
 * input across chunk boundaries, and turns the line ends clients send (CR LF, CR NUL, a
 * lone CR in character mode) into one LF. State is a few bytes; subnegotiation is dropped.
 */
export class IacFilter {
  #state: 'data' | 'iac' | 'option' | 'sb' | 'sb-iac' = 'data';
  #afterCr = false;

  /** Returns the data bytes of `chunk` with telnet commands removed. */
  strip(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const byte of chunk) {
      switch (this.#state) {
        case 'data':
          if (byte === IAC) this.#state = 'iac';
          else if (byte === 0x0d) out.push(0x0a);
          else if (!(this.#afterCr && (byte === 0x0a || byte === 0x00))) out.push(byte);
          this.#afterCr = byte === 0x0d;
          break;
        case 'iac':
          if (byte === IAC) {
            out.push(IAC);
            this.#state = 'data';
          } else if (byte === SB) this.#state = 'sb';
          else if (OPTION_VERBS.has(byte)) this.#state = 'option';
          else this.#state = 'data';
          break;
        case 'option':
          this.#state = 'data';
          break;
        case 'sb':
          if (byte === IAC) this.#state = 'sb-iac';
          break;
        case 'sb-iac':
          this.#state = byte === SE ? 'data' : 'sb';
          break;
      }
    }
    return Buffer.from(out);
  }
}

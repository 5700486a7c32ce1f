/**
 * Telnet probe.
 *
 * Ports: 23, 2323 (and any port whose greeting opens with IAC or ends in a login prompt).
 * Sends: only option refusals, `IAC WONT x` for `IAC DO x` and `IAC DONT x` for
 *   `IAC WILL x`, each distinct request answered once.
 * Records: `telnet.options` (the server's negotiation in order, e.g. `DO 1,DO 31,WILL 1`),
 *   `telnet.banner` (text sent, IAC removed, line ends normalised), `telnet.prompt` (last
 *   non-empty line as a terminal shows it, without colour or cursor sequences).
 * Never: sends a username, a password, a newline or any other data byte; accepts an
 *   option; answers the same request twice.
 *
 * telnet-client is not used: it reads the socket itself (bypassing the engine's bounded
 * reader and the greeting it already consumed), keeps its own timers, answers `WILL x` with
 * `DO x` (accepting), only parses IAC at the start of a chunk and in 3-byte steps, and types
 * its default username at a login prompt unless told not to.
 */
import type { ReadEnd } from '../src/net/bounded.js';
import type { FieldName } from '../src/signatures/fields.js';
import { terminalText } from '../src/text/terminal.js';
import { decodeText } from './parsers/reply.js';
import {
  formatNegotiation,
  IAC,
  isTelnetCommandByte,
  TelnetParser,
  TelnetRefuser,
} from './parsers/telnet-iac.js';
import type { ProbeContext, ProbeOutput, TcpConnection, TcpProbe } from './types.js';

/** Negotiation commands kept in `telnet.options`. */
export const MAX_RECORDED_OPTIONS = 32;

/** A last line asking for credentials (detection and the end of the banner). */
const LOGIN_PROMPT = /(?:login|username|user name|password)\s*:\s*$/i;

/** Any prompt-looking end of text: the server now waits for input, so stop reading. */
const ANY_PROMPT = /[:#>$%?]\s*$/;

/** Text that belongs to another server-first protocol. */
const OTHER_PROTOCOL = /^(?:SSH-\d|\d{3}[ -])/m;

/** Share of control bytes above which data is not text. */
const MAX_CONTROL_SHARE = 0.05;

/** Normalises telnet line ends (CR LF, CR NUL, bare CR) to LF and drops NULs. */
export function normaliseTelnetText(text: string): string {
  return text.replace(/\r\n|\r\0|\r/g, '\n').replace(/\0/g, '');
}

/**
 * The prompt of a telnet text (line ends normalised): its last non-empty line as a terminal
 * shows it, trimmed, or '' when there is none. A login line drawn in colour
 * (`ESC[1;32mRUT955 login: ESC[0m`) is `RUT955 login:`.
 */
export function telnetPrompt(text: string): string {
  return lastLine(terminalText(text));
}

/** Last non-empty line, trimmed, or '' when there is none. */
function lastLine(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    if (line.length > 0) return line;
  }
  return '';
}

/** True when the text ends (no newline after it) with something that waits for input. */
function endsWithPrompt(raw: string): boolean {
  const text = terminalText(raw);
  if (text.length === 0 || text.endsWith('\n')) return false;
  const line = text.slice(text.lastIndexOf('\n') + 1);
  return ANY_PROMPT.test(line) || LOGIN_PROMPT.test(line);
}

/** True when bytes are mostly text: few control characters besides tab, CR, LF, NUL, ESC. */
function looksLikeText(buf: Uint8Array): boolean {
  if (buf.length === 0) return true;
  let control = 0;
  for (const b of buf) {
    if (
      (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x00 && b !== 0x1b) ||
      b === 0x7f
    ) {
      control++;
    }
  }
  return control / buf.length <= MAX_CONTROL_SHARE;
}

/**
 * Telnet detection: 2 for a greeting opening with IAC and a command byte, 1 for text
 * ending in a login/username/password prompt that does not look like SSH, SMTP or FTP.
 */
export function detectTelnet(greeting: Buffer): 0 | 1 | 2 {
  const second = greeting[1];
  if (greeting[0] === IAC && second !== undefined && isTelnetCommandByte(second)) return 2;
  if (!looksLikeText(greeting)) return 0;
  const text = terminalText(normaliseTelnetText(greeting.toString('latin1')));
  if (OTHER_PROTOCOL.test(text)) return 0;
  return LOGIN_PROMPT.test(text.trimEnd()) ? 1 : 0;
}

/** Accumulates one telnet session: data, the negotiation sequence, refusals to send. */
class TelnetSession {
  readonly #parser = new TelnetParser();
  readonly #refuser = new TelnetRefuser();
  readonly #data: Buffer[] = [];
  readonly options: string[] = [];
  commands = 0;
  bytes = 0;

  /** Parses a chunk; returns the refusals it calls for (possibly empty). */
  feed(chunk: Buffer): Buffer {
    this.bytes += chunk.length;
    const { data, events } = this.#parser.push(chunk);
    if (data.length > 0) this.#data.push(data);
    const replies: Buffer[] = [];
    for (const event of events) {
      this.commands++;
      if (event.kind !== 'negotiate') continue;
      if (this.options.length < MAX_RECORDED_OPTIONS) {
        this.options.push(formatNegotiation(event.verb, event.option));
      }
      const reply = this.#refuser.answer(event.verb, event.option);
      if (reply) replies.push(reply);
    }
    return Buffer.concat(replies);
  }

  get data(): Buffer {
    return Buffer.concat(this.#data);
  }

  get text(): string {
    return normaliseTelnetText(decodeText(this.data));
  }

  /** Negotiation or subnegotiation seen, and no bytes that were clearly not commands. */
  get spokeTelnet(): boolean {
    return this.commands > 0 && this.#parser.invalidCommands === 0;
  }
}

/**
 * What the probe records from a stream it has read: the text (IAC sequences removed, line
 * ends normalised) and the negotiation opened. For callers that hold the raw bytes (the
 * held-out runner), so they derive the fields the way the probe does.
 */
export function telnetStreamText(raw: Uint8Array): { text: string; options: string[] } {
  const session = new TelnetSession();
  session.feed(Buffer.from(raw));
  return { text: session.text, options: [...session.options] };
}

async function runTelnet(ctx: ProbeContext, conn: TcpConnection): Promise<ProbeOutput> {
  const { reader } = conn;
  const session = new TelnetSession();
  const feed = (chunk: Buffer): void => {
    const refusals = session.feed(chunk);
    if (refusals.length > 0) reader.write(refusals);
  };
  feed(conn.greeting);

  // Read burst by burst (no idle wait) and stop as soon as the text ends in a prompt: the
  // server then waits for a username we will never type.
  const deadline = Date.now() + ctx.timeouts.readMs;
  let end: ReadEnd = 'matched';
  while (!endsWithPrompt(session.text)) {
    const left = deadline - Date.now();
    if (left <= 0) {
      end = 'timeout';
      break;
    }
    const read = await reader.read(left);
    feed(read.data);
    if (read.end !== 'matched') {
      end = read.end;
      break;
    }
  }

  if (session.bytes === 0) {
    return {
      status: end === 'closed' ? 'connection-closed' : 'io-timeout',
      fields: {},
      banner: null,
    };
  }
  const data = session.data;
  if (!session.spokeTelnet && !looksLikeText(data)) {
    return { status: 'protocol-error', fields: {}, banner: data.toString('latin1') };
  }

  const fields: Record<string, string> = {};
  const set = (name: FieldName, value: string): void => {
    if (value.length > 0) fields[name] = value;
  };
  const text = session.text;
  const banner = text.trim();
  set('telnet.options', session.options.join(','));
  set('telnet.banner', banner);
  set('telnet.prompt', telnetPrompt(text));

  // Closed in the middle of a line, before any prompt: the banner was cut.
  const cut = end === 'closed' && text.length > 0 && !text.endsWith('\n') && !endsWithPrompt(text);
  return {
    status: cut ? 'connection-closed' : 'ok',
    fields,
    banner: banner.length > 0 ? banner : (fields['telnet.options'] ?? null),
  };
}

/** The telnet probe. */
export const telnetProbe: TcpProbe = {
  name: 'telnet',
  transport: 'tcp',
  ports: [23, 2323],
  serverFirst: true,
  detect: detectTelnet,
  run: runTelnet,
};

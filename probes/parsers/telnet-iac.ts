/**
 * Telnet IAC stream parsing (RFC 854/855), pure and incremental.
 *
 * The parser splits what a server sends into data bytes and protocol events
 * (option negotiation, subnegotiation, other commands). It holds no socket and no timer:
 * feed it bytes as they arrive, in chunks of any size, and a sequence split across chunks
 * is completed by the next one. Everything it keeps is bounded: a subnegotiation body is
 * cut at a fixed length, so a server that opens `IAC SB` and never closes it costs a few
 * bytes of memory, not the whole connection.
 */

/** Interpret As Command: starts every telnet command; doubled, it is a 0xFF data byte. */
export const IAC = 0xff;

/** Telnet command bytes that may follow {@link IAC}. */
export const TELNET_COMMANDS = {
  SE: 240,
  NOP: 241,
  DM: 242,
  BRK: 243,
  IP: 244,
  AO: 245,
  AYT: 246,
  EC: 247,
  EL: 248,
  GA: 249,
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
} as const;

/** The four option-negotiation verbs. */
export const NEGOTIATION_VERBS = ['WILL', 'WONT', 'DO', 'DONT'] as const;
/** One of {@link NEGOTIATION_VERBS}. */
export type NegotiationVerb = (typeof NEGOTIATION_VERBS)[number];

/** Default cap on the bytes kept of one subnegotiation body. */
export const DEFAULT_MAX_SUBNEGOTIATION = 64;

/** Something the server said in the command channel. */
export type TelnetEvent =
  /** `IAC WILL|WONT|DO|DONT <option>`. */
  | { readonly kind: 'negotiate'; readonly verb: NegotiationVerb; readonly option: number }
  /** `IAC SB <option> … IAC SE`; `truncated` when the body exceeded the cap. */
  | {
      readonly kind: 'subnegotiation';
      readonly option: number;
      readonly data: Buffer;
      readonly truncated: boolean;
    }
  /** Any other command (NOP, GA, AYT …), by its byte value 240..249. */
  | { readonly kind: 'command'; readonly code: number };

/** What one {@link TelnetParser.push} produced. */
export interface TelnetChunk {
  /** Data bytes with every command removed and `IAC IAC` turned into one 0xFF. */
  readonly data: Buffer;
  /** Commands, in arrival order. */
  readonly events: readonly TelnetEvent[];
}

/** Options of a {@link TelnetParser}. */
export interface TelnetParserOptions {
  /** Bytes kept of one subnegotiation body; the rest is dropped. Default 64. */
  readonly maxSubnegotiation?: number;
}

type State = 'data' | 'iac' | 'verb' | 'sb-option' | 'sb' | 'sb-iac';

/** True for a byte that may follow IAC as a command (240..254; 255 is an escaped data byte). */
export function isTelnetCommandByte(byte: number): boolean {
  return byte >= TELNET_COMMANDS.SE && byte <= TELNET_COMMANDS.DONT;
}

/**
 * Incremental IAC parser. Output per call is bounded by the input: at most as many data
 * bytes as were pushed and at most one event per two input bytes.
 */
export class TelnetParser {
  readonly #maxSub: number;
  #state: State = 'data';
  #verb: NegotiationVerb = 'WILL';
  #subOption = 0;
  #subData: number[] = [];
  #subTruncated = false;
  #invalid = 0;

  constructor(options: TelnetParserOptions = {}) {
    this.#maxSub = Math.max(0, options.maxSubnegotiation ?? DEFAULT_MAX_SUBNEGOTIATION);
  }

  /**
   * Count of `IAC x` pairs where x is not a telnet command (x < 240). Real servers never
   * send these, so a high count says the bytes are not telnet.
   */
  get invalidCommands(): number {
    return this.#invalid;
  }

  /** True while a command or subnegotiation is open across a chunk boundary. */
  get pending(): boolean {
    return this.#state !== 'data';
  }

  /** Parses the next chunk of the stream. Never throws. */
  push(chunk: Uint8Array): TelnetChunk {
    const data: number[] = [];
    const events: TelnetEvent[] = [];
    for (const byte of chunk) {
      switch (this.#state) {
        case 'data':
          if (byte === IAC) this.#state = 'iac';
          else data.push(byte);
          break;
        case 'iac':
          this.#onCommand(byte, data, events);
          break;
        case 'verb':
          events.push({ kind: 'negotiate', verb: this.#verb, option: byte });
          this.#state = 'data';
          break;
        case 'sb-option':
          this.#subOption = byte;
          this.#subData = [];
          this.#subTruncated = false;
          this.#state = 'sb';
          break;
        case 'sb':
          if (byte === IAC) this.#state = 'sb-iac';
          else this.#subByte(byte);
          break;
        case 'sb-iac':
          if (byte === IAC) {
            this.#subByte(IAC);
            this.#state = 'sb';
          } else {
            // IAC SE closes the body; any other command also ends it (a lost SE must not
            // swallow the rest of the session), and is then handled as a command.
            events.push(this.#endSub());
            if (byte === TELNET_COMMANDS.SE) this.#state = 'data';
            else this.#onCommand(byte, data, events);
          }
          break;
      }
    }
    return { data: Buffer.from(data), events };
  }

  #onCommand(byte: number, data: number[], events: TelnetEvent[]): void {
    this.#state = 'data';
    if (byte === IAC) {
      data.push(IAC);
    } else if (byte >= TELNET_COMMANDS.WILL) {
      this.#verb = verbOf(byte);
      this.#state = 'verb';
    } else if (byte === TELNET_COMMANDS.SB) {
      this.#state = 'sb-option';
    } else if (byte >= TELNET_COMMANDS.SE) {
      events.push({ kind: 'command', code: byte });
    } else {
      // Not a command: count it and keep the byte as data rather than guess.
      this.#invalid++;
      data.push(byte);
    }
  }

  #subByte(byte: number): void {
    if (this.#subData.length < this.#maxSub) this.#subData.push(byte);
    else this.#subTruncated = true;
  }

  #endSub(): TelnetEvent {
    const event: TelnetEvent = {
      kind: 'subnegotiation',
      option: this.#subOption,
      data: Buffer.from(this.#subData),
      truncated: this.#subTruncated,
    };
    this.#subData = [];
    return event;
  }
}

function verbOf(byte: number): NegotiationVerb {
  switch (byte) {
    case TELNET_COMMANDS.WILL:
      return 'WILL';
    case TELNET_COMMANDS.WONT:
      return 'WONT';
    case TELNET_COMMANDS.DO:
      return 'DO';
    default:
      return 'DONT';
  }
}

/** Formats a negotiation as recorded in `telnet.options`, e.g. `DO 31`. */
export function formatNegotiation(verb: NegotiationVerb, option: number): string {
  return `${verb} ${option}`;
}

/**
 * Answers option requests by refusing them, each distinct request at most once.
 *
 * `DO x` gets `WONT x` and `WILL x` gets `DONT x`; `WONT`/`DONT` need no answer since we
 * never agreed to anything (RFC 854: acknowledge only changes of state). Answering a
 * repeated request once is what stops a server that re-asks forever from making us loop.
 */
export class TelnetRefuser {
  readonly #answered = new Set<string>();

  /** The bytes to send for this request, or null when nothing is to be sent. */
  answer(verb: NegotiationVerb, option: number): Buffer | null {
    if (verb !== 'DO' && verb !== 'WILL') return null;
    const key = formatNegotiation(verb, option);
    if (this.#answered.has(key)) return null;
    this.#answered.add(key);
    const reply = verb === 'DO' ? TELNET_COMMANDS.WONT : TELNET_COMMANDS.DONT;
    return Buffer.from([IAC, reply, option & 0xff]);
  }

  /** Number of distinct requests answered so far (at most 512). */
  get answered(): number {
    return this.#answered.size;
  }
}

/**
 * What a terminal shows of a text. Login screens paint with terminal control sequences
 * (ECMA-48): CSI (`ESC [ … m` colours, cursor moves, clears; also the one-byte C1 CSI,
 * U+009B), OSC (`ESC ] … BEL`, window titles) and short `ESC x` forms (charset selection,
 * resets). Fields keep the exact text; prompts and signatures read it as shown.
 */

/** One control sequence; every part bounded, so a text is read in linear time. */
const TERMINAL_CONTROL =
  /\x1b(?:\[[0-?]{0,32}[ -/]{0,8}[@-~]|\][^\x07\x1b]{0,256}(?:\x07|\x1b\\)|[ -/]{1,4}[0-~]|[0-~])|\x9b[0-?]{0,32}[ -/]{0,8}[@-~]/g;

/** Characters that open a control sequence. */
const OPENERS = /[\x1b\x9b]/;

/**
 * `text` without its terminal control sequences (`ESC[1;32mOpenWrt login:ESC[0m ` reads
 * `OpenWrt login: `). An ESC that opens no sequence goes with the one character after it;
 * an unterminated OSC loses only its `ESC ]`. Returns `text` itself when it has no ESC.
 */
export function terminalText(text: string): string {
  return OPENERS.test(text) ? text.replace(TERMINAL_CONTROL, '') : text;
}

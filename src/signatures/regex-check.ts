/**
 * Regex dialect check: the intersection of ECMAScript and RE2, so that matching stays
 * linear in the input whatever a hostile banner holds.
 *
 * Rejected: back-references, look-around, quantified groups that themselves contain an
 * unbounded quantifier (`(a+)+`, `(\w*x)*`), and patterns without a literal of at least
 * {@link MIN_LITERAL} characters (such patterns match too much to name a vendor).
 */

/** Shortest literal run a pattern must contain. */
export const MIN_LITERAL = 4;

/** Shortest literal run of a pattern anchored at both ends (`^…$`). */
export const MIN_ANCHORED_LITERAL = 2;

/** A problem found in a pattern, with the 0-based offset in the pattern source. */
export interface RegexProblem {
  readonly offset: number;
  readonly message: string;
}

interface GroupFrame {
  readonly start: number;
  hasUnbounded: boolean;
  hasAlternation: boolean;
}

/** Names of the capture groups a pattern defines. */
export function captureNames(source: string): string[] {
  const names: string[] = [];
  const re = /\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g;
  for (let m = re.exec(source); m; m = re.exec(source)) if (m[1]) names.push(m[1]);
  return names;
}

/** True for a non-ASCII character (a letter of Cyrillic, CJK, Arabic… written literally). */
function isNonAscii(ch: string | undefined): boolean {
  return ch !== undefined && ch.charCodeAt(0) > 0x7f;
}

/** Checks one pattern; returns every problem found (empty = acceptable). */
export function checkRegex(source: string): RegexProblem[] {
  const problems: RegexProblem[] = [];
  const stack: GroupFrame[] = [{ start: 0, hasUnbounded: false, hasAlternation: false }];
  let literalRun = 0;
  let bestLiteral = 0;
  let i = 0;
  // The last atom's kind, for deciding what a following quantifier applies to.
  let lastGroup: GroupFrame | null = null;
  const endRun = (): void => {
    bestLiteral = Math.max(bestLiteral, literalRun);
    literalRun = 0;
  };
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next)) problems.push({ offset: i, message: 'back-reference' });
      else if (
        (next === 'b' || next === 'B') &&
        (isNonAscii(source[i - 1]) || isNonAscii(source[i + 2]))
      )
        problems.push({
          offset: i,
          message: `\\${next} next to a non-ASCII letter: JavaScript's word boundary knows only ASCII word characters, so it never falls there (write the text without it, or use a space or an anchor)`,
        });
      else if (next === 'k' && source[i + 2] === '<')
        problems.push({ offset: i, message: 'named back-reference' });
      if (/[dDwWsSbBpPu]/.test(next)) {
        endRun();
      } else {
        literalRun++;
      }
      lastGroup = null;
      i += next === 'u' || next === 'p' || next === 'P' ? skipEscape(source, i) : 2;
      continue;
    }
    if (ch === '[') {
      endRun();
      i = skipClass(source, i);
      lastGroup = null;
      continue;
    }
    if (ch === '(') {
      // A plain group continues the literal run (`TL-(?<model>WR…)` anchors on "TL-WR").
      if (source.startsWith('(?=', i) || source.startsWith('(?!', i)) {
        problems.push({ offset: i, message: 'look-ahead' });
      } else if (source.startsWith('(?<=', i) || source.startsWith('(?<!', i)) {
        problems.push({ offset: i, message: 'look-behind' });
      }
      stack.push({ start: i, hasUnbounded: false, hasAlternation: false });
      const named = /^\(\?<[A-Za-z_][A-Za-z0-9_]*>/.exec(source.slice(i, i + 64));
      if (named) i += named[0].length;
      else if (/^\(\?(?:[:=!]|<[=!])/.test(source.slice(i, i + 4)))
        i += source[i + 2] === '<' ? 4 : 3;
      else i += 1;
      lastGroup = null;
      continue;
    }
    if (ch === ')') {
      const frame = stack.length > 1 ? (stack.pop() as GroupFrame) : null;
      // After an alternation the text that follows is not one literal with what preceded.
      if (frame?.hasAlternation) endRun();
      lastGroup = frame;
      i++;
      continue;
    }
    if (ch === '|') {
      endRun();
      const top = stack[stack.length - 1];
      if (top) top.hasAlternation = true;
      lastGroup = null;
      i++;
      continue;
    }
    const quant = readQuantifier(source, i);
    if (quant) {
      // A quantifier makes the preceding atom optional/repeated: it no longer anchors.
      // (A literal inside an optional group still counts: `^(?:Linksys )?WRT54G` reads as
      // specific to a human, and the rule is about readability of intent, not a proof.)
      if (quant.min === 0 && !lastGroup) literalRun = Math.max(0, literalRun - 1);
      endRun();
      const top = stack[stack.length - 1];
      if (quant.unbounded) {
        if (lastGroup?.hasUnbounded) {
          problems.push({
            offset: lastGroup.start,
            message: 'nested quantifier (a repeated group containing a repetition)',
          });
        }
        // `(?:\d|\d\d)+` backtracks exponentially when alternatives overlap; telling
        // overlapping alternatives from disjoint ones is recheck's job (`sig lint`), so the
        // load-time check refuses every alternation under an unbounded repeat.
        if (lastGroup?.hasAlternation) {
          problems.push({
            offset: lastGroup.start,
            message: 'repeated alternation (a group with alternatives under an unbounded repeat)',
          });
        }
        if (top) top.hasUnbounded = true;
      }
      if (lastGroup?.hasUnbounded && top) top.hasUnbounded = true;
      lastGroup = null;
      i += quant.length;
      continue;
    }
    if (ch === '.' || ch === '^' || ch === '$') {
      endRun();
      lastGroup = null;
      i++;
      continue;
    }
    literalRun++;
    lastGroup = null;
    i++;
  }
  endRun();
  // A pattern anchored at both ends (`^PS[45]$`) matches only values of that exact shape,
  // so a shorter literal is specific enough.
  const anchored = source.startsWith('^') && source.endsWith('$') && !source.endsWith('\\$');
  const minimum = anchored ? MIN_ANCHORED_LITERAL : MIN_LITERAL;
  if (bestLiteral < minimum) {
    problems.push({
      offset: 0,
      message: `no literal of ${minimum}+ characters (longest is ${bestLiteral})`,
    });
  }
  return problems;
}

function skipEscape(source: string, i: number): number {
  // \u{...}, \uXXXX, \p{...}
  if (source[i + 2] === '{') {
    const close = source.indexOf('}', i + 2);
    return close < 0 ? source.length - i : close + 1 - i;
  }
  return source[i + 1] === 'u' ? 6 : 2;
}

function skipClass(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j++;
  if (source[j] === ']') j++;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

function readQuantifier(
  source: string,
  i: number,
): { length: number; min: number; unbounded: boolean } | null {
  const ch = source[i];
  let length = 0;
  let min = 0;
  let unbounded = false;
  if (ch === '*') {
    length = 1;
    unbounded = true;
  } else if (ch === '+') {
    length = 1;
    min = 1;
    unbounded = true;
  } else if (ch === '?') {
    length = 1;
  } else if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!m) return null;
    length = m[0].length;
    min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    // A large finite bound nests as badly as an unbounded one.
    unbounded = max > 64;
  } else {
    return null;
  }
  if (source[i + length] === '?') length++;
  return { length, min, unbounded };
}

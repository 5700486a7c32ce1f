/**
 * Literal prefilter: most evidence items can only match a value that contains a known
 * literal (`OpenSSH_` for an OpenSSH ident regex, the whole text of a `contains`), or one of
 * a few (`Eaton` or `Powerware` for `^(?:Eaton|Powerware)\b…`). One Aho-Corasick pass over a
 * field value finds every such literal at once, so a regex runs only when one of its
 * literals is present. Matching a host then costs one linear scan per field plus the few
 * regexes that can match, instead of every pattern on every value.
 */

/** The literal a value must contain for an item to be able to match, lower-cased. */
export function requiredLiteral(kind: string, pattern: string, flags: string): string | null {
  if (kind === 'contains' || kind === 'equals' || kind === 'prefix' || kind === 'oid_prefix') {
    const text = kind === 'oid_prefix' ? pattern.replace(/^\./, '') : pattern;
    return text.length >= MIN_PREFILTER ? text.toLowerCase() : null;
  }
  if (kind !== 'regex') return null;
  const runs = regexLiteralRuns(pattern);
  if (runs === null) return null;
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  // Case-insensitive or not, the prefilter compares lower-cased text: a superset, and
  // the regex itself decides.
  void flags;
  return best.length >= MIN_PREFILTER ? best.toLowerCase() : null;
}

/**
 * Literals, lower-cased, of which every value an item matches contains at least one; null
 * when no such set of literals of at least {@link MIN_PREFILTER} characters is known. A
 * single required literal gives a set of one; an alternation whose every branch has a
 * required literal (`\b(?:Smart Refrigerator|InstaView)\b`) gives the branches' literals.
 * Of the candidate sets, the one whose shortest literal is longest wins (rarer text gates
 * better); a set never beats a single literal as long.
 */
export function requiredLiterals(kind: string, pattern: string, flags: string): string[] | null {
  if (kind !== 'regex') {
    const one = requiredLiteral(kind, pattern, flags);
    return one === null ? null : [one];
  }
  return bestFactor(regexFactors(pattern));
}

/** Shortest literal of a set. */
function shortest(set: readonly string[]): number {
  let n = Number.POSITIVE_INFINITY;
  for (const s of set) n = Math.min(n, s.length);
  return n;
}

/**
 * The best usable factor (see {@link requiredLiterals}), lower-cased and without members
 * that contain another member (text holding `smart refrigerator` holds `refrigerator`).
 */
function bestFactor(factors: readonly (readonly string[])[]): string[] | null {
  let best: readonly string[] | null = null;
  for (const f of factors) {
    if (f.length === 0 || shortest(f) < MIN_PREFILTER) continue;
    if (
      best === null ||
      shortest(f) > shortest(best) ||
      (shortest(f) === shortest(best) && f.length < best.length)
    )
      best = f;
  }
  if (best === null) return null;
  const lower = [...new Set(best.map((s) => s.toLowerCase()))];
  return lower.filter((s) => !lower.some((o) => o !== s && s.includes(o)));
}

/** Literals shorter than this are not worth prefiltering (they occur everywhere). */
const MIN_PREFILTER = 3;

/**
 * Literal runs that every match of `source` must contain, at the pattern's top level.
 * Returns null when the pattern has a top-level alternation (no single required literal).
 */
export function regexLiteralRuns(source: string): string[] | null {
  if (splitBranches(source).length > 1) return null;
  return sequenceFactors(source, false).map((f) => f[0] as string);
}

/**
 * Factors of a pattern: sets of literals such that every match contains a member of each
 * set. A literal run is a set of one; a required group with alternation, whose every
 * branch has a usable factor, is the union of the branches' best factors.
 */
export function regexFactors(source: string): string[][] {
  const branches = splitBranches(source);
  if (branches.length === 1) return sequenceFactors(source, true);
  const union: string[] = [];
  for (const b of branches) {
    const best = bestFactor(regexFactors(b));
    if (best === null) return [];
    union.push(...best);
  }
  return [union];
}

/** Top-level branches of a pattern (split at `|` outside groups and classes). */
function splitBranches(source: string): string[] {
  const out: string[] = [];
  let start = 0;
  let j = 0;
  while (j < source.length) {
    const c = source[j];
    if (c === '\\') j = skipEscape(source, j);
    else if (c === '[') j = skipClass(source, j);
    else if (c === '(') j = skipGroup(source, j);
    else {
      if (c === '|') {
        out.push(source.slice(start, j));
        start = j + 1;
      }
      j++;
    }
  }
  out.push(source.slice(start));
  return out;
}

/**
 * Factors of one branch, in pattern order. With `unions` false, groups with alternation
 * contribute nothing and every factor is a single run.
 */
function sequenceFactors(source: string, unions: boolean): string[][] {
  const factors: string[][] = [];
  let run = '';
  const flush = (): void => {
    if (run) factors.push([run]);
    run = '';
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    let atom: string | null = null;
    let next = i + 1;
    if (ch === '\\') {
      const e = source[i + 1] ?? '';
      if (/[dDwWsSbBpPuxk0-9cfnrtv]/.test(e)) {
        // Classes, boundaries, numeric and control escapes: not a literal character.
        atom = null;
        next = skipEscape(source, i);
      } else {
        atom = e;
        next = i + 2;
      }
    } else if (ch === '[') {
      next = skipClass(source, i);
    } else if (ch === '(') {
      next = skipGroup(source, i);
      const q = quantifierAt(source, next);
      if (!q || q.min > 0) {
        // A required group contributes its own factors.
        const prefix =
          /^\((?:\?:|\?<[A-Za-z_][A-Za-z0-9_]*>)?/.exec(source.slice(i, i + 64))?.[0] ?? '(';
        const inner = source.slice(i + prefix.length, next - 1);
        flush();
        if (splitBranches(inner).length === 1) factors.push(...sequenceFactors(inner, unions));
        else if (unions) factors.push(...regexFactors(inner));
      }
    } else if ('.^$'.includes(ch)) {
      atom = null;
    } else if ('*+?{'.includes(ch)) {
      // A quantifier applying to something already handled below; treat as a break.
      atom = null;
    } else {
      atom = ch;
    }
    const q = quantifierAt(source, next);
    if (atom !== null && q === null) {
      run += atom;
    } else if (atom !== null && q !== null) {
      // `a+`, `a{2}` keep one required `a` but end the run; `a?`, `a*` drop it.
      if (q.min > 0) run += atom;
      flush();
    } else {
      flush();
    }
    i = q ? q.end : next;
  }
  flush();
  return factors;
}

function quantifierAt(source: string, i: number): { min: number; end: number } | null {
  const ch = source[i];
  let end = i + 1;
  let min: number;
  if (ch === '*' || ch === '?') min = 0;
  else if (ch === '+') min = 1;
  else if (ch === '{') {
    const m = /^\{(\d+)(?:,\d*)?\}/.exec(source.slice(i, i + 24));
    if (!m) return null;
    min = Number(m[1]);
    end = i + m[0].length;
  } else return null;
  if (source[end] === '?') end++;
  return { min, end };
}

function skipEscape(source: string, i: number): number {
  const e = source[i + 1];
  if (
    (e === 'u' || e === 'p' || e === 'P' || e === 'k') &&
    (source[i + 2] === '{' || source[i + 2] === '<')
  ) {
    const close = source.indexOf(source[i + 2] === '{' ? '}' : '>', i + 2);
    return close < 0 ? source.length : close + 1;
  }
  if (e === 'u') return i + 6;
  if (e === 'x') return i + 4;
  if (e === 'c') return i + 3;
  return i + 2;
}

function skipClass(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j++;
  if (source[j] === ']') j++;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

function skipGroup(source: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < source.length) {
    const c = source[j];
    if (c === '\\') j += 2;
    else if (c === '[') j = skipClass(source, j);
    else {
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
  }
  return source.length;
}

/** The compiled automaton of a {@link LiteralSet}. */
interface Automaton {
  /** Character class of each ASCII code unit (0: in no literal). */
  readonly classOf: Uint8Array;
  /** Number of classes (row width of `delta`). */
  readonly width: number;
  /** Transitions: row offset of the next state, by row offset of the state + class. */
  readonly delta: Int32Array;
  /** Row offset of the first state where literals end; every later state has some. */
  readonly firstOut: number;
  /** Literal ids ending at each such state (own and via failure links), from `firstOut` on. */
  readonly out: ReadonlyArray<readonly number[]>;
}

/**
 * An Aho-Corasick automaton over lower-cased ASCII literals, compiled to a dense DFA, so a
 * scan is one table lookup per character. Characters are first folded to classes: each
 * character occurring in some literal (upper and lower case together) is its own class,
 * every other character is class 0. The table is states × classes instead of states × 128,
 * small enough to stay in cache.
 *
 * The automaton is compiled on the first scan, not at construction: a library has one set
 * per field and compiling them all costs tens of milliseconds, which `thingscan identify`
 * on one SSH banner would pay at every start for fields it never reads.
 */
export class LiteralSet {
  readonly size: number;
  readonly #literals: readonly string[];
  readonly #lengths: Int32Array;
  #automaton: Automaton | undefined;
  /** Generation stamps, so `scan` dedupes ids without allocating per call. */
  #seen: Uint32Array;
  #stamp = 0;
  /** Per literal, for the last scan: occurrences seen (counting stops mattering past K + 1). */
  readonly #count: Int32Array;
  /** Per literal: end of its last occurrence among the first {@link LITERAL_OCCURRENCES}. */
  readonly #lastEnd: Int32Array;
  /** Per literal: start of its occurrence number K + 1, or -1 when it occurs K times or fewer. */
  readonly #floodAt: Int32Array;

  /** @param literals lower-cased ASCII literals (callers keep non-ASCII ones out). */
  constructor(literals: readonly string[]) {
    this.size = literals.length;
    this.#literals = [...literals];
    this.#lengths = Int32Array.from(literals, (l) => l.length);
    this.#seen = new Uint32Array(this.size);
    this.#count = new Int32Array(this.size);
    this.#lastEnd = new Int32Array(this.size);
    this.#floodAt = new Int32Array(this.size);
  }

  /** Ids of the literals occurring in `text` (compared lower-cased), each once. */
  scan(text: string): number[] {
    const found = new Int32Array(this.size);
    return Array.from(found.subarray(0, this.scanInto(text, found)));
  }

  /**
   * Writes the ids of the literals occurring in `text` (compared lower-cased), each once,
   * to the start of `out` (at least {@link size} long) and returns how many there are.
   * Also notes where each occurs, for {@link reach}.
   */
  scanInto(text: string, out: Int32Array): number {
    this.#stamp = (this.#stamp + 1) >>> 0;
    if (this.#stamp === 0) {
      this.#seen.fill(0);
      this.#stamp = 1;
    }
    this.#automaton ??= compileAutomaton(this.#literals);
    const { classOf, width, delta, firstOut, out: outs } = this.#automaton;
    const stamp = this.#stamp;
    const seen = this.#seen;
    const count = this.#count;
    const lastEnd = this.#lastEnd;
    let n = 0;
    let row = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      row = delta[row + (c < 128 ? (classOf[c] as number) : 0)] as number;
      if (row < firstOut) continue;
      const ends = outs[(row - firstOut) / width] as readonly number[];
      for (let o = 0; o < ends.length; o++) {
        const id = ends[o] as number;
        if (seen[id] !== stamp) {
          seen[id] = stamp;
          out[n++] = id;
          count[id] = 1;
          lastEnd[id] = k + 1;
          this.#floodAt[id] = -1;
          continue;
        }
        const seenSoFar = (count[id] as number) + 1;
        count[id] = seenSoFar;
        if (seenSoFar <= LITERAL_OCCURRENCES) lastEnd[id] = k + 1;
        else if (seenSoFar === LITERAL_OCCURRENCES + 1)
          this.#floodAt[id] = k + 1 - (this.#lengths[id] as number);
      }
    }
    return n;
  }

  /**
   * How much of the text of the last {@link scanInto} an item gated by the literals `ids`
   * needs to read: up to {@link TAIL_WINDOW} characters past the last of their first
   * {@link LITERAL_OCCURRENCES} occurrences, and never up to an occurrence beyond those.
   * A match contains one of its literals, so on what real devices send (a literal a few
   * times, the rest of the match within a line or two of it) this is the whole match; on a
   * text crafted to repeat a literal thousands of times, it bounds the places the item's
   * regex is tried at. Returns the number of characters to read (may exceed the text).
   */
  reach(ids: Int32Array): number {
    let tail = 0;
    let flood = Number.POSITIVE_INFINITY;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (this.#seen[id] !== this.#stamp) continue;
      tail = Math.max(tail, this.#lastEnd[id] as number);
      const at = this.#floodAt[id] as number;
      if (at >= 0 && at < flood) flood = at;
    }
    return Math.min(flood, tail + TAIL_WINDOW);
  }
}

/**
 * A regex gated by literals is tried at no more than this many occurrences of them per
 * value (see {@link LiteralSet.reach}): real banners carry a device's marker a few times,
 * a hostile one can repeat it thousands of times to make every pattern verify each.
 */
export const LITERAL_OCCURRENCES = 8;

/**
 * Characters a gated regex may read past the last occurrence of its literals it is tried
 * at. Patterns bound what follows their literal to under this (a version, a model, a
 * title's rest; the widest, Plex's `<MediaContainer [^<>]{0,400}platform="…"`, about 420);
 * a run of accepted characters sent to the field's cap is not read further. 1,024 at
 * first: 512 halves what such a run costs a pattern whose benign call takes a few hundred
 * nanoseconds, and changed no result on 1,500 real documents (`scripts/reach-check.mjs`).
 */
export const TAIL_WINDOW = 512;

/** Compiles the dense DFA of {@link LiteralSet}. */
function compileAutomaton(literals: readonly string[]): Automaton {
  const classOf = new Uint8Array(128);
  let width = 1;
  for (const lit of literals) {
    for (let k = 0; k < lit.length; k++) {
      const c = lit.charCodeAt(k);
      if (c >= 128 || classOf[c] !== 0) continue;
      const upper = c >= 97 && c <= 122 ? c - 32 : c;
      const lower = c >= 65 && c <= 90 ? c + 32 : c;
      classOf[lower] = width;
      classOf[upper] = width;
      width++;
    }
  }
  const goto: Array<Map<number, number>> = [new Map()];
  const out: number[][] = [[]];
  literals.forEach((lit, id) => {
    let s = 0;
    for (let k = 0; k < lit.length; k++) {
      const c = classOf[lit.charCodeAt(k)] as number;
      let t = goto[s]?.get(c);
      if (t === undefined) {
        t = goto.length;
        goto.push(new Map());
        out.push([]);
        goto[s]?.set(c, t);
      }
      s = t;
    }
    out[s]?.push(id);
  });
  const states = goto.length;
  const delta = new Int32Array(states * width);
  const fail = new Int32Array(states);
  // Breadth-first: a state's failure target is complete before its children need it.
  const queue: number[] = [];
  for (let c = 0; c < width; c++) {
    const t = goto[0]?.get(c);
    if (t !== undefined) {
      delta[c] = t;
      queue.push(t);
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const r = queue[q] as number;
    const f = fail[r] as number;
    const inherited = out[f] ?? [];
    if (inherited.length > 0) out[r] = [...(out[r] ?? []), ...inherited];
    for (let c = 0; c < width; c++) {
      const u = goto[r]?.get(c);
      if (u !== undefined) {
        fail[u] = delta[f * width + c] as number;
        delta[r * width + c] = u;
        queue.push(u);
      } else {
        delta[r * width + c] = delta[f * width + c] as number;
      }
    }
  }
  // Renumber: states with no literal ending come first (the root stays 0), so a scan
  // tells an output state by comparing, and store row offsets (state × width), so it
  // needs no multiplication per character.
  const order = [...Array(states).keys()];
  const quiet = order.filter((r) => (out[r] ?? []).length === 0);
  const loud = order.filter((r) => (out[r] ?? []).length > 0);
  const renumbered = new Int32Array(states);
  [...quiet, ...loud].forEach((r, i) => {
    renumbered[r] = i;
  });
  const rows = new Int32Array(states * width);
  for (let r = 0; r < states; r++) {
    const base = (renumbered[r] as number) * width;
    for (let c = 0; c < width; c++)
      rows[base + c] = (renumbered[delta[r * width + c] as number] as number) * width;
  }
  return {
    classOf,
    width,
    delta: rows,
    firstOut: quiet.length * width,
    out: loud.map((r) => out[r] as number[]),
  };
}

/** An evidence item as the matcher finds it: signature index and item index. */
export interface ItemRef {
  readonly sig: number;
  readonly item: number;
}

/** Evidence references of one field, split by whether a literal gates them. */
export interface FieldIndex {
  /** Items that must always be evaluated (no usable literal, or negated). */
  readonly always: readonly ItemRef[];
  /**
   * Items gated by literal id. An item gated by several literals (any of which it needs)
   * is listed under each: the matcher evaluates it once per value however many occur.
   */
  readonly gated: ReadonlyArray<readonly ItemRef[]>;
  readonly literals: LiteralSet;
}

/** Builds the index of one field from its items' literal sets (null = always evaluate). */
export function buildFieldIndex(
  refs: ReadonlyArray<{
    sig: number;
    item: number;
    literals: readonly string[] | null;
    negate: boolean;
  }>,
): FieldIndex {
  const always: ItemRef[] = [];
  const ids = new Map<string, number>();
  const gated: ItemRef[][] = [];
  for (const r of refs) {
    // Non-ASCII literals fold differently from the automaton's alphabet: such items always run.
    if (
      r.literals === null ||
      r.literals.length === 0 ||
      r.negate ||
      r.literals.some((l) => !/^[\x00-\x7f]+$/.test(l))
    ) {
      always.push({ sig: r.sig, item: r.item });
      continue;
    }
    for (const literal of new Set(r.literals)) {
      let id = ids.get(literal);
      if (id === undefined) {
        id = gated.length;
        ids.set(literal, id);
        gated.push([]);
      }
      gated[id]?.push({ sig: r.sig, item: r.item });
    }
  }
  return { always, gated, literals: new LiteralSet([...ids.keys()]) };
}

/**
 * Literal prefilter: most evidence items can only match a value that contains a known
 * literal (`OpenSSH_` for an OpenSSH ident regex, the whole text of a `contains`). One
 * Aho-Corasick pass over a field value finds every such literal at once, so a regex runs
 * only when its literal is present. Matching a host then costs one linear scan per field
 * plus the few regexes that can match, instead of every pattern on every value.
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

/** Literals shorter than this are not worth prefiltering (they occur everywhere). */
const MIN_PREFILTER = 3;

/**
 * Literal runs that every match of `source` must contain, at the pattern's top level.
 * Returns null when the pattern has a top-level alternation (no single required literal).
 */
export function regexLiteralRuns(source: string): string[] | null {
  const runs: string[] = [];
  let run = '';
  const flush = (): void => {
    if (run) runs.push(run);
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
        // A required group without alternation contributes its own literal runs.
        const prefix =
          /^\((?:\?:|\?<[A-Za-z_][A-Za-z0-9_]*>)?/.exec(source.slice(i, i + 64))?.[0] ?? '(';
        const inner = regexLiteralRuns(source.slice(i + prefix.length, next - 1));
        flush();
        if (inner) runs.push(...inner);
      }
    } else if (ch === '|') {
      return null;
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
  return runs;
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

/** Alphabet of the automaton: ASCII; any other character is one shared symbol. */
const ALPHABET = 129;
const OTHER = 128;

/**
 * An Aho-Corasick automaton over lower-cased ASCII literals, compiled to a dense DFA
 * (one Int32Array row per state), so a scan is one table lookup per character.
 */
export class LiteralSet {
  readonly size: number;
  readonly #delta: Int32Array;
  /** Literal ids ending at each state (own and via failure links). */
  readonly #out: number[][];
  /** Generation stamps, so `scan` dedupes ids without allocating per call. */
  #seen: Uint32Array;
  #stamp = 0;

  /** @param literals lower-cased ASCII literals (callers keep non-ASCII ones out). */
  constructor(literals: readonly string[]) {
    this.size = literals.length;
    const goto: Array<Map<number, number>> = [new Map()];
    const out: number[][] = [[]];
    literals.forEach((lit, id) => {
      let s = 0;
      for (let k = 0; k < lit.length; k++) {
        const c = symbol(lit.charCodeAt(k));
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
    const delta = new Int32Array(states * ALPHABET);
    const fail = new Int32Array(states);
    // Breadth-first: a state's failure target is complete before its children need it.
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
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
      for (let c = 0; c < ALPHABET; c++) {
        const u = goto[r]?.get(c);
        if (u !== undefined) {
          fail[u] = delta[f * ALPHABET + c] as number;
          delta[r * ALPHABET + c] = u;
          queue.push(u);
        } else {
          delta[r * ALPHABET + c] = delta[f * ALPHABET + c] as number;
        }
      }
    }
    this.#delta = delta;
    this.#out = out;
    this.#seen = new Uint32Array(this.size);
  }

  /** Ids of the literals occurring in `text` (compared lower-cased), each once. */
  scan(text: string): number[] {
    const hits: number[] = [];
    this.#stamp = (this.#stamp + 1) >>> 0;
    if (this.#stamp === 0) {
      this.#seen.fill(0);
      this.#stamp = 1;
    }
    const stamp = this.#stamp;
    const seen = this.#seen;
    const delta = this.#delta;
    const outs = this.#out;
    let s = 0;
    for (let k = 0; k < text.length; k++) {
      s = delta[s * ALPHABET + symbol(text.charCodeAt(k))] as number;
      const out = outs[s] as number[];
      for (let o = 0; o < out.length; o++) {
        const id = out[o] as number;
        if (seen[id] !== stamp) {
          seen[id] = stamp;
          hits.push(id);
        }
      }
    }
    return hits;
  }
}

/** Folds a UTF-16 code unit to the automaton's alphabet (ASCII lower-case, else OTHER). */
function symbol(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  return c < 128 ? c : OTHER;
}

/** Evidence references of one field, split by whether a literal gates them. */
export interface FieldIndex {
  /** Items that must always be evaluated (no usable literal, or negated). */
  readonly always: ReadonlyArray<{ sig: number; item: number }>;
  /** Items gated by literal id. */
  readonly gated: ReadonlyArray<ReadonlyArray<{ sig: number; item: number }>>;
  readonly literals: LiteralSet;
}

/** Builds the index of one field from its items' literals (null = always evaluate). */
export function buildFieldIndex(
  refs: ReadonlyArray<{ sig: number; item: number; literal: string | null; negate: boolean }>,
): FieldIndex {
  const always: Array<{ sig: number; item: number }> = [];
  const ids = new Map<string, number>();
  const gated: Array<Array<{ sig: number; item: number }>> = [];
  for (const r of refs) {
    // Non-ASCII literals fold differently from the automaton's alphabet: such items always run.
    if (r.literal === null || r.negate || !/^[\x00-\x7f]+$/.test(r.literal)) {
      always.push({ sig: r.sig, item: r.item });
      continue;
    }
    let id = ids.get(r.literal);
    if (id === undefined) {
      id = gated.length;
      ids.set(r.literal, id);
      gated.push([]);
    }
    gated[id]?.push({ sig: r.sig, item: r.item });
  }
  return { always, gated, literals: new LiteralSet([...ids.keys()]) };
}

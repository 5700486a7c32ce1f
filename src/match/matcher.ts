/**
 * The matcher: pure and synchronous. Evaluates every signature against all services of a
 * host at once, so one signature may combine evidence from several ports (a telnet prompt
 * and an HTTP title), and records which service each item fired on.
 */

import { FIELDS, type FieldInfo, type FieldName } from '../signatures/fields.js';
import type { CompiledEvidence, CompiledSignature, SignatureLibrary } from '../signatures/model.js';
import { terminalText } from '../text/terminal.js';
import type { Protocol, Transport } from '../types.js';
import type { FieldIndex, ItemRef } from './prefilter.js';

/** One service's fields, as the matcher reads them. */
export interface ServiceInput {
  readonly port: number;
  readonly transport: Transport;
  readonly protocol: Protocol;
  readonly fields: Readonly<Record<string, string>>;
}

/** An evidence item that counted towards a signature's score. */
export interface FiredEvidence {
  readonly item: CompiledEvidence;
  /** Indexes (into the services array) of the services it fired on. */
  readonly services: readonly number[];
  /** Value of the field that fired first (for --explain). */
  readonly value: string;
}

/** A signature evaluated on a host. */
export interface SignatureHit {
  readonly signature: CompiledSignature;
  /** 1 − Π(1 − w) over the counted items. */
  readonly score: number;
  /** True when `score` reaches the signature's `min_score`. */
  readonly fires: boolean;
  readonly fired: readonly FiredEvidence[];
  /** Named captures, first fired item wins per name. */
  readonly captures: Readonly<Record<string, string>>;
  /** Services where any counted item fired. */
  readonly services: ReadonlySet<number>;
}

/** What one call found for one evidence item (only items that matched, or negated ones seen). */
interface ItemState {
  readonly matched: number[];
  readonly present: number[];
  value: string | null;
  captures: Readonly<Record<string, string>> | null;
}

/** Options of {@link matchServices}. */
export interface MatchOptions {
  /** Also return signatures that scored but did not fire (for --explain). Default false. */
  readonly includePartial?: boolean;
}

/** One field's items as flat numbers: keys into {@link Plan} (see `FieldIndex`). */
interface FieldPlan {
  readonly always: Int32Array;
  readonly gated: readonly Int32Array[];
  readonly literals: FieldIndex['literals'];
  /** How signatures read the field's value (`FieldInfo.view`); null: as recorded. */
  readonly view: ((value: string) => string) | null;
}

/**
 * A library laid out for the matcher, built once per library: every evidence item has a
 * key (its position over all signatures), and per-call bookkeeping lives in typed arrays
 * indexed by key, reset by bumping a generation stamp instead of allocating maps. A call
 * runs to completion synchronously, so one scratch space per library is enough.
 */
interface Plan {
  readonly library: SignatureLibrary;
  readonly items: readonly CompiledEvidence[];
  /** Signature index of each key. */
  readonly sigOf: Int32Array;
  /** First key of each signature. */
  readonly base: Int32Array;
  /** Position of each signature in id order (as `localeCompare` sorts), for the tie-break. */
  readonly rank: Int32Array;
  /** Per key: positions (in its signature) of the items it `requires`. */
  readonly requires: ReadonlyArray<readonly number[]>;
  /**
   * Per key of a gated regex item: ids (in its field's literal set) of the literals gating
   * it, so it reads only the part of a value that {@link LiteralSet.reach} allows.
   */
  readonly gateIds: ReadonlyArray<Int32Array | undefined>;
  readonly fields: ReadonlyMap<string, FieldPlan>;
  /** Per key: stamp of the field visit that last evaluated it (dedupes multi-literal items). */
  readonly visited: Uint32Array;
  /** Per key: stamp of the call whose state `states[key]` holds. */
  readonly stateStamp: Uint32Array;
  readonly states: Array<ItemState | undefined>;
  /** Per signature: stamp of the call that last touched it. */
  readonly sigStamp: Uint32Array;
  /** Literal ids found in the current value (scratch for `LiteralSet.scanInto`). */
  readonly found: Int32Array;
  /** Signatures touched by the current call, in first-touch order (`touchedCount` of them). */
  readonly touched: Int32Array;
  touchedCount: number;
  visitStamp: number;
  callStamp: number;
}

const plans = new WeakMap<SignatureLibrary, Plan>();

function planOf(library: SignatureLibrary): Plan {
  const known = plans.get(library);
  if (known) return known;
  const items: CompiledEvidence[] = [];
  const sigOf: number[] = [];
  const requires: number[][] = [];
  const base = new Int32Array(library.signatures.length);
  library.signatures.forEach((sig, s) => {
    base[s] = items.length;
    const position = new Map(sig.evidence.map((e, i) => [e.id, i]));
    for (const item of sig.evidence) {
      items.push(item);
      sigOf.push(s);
      // The loader rejects unknown or self references; -1 (never fired) is only a guard.
      requires.push(item.requires.map((r) => position.get(r) ?? -1));
    }
  });
  const byId = library.signatures.map((sig, s) => ({ id: sig.id, s }));
  byId.sort((a, b) => a.id.localeCompare(b.id));
  const rank = new Int32Array(library.signatures.length);
  byId.forEach((e, r) => {
    rank[e.s] = r;
  });
  const keys = (refs: readonly ItemRef[]): Int32Array =>
    Int32Array.from(refs, (r) => (base[r.sig] as number) + r.item);
  const fields = new Map<string, FieldPlan>();
  const gateLists: number[][] = [];
  let mostLiterals = 0;
  for (const [field, index] of library.byField) {
    index.gated.forEach((refs, id) => {
      for (const r of refs) {
        const key = (base[r.sig] as number) + r.item;
        if (items[key]?.kind !== 'regex') continue;
        gateLists[key] ??= [];
        gateLists[key].push(id);
      }
    });
    fields.set(field, {
      always: keys(index.always),
      gated: index.gated.map(keys),
      literals: index.literals,
      view: viewOf(field),
    });
    mostLiterals = Math.max(mostLiterals, index.literals.size);
  }
  const plan: Plan = {
    library,
    items,
    sigOf: Int32Array.from(sigOf),
    base,
    rank,
    requires,
    gateIds: Array.from(items, (_, key) => {
      const ids = gateLists[key];
      return ids === undefined ? undefined : Int32Array.from(ids);
    }),
    fields,
    visited: new Uint32Array(items.length),
    stateStamp: new Uint32Array(items.length),
    states: new Array(items.length).fill(undefined),
    sigStamp: new Uint32Array(library.signatures.length),
    found: new Int32Array(mostLiterals),
    touched: new Int32Array(library.signatures.length),
    touchedCount: 0,
    visitStamp: 0,
    callStamp: 0,
  };
  plans.set(library, plan);
  return plan;
}

/** The function giving a field's value as signatures read it, or null for the exact text. */
function viewOf(field: string): ((value: string) => string) | null {
  const info: FieldInfo | undefined = Object.hasOwn(FIELDS, field)
    ? FIELDS[field as FieldName]
    : undefined;
  return info?.view === 'terminal' ? terminalText : null;
}

/** A recorded field value as signatures read it (`FieldInfo.view`). */
export function readAs(field: string, value: string): string {
  const view = viewOf(field);
  return view === null ? value : view(value);
}

/** Next generation stamp; on wrap-around the arrays it guards are cleared. */
function nextStamp(current: number, arrays: readonly Uint32Array[]): number {
  const next = (current + 1) >>> 0;
  if (next !== 0) return next;
  for (const a of arrays) a.fill(0);
  return 1;
}

/** `item` evaluated on the first `reach` characters of `value` (all of it when shorter). */
function testWithin(
  item: CompiledEvidence,
  value: string,
  reach: number,
): Readonly<Record<string, string>> | null {
  return item.test(reach < value.length ? value.slice(0, reach) : value);
}

/**
 * Evaluates one item on one value and records what it found. The item reads `value`, or
 * its first `reach` characters when that is shorter (see {@link LiteralSet.reach}).
 */
function visit(plan: Plan, key: number, index: number, value: string, reach = value.length): void {
  const item = plan.items[key] as CompiledEvidence;
  const captures = testWithin(item, value, reach);
  // Most visited items do not match: record nothing for them (negated items need to know
  // the field was present, so they always keep state).
  if (captures === null && !item.negate) return;
  const call = plan.callStamp;
  let state = plan.stateStamp[key] === call ? plan.states[key] : undefined;
  if (state === undefined) {
    state = { matched: [], present: [], value: null, captures: null };
    plan.states[key] = state;
    plan.stateStamp[key] = call;
    const sig = plan.sigOf[key] as number;
    if (plan.sigStamp[sig] !== call) {
      plan.sigStamp[sig] = call;
      plan.touched[plan.touchedCount++] = sig;
    }
  }
  state.present.push(index);
  if (captures) {
    state.matched.push(index);
    if (state.captures === null) {
      state.captures = captures;
      state.value = value;
    }
  } else if (state.value === null) {
    state.value = value;
  }
}

/** Evaluates every item reading one field value of service `index`. */
function visitField(plan: Plan, fp: FieldPlan, index: number, recorded: string): void {
  const value = fp.view === null ? recorded : fp.view(recorded);
  const always = fp.always;
  for (let k = 0; k < always.length; k++) visit(plan, always[k] as number, index, value);
  if (fp.literals.size === 0) return;
  // One linear pass finds every gating literal; only their items run, each once.
  const found = plan.found;
  const n = fp.literals.scanInto(value, found);
  if (n === 0) return;
  const stamp = nextStamp(plan.visitStamp, [plan.visited]);
  plan.visitStamp = stamp;
  const visited = plan.visited;
  const literals = fp.literals;
  for (let f = 0; f < n; f++) {
    const gated = fp.gated[found[f] as number] as Int32Array;
    for (let k = 0; k < gated.length; k++) {
      const key = gated[k] as number;
      if (visited[key] === stamp) continue;
      visited[key] = stamp;
      const ids = plan.gateIds[key];
      visit(plan, key, index, value, ids === undefined ? value.length : literals.reach(ids));
    }
  }
}

/** The hit of one touched signature, or null when none of its items counts. */
function hitOf(plan: Plan, sigIndex: number): SignatureHit | null {
  const sig = plan.library.signatures[sigIndex] as CompiledSignature;
  const first = plan.base[sigIndex] as number;
  const call = plan.callStamp;
  const evidence = sig.evidence;
  const n = evidence.length;
  // Which items count: matched, or (negated) present and never matched.
  const counts: Array<ItemState | null> = new Array(n);
  let counted = 0;
  for (let i = 0; i < n; i++) {
    const state = plan.stateStamp[first + i] === call ? plan.states[first + i] : undefined;
    const item = evidence[i] as CompiledEvidence;
    const ok =
      state !== undefined &&
      (item.negate
        ? state.present.length > 0 && state.matched.length === 0
        : state.matched.length > 0);
    counts[i] = ok ? (state as ItemState) : null;
    if (ok) counted++;
  }
  // Drop items whose `requires` did not count, until nothing changes.
  for (let changed = counted > 0; changed; ) {
    changed = false;
    for (let i = 0; i < n; i++) {
      if (counts[i] === null) continue;
      const req = plan.requires[first + i] as readonly number[];
      for (let r = 0; r < req.length; r++) {
        const j = req[r] as number;
        if (j < 0 || counts[j] === null) {
          counts[i] = null;
          counted--;
          changed = true;
          break;
        }
      }
    }
  }
  if (counted === 0) return null;
  let miss = 1;
  const captures: Record<string, string> = {};
  const serviceSet = new Set<number>();
  const fired: FiredEvidence[] = [];
  for (let i = 0; i < n; i++) {
    const state = counts[i];
    if (state == null) continue;
    const item = evidence[i] as CompiledEvidence;
    miss *= 1 - item.weight;
    const services = item.negate ? state.present : state.matched;
    if (!item.negate && state.captures !== null) {
      for (const k in state.captures)
        if (!(k in captures)) captures[k] = state.captures[k] as string;
    }
    for (const s of services) serviceSet.add(s);
    fired.push({ item, services, value: state.value ?? '' });
  }
  const score = round(1 - miss);
  return {
    signature: sig,
    score,
    fires: score + 1e-9 >= sig.minScore,
    fired,
    captures,
    services: serviceSet,
  };
}

/**
 * Evaluates the library on a host's services. Returns hits sorted by score, then id.
 * Linear in the total field size times the number of evidence items reading each field.
 */
export function matchServices(
  library: SignatureLibrary,
  services: readonly ServiceInput[],
  options: MatchOptions = {},
): SignatureHit[] {
  const plan = planOf(library);
  plan.callStamp = nextStamp(plan.callStamp, [plan.stateStamp, plan.sigStamp]);
  plan.touchedCount = 0;
  for (let index = 0; index < services.length; index++) {
    const fields = (services[index] as ServiceInput).fields;
    for (const field in fields) {
      const fp = plan.fields.get(field);
      if (fp === undefined || !Object.hasOwn(fields, field)) continue;
      visitField(plan, fp, index, fields[field] as string);
    }
  }
  const hits: SignatureHit[] = [];
  const ranks: number[] = [];
  const touched = plan.touched;
  const count = plan.touchedCount;
  for (let t = 0; t < count; t++) {
    const sigIndex = touched[t] as number;
    const hit = hitOf(plan, sigIndex);
    if (hit === null || (!hit.fires && !options.includePartial)) continue;
    hits.push(hit);
    ranks.push(plan.rank[sigIndex] as number);
  }
  // Drop references to this call's values, so the scratch space does not keep them alive.
  const states = plan.states;
  for (let t = 0; t < count; t++) {
    const sigIndex = touched[t] as number;
    const first = plan.base[sigIndex] as number;
    const end = first + (library.signatures[sigIndex] as CompiledSignature).evidence.length;
    for (let key = first; key < end; key++) states[key] = undefined;
  }
  plan.touchedCount = 0;
  if (hits.length < 2) return hits;
  const order = hits.map((_, i) => i);
  order.sort(
    (a, b) =>
      (hits[b] as SignatureHit).score - (hits[a] as SignatureHit).score ||
      (ranks[a] as number) - (ranks[b] as number),
  );
  return order.map((i) => hits[i] as SignatureHit);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** One evidence item as {@link matchServices} evaluates it, alone (see {@link itemAlone}). */
export interface ItemAlone {
  /**
   * Runs the field's literal pass over `value` and tells whether the matcher would evaluate
   * the item on it at all (an item gated by literals is skipped when none occurs).
   */
  gate(value: string): boolean;
  /** Evaluates the item on `value`, as far as it reads (call after `gate` of the same value). */
  run(value: string): Readonly<Record<string, string>> | null;
}

/**
 * Evidence item `itemIndex` of signature `sigIndex`, evaluated the way the matcher does:
 * for the worst-case bench, which times what a hostile value costs each pattern.
 */
export function itemAlone(
  library: SignatureLibrary,
  sigIndex: number,
  itemIndex: number,
): ItemAlone {
  const plan = planOf(library);
  const key = (plan.base[sigIndex] as number) + itemIndex;
  const item = plan.items[key] as CompiledEvidence;
  const fp = plan.fields.get(item.field);
  const gates = new Set<number>();
  fp?.gated.forEach((keys, id) => {
    if (keys.includes(key)) gates.add(id);
  });
  const ids = plan.gateIds[key];
  return {
    gate(recorded) {
      if (fp === undefined || gates.size === 0) return true;
      const n = fp.literals.scanInto(readAs(item.field, recorded), plan.found);
      for (let f = 0; f < n; f++) if (gates.has(plan.found[f] as number)) return true;
      return false;
    },
    run(recorded) {
      const value = readAs(item.field, recorded);
      const reach = ids === undefined || fp === undefined ? value.length : fp.literals.reach(ids);
      return testWithin(item, value, reach);
    },
  };
}

/**
 * The matcher: pure and synchronous. Evaluates every signature against all services of a
 * host at once, so one signature may combine evidence from several ports (a telnet prompt
 * and an HTTP title), and records which service each item fired on.
 */
import type { CompiledEvidence, CompiledSignature, SignatureLibrary } from '../signatures/model.js';
import type { Protocol, Transport } from '../types.js';

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

interface ItemState {
  matched: number[];
  present: number[];
  value: string | null;
  captures: Readonly<Record<string, string>> | null;
}

/** Options of {@link matchServices}. */
export interface MatchOptions {
  /** Also return signatures that scored but did not fire (for --explain). Default false. */
  readonly includePartial?: boolean;
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
  const states = new Map<number, Map<number, ItemState>>();
  const visit = (ref: { sig: number; item: number }, index: number, value: string): void => {
    const sig = library.signatures[ref.sig] as CompiledSignature;
    const item = sig.evidence[ref.item] as CompiledEvidence;
    const captures = item.test(value);
    // Most visited items do not match: record nothing for them (negated items need to know
    // the field was present, so they always keep state).
    if (captures === null && !item.negate) return;
    let perSig = states.get(ref.sig);
    if (!perSig) {
      perSig = new Map();
      states.set(ref.sig, perSig);
    }
    let state = perSig.get(ref.item);
    if (!state) {
      state = { matched: [], present: [], value: null, captures: null };
      perSig.set(ref.item, state);
    }
    state.present.push(index);
    if (captures) {
      state.matched.push(index);
      if (state.captures === null) {
        state.captures = captures;
        state.value = value;
      }
    } else if (state.value === null && item.negate) {
      state.value = value;
    }
  };
  services.forEach((service, index) => {
    for (const [field, value] of Object.entries(service.fields)) {
      const fieldIndex = library.byField.get(field);
      if (!fieldIndex) continue;
      for (const ref of fieldIndex.always) visit(ref, index, value);
      if (fieldIndex.literals.size === 0) continue;
      // One linear pass finds every gating literal; only their items run.
      for (const id of fieldIndex.literals.scan(value)) {
        for (const ref of fieldIndex.gated[id] ?? []) visit(ref, index, value);
      }
    }
  });

  const hits: SignatureHit[] = [];
  for (const [sigIndex, perSig] of states) {
    const sig = library.signatures[sigIndex] as CompiledSignature;
    const base = new Map<string, FiredEvidence & { captures: Readonly<Record<string, string>> }>();
    sig.evidence.forEach((item, i) => {
      const state = perSig.get(i);
      if (!state) return;
      if (item.negate) {
        if (state.present.length > 0 && state.matched.length === 0) {
          base.set(item.id, {
            item,
            services: state.present,
            value: state.value ?? '',
            captures: {},
          });
        }
      } else if (state.matched.length > 0) {
        base.set(item.id, {
          item,
          services: state.matched,
          value: state.value ?? '',
          captures: state.captures ?? {},
        });
      }
    });
    // Drop items whose `requires` did not fire, until nothing changes.
    for (let changed = true; changed; ) {
      changed = false;
      for (const [id, f] of base) {
        if (f.item.requires.some((r) => !base.has(r))) {
          base.delete(id);
          changed = true;
        }
      }
    }
    if (base.size === 0) continue;
    let miss = 1;
    const captures: Record<string, string> = {};
    const serviceSet = new Set<number>();
    const fired: FiredEvidence[] = [];
    for (const item of sig.evidence) {
      const f = base.get(item.id);
      if (!f) continue;
      miss *= 1 - item.weight;
      for (const [k, v] of Object.entries(f.captures)) if (!(k in captures)) captures[k] = v;
      for (const s of f.services) serviceSet.add(s);
      fired.push({ item: f.item, services: f.services, value: f.value });
    }
    const score = round(1 - miss);
    const fires = score + 1e-9 >= sig.minScore;
    if (!fires && !options.includePartial) continue;
    hits.push({ signature: sig, score, fires, fired, captures, services: serviceSet });
  }
  return hits.sort((a, b) => b.score - a.score || a.signature.id.localeCompare(b.signature.id));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Follow-up planning: which vendor-telling paths to request on a port, decided by the
 * signatures from the port's first HTTP exchange. Pure and synchronous, like the matcher.
 *
 * Softmatch, precisely: a signature S that declares `followup:` is softmatched on a port
 * when, matching the port's first-exchange fields alone,
 *  1. at least one of S's `followup.when` evidence items fired (matcher semantics:
 *     `requires` honoured), so the vendor is narrowed to S's; and
 *  2. no firing device signature of S's vendor yields a model there (S included).
 * Softmatched signatures are ranked by their partial score (then id); their paths, in
 * declaration order and without repeats, are cut at `DEFAULTS.maxFollowups` for the port,
 * whatever the number of signatures.
 */
import { DEFAULTS } from '../engine/defaults.js';
import { followupPathProblem, isFollowupField } from '../signatures/followup.js';
import type { CompiledEvidence, CompiledSignature, SignatureLibrary } from '../signatures/model.js';
import { matchServices, readAs, type SignatureHit } from './matcher.js';
import { fillTemplate } from './verdict.js';

/** A softmatched signature and the paths it asks for. */
export interface Softmatch {
  readonly signature: CompiledSignature;
  /** Partial score on the first exchange. */
  readonly score: number;
  /** Ids of the `when` items that fired. */
  readonly when: readonly string[];
}

const triggersOf = new WeakMap<SignatureLibrary, readonly CompiledEvidence[]>();

/** Every `followup.when` evidence item of the library (cached per library). */
function triggers(library: SignatureLibrary): readonly CompiledEvidence[] {
  let list = triggersOf.get(library);
  if (list === undefined) {
    list = library.signatures.flatMap((s) =>
      s.evidence.filter((e) => s.followup?.when.includes(e.id) === true),
    );
    triggersOf.set(library, list);
  }
  return list;
}

/**
 * Cheap gate before the whole matcher runs: a softmatch needs a `when` item to match its
 * field, so a port where none does (nearly every port) costs a few tests, not a match.
 */
function anyTrigger(library: SignatureLibrary, fields: Readonly<Record<string, string>>): boolean {
  return triggers(library).some((e) => {
    const value = fields[e.field];
    return value !== undefined && e.test(readAs(e.field, value)) !== null;
  });
}

/**
 * Signatures softmatched by one port's first-exchange fields, best first (see the file
 * header). Follow-up fields already present are ignored: the plan is made before them.
 */
export function softmatches(
  library: SignatureLibrary,
  fields: Readonly<Record<string, string>>,
): Softmatch[] {
  const first: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (!isFollowupField(k)) first[k] = v;
  if (!anyTrigger(library, first)) return [];
  const hits = matchServices(
    library,
    [{ port: 0, transport: 'tcp', protocol: 'http', fields: first }],
    { includePartial: true },
  );
  const modelled = new Set<string>();
  for (const h of hits) {
    const d = h.signature.device;
    if (h.fires && d?.vendor && fillTemplate(d.model, h.captures) !== null) modelled.add(d.vendor);
  }
  const out: Softmatch[] = [];
  for (const h of hits) {
    const plan = h.signature.followup;
    const vendor = h.signature.device?.vendor;
    if (!plan || !vendor || modelled.has(vendor)) continue;
    const when = firedWhen(h, plan.when);
    if (when.length > 0) out.push({ signature: h.signature, score: h.score, when });
  }
  return out.sort((a, b) => b.score - a.score || a.signature.id.localeCompare(b.signature.id));
}

/**
 * The follow-up paths to request on a port, at most `limit` (default
 * `DEFAULTS.maxFollowups`), best softmatch first; empty when nothing is softmatched.
 */
export function planFollowups(
  library: SignatureLibrary,
  fields: Readonly<Record<string, string>>,
  limit: number = DEFAULTS.maxFollowups,
): string[] {
  const cap = Math.min(limit, DEFAULTS.maxFollowups);
  const paths: string[] = [];
  for (const soft of softmatches(library, fields)) {
    for (const { path } of soft.signature.followup?.requests ?? []) {
      if (paths.length >= cap) return paths;
      // The loader checked it; a hand-built library is checked here, before any request.
      if (!paths.includes(path) && followupPathProblem(path) === null) paths.push(path);
    }
  }
  return paths;
}

function firedWhen(hit: SignatureHit, when: readonly string[]): string[] {
  return hit.fired.filter((f) => when.includes(f.item.id)).map((f) => f.item.id);
}

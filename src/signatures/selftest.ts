/**
 * The library tests itself (Recog's idea, stricter): every example must be won by its own
 * signature against the whole library with the expected labels, every evidence item and
 * capture must be exercised, counterexamples must not fire it, and generic banners must
 * name no vendor. Ties at the top fail. An example holding follow-up fields must be one the
 * engine would really produce: its first exchange alone softmatches the signature and the
 * engine's plan asks for its `http.followup.path`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { planFollowups } from '../match/followup.js';
import { identifyServices, servicesFromFields } from '../match/identify.js';
import type { SignatureHit } from '../match/matcher.js';
import { fillTemplate } from '../match/verdict.js';
import { isFollowupField } from './followup.js';
import type { CompiledSignature, SignatureExample, SignatureLibrary } from './model.js';

/** One failed check, located in a signature file. */
export interface SelfTestFailure {
  readonly file: string;
  readonly line: number;
  readonly signature: string;
  readonly message: string;
}

/** Result of {@link selfTest}. */
export interface SelfTestReport {
  readonly signatures: number;
  readonly examples: number;
  readonly counterexamples: number;
  readonly negatives: number;
  readonly failures: readonly SelfTestFailure[];
}

/** Runs every check over the library (optionally only signatures whose file is under `only`). */
export function selfTest(library: SignatureLibrary, only?: string): SelfTestReport {
  const failures: SelfTestFailure[] = [];
  let examples = 0;
  let counterexamples = 0;
  const selected = library.signatures.filter(
    (s) => !only || path.resolve(s.file).startsWith(path.resolve(only)),
  );
  for (const sig of selected) {
    const fail = (line: number, message: string): void => {
      failures.push({ file: sig.file, line, signature: sig.id, message });
    };
    const exercised = new Set<string>();
    const captured = new Set<string>();
    for (const ex of sig.examples) {
      examples++;
      checkExample(library, sig, ex, fail, exercised, captured);
      checkFollowupExample(library, sig, ex, fail);
    }
    for (const ex of sig.counterexamples) {
      counterexamples++;
      const result = identifyServices(library, servicesFromFields(ex.fields));
      if (result.hits.some((h) => h.signature === sig)) {
        fail(ex.line, 'counterexample fires this signature');
      }
    }
    for (const item of sig.evidence) {
      if (!exercised.has(item.id)) fail(1, `evidence '${item.id}' is not exercised by any example`);
    }
    for (const name of templateCaptures(sig)) {
      if (!captured.has(name)) fail(1, `capture '{${name}}' is never set by any example`);
    }
  }
  const negatives = checkNegativeCorpus(library, failures);
  return { signatures: selected.length, examples, counterexamples, negatives, failures };
}

function checkExample(
  library: SignatureLibrary,
  sig: CompiledSignature,
  ex: SignatureExample,
  fail: (line: number, message: string) => void,
  exercised: Set<string>,
  captured: Set<string>,
): void {
  const services = servicesFromFields(ex.fields);
  const result = identifyServices(library, services);
  const own = result.hits.find((h) => h.signature === sig);
  if (!own) {
    const partial = identifyServices(library, services, { includePartial: true }).hits.find(
      (h) => h.signature === sig,
    );
    fail(
      ex.line,
      partial
        ? `example does not fire: score ${partial.score} < min_score ${sig.minScore} (fired: ${partial.fired.map((f) => f.item.id).join(', ')})`
        : 'example does not fire: no evidence item matched',
    );
    return;
  }
  for (const f of own.fired) exercised.add(f.item.id);
  for (const k of Object.keys(own.captures)) captured.add(k);

  const actual: Record<string, string | null> = {};
  if (sig.device) {
    const device = result.device;
    const lead = device?.signatures[0];
    if (lead !== sig.id) {
      fail(ex.line, `example is won by ${lead ?? 'nothing'}, not by this signature`);
      return;
    }
    const rival = result.alternatives[0];
    if (device && rival && rival.confidence === device.confidence) {
      fail(ex.line, `tie at the top with ${rival.signatures[0]} (confidence ${device.confidence})`);
    }
    const sameGroupTie = result.hits.find(
      (h) =>
        h !== own &&
        h.fires &&
        h.signature.device?.vendor === sig.device?.vendor &&
        h.signature.device?.class === sig.device?.class &&
        h.score === own.score &&
        !sameLabels(h, own),
    );
    if (sameGroupTie) fail(ex.line, `tie with ${sameGroupTie.signature.id} (score ${own.score})`);
    actual['class'] = device?.class ?? null;
    actual['vendor'] = device?.vendor_id ?? null;
    actual['product'] = device?.product ?? null;
    actual['model'] = device?.model ?? null;
    actual['version'] = device?.os.version ?? null;
    actual['os_family'] = device?.os.family ?? null;
  } else if (sig.service?.product === undefined) {
    // OS-only: names no software, so it competes for no service label; what it gives is
    // the OS (and the class its hint leads to).
    const os = sig.service?.os;
    actual['class'] = result.device?.class ?? null;
    actual['vendor'] = sig.service?.vendor ?? null;
    actual['product'] = null;
    actual['model'] = result.device?.model ?? null;
    actual['version'] = result.device?.os.version ?? fillTemplate(os?.version, own.captures);
    actual['os_family'] = result.device?.os.family ?? fillTemplate(os?.family, own.captures);
  } else {
    // Software: must be the label of the service(s) it fired on.
    for (const index of own.services) {
      const rivals = result.hits.filter(
        (h) =>
          h.fires &&
          h.signature.service?.product !== undefined &&
          h.services.has(index) &&
          h !== own,
      );
      const better = rivals.find((h) => h.score > own.score);
      if (better)
        fail(
          ex.line,
          `service label won by ${better.signature.id} (score ${better.score} > ${own.score})`,
        );
      const tie = rivals.find((h) => h.score === own.score);
      if (tie)
        fail(ex.line, `tie with ${tie.signature.id} on the service label (score ${own.score})`);
    }
    const service = sig.service as NonNullable<CompiledSignature['service']>;
    actual['class'] = result.device?.class ?? null;
    actual['vendor'] = service.vendor ?? null;
    actual['product'] = fillTemplate(service.product, own.captures);
    actual['model'] = result.device?.model ?? null;
    actual['version'] = fillTemplate(service.version, own.captures);
    actual['os_family'] =
      result.device?.os.family ?? fillTemplate(service.os?.family, own.captures);
  }
  for (const [key, want] of Object.entries(ex.expect)) {
    const got = actual[key] ?? 'null';
    if (got !== want) fail(ex.line, `expected ${key} '${want}', got '${got}'`);
  }
}

/**
 * An example with `http.followup.*` fields: its path must be one this signature declares,
 * and the engine's plan for the example's first HTTP exchange (its `http.*` and `tls.*`
 * fields, follow-up fields left out) must ask for it.
 */
function checkFollowupExample(
  library: SignatureLibrary,
  sig: CompiledSignature,
  ex: SignatureExample,
  fail: (line: number, message: string) => void,
): void {
  if (!Object.keys(ex.fields).some(isFollowupField)) return;
  const path = ex.fields['http.followup.path'];
  if (path === undefined) {
    fail(ex.line, 'example has follow-up fields but no http.followup.path');
    return;
  }
  if (!sig.followup?.requests.some((r) => r.path === path)) {
    fail(ex.line, `http.followup.path '${path}' is not one of this signature's followup paths`);
    return;
  }
  const first: Record<string, string> = {};
  for (const [k, v] of Object.entries(ex.fields)) {
    if (!isFollowupField(k) && (k.startsWith('http.') || k.startsWith('tls.'))) first[k] = v;
  }
  const plan = planFollowups(library, first);
  if (!plan.includes(path)) {
    fail(
      ex.line,
      `the example's first exchange does not lead to '${path}' (planned: ${plan.length > 0 ? plan.join(', ') : 'nothing'}): no softmatch`,
    );
  }
}

function sameLabels(a: SignatureHit, b: SignatureHit): boolean {
  return (
    fillTemplate(a.signature.device?.product, a.captures) ===
      fillTemplate(b.signature.device?.product, b.captures) &&
    fillTemplate(a.signature.device?.model, a.captures) ===
      fillTemplate(b.signature.device?.model, b.captures)
  );
}

function templateCaptures(sig: CompiledSignature): Set<string> {
  const names = new Set<string>();
  const texts = [
    sig.device?.product,
    sig.device?.model,
    ...(sig.device?.cpe ?? []),
    ...Object.values(sig.device?.os ?? {}),
    sig.service?.product,
    sig.service?.version,
    ...Object.values(sig.service?.os ?? {}),
  ];
  for (const t of texts) {
    if (typeof t !== 'string') continue;
    for (const m of t.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)(?:\|[a-z]+)?\}/g))
      names.add(m[1] as string);
  }
  return names;
}

function checkNegativeCorpus(library: SignatureLibrary, failures: SelfTestFailure[]): number {
  const file = path.join(library.root, '_corpus', 'negative.yaml');
  if (!existsSync(file)) return 0;
  const entries = parse(readFileSync(file, 'utf8')) as Array<{ fields: Record<string, string> }>;
  entries.forEach((entry, i) => {
    const result = identifyServices(library, servicesFromFields(entry.fields));
    if (result.device?.vendor_id) {
      failures.push({
        file,
        line: i + 1,
        signature: result.device.signatures[0] ?? '',
        message: `generic banner #${i + 1} is labeled ${result.device.vendor_id} by ${result.device.signatures.join(', ')}`,
      });
    }
  });
  return entries.length;
}

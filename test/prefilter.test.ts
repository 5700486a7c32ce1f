/** The literal prefilter must never hide a match: it only skips items that cannot match. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { matchCorpus } from '../src/bench/match.js';
import { servicesFromFields } from '../src/match/identify.js';
import { matchServices, type ServiceInput, type SignatureHit } from '../src/match/matcher.js';
import {
  buildFieldIndex,
  LITERAL_OCCURRENCES,
  LiteralSet,
  regexLiteralRuns,
  requiredLiteral,
  requiredLiterals,
  TAIL_WINDOW,
} from '../src/match/prefilter.js';
import { loadSignatures } from '../src/signatures/loader.js';
import type { SignatureLibrary } from '../src/signatures/model.js';

test('required literals of regexes', () => {
  assert.deepEqual(regexLiteralRuns('^SSH-2\\.0-dropbear_(?<v>[0-9.]+)'), ['SSH-2.0-dropbear_']);
  assert.deepEqual(regexLiteralRuns('MikroTik v(?<version>[0-9.]+) \\((?<channel>[a-z]+)\\)'), [
    'MikroTik v',
    ' (',
    ')',
  ]);
  assert.deepEqual(regexLiteralRuns('^(?<model>DNS-3[0-9]{2})'), ['DNS-3']);
  assert.deepEqual(
    regexLiteralRuns('^(?:Dreambox|dm[0-9]+) login'),
    [' login'],
    'an alternation inside a group only drops that group',
  );
  assert.equal(
    regexLiteralRuns('abc|def'),
    null,
    'a top-level alternation has no single required literal',
  );
  assert.deepEqual(regexLiteralRuns('abcd?e'), ['abc', 'e']);
  assert.deepEqual(regexLiteralRuns('ab+cd'), ['ab', 'cd']);
  assert.equal(
    requiredLiteral('regex', 'X(?:Huawei)?YZ', ''),
    null,
    'optional group text is not required',
  );
  assert.equal(requiredLiteral('oid_prefix', '.1.3.6.1.4.1.9', ''), '1.3.6.1.4.1.9');
  assert.equal(requiredLiteral('contains', 'ShareCenter', 'i'), 'sharecenter');
});

test('literal sets of alternations: every branch must bring a literal', () => {
  assert.deepEqual(
    requiredLiterals('regex', '\\b(?:Smart Refrigerator|InstaView|Refrigerator)\\b', ''),
    ['instaview', 'refrigerator'],
    'a member containing another member is redundant',
  );
  assert.deepEqual(
    requiredLiterals('regex', '^(?:Eaton|EATON|Powerware)\\b.{0,40}\\b(?:UPS|ConnectUPS)\\b', ''),
    ['eaton', 'powerware'],
    'the set whose shortest literal is longest wins',
  );
  assert.deepEqual(requiredLiterals('regex', 'abcd|efgh', ''), ['abcd', 'efgh']);
  assert.deepEqual(requiredLiterals('regex', 'ab(?:cdef|ghij)kl', ''), ['cdef', 'ghij']);
  assert.equal(requiredLiterals('regex', 'abcd|e[0-9]+', ''), null, 'a branch without literal');
  assert.deepEqual(
    requiredLiterals('regex', '^OpenSSH_(?<v>[0-9.]+)', ''),
    ['openssh_'],
    'a single required literal is a set of one',
  );
  assert.deepEqual(requiredLiterals('contains', 'ShareCenter', 'i'), ['sharecenter']);
});

/** The library with every item evaluated on every value of its field (no prefilter). */
function unfiltered(library: SignatureLibrary): SignatureLibrary {
  const refs = new Map<
    string,
    Array<{ sig: number; item: number; literals: null; negate: boolean }>
  >();
  library.signatures.forEach((sig, s) => {
    sig.evidence.forEach((item, i) => {
      const list = refs.get(item.field) ?? [];
      list.push({ sig: s, item: i, literals: null, negate: item.negate });
      refs.set(item.field, list);
    });
  });
  const byField = new Map([...refs].map(([field, list]) => [field, buildFieldIndex(list)]));
  return { ...library, byField };
}

function summary(hits: readonly SignatureHit[]): unknown {
  return hits.map((h) => ({
    id: h.signature.id,
    score: h.score,
    fires: h.fires,
    captures: h.captures,
    services: [...h.services],
    fired: h.fired.map((f) => [f.item.id, f.services, f.value]),
  }));
}

test('the prefiltered matcher finds exactly what evaluating every item finds', () => {
  const library = loadSignatures();
  const naive = unfiltered(library);
  const hosts: ServiceInput[][] = library.signatures.flatMap((sig) =>
    [...sig.examples, ...sig.counterexamples].map((e) => servicesFromFields(e.fields)),
  );
  // Mutated banners (other versions, host names, padding), and hosts with two services.
  const corpus = matchCorpus(library, 4000, 13);
  hosts.push(...corpus);
  for (let i = 0; i + 1 < 600; i += 2)
    hosts.push([...(corpus[i] as ServiceInput[]), ...(corpus[i + 1] as ServiceInput[])]);
  let fired = 0;
  for (const services of hosts) {
    const want = summary(matchServices(naive, services, { includePartial: true }));
    const got = summary(matchServices(library, services, { includePartial: true }));
    assert.deepEqual(got, want, JSON.stringify(services));
    fired += (want as unknown[]).length;
  }
  assert.ok(fired > hosts.length / 2, `only ${fired} hits over ${hosts.length} hosts`);
});

test('the automaton finds exactly the literals a naive search finds', () => {
  const words = ['openssh_', 'dropbear', 'drop', 'bear', 'sharecenter', 'center', 'r', 'login:'];
  const set = new LiteralSet(words);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...words, 'x', 'SSH-', 'Login:', ' ', 'é', 'BEAR'), {
        maxLength: 20,
      }),
      (parts) => {
        const text = parts.join('');
        const lower = text.toLowerCase();
        const want = words
          .map((w, i) => (lower.includes(w) ? i : -1))
          .filter((i) => i >= 0)
          .sort();
        assert.deepEqual(set.scan(text).sort(), want);
      },
    ),
    { numRuns: 500 },
  );
});

test('reach: past the last of the first K occurrences by the window, never up to occurrence K + 1', () => {
  const words = ['vendor', 'model', 'dor', 'x'];
  const set = new LiteralSet(words);
  const found = new Int32Array(set.size);
  const K = LITERAL_OCCURRENCES;
  /** Start offsets of every occurrence of `w` in `text`, compared lower-cased. */
  const starts = (text: string, w: string): number[] => {
    const out: number[] = [];
    const lower = text.toLowerCase();
    for (let at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) out.push(at);
    return out;
  };
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('VENDOR', 'vendor', 'Model', 'do', 'r', ' ', 'x'.repeat(300)), {
        maxLength: 60,
      }),
      fc.subarray([0, 1, 2, 3], { minLength: 1 }),
      (parts, gate) => {
        const text = parts.join('');
        set.scanInto(text, found);
        let tail = 0;
        let flood = Number.POSITIVE_INFINITY;
        for (const id of gate) {
          const w = words[id] as string;
          const at = starts(text, w);
          if (at.length === 0) continue;
          tail = Math.max(tail, (at[Math.min(at.length, K) - 1] as number) + w.length);
          if (at.length > K) flood = Math.min(flood, at[K] as number);
        }
        assert.equal(set.reach(Int32Array.from(gate)), Math.min(flood, tail + TAIL_WINDOW));
      },
    ),
    { numRuns: 400 },
  );
});

test('a value repeating a pattern literal thousands of times is read only up to its bound', () => {
  const library = loadSignatures();
  const real =
    '<<HW_REV: 1.0; VENDOR: Sagemcom; BOOTR: 2.4.0alpha14; SW_REV: 8.8.1.0.0.2; MODEL: F@st3890V3>>';
  const nearMiss = real.slice(0, -1);
  const sagemcom = (value: string): boolean =>
    matchServices(library, servicesFromFields({ 'snmp.sysDescr': value })).some(
      (h) =>
        h.signature.id === 'sagemcom/fast' && h.fired.some((f) => f.item.id === 'docsis-vendor'),
    );
  assert.ok(sagemcom(real), 'the real description matches');
  assert.ok(sagemcom(`${real} ${nearMiss.repeat(40)}`), 'a match before the repeats is read');
  assert.ok(
    sagemcom(`${nearMiss.repeat(LITERAL_OCCURRENCES - 1)} ${real}`),
    'a match at the last occurrence tried is read',
  );
  assert.ok(
    !sagemcom(`${nearMiss.repeat(40)} ${real}`),
    'a match behind 40 repeats of the literal is not tried: the work per value is bounded',
  );
});

test('with the prefilter, every example of the library still matches what a full evaluation matches', () => {
  const library = loadSignatures();
  for (const sig of library.signatures) {
    for (const ex of sig.examples) {
      for (const [field, value] of Object.entries(ex.fields)) {
        const index = library.byField.get(field);
        if (!index) continue;
        const gatedIds = new Set(index.literals.scan(value));
        for (const item of sig.evidence.filter((e) => e.field === field && !e.negate)) {
          if (item.test(value) === null || item.literals === null) continue;
          // A matching item with a literal must have had its literal found.
          const found = [...gatedIds].some((id) =>
            (index.gated[id] ?? []).some(
              (r) => library.signatures[r.sig] === sig && sig.evidence[r.item] === item,
            ),
          );
          const always = index.always.some(
            (r) => library.signatures[r.sig] === sig && sig.evidence[r.item] === item,
          );
          assert.ok(
            found || always,
            `${sig.id}#${item.id} matched '${value}' but none of its literals ${JSON.stringify(item.literals)} was found`,
          );
        }
      }
    }
  }
});

/** The literal prefilter must never hide a match: it only skips items that cannot match. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LiteralSet, regexLiteralRuns, requiredLiteral } from '../src/match/prefilter.js';
import { loadSignatures } from '../src/signatures/loader.js';

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

test('with the prefilter, every example of the library still matches what a full evaluation matches', () => {
  const library = loadSignatures();
  for (const sig of library.signatures) {
    for (const ex of sig.examples) {
      for (const [field, value] of Object.entries(ex.fields)) {
        const index = library.byField.get(field);
        if (!index) continue;
        const gatedIds = new Set(index.literals.scan(value));
        for (const item of sig.evidence.filter((e) => e.field === field && !e.negate)) {
          if (item.test(value) === null || item.literal === null) continue;
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
            `${sig.id}#${item.id} matched '${value}' but its literal '${item.literal}' was not found`,
          );
        }
      }
    }
  }
});

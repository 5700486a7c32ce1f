/**
 * Bad input gets a clear error and a documented exit code, through the real CLI:
 * malformed target lines (FILE:LINE, scan goes on; exit 3), huge CIDRs, missing or
 * unreadable files and output files that cannot be written (exit 1), bad flags (exit 2),
 * broken signature YAML (FILE:LINE:COL), a ReDoS-prone pattern and a signature folder with
 * nothing in it (exit 4). The only address ever given to scan is an empty loopback one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { type CliRun, runCli } from './support/cli.js';
import { FIXTURES } from './support/paths.js';

/** Nothing listens here: the lab never binds the .9 address, and this prefix is ours. */
const EMPTY = '127.77.192.9';
/** One closed port keeps each run short. */
const QUICK = ['--ports', '1', '--connect-timeout', '500', '-q'];
const BAD = path.join(FIXTURES, 'bad-input');
/** CLI runs load the whole signature library; a busy machine makes that slow. */
const T = { timeout: 120_000 };

let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'thingscan-bad-input-'));
});

/** A fatal error: the given code, one clear line naming the problem, no stack, no records. */
function assertFatal(run: CliRun, code: number, message: RegExp): void {
  assert.equal(run.code, code, `exit ${run.code}\n${run.stderr}`);
  assert.match(run.stderr, message);
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at /, 'no stack trace');
  assert.equal(run.stdout, '', 'no records for a run that did not start');
}

test('malformed target lines: FILE:LINE each, sanitized, the rest scanned, exit 3', T, async () => {
  const list = path.join(dir, 'targets.txt');
  writeFileSync(list, `# suspects\n${EMPTY}\n127.77.192.300\n\x1b[31mevil\x1b[0m\n${EMPTY}/40\n\n`);
  const run = await runCli(['scan', '-i', list, '--input-format', 'list', ...QUICK]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, new RegExp(`${reEscape(list)}:3: .*300`));
  assert.match(run.stderr, new RegExp(`${reEscape(list)}:4: .*\\\\x1b\\[31mevil`));
  assert.match(run.stderr, new RegExp(`${reEscape(list)}:5: .*/40`));
  assert.doesNotMatch(run.stderr, /\x1b/, 'the bad line is shown escaped, not raw');
  const records = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { ip: string });
  assert.deepEqual(
    records.map((r) => r.ip),
    [EMPTY],
  );
});

test('--strict stops at the first bad line, exit 3', T, async () => {
  const run = await runCli(['scan', '127.77.192.300', EMPTY, '--strict', ...QUICK]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /<args>:1: .*300/);
  assert.match(run.stderr, /--strict/);
});

test('a huge CIDR is refused unless --allow-large, exit 3, nothing scanned', T, async () => {
  const run = await runCli(['scan', '2001:db8::/64', ...QUICK]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /<args>:1: .*2001:db8::\/64.*--allow-large/);
  assert.equal(run.stdout, '');
});

test('a missing target file: clear error, exit 1', T, async () => {
  const missing = path.join(dir, 'no-such-list.txt');
  assertFatal(
    await runCli(['scan', '-i', missing, ...QUICK]),
    1,
    new RegExp(`cannot read ${reEscape(missing)}: ENOENT`),
  );
});

test('an unreadable target file (a directory): clear error, exit 1', T, async () => {
  assertFatal(
    await runCli(['scan', '-i', BAD, '--input-format', 'list', ...QUICK]),
    1,
    new RegExp(`cannot read ${reEscape(BAD)}: EISDIR`),
  );
});

test('a missing exclude file stops the scan before any traffic, exit 1', T, async () => {
  const missing = path.join(dir, 'no-such-exclude.txt');
  assertFatal(
    await runCli(['scan', EMPTY, '--exclude-file', missing, ...QUICK]),
    1,
    new RegExp(`cannot read ${reEscape(missing)}`),
  );
});

test('an output file that cannot be written: clear error, exit 1', T, async () => {
  const out = path.join(dir, 'no-such-dir', 'out.ndjson');
  assertFatal(
    await runCli(['scan', EMPTY, '-o', out, ...QUICK]),
    1,
    new RegExp(`cannot write ${reEscape(out)}`),
  );
});

test('bad flags and values: usage error, exit 2', T, async () => {
  const cases: [string[], RegExp][] = [
    [['--no-such-flag'], /Unknown argument/],
    [['--rate', 'abc'], /rate/],
    [['--rate', '-5'], /rate must be > 0/],
    [['--concurrency', '0'], /concurrency must be > 0/],
    [['--ports', '99999'], /99999/],
    [['--format', 'xml'], /format/],
    [['--probes', 'gopher'], /unknown probe 'gopher'/],
  ];
  // A flag given twice becomes an array in yargs: give --ports only once.
  const runs = await Promise.all(
    cases.map(([flags]) =>
      runCli(['scan', EMPTY, ...(flags.includes('--ports') ? QUICK.slice(2) : QUICK), ...flags]),
    ),
  );
  for (const [i, [flags, message]] of cases.entries()) {
    const run = runs[i] as CliRun;
    assert.equal(run.code, 2, `${flags.join(' ')}: exit ${run.code}\n${run.stderr}`);
    assert.match(run.stderr, message, flags.join(' '));
    assert.doesNotMatch(run.stderr, /internal error/);
    assert.equal(run.stdout, '', flags.join(' '));
  }
});

test('broken signature YAML names FILE:LINE:COL, exit 4', T, async () => {
  const file = path.join(BAD, 'broken-yaml', 'router', 'acme', 'edge.yaml');
  assertFatal(
    await runCli(['scan', EMPTY, ...QUICK, '--signatures', path.join(BAD, 'broken-yaml')]),
    4,
    new RegExp(`${reEscape(file)}:10:\\d+: YAML`),
  );
});

test('a ReDoS-prone pattern is rejected at load, exit 4', T, async () => {
  const file = path.join(BAD, 'redos', 'router', 'acme', 'edge.yaml');
  assertFatal(
    await runCli(['scan', EMPTY, ...QUICK, '--signatures', path.join(BAD, 'redos')]),
    4,
    new RegExp(`${reEscape(file)}:7:\\d+: regex rejected.*repeated alternation`),
  );
});

test('a signature folder with nothing in it, or no signatures, exit 4', T, async () => {
  assertFatal(
    await runCli(['scan', EMPTY, ...QUICK, '--signatures', path.join(BAD, 'no-signatures')]),
    4,
    /no-signatures.*(?:vendor registry missing|no signature files)/,
  );
  assertFatal(
    await runCli([
      'scan',
      EMPTY,
      ...QUICK,
      '--signatures',
      path.join(FIXTURES, 'sigs-bad', 'empty'),
    ]),
    4,
    /no signature files/,
  );
});

function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The runnable examples in `examples/` work against the built package: they import
 * `thingscan` by name (the package's self-reference through its `exports` map), exactly as
 * a user's script would.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './support/paths.js';

function runExample(
  file: string,
  args: readonly string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'examples', file), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('examples/identify-banner.mjs labels banners offline', async () => {
  const run = await runExample('identify-banner.mjs');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^signature library \S+: \d+ signatures$/m);
  assert.match(
    run.stdout,
    /dropbear_2019\.78\n\s+-> unknown-embedded .*software: Dropbear 2019\.78/,
  );
  assert.match(run.stdout, /Postfix \(Ubuntu\)\n\s+-> computer /);
});

test('examples/scan-lab.mjs starts the lab, scans it and prints one label per host', async () => {
  const run = await runExample('scan-lab.mjs', ['127.77.165']);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.ok(lines.length >= 20, `${lines.length} lines`);
  for (const line of lines) assert.match(line, /^127\.77\.165\.\d+\t(?:IoT|not IoT|\?)\t\S/);
  assert.ok(lines.some((l) => /\tIoT\tnas NETGEAR/.test(l)));
  assert.ok(lines.some((l) => /\tnot IoT\tcomputer/.test(l)));
  assert.ok(lines.some((l) => /\.9\t\?\tno-response$/.test(l)));
});

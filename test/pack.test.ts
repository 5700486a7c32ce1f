/**
 * `npm pack` yields a package that installs into an empty folder and works there: the CLI
 * answers `npx thingscan --help` (commands and exit codes listed), and a library import
 * loads the bundled signatures, labels a banner, and finds the shipped JSON Schema.
 *
 * Dependencies come from npm's cache when present (`--prefer-offline`), else the registry.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './support/paths.js';

function run(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' },
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

test('the packed package installs in an empty folder and runs', { timeout: 300_000 }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'thingscan-pack-'));
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], ROOT);
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = readdirSync(work).find((f) => /^thingscan-.*\.tgz$/.test(f));
  assert.ok(tarball, `no tarball in ${work}: ${packed.stdout}`);

  const app = path.join(work, 'app');
  await run('mkdir', [app], work);
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'pack-check', private: true, type: 'module' }),
  );
  const installed = await run(
    'npm',
    ['install', path.join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund'],
    app,
  );
  assert.equal(installed.code, 0, installed.stderr);
  const pkg = path.join(app, 'node_modules', 'thingscan');
  for (const file of [
    'bin/thingscan',
    'dist/src/cli.js',
    'dist/probes',
    'signatures',
    'schema/host-record.schema.json',
  ]) {
    assert.ok(existsSync(path.join(pkg, file)), `${file} missing from the package`);
  }
  // Tests, sources and fixtures stay out of the package.
  assert.ok(!existsSync(path.join(pkg, 'dist', 'test')));
  assert.ok(!existsSync(path.join(pkg, 'test')));

  const help = await run('npx', ['--no-install', 'thingscan', '--help'], app);
  assert.equal(help.code, 0, help.stderr);
  for (const word of ['scan', 'extract', 'report', 'identify', 'Exit codes:']) {
    assert.ok(help.stdout.includes(word), `--help lacks ${word}`);
  }

  // The command as npm linked it (a symlink into the package), run directly: the launcher
  // finds the CLI through the link. A scan of a closed loopback port gives one record.
  const linked = path.join(app, 'node_modules', '.bin', 'thingscan');
  const scanned = await run(linked, ['scan', '--ports', 'T:1', '--quiet', '127.0.0.1'], app);
  assert.equal(scanned.code, 0, scanned.stderr);
  assert.equal(JSON.parse(scanned.stdout.trim()).ip, '127.0.0.1');

  const script = `
    import { scan, identify, loadSignatures } from 'thingscan';
    import { createRequire } from 'node:module';
    const schema = createRequire(import.meta.url)('thingscan/schema/host-record.schema.json');
    const library = loadSignatures();
    const { device } = identify({ 'ssh.ident': 'SSH-2.0-dropbear_2019.78', 'ssh.software': 'dropbear_2019.78' }, { library });
    console.log(JSON.stringify({
      scan: typeof scan,
      signatures: library.signatures.length,
      class: device?.class ?? null,
      schema: schema.title,
    }));
  `;
  const lib = await run(process.execPath, ['--input-type=module', '-e', script], app);
  assert.equal(lib.code, 0, lib.stderr);
  const out = JSON.parse(lib.stdout) as Record<string, unknown>;
  assert.equal(out['scan'], 'function');
  assert.ok((out['signatures'] as number) > 50);
  assert.equal(out['class'], 'unknown-embedded');
  assert.match(String(out['schema']), /host record/);
});

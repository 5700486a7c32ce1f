/**
 * Identification depth, part 3, end to end through `scan()` and the real signature
 * library: a camera named only by its favicon (generic Server header, empty title), and an
 * embedded box named only by its SSH key-exchange offer (Dropbear's ident rewritten to
 * `SSH-2.0-server`, its KEXINIT still listing Dropbear's own marker).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainRecord, formatHostExplanation } from '../src/index.js';
import { loadSignatures } from '../src/signatures/loader.js';
import { labScan } from './support/lab-scan.js';

const PREFIX = '127.77.187';
const OFFSET = 10_187;
const PERSONAS = ['favicon-camera', 'kexinit-dropbear', 'hikvision-camera'];

const fixture = labScan(PREFIX, OFFSET, PERSONAS, {
  readTimeoutMs: 1_000,
  bannerWaitMs: 400,
  hostTimeoutMs: 20_000,
});
const record = fixture.record;

test('identified only by its favicon: a Hikvision camera behind a generic web server', () => {
  const r = record('favicon-camera');
  assert.equal(r.status, 'identified');
  assert.equal(r.iot, true);
  assert.equal(r.device?.class, 'camera');
  assert.equal(r.device?.vendor_id, 'hikvision');
  assert.deepEqual(r.device?.signatures, ['hikvision/ipcam-favicon']);
  const web = r.services.find((s) => s.protocol === 'http');
  assert.ok(web, 'no HTTP service');
  assert.deepEqual(web.matches, [
    { signature: 'hikvision/ipcam-favicon', score: 0.9, evidence: ['favicon-mmh3'] },
  ]);
  // Nothing else names it: a generic Server header, no title, no vendor words.
  assert.equal(web.fields['http.server'], 'httpd');
  assert.ok(!web.fields['http.title']);
  assert.doesNotMatch(JSON.stringify(web.fields), /hikvision|app-webs|doc\/page/i);
  assert.match(web.fields['http.favicon_md5'] ?? '', /^[0-9a-f]{32}$/);
  // The lab's other Hikvision serves the same stand-in icon, as one firmware family does.
  const other = record('hikvision-camera').services.find((s) => s.protocol === 'http');
  assert.equal(other?.fields['http.favicon_mmh3'], web.fields['http.favicon_mmh3']);
  assert.ok(other?.matches.some((m) => m.signature === 'hikvision/ipcam-favicon'));
});

test('the favicon is the explained evidence of class and vendor', () => {
  const text = formatHostExplanation(explainRecord(loadSignatures(), record('favicon-camera')));
  assert.match(
    text,
    /\n {2}vendor: Hikvision\n {4}port \d+\/http http\.favicon_mmh3 · hikvision\/ipcam-favicon · favicon-mmh3 · "-?\d+"\n/,
  );
});

test('identified only by its KEXINIT offer: Dropbear under a rewritten ident, an embedded box', () => {
  const r = record('kexinit-dropbear');
  assert.equal(r.status, 'identified');
  assert.equal(r.iot, true);
  assert.equal(r.device?.class, 'unknown-embedded');
  assert.equal(r.device?.vendor_id, null);
  assert.deepEqual(r.device?.signatures, ['dropbear/dropbear']);
  const ssh = r.services.find((s) => s.protocol === 'ssh');
  assert.ok(ssh, 'no SSH service');
  // The ident says nothing.
  assert.equal(ssh.fields['ssh.ident'], 'SSH-2.0-server');
  assert.equal(ssh.fields['ssh.software'], 'server');
  // The offer does: Dropbear's marker after the real methods (then ssh2's strict-kex one).
  const kex = (ssh.fields['ssh.kex'] ?? '').split(',');
  assert.equal(kex.at(-2), 'kexguess2@matt.ucc.asn.au', kex.join(','));
  assert.match(ssh.fields['ssh.hassh'] ?? '', /^[0-9a-f]{32}$/);
  // The advertised marker left the handshake valid: the host key was still read.
  assert.equal(ssh.fields['ssh.hostkey_type'], 'ecdsa-sha2-nistp256');
  assert.deepEqual(ssh.matches, [
    { signature: 'dropbear/dropbear', score: 0.9, evidence: ['kexguess2'] },
  ]);
  assert.equal(ssh.product, 'Dropbear');
  assert.equal(ssh.version, null);
});

test('the depth personas were scanned and never saw a credential', () => {
  for (const id of PERSONAS) {
    const tally = fixture.lab().counters.byHost[id];
    assert.ok(tally && tally.connections > 0, `${id} saw no connection`);
    assert.equal(tally.credentialAttempts, 0, id);
  }
});

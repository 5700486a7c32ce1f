/**
 * Identification depth, end to end through `scan()` and the real signature library:
 * a device named only by its TLS certificate, only by its UPnP description, only by its
 * RTSP Server header; and hosts that try to lead the scanner away (an HTTP redirect and an
 * SSDP LOCATION on another address; a redirect chain longer than the three hops followed).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HostRecord } from '../src/index.js';
import { type RunningLab, startLab } from '../src/lab/index.js';
import { recordOf, scanLab } from './support/lab-scan.js';

const PREFIX = '127.77.142';
/**
 * Every port + 8000 rather than the usual 10000+: RTSP 554 lands on 8554 and HTTPS 443 on
 * 8443, ports the probes know as theirs, so the runner takes the same path as on a real
 * camera or firewall, and the test does not need root. (This file's prefix is its own.)
 */
const OFFSET = 8_000;

let lab: RunningLab;
let records = new Map<string, HostRecord>();

before(async () => {
  lab = await startLab({
    prefix: PREFIX,
    portOffset: OFFSET,
    personas: [
      'fortigate-cert',
      'hue-bridge-upnp',
      'rtsp-camera',
      'redirect-chain',
      'redirect-away',
      'canary',
      'ssdp-elsewhere',
      'upnp-canary',
    ],
  });
  // The canaries are not scanned: any connection they see came from following a host.
  const targets = lab.hosts
    .filter((h) => h.id !== 'empty' && h.id !== 'canary' && h.id !== 'upnp-canary')
    .map((h) => h.address);
  records = await scanLab(lab, targets, {
    readTimeoutMs: 1_500,
    bannerWaitMs: 500,
    hostTimeoutMs: 25_000,
  });
});

after(async () => {
  await lab?.close();
});

function record(id: string): HostRecord {
  return recordOf(records, id);
}

function fieldsOf(r: HostRecord): Record<string, string> {
  return Object.assign({}, ...r.services.map((s) => s.fields));
}

test('identified only by its TLS certificate: FortiGate 60E', () => {
  const r = record('fortigate-cert');
  assert.equal(r.status, 'identified');
  assert.equal(r.device?.class, 'firewall');
  assert.equal(r.device?.vendor_id, 'fortinet');
  assert.equal(r.device?.product, 'FortiGate');
  assert.equal(r.device?.model, '60E');
  assert.equal(r.device?.nat_gateway_suspected, true);
  const https = r.services.find((s) => s.port === 443 + OFFSET);
  assert.equal(https?.protocol, 'https');
  assert.deepEqual(
    https?.matches.map((m) => m.signature),
    ['fortinet/fortigate-cert'],
  );
  // Nothing but the certificate names it: the page has no vendor words.
  assert.doesNotMatch(JSON.stringify(https?.fields['http.body'] ?? ''), /forti/i);
  // The root redirect to /login (same host and port) was followed.
  assert.equal(https?.fields['http.redirects'], '1');
  assert.equal(https?.fields['http.location'], '/login?redir=%2F');
});

test('identified only by its UPnP description: Philips Hue bridge', () => {
  const r = record('hue-bridge-upnp');
  assert.equal(r.status, 'identified');
  assert.equal(r.device?.class, 'appliance');
  assert.equal(r.device?.vendor_id, 'philips');
  assert.equal(r.device?.model, '2015');
  const ssdp = r.services.find((s) => s.transport === 'udp' && s.protocol === 'ssdp');
  assert.ok(ssdp, 'no SSDP service');
  assert.equal(ssdp.fields['upnp.manufacturer'], 'Signify');
  assert.equal(ssdp.fields['upnp.model_number'], 'BSB002');
  assert.ok(ssdp.matches.some((m) => m.signature === 'philips/hue-bridge-upnp'));
  // The HTTP page itself names nothing.
  const web = r.services.find((s) => s.protocol === 'http');
  assert.deepEqual(web?.matches, []);
});

test('identified only by its RTSP Server header: Hipcam camera', () => {
  const r = record('rtsp-camera');
  assert.equal(r.status, 'identified');
  assert.equal(r.device?.class, 'camera');
  assert.equal(r.device?.vendor_id, 'hipcam');
  assert.equal(r.services.length, 1);
  const rtsp = r.services[0];
  assert.equal(rtsp?.protocol, 'rtsp');
  assert.equal(rtsp?.fields['rtsp.server'], 'Hipcam RealServer/V1.0');
  assert.equal(lab.counters.byHost['rtsp-camera']?.credentialAttempts, 0);
});

test('redirects: at most 3 hops on the same host and port', () => {
  const r = record('redirect-chain');
  const web = r.services.find((s) => s.protocol === 'http');
  assert.equal(web?.fields['http.redirects'], '3');
  // Final page of three hops: /step3 (a fourth hop would have shown "step 4").
  assert.equal(web?.fields['http.title'], 'step 3');
  assert.equal(web?.fields['http.location'], '/step1');
  // GET /, three hops, the favicon: five connections, no more.
  assert.equal(lab.counters.byHost['redirect-chain']?.connections, 5);
});

test('a redirect to another address is recorded and never followed', () => {
  const r = record('redirect-away');
  const web = r.services.find((s) => s.protocol === 'http');
  assert.match(web?.fields['http.location'] ?? '', /^http:\/\/127\.77\.142\.\d+:\d+\/login$/);
  assert.equal(web?.fields['http.redirects'], undefined);
  assert.equal(lab.counters.byHost['canary']?.connections, 0);
});

test('an SSDP LOCATION on another address is recorded and never fetched', () => {
  const r = record('ssdp-elsewhere');
  const f = fieldsOf(r);
  assert.match(f['ssdp.location'] ?? '', /^http:\/\/127\.77\.142\.\d+:\d+\/rootDesc\.xml$/);
  assert.equal(f['upnp.manufacturer'], undefined);
  assert.equal(lab.counters.byHost['upnp-canary']?.connections, 0);
  // redirect-away's own SSDP answer points at the canary too: not fetched either.
  assert.ok(fieldsOf(record('redirect-away'))['ssdp.location']);
  assert.equal(lab.counters.byHost['canary']?.connections, 0);
});

test('the scan never sent credentials to any depth persona', () => {
  assert.equal(lab.counters.credentialAttempts, 0);
  assert.equal(lab.counters.mailCommands, 0);
});

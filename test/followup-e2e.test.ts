/**
 * Follow-up requests end to end through `scan()` against lab personas: a FRITZ!Box whose
 * model only /jason_boxinfo.xml gives, a D-Link router that names its model only to
 * `GET /HNAP1/` inside TLS, a NETGEAR router whose realm already names the model (no
 * softmatch: no extra request), and a page hinting at two makers (three paths tempting, two
 * asked). Each host is scanned twice, follow-ups off then on, and the lab's request log
 * shows exactly which paths were asked.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HostRecord, ServiceRecord } from '../src/index.js';
import { type RunningLab, startLab } from '../src/lab/index.js';
import { runCli } from './support/cli.js';
import { recordOf, scanLab } from './support/lab-scan.js';

const PREFIX = '127.77.157';
const OFFSET = 10_157;
const PERSONAS = [
  'fritzbox-followup',
  'dlink-hnap-https',
  'netgear-realm-model',
  'two-maker-hints',
];
/** What every HTTP scan of a port asks without follow-ups. */
const BASE_REQUESTS = ['GET /', 'GET /favicon.ico'];

let lab: RunningLab;
let without = new Map<string, HostRecord>();
let withFollowups = new Map<string, HostRecord>();
/** Request log of each persona during the scan without follow-ups, then during the one with. */
const logWithout = new Map<string, string[]>();
const logWith = new Map<string, string[]>();

function requests(id: string): string[] {
  return [...(lab.counters.byHost[id]?.httpRequests ?? [])];
}

before(async () => {
  lab = await startLab({ prefix: PREFIX, portOffset: OFFSET, personas: PERSONAS });
  const targets = lab.hosts.filter((h) => PERSONAS.includes(h.id)).map((h) => h.address);
  const options = { readTimeoutMs: 1_000, bannerWaitMs: 400, hostTimeoutMs: 20_000 };
  without = await scanLab(lab, targets, { ...options, followups: false });
  for (const id of PERSONAS) logWithout.set(id, requests(id));
  withFollowups = await scanLab(lab, targets, options);
  for (const id of PERSONAS) logWith.set(id, requests(id).slice(logWithout.get(id)?.length));
});

after(async () => {
  await lab?.close();
});

/** The one web service of a persona's record. */
function web(record: HostRecord): ServiceRecord {
  const s = record.services.find((x) => x.protocol === 'http' || x.protocol === 'https');
  assert.ok(s, `no web service in ${record.ip}`);
  return s;
}

test('the FRITZ!Box model appears only thanks to the follow-up', () => {
  const before = recordOf(without, 'fritzbox-followup');
  assert.equal(before.device?.vendor_id, 'avm');
  assert.equal(before.device?.model, null, 'the login page names no model');
  assert.deepEqual(logWithout.get('fritzbox-followup'), BASE_REQUESTS);

  const r = recordOf(withFollowups, 'fritzbox-followup');
  assert.equal(r.status, 'identified');
  assert.equal(r.device?.class, 'router');
  assert.equal(r.device?.vendor_id, 'avm');
  assert.equal(r.device?.product, 'FRITZ!Box');
  assert.equal(r.device?.model, '7530');
  assert.equal(r.device?.signatures[0], 'avm/fritzbox-boxinfo');
  const s = web(r);
  assert.equal(s.fields['http.followup.path'], '/jason_boxinfo.xml');
  assert.equal(s.fields['http.followup.status'], '200 OK');
  assert.match(s.fields['http.followup.body'] ?? '', /<j:Name>FRITZ!Box 7530<\/j:Name>/);
  const boxinfo = s.matches.find((m) => m.signature === 'avm/fritzbox-boxinfo');
  assert.deepEqual(boxinfo?.evidence.slice().sort(), ['boxinfo-name', 'boxinfo-root', 'title']);
  // One request was enough: the first 2xx ends the follow-ups, and it counts as a probe.
  assert.deepEqual(logWith.get('fritzbox-followup'), [...BASE_REQUESTS, 'GET /jason_boxinfo.xml']);
  assert.equal(
    Number(s.fields['scan.probes']) - Number(web(before).fields['scan.probes']),
    1,
    'the follow-up is counted in scan.probes',
  );
  assert.equal(s.fields['scan.followups'], '1');
  assert.equal(web(before).fields['scan.followups'], undefined);
});

test('over HTTPS the follow-up goes inside TLS, and names the D-Link model', () => {
  const before = recordOf(without, 'dlink-hnap-https');
  assert.equal(before.device?.vendor_id, 'dlink');
  assert.equal(before.device?.model, null);

  const r = recordOf(withFollowups, 'dlink-hnap-https');
  assert.equal(r.device?.vendor_id, 'dlink');
  assert.equal(r.device?.model, 'DIR-878');
  const s = web(r);
  assert.equal(s.protocol, 'https');
  assert.equal(s.fields['http.followup.path'], '/HNAP1/');
  // The lab's HTTPS server logs only requests that arrived inside TLS.
  assert.deepEqual(logWith.get('dlink-hnap-https'), [...BASE_REQUESTS, 'GET /HNAP1/']);
  assert.equal(Number(s.fields['scan.probes']) - Number(web(before).fields['scan.probes']), 1);
});

test('no softmatch, no extra request: a realm that names the model asks nothing more', () => {
  const r = recordOf(withFollowups, 'netgear-realm-model');
  assert.equal(r.device?.vendor_id, 'netgear');
  assert.equal(r.device?.model, 'R6400');
  assert.deepEqual(logWith.get('netgear-realm-model'), BASE_REQUESTS);
  const s = web(r);
  assert.equal(s.fields['http.followup.path'], undefined);
  assert.equal(s.fields['scan.followups'], undefined);
  assert.equal(
    s.fields['scan.probes'],
    web(recordOf(without, 'netgear-realm-model')).fields['scan.probes'],
  );
});

test('two makers hinted, three paths tempting: two follow-ups at most on the port', () => {
  const log = logWith.get('two-maker-hints') ?? [];
  const extra = log.slice(BASE_REQUESTS.length);
  assert.deepEqual(log.slice(0, BASE_REQUESTS.length), BASE_REQUESTS);
  assert.deepEqual(extra, ['GET /jason_boxinfo.xml', 'GET /juis_boxinfo.xml']);
  assert.ok(!log.includes('GET /currentsetting.htm'), 'the third path is never asked');
  const r = recordOf(withFollowups, 'two-maker-hints');
  assert.equal(r.device?.vendor_id, 'avm');
  assert.equal(r.device?.model, null, 'a 404 names nothing');
  const s = web(r);
  // Neither answered 2xx: the last answer is the one recorded.
  assert.equal(s.fields['http.followup.path'], '/juis_boxinfo.xml');
  assert.equal(s.fields['http.followup.status'], '404 Not Found');
  assert.equal(s.fields['scan.probes'], '3');
  assert.equal(s.fields['scan.followups'], '2');
});

test('follow-ups only read: every request is a GET, no credentials were tried', () => {
  for (const id of PERSONAS) {
    for (const line of logWith.get(id) ?? []) assert.match(line, /^GET \//, `${id}: ${line}`);
  }
  assert.equal(lab.counters.credentialAttempts, 0);
});

test('`thingscan scan --no-followups` asks nothing beyond the page and its favicon', async () => {
  const target = lab.hosts.find((h) => h.id === 'fritzbox-followup');
  assert.ok(target);
  const seen = requests('fritzbox-followup').length;
  const run = await runCli([
    'scan',
    target.address,
    '--no-followups',
    '--ports',
    lab.portSpec(),
    '--read-timeout',
    '1000',
    '--banner-wait',
    '400',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const record = JSON.parse(run.stdout) as HostRecord;
  assert.equal(record.device?.vendor_id, 'avm');
  assert.equal(record.device?.model, null);
  assert.deepEqual(requests('fritzbox-followup').slice(seen), BASE_REQUESTS);
});

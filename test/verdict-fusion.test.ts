/**
 * Verdict fusion with vendor hints (enterprise numbers, MAC OUIs): offline, through
 * `identifyServices` and the real library. A hint alone names its vendor (and the
 * registry's usual class) at modest confidence; it reinforces a signature of the same
 * vendor once, breaks no rule of the record, and a disagreeing vendor becomes an
 * alternative.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifyServices, loadSignatures, type ServiceInput } from '../src/index.js';
import { HINT_ONLY_CEILING } from '../src/match/verdict.js';

const library = loadSignatures();

function snmp(fields: Record<string, string>): ServiceInput {
  return { port: 161, transport: 'udp', protocol: 'snmp', fields };
}
function http(fields: Record<string, string>): ServiceInput {
  return { port: 80, transport: 'tcp', protocol: 'http', fields };
}
function ssdp(fields: Record<string, string>): ServiceInput {
  return { port: 1900, transport: 'udp', protocol: 'ssdp', fields };
}

const DSM = http({ 'http.status': '200 OK', 'http.title': 'DS918 - Synology DiskStation' });

test('fusion: a sysObjectID alone names the vendor and its usual class, below the hint ceiling', () => {
  const r = identifyServices(library, [
    snmp({ 'snmp.sysDescr': 'Linux 4.4.59+', 'snmp.sysObjectID': '1.3.6.1.4.1.6574.1' }),
  ]);
  assert.equal(r.device?.vendor_id, 'synology');
  assert.equal(r.device?.class, 'nas');
  assert.ok((r.device?.confidence ?? 1) <= HINT_ONLY_CEILING);
  assert.deepEqual(r.device?.signatures, ['enrich/enterprise-number']);
  assert.deepEqual(r.services[0]?.matches, [
    { signature: 'enrich/enterprise-number', score: 0.5, evidence: ['snmp.sysObjectID'] },
  ]);
});

test('fusion: agreeing hints add up, but never past the ceiling', () => {
  const r = identifyServices(library, [
    snmp({
      'snmp.sysObjectID': '1.3.6.1.4.1.6574.1',
      'snmp.engine_enterprise': '6574',
      'snmp.engine_mac': '00:11:32:aa:bb:cc',
    }),
  ]);
  assert.equal(r.device?.vendor_id, 'synology');
  assert.equal(r.device?.confidence, HINT_ONLY_CEILING);
});

test('fusion: a router vendor named only by its enterprise number is a suspected NAT gateway', () => {
  const r = identifyServices(library, [snmp({ 'snmp.sysObjectID': '1.3.6.1.4.1.23695.1.1' })]);
  assert.equal(r.device?.class, 'router');
  assert.equal(r.device?.nat_gateway_suspected, true);
});

test('fusion: a vendor with no usual class, or a software project, is not a device by itself', () => {
  // Cisco makes too many kinds of device to guess one; Net-SNMP (8072) is software.
  assert.equal(
    identifyServices(library, [snmp({ 'snmp.sysObjectID': '1.3.6.1.4.1.9.1.1' })]).device,
    null,
  );
  const netsnmp = identifyServices(library, [
    snmp({ 'snmp.sysObjectID': '1.3.6.1.4.1.8072.3.2.10', 'snmp.engine_enterprise': '8072' }),
  ]);
  assert.equal(netsnmp.device?.vendor_id ?? null, null);
  assert.ok(netsnmp.services[0]?.matches.every((m) => !m.signature.startsWith('enrich/')));
});

test('fusion: a hint of the same vendor reinforces a signature verdict', () => {
  const alone = identifyServices(library, [DSM]);
  const hinted = identifyServices(library, [DSM, snmp({ 'snmp.engine_mac': '00:11:32:aa:bb:cc' })]);
  assert.equal(alone.device?.vendor_id, 'synology');
  assert.equal(hinted.device?.vendor_id, 'synology');
  assert.ok((hinted.device?.confidence ?? 0) > (alone.device?.confidence ?? 1));
  assert.ok(hinted.device?.signatures.includes('enrich/mac-oui'));
  assert.deepEqual(hinted.alternatives, []);
});

test('fusion: a sysObjectID a signature already matched is not counted twice', () => {
  const fields = {
    'snmp.sysDescr': 'RouterOS RB750Gr3',
    'snmp.sysObjectID': '1.3.6.1.4.1.14988.1',
  };
  const r = identifyServices(library, [snmp(fields)]);
  assert.equal(r.device?.vendor_id, 'mikrotik');
  assert.ok(!r.device?.signatures.includes('enrich/enterprise-number'));
});

test('fusion: a disagreeing vendor hint becomes an alternative, the signature verdict stays', () => {
  const r = identifyServices(library, [
    DSM,
    snmp({ 'snmp.sysObjectID': '1.3.6.1.4.1.24681.1' }), // QNAP's enterprise number
  ]);
  assert.equal(r.device?.vendor_id, 'synology');
  const alt = r.alternatives.find((a) => a.vendor_id === 'qnap');
  assert.ok(alt, 'QNAP should be an alternative');
  assert.ok(alt.confidence < (r.device?.confidence ?? 0));
  assert.deepEqual(alt.signatures, ['enrich/enterprise-number']);
});

test('fusion: a MAC names the maker of a software-only (BusyBox) verdict', () => {
  const telnet: ServiceInput = {
    port: 23,
    transport: 'tcp',
    protocol: 'telnet',
    fields: {
      'telnet.banner':
        '\nBusyBox v1.19.4 (2015-03-11 14:01:45 CST) built-in shell (ash)\nWAN MAC 08:54:11:3c:4d:5e\n(none) login:',
      'telnet.prompt': '(none) login:',
    },
  };
  const before = identifyServices(library, [
    {
      ...telnet,
      fields: {
        ...telnet.fields,
        'telnet.banner':
          '\nBusyBox v1.19.4 (2015-03-11 14:01:45 CST) built-in shell (ash)\n(none) login:',
      },
    },
  ]);
  const r = identifyServices(library, [telnet]);
  assert.equal(before.device?.vendor_id ?? null, null);
  assert.equal(r.device?.vendor_id, 'hikvision');
  assert.ok((r.device?.confidence ?? 1) <= HINT_ONLY_CEILING);
});

test('fusion: a UPnP manufacturer brands a class-only IGD verdict; alone it labels the usual class', () => {
  const igd = identifyServices(library, [
    ssdp({
      'upnp.device_type': 'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
      'upnp.manufacturer': 'Technicolor',
      'upnp.model_name': 'TG789vac v2',
    }),
  ]);
  assert.equal(igd.device?.class, 'router');
  assert.equal(igd.device?.vendor_id, 'technicolor');
  assert.ok(igd.device?.signatures.includes('enrich/upnp-manufacturer'));
  // A maker no signature reads over UPnP (Asustor's own signature now does).
  const alone = identifyServices(library, [
    ssdp({ 'upnp.manufacturer': 'TerraMaster', 'upnp.model_name': 'F4-423' }),
  ]);
  assert.equal(alone.device?.vendor_id, 'terramaster');
  assert.equal(alone.device?.class, 'nas');
  assert.deepEqual(alone.device?.signatures, ['enrich/upnp-manufacturer']);
  assert.ok((alone.device?.confidence ?? 1) <= HINT_ONLY_CEILING);
  // A manufacturer the registry does not know names nobody.
  const unknown = identifyServices(library, [
    ssdp({
      'upnp.manufacturer': 'Justin Maggard',
      'upnp.model_name': 'Windows Media Connect compatible (MiniDLNA)',
    }),
  ]);
  assert.equal(unknown.device?.vendor_id ?? null, null);
});

test('fusion: a UPnP description of the same maker gives the model the signatures missed', () => {
  // TerraMaster's signature reads its page, not UPnP: the model comes from the hint.
  const page = http({
    'http.status': '200 OK',
    'http.title': 'TOS',
    'http.body': '<a href="/tos/index.php?user/login">',
  });
  const description = ssdp({ 'upnp.manufacturer': 'TerraMaster', 'upnp.model_name': 'F4-423' });
  const alone = identifyServices(library, [page]);
  assert.equal(alone.device?.vendor_id, 'terramaster');
  assert.equal(alone.device?.model, null);
  const both = identifyServices(library, [page, description]);
  assert.equal(both.device?.vendor_id, 'terramaster');
  assert.equal(both.device?.model, 'F4-423');
  assert.ok(both.device?.signatures.includes('enrich/upnp-manufacturer'));
  // A model a signature read stays: the description only fills a gap.
  const named = http({
    'http.status': '200 OK',
    'http.title': 'TOS',
    'http.body': '<a href="/tos/index.php?user/login">TerraMaster F2-210</a>',
  });
  assert.equal(identifyServices(library, [named, description]).device?.model, 'F2-210');
});

/**
 * Vendor hints from enterprise numbers, MAC addresses and UPnP manufacturers (`src/enrich/`): MAC parsing
 * rules (no multicast, no locally administered, separators only in free text, version-1
 * UUIDs only), OUI lookups against the committed table, enterprise numbers from OIDs, and
 * the hints a host's services yield.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  enterpriseOfOid,
  macOfUuid,
  macsInText,
  normalizeMac,
  ouiTableInfo,
  vendorHints,
  vendorOfEnterprise,
  vendorOfMac,
  vendorOfManufacturer,
} from '../src/enrich/index.js';
import table from '../src/enrich/oui-table.json' with { type: 'json' };
import { loadSignatures } from '../src/signatures/loader.js';

const library = loadSignatures();

test('enrich: MAC spellings normalize; multicast, local and zero addresses are refused', () => {
  assert.equal(normalizeMac('00:11:32:AA:bb:CC'), '00:11:32:aa:bb:cc');
  assert.equal(normalizeMac('00-11-32-aa-bb-cc'), '00:11:32:aa:bb:cc');
  assert.equal(normalizeMac('0011.32aa.bbcc'), '00:11:32:aa:bb:cc');
  assert.equal(normalizeMac('001132aabbcc'), '00:11:32:aa:bb:cc');
  assert.equal(normalizeMac('00:11:32-aa:bb:cc'), null, 'mixed separators');
  assert.equal(normalizeMac('01:00:5e:00:00:01'), null, 'multicast');
  assert.equal(normalizeMac('02:42:ac:11:00:02'), null, 'locally administered (docker)');
  assert.equal(normalizeMac('00:00:00:00:00:00'), null);
  assert.equal(normalizeMac('ff:ff:ff:ff:ff:ff'), null);
  assert.equal(normalizeMac('00:11:32:aa:bb'), null);
});

test('enrich: OUIs name registry vendors (Synology, D-Link, Hikvision), unknown ones nothing', () => {
  assert.equal(vendorOfMac('00:11:32:01:02:03'), 'synology');
  assert.equal(vendorOfMac('00-1B-11-aa-bb-cc'), 'dlink');
  assert.equal(vendorOfMac('08:54:11:3c:4d:5e'), 'hikvision');
  assert.equal(vendorOfMac('00:00:0c:12:34:56'), 'cisco');
  // An OUI of no registry vendor (IEEE's own example block is unassigned to ours).
  assert.equal(vendorOfMac('ac:de:48:00:11:22'), null);
  assert.equal(vendorOfMac('not a mac'), null);
});

test('enrich: the committed table holds only registry vendors and well-formed OUIs', () => {
  const vendors = (table as { vendors: Record<string, string> }).vendors;
  let n = 0;
  for (const [vendor, list] of Object.entries(vendors)) {
    assert.ok(library.vendors.has(vendor), `${vendor} is not in the registry`);
    for (const oui of list.split(' ')) {
      assert.match(oui, /^[0-9a-f]{6}$/);
      n++;
    }
  }
  assert.equal(n, ouiTableInfo().ouis);
  assert.ok(n > 1000, 'the table lost most of its OUIs');
});

test('enrich: MACs in free text need separators; bare hex runs (hashes) are ignored', () => {
  assert.deepEqual(macsInText('WAN MAC: 00:11:32:0A:0B:0C LAN MAC: 00-11-32-0a-0b-0d'), [
    '00:11:32:0a:0b:0c',
    '00:11:32:0a:0b:0d',
  ]);
  assert.deepEqual(macsInText('md5 d41d8cd98f00b204e9800998ecf8427e and 001132aabbcc'), []);
  // Part of a longer colon run (an IPv6 address) is not a MAC.
  assert.deepEqual(macsInText('fe80:0:0:0:11:32:aa:bb:cc:dd'), []);
  assert.ok(macsInText('00:11:32:00:00:01 '.repeat(100)).length <= 8);
});

test('enrich: only version-1 UUIDs with a real node give a MAC', () => {
  assert.equal(
    macOfUuid('uuid:2f402f80-da50-11e1-9b23-00113201abcd::upnp:rootdevice'),
    '00:11:32:01:ab:cd',
  );
  // Version 4 (random).
  assert.equal(macOfUuid('uuid:2f402f80-da50-41e1-9b23-00113201abcd'), null);
  // Version 1 with a random node id (multicast bit set, RFC 4122 4.5).
  assert.equal(macOfUuid('uuid:2f402f80-da50-11e1-9b23-01113201abcd'), null);
});

test('enrich: enterprise numbers from OIDs and the registry', () => {
  assert.equal(enterpriseOfOid('1.3.6.1.4.1.9.1.516'), 9);
  assert.equal(enterpriseOfOid('.1.3.6.1.4.1.41112.1.4'), 41112);
  assert.equal(enterpriseOfOid('1.3.6.1.2.1.1.2.0'), null);
  assert.equal(enterpriseOfOid('1.3.6.1.4.1.'), null);
  assert.equal(vendorOfEnterprise(library, 9)?.id, 'cisco');
  assert.equal(vendorOfEnterprise(library, 23695)?.id, 'peplink');
  assert.equal(vendorOfEnterprise(library, 8072)?.id, 'net-snmp');
  assert.equal(vendorOfEnterprise(library, 4294967), null);
});

test('enrich: hints of a host, one per vendor, source and service', () => {
  const hints = vendorHints(library, [
    {
      port: 161,
      transport: 'udp',
      protocol: 'snmp',
      fields: {
        'snmp.sysObjectID': '1.3.6.1.4.1.6574.1',
        'snmp.engine_enterprise': '6574',
        'snmp.engine_mac': '00:11:32:aa:bb:cc',
      },
    },
    {
      port: 80,
      transport: 'tcp',
      protocol: 'http',
      fields: { 'http.body': 'MAC 00:11:32:aa:bb:cc / 00:11:32:aa:bb:cd', 'http.title': 'x' },
    },
    { port: 9302, transport: 'udp', protocol: 'ddp', fields: { 'ddp.host_id': '709E29AABBCC' } },
  ]);
  assert.deepEqual(
    hints.map((h) => [h.vendor_id, h.source, h.service, h.field]),
    [
      ['synology', 'enterprise-number', 0, 'snmp.sysObjectID'],
      ['synology', 'mac-oui', 0, 'snmp.engine_mac'],
      ['synology', 'mac-oui', 1, 'http.body'],
      ['sony', 'mac-oui', 2, 'ddp.host_id'],
    ],
  );
});

test('enrich: a UPnP manufacturer names a registry vendor by its spellings, never by a substring', () => {
  const id = (text: string): string | null => vendorOfManufacturer(library, text)?.id ?? null;
  // Registry spellings, folded.
  assert.equal(id('ZyXEL'), 'zyxel');
  assert.equal(id('Actiontec Electronics, Inc.'), 'actiontec');
  // Company-form words dropped from the end only.
  assert.equal(id('Western Digital Corporation'), 'western-digital');
  assert.equal(id('ASUSTOR Inc.'), 'asustor');
  assert.equal(id('Zhejiang Uniview Technologies Co., Ltd.'), 'uniview');
  assert.equal(id('Hanwha Techwin Co., Ltd.'), 'hanwha');
  // Not a spelling: substrings and placeholders name nobody.
  assert.equal(id('Linux'), null);
  assert.equal(id('Belgacom'), null);
  assert.equal(id('Corporation'), null);
  assert.equal(id('Sony Computer Entertainment Inc.'), null);
  assert.equal(id('x'.repeat(200)), null);
  const hints = vendorHints(library, [
    {
      port: 1900,
      transport: 'udp',
      protocol: 'ssdp',
      fields: { 'upnp.manufacturer': 'Sercomm', 'upnp.model_name': 'VD625' },
    },
  ]);
  assert.deepEqual(
    hints.map((h) => [h.vendor_id, h.source, h.field, h.weight]),
    [['sercomm', 'upnp-manufacturer', 'upnp.manufacturer', 0.5]],
  );
});

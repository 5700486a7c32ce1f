/**
 * The held-out sets: real-world banners written before reading the patterns.
 * test/fixtures/heldout/banners.yaml is the first set; blind.yaml a second one by another
 * author, scored once (blind) after the first set's fixes; blind2.yaml a third, written and
 * committed before its author read any pattern; blind3.yaml a fourth, written the same way
 * around residential CPE, ONTs and cheap recorders; blind4.yaml a fifth, written the same
 * way around SNMP on infrastructure (switches, UPS/PDU, printers, BMCs, firewalls);
 * blind5.yaml a sixth, written the same way around HTTP/HTTPS and SSDP/UPnP on the home
 * devices of the mission (receivers, players, NAS, TVs, appliances, routers); blind6.yaml a
 * seventh, written the same way around precision: the Windows, Linux, BSD and cloud hosts,
 * CDNs and VPN portals that send most campaign spam, with IoT controls; blind7.yaml an
 * eighth, written the same way around wire noise (IAC bytes, ANSI codes, CR/LF mixtures,
 * cut banners, vendors named only in page paths, cookies and footers, localised pages);
 * blind8.yaml a ninth, written the same way around the spam-sending boxes' telnet, SSH, FTP
 * and SMTP (BusyBox routers, NAS, Enigma2 receivers, consoles, cameras); blind9.yaml a
 * tenth, written the same way around ISP-supplied home gateways and ONTs region by region
 * (web UI, realms, telnet, SSH, UPnP, certificates, TR-069); blind10.yaml an eleventh,
 * written the same way around surveillance (cameras, DVRs, NVRs and their OEMs through
 * HTTP, RTSP, telnet, FTP, SNMP and UPnP); blind11.yaml a twelfth, written the same way
 * around office and building devices (printers, VoIP, UPS/PDU, BMCs, PLCs, building
 * automation, AV control); blind12.yaml a thirteenth, written the same way around NAS boxes
 * and home servers (Synology, QNAP, WD, Buffalo, ReadyNAS, ShareCenter, Seagate, Asustor,
 * TerraMaster, Thecus, Zyxel, LaCie, Iomega, Drobo; TrueNAS, openmediavault, Unraid and
 * Nextcloud on computers) through every service they expose; blind13.yaml a fourteenth,
 * written the same way around the smart home and the living room (smart TVs, streamers,
 * consoles, speakers and AV receivers, hubs, plugs, relays and lights, appliances), with
 * home-server computers as controls; blind14.yaml a fifteenth, written the same way around
 * set-top boxes and media players at depth (Enigma2 receivers under each image, cable and
 * IPTV boxes, Realtek/Amlogic players, Kodi boxes, Plex/Emby/Jellyfin on boxes and on
 * computers); blind15.yaml a sixteenth, written the same way around energy, mobile and maker
 * devices (solar inverters and loggers, batteries, meters, EV chargers, LTE routers and
 * hotspots, Wi-Fi APs and mesh, 3D printers and their hosts, weather gateways, Pi-hole,
 * Home Assistant, PiKVM); blind16.yaml a seventeenth, written the same way around what a mass scanner sees
 * besides 80/443 (TR-069 on 7547, camera/DVR and router web UIs on alternative ports, the
 * long tail of ONT/router/OLT telnet prompts, SSH idents, camera RTSP, FTP/SMTP on the same
 * boxes); blind17.yaml an eighteenth, written the same way around the network edge of small
 * offices and branches (firewalls/UTMs, VPN gateways, managed switches, enterprise routers and
 * wireless controllers), with pfSense/OPNsense, VPN servers and proxies on computers as
 * controls; blind18.yaml a nineteenth, written the same way around precision (hosting panels,
 * mail servers, containers and VMs carrying embedded software, self-hosted stacks, honeypot
 * defaults, a quarter real IoT devices);
 * blind19.yaml a twentieth, written the same way around East and South-East Asia
 * (Japanese, Korean, Chinese, Taiwanese and South-East Asian CPE, NAS, cameras, MFPs,
 * switches and set-top boxes), with hosting servers, panels and desktops as controls;
 * blind20.yaml a twenty-first, written the same way around Latin America, Africa, the
 * Middle East and Eastern Europe (operator CPE, WISP radios, DVRs, OLTs, Russian/Polish
 * routers and switches), with hosting panels, 1C-Bitrix and Windows in Spanish or Russian as
 * controls; blind21.yaml a twenty-second, written the same way around industrial, retail and public
 * spaces (PLCs, HMIs, SCADA gateways, building control, signage, UPS/PDU, time servers),
 * with Node-RED, InfluxDB, Ignition, WinCC and other SCADA servers as controls; blind22.yaml
 * a twenty-third, written the same way around custom router firmware
 * and the home long tail (DD-WRT, Tomato, Gargoyle, Merlin, OpenWrt forks, Keenetic, pfSense,
 * home printers over HTTP/IPP/SNMP/FTP, ESP gadgets, vacuums and garden/garage controllers),
 * with CUPS, dashboards and desktops as controls. The library must keep naming
 * no vendor on their generic banners
 * and keep its accuracy above
 * the floors below.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  formatRatio,
  heldoutServices,
  loadHeldout,
  loadSignatures,
  type Ratio,
  runHeldout,
} from '../src/index.js';
import { FIXTURES } from './support/paths.js';

/** One held-out set, its floors and how much of it must stay generic. */
interface HeldoutSet {
  readonly name: string;
  readonly file: string;
  /** Accuracy floors (a key left out: the set has no floor for it). */
  readonly floor: Partial<Record<'class' | 'vendor' | 'product', number>>;
  readonly minEntries: number;
  /** Least number of generic banners (`vendor: null`) and of computers (`iot: false`). */
  readonly minGeneric: number;
  readonly minComputers: number;
  /**
   * Entry ids still given a false vendor or IoT class, each a known and reported miss (the
   * test fails on any other claim, and on a listed one that is no longer made, so the list
   * only shrinks).
   */
  readonly knownClaims?: readonly string[];
}

const SETS: readonly HeldoutSet[] = [
  // Measured after the held-out round (docs/benchmarks.md, library 0.1.0 + that round's
  // fixes: class 221/227 = 97.4 %, vendor 176/182 = 96.7 %, product 50/53 = 94.3 %) minus
  // a margin of about 3 points, so one or two entries may change label when a signature is
  // reworked, but a regression across a family fails.
  {
    name: 'first set (banners)',
    file: 'banners.yaml',
    floor: { class: 0.94, vendor: 0.93, product: 0.9 },
    minEntries: 150,
    minGeneric: 40,
    minComputers: 0,
  },
  // Blind: class 72/79, vendor 62/70 when first run; 78/79, 68/70 after its misses were
  // fixed. It names no products, so it has no product floor.
  {
    name: 'second set (blind)',
    file: 'blind.yaml',
    floor: { class: 0.95, vendor: 0.94 },
    minEntries: 100,
    minGeneric: 30,
    minComputers: 0,
  },
  // Blind: class 92/133, vendor 71/121; 128/133, 106/121 after its fixes. 7 of the 15
  // vendor misses left are computers whose OS maker the set names and the library, by
  // design, does not. Its product labels mostly name models, which the record carries in
  // `model`: the scorer counts product or model (8/8).
  {
    name: 'third set (blind2)',
    file: 'blind2.yaml',
    floor: { class: 0.93, vendor: 0.84, product: 0.85 },
    minEntries: 150,
    minGeneric: 20,
    minComputers: 20,
  },
  // Blind: class 73/138, vendor 54/116; 121/138, 96/116 after its fixes. Most misses left
  // are banners the library leaves unbranded by design (XiongMai ODM firmware, SoC
  // reference boards) or that no second source confirms. Product or model: 11/11.
  {
    name: 'fourth set (blind3)',
    file: 'blind3.yaml',
    floor: { class: 0.84, vendor: 0.79, product: 0.85 },
    minEntries: 120,
    minGeneric: 15,
    minComputers: 18,
  },
  // Blind: class 96/114, vendor 79/94, product 11/14 when first run; 113/114, 93/94,
  // 14/14 after its fixes (SNMP switch, UPS, BMC and firewall families). The one miss left
  // is an Asustor sysDescr no second source confirms.
  {
    name: 'fifth set (blind4)',
    file: 'blind4.yaml',
    floor: { class: 0.95, vendor: 0.94, product: 0.85 },
    minEntries: 110,
    minGeneric: 15,
    minComputers: 20,
  },
  // Blind: class 96/140, vendor 94/134, product 22/80 when first run; 127/140, 119/134,
  // 30/80 after its fixes, counting `product` alone; the set names models ("Duo2",
  // "DIR-850L"), which the record carries in `model`, and product or model gives 76/80.
  // The class misses left are certificate and SSDP strings from one memory that nothing
  // confirms.
  {
    name: 'sixth set (blind5)',
    file: 'blind5.yaml',
    floor: { class: 0.87, vendor: 0.85, product: 0.9 },
    minEntries: 140,
    minGeneric: 2,
    minComputers: 18,
  },
  // Blind: class 83/110, vendor 24/34, product 4/8, one false vendor and one false IoT
  // claim when first run; 108/110, 29/34, 5/8 and none after its fixes. Its theme is
  // precision: 119 of its 165 banners are general-purpose hosts and 124 generic. The misses
  // left are labels the library leaves open by design (a Raspbian host's maker, the
  // software product of a computer, http.sys that Xbox consoles run too).
  {
    name: 'seventh set (blind6)',
    file: 'blind6.yaml',
    floor: { class: 0.95, vendor: 0.82, product: 0.5 },
    minEntries: 160,
    minGeneric: 110,
    minComputers: 110,
  },
  // Blind: class 96/138, vendor 67/112, product 21/32 and no false claim when first run
  // (98/138, 68/112, 22/32 once the runner parsed the IAC bytes it leaves in as the probe
  // does); 123/138, 93/112, 28/32 after its fixes. Its theme is wire noise: IAC bytes,
  // ANSI codes, CR/LF mixtures and byte-capped cuts in telnet banners, web UIs whose vendor
  // shows only in script paths, redirects, cookies and footers, localised pages. The misses
  // left are labels left open by design (the maker of Windows or Proxmox hosts, Tasmota's
  // hardware) and single clues the library keeps too weak to claim alone.
  {
    name: 'eighth set (blind7)',
    file: 'blind7.yaml',
    floor: { class: 0.85, vendor: 0.8, product: 0.8 },
    minEntries: 150,
    minGeneric: 15,
    minComputers: 24,
  },
  // Blind: class 57/113, vendor 40/83, product 32/72 and no false claim when first run;
  // 81/113, 62/83, 52/72 after its fixes. Its theme is the services the spam report found
  // open: telnet login prompts with the model as host name or on the line before, NAS and
  // console FTP greetings. The misses left are bare prompts ("Login:", "Password:") that
  // name nothing, and banners from one memory that nothing confirms.
  {
    name: 'ninth set (blind8)',
    file: 'blind8.yaml',
    floor: { class: 0.68, vendor: 0.71, product: 0.68 },
    minEntries: 125,
    minGeneric: 24,
    minComputers: 18,
  },
  // Blind: class 51/121, vendor 41/104, product 11/42 and no false claim when first run;
  // 90/121, 78/104, 38/42 after its fixes. Its theme is ISP-supplied gateways and ONTs
  // region by region through every service they expose, TR-069 port 7547 included.
  {
    name: 'tenth set (blind9)',
    file: 'blind9.yaml',
    floor: { class: 0.7, vendor: 0.7, product: 0.85 },
    minEntries: 135,
    minGeneric: 16,
    minComputers: 18,
  },
  // Blind: class 101/125, vendor 84/107, product 11/11 and no false claim when first run;
  // 124/125, 107/107, 11/11 after its fixes. Its theme is office and building devices
  // (printers, VoIP, UPS/PDU, BMCs, PLCs, building automation, AV control) through every
  // service they expose.
  {
    name: 'twelfth set (blind11)',
    file: 'blind11.yaml',
    floor: { class: 0.95, vendor: 0.95, product: 0.9 },
    minEntries: 135,
    minGeneric: 10,
    minComputers: 16,
  },
  // Blind: class 62/101, vendor 55/96, product 8/17 and no false claim when first run;
  // 90/101, 77/96, 17/17 after its fixes. Its theme is surveillance: cameras, DVRs and
  // NVRs of the big makers and their OEMs through HTTP, RTSP, telnet, FTP, SNMP and UPnP.
  {
    name: 'eleventh set (blind10)',
    file: 'blind10.yaml',
    floor: { class: 0.86, vendor: 0.77, product: 0.9 },
    minEntries: 130,
    minGeneric: 24,
    minComputers: 10,
  },
  // Blind: class 73/126, vendor 61/105, product 31/47, 7/28 computers given an IoT class
  // (TrueNAS/openmediavault labeled nas) when first run; 119/126, 99/105, 42/47 and no false
  // claim after its fixes (one computer relabelled: Jellyfin is a media server, which
  // DESIGN classes media-player). Its theme is NAS boxes and home servers.
  {
    name: 'thirteenth set (blind12)',
    file: 'blind12.yaml',
    floor: { class: 0.91, vendor: 0.91, product: 0.85 },
    minEntries: 135,
    minGeneric: 28,
    minComputers: 24,
  },
  // Blind: class 71/115, vendor 61/107, product 32/58, 1/15 computers given an IoT class
  // (MiniDLNA whose Server line names Debian by codename) when first run; 102/115, 89/107,
  // 49/58 and no false claim after its fixes. Its theme is the smart home and the living
  // room (TVs, streamers, consoles, speakers and receivers, hubs, plugs, lights).
  {
    name: 'fourteenth set (blind13)',
    file: 'blind13.yaml',
    floor: { class: 0.85, vendor: 0.8, product: 0.8 },
    minEntries: 135,
    minGeneric: 24,
    minComputers: 15,
  },
  // Blind: class 69/104, vendor 72/104, product 25/30, 2/15 computers given an IoT class
  // (Kodi's and Emby's media servers on Windows PCs) when first run; 87/104, 88/104, 28/30
  // and no false claim after its fixes. Its theme is set-top boxes and media players at
  // depth (Enigma2 images, cable and IPTV boxes, Realtek players, Kodi, media servers).
  {
    name: 'fifteenth set (blind14)',
    file: 'blind14.yaml',
    floor: { class: 0.8, vendor: 0.8, product: 0.88 },
    minEntries: 135,
    minGeneric: 20,
    minComputers: 15,
  },
  // Blind: class 23/120, vendor 17/107, product 9/87, no false claim when first run (the
  // library had no energy, EV-charger, 3D-printer or weather families); after its fixes
  // see docs/benchmarks.md. Its theme is energy, mobile and maker devices on home lines
  // (inverters and loggers, batteries, meters, chargers, LTE routers and hotspots, Wi-Fi
  // APs and mesh, 3D printers and hosts, weather gateways, single-board appliances).
  {
    name: 'sixteenth set (blind15)',
    file: 'blind15.yaml',
    floor: { class: 0.88, vendor: 0.88, product: 0.88 },
    minEntries: 130,
    minGeneric: 20,
    minComputers: 18,
  },
  // Blind: class 74/117, vendor 48/80, product 8/9 and no false claim when first run;
  // 108/117, 76/80, 9/9 after its fixes. Its theme is the ports thingbots leave open besides
  // 80/443: CWMP on 7547, alternative web ports, telnet on 23/2323, SSH, RTSP, FTP/SMTP.
  {
    name: 'seventeenth set (blind16)',
    file: 'blind16.yaml',
    floor: { class: 0.88, vendor: 0.9, product: 0.85 },
    minEntries: 130,
    minGeneric: 15,
    minComputers: 20,
  },
  // Blind: class 73/111, vendor 71/109, product 15/27 and no false claim when first run;
  // after its fixes see docs/benchmarks.md. Its theme is the network edge of small offices:
  // firewalls and UTMs, VPN gateways, managed switches, routers and wireless controllers.
  {
    name: 'eighteenth set (blind17)',
    file: 'blind17.yaml',
    floor: { class: 0.88, vendor: 0.9, product: 0.7 },
    minEntries: 130,
    minGeneric: 15,
    minComputers: 20,
  },
  // Blind: class 98/126, vendor 37/42, product 0/3, no false vendor and 5 false IoT claims
  // when first run; 115/126, 39/42, 0/3 and 2 after its fixes. Its theme is precision:
  // hosting panels, mail servers, containers and VMs carrying embedded software, self-hosted
  // stacks and honeypot defaults, with a quarter real IoT devices. The two claims left are
  // thttpd and mini_httpd serving a server's file listing: the daemon alone leans embedded
  // and nothing general in a listing says otherwise. Products are those of software-only
  // computer verdicts, which name no product, hence no product floor.
  {
    name: 'nineteenth set (blind18)',
    file: 'blind18.yaml',
    floor: { class: 0.88, vendor: 0.88 },
    minEntries: 135,
    minGeneric: 70,
    minComputers: 90,
    knownClaims: ['b18-thttpd-server-index', 'b18-mini-httpd-server'],
  },
  // Blind: class 71/123, vendor 57/83, product 28/52 and no false claim when first run;
  // after its fixes see docs/benchmarks.md. Its theme is East and South-East Asia: Japanese,
  // Korean, Chinese, Taiwanese and South-East Asian ISP CPE, NAS, cameras, MFPs and switches,
  // with Chinese hosting servers and panels and Japanese Windows hosts as controls.
  {
    name: 'twentieth set (blind19)',
    file: 'blind19.yaml',
    floor: { class: 0.88, vendor: 0.9, product: 0.9 },
    minEntries: 130,
    minGeneric: 18,
    minComputers: 20,
  },
  // Blind: class 79/140, vendor 63/113, product 18/30 and no false claim when first run;
  // 118/140, 97/113, 27/30 after its fixes. Its theme is Latin America, Africa, the Middle
  // East and Eastern Europe as regional spam-source lists show them.
  {
    name: 'twenty-first set (blind20)',
    file: 'blind20.yaml',
    floor: { class: 0.8, vendor: 0.82, product: 0.85 },
    minEntries: 130,
    minGeneric: 7,
    minComputers: 20,
  },
  // Blind: class 59/126, vendor 50/109, product 23/80 and no false claim when first run;
  // 120/126, 104/109, 70/80 after its fixes. Its theme is industrial, retail and
  // public-space devices as abuse lists show them.
  {
    name: 'twenty-second set (blind21)',
    file: 'blind21.yaml',
    floor: { class: 0.92, vendor: 0.92, product: 0.84 },
    minEntries: 130,
    minGeneric: 15,
    minComputers: 20,
  },
  // Blind: class 73/124, vendor 54/82, product 18/43 and no false claim when first run;
  // 101/124, 65/82, 35/43 after its fixes. Its theme is custom router firmware (DD-WRT,
  // Tomato, Gargoyle, Merlin, OpenWrt forks, pfSense), home printers and ESP gadgets.
  {
    name: 'twenty-third set (blind22)',
    file: 'blind22.yaml',
    floor: { class: 0.78, vendor: 0.76, product: 0.78 },
    minEntries: 130,
    minGeneric: 8,
    minComputers: 20,
  },
];

const share = (r: Ratio): number => (r.of === 0 ? 0 : r.hit / r.of);

for (const set of SETS) {
  test(`held-out ${set.name}: no false vendor or IoT claim, accuracy above its floors`, () => {
    const report = runHeldout(
      loadSignatures(),
      loadHeldout(path.join(FIXTURES, 'heldout', set.file)),
    );
    assert.ok(report.entries >= set.minEntries, `only ${report.entries} entries`);
    const known = new Set(set.knownClaims ?? []);
    const claimed = report.results.filter(
      (r) => r.misses.includes('false-vendor') || r.misses.includes('false-iot'),
    );
    const claims = claimed
      .filter((r) => !known.has(r.entry.id))
      .map((r) => `${r.entry.id}: ${r.got.class} ${r.got.vendor} [${r.got.signatures.join(', ')}]`);
    assert.deepEqual(claims, [], 'generic banners given a vendor, or computers an IoT class');
    const stale = [...known].filter((id) => !claimed.some((r) => r.entry.id === id));
    assert.deepEqual(stale, [], 'known claims no longer made: drop them from knownClaims');
    assert.ok(report.falseVendor.of >= set.minGeneric, 'the set must keep its generic banners');
    assert.ok(report.falseIot.of >= set.minComputers, 'the set must keep its computers');
    for (const key of ['class', 'vendor', 'product'] as const) {
      const floor = set.floor[key];
      if (floor === undefined) continue;
      const r = report[key];
      assert.ok(share(r) >= floor, `${key} accuracy ${formatRatio(r)} fell below ${floor * 100} %`);
    }
  });
}

test('held-out: FTP and SMTP greetings written with reply codes are read as the probes record them', () => {
  const [ftp] = heldoutServices({
    'ftp.greeting': '220-Welcome\r\n220 FRITZ!Box7530 FTP server ready.',
  });
  assert.equal(ftp?.fields['ftp.greeting'], 'Welcome\nFRITZ!Box7530 FTP server ready.');
  const [smtp] = heldoutServices({ 'smtp.greeting': '220 mx.example.org ESMTP Postfix' });
  assert.equal(smtp?.fields['smtp.greeting'], 'mx.example.org ESMTP Postfix');
  // A value written without codes is kept as it is.
  const [plain] = heldoutServices({ 'ftp.greeting': 'JD FTP Server Ready' });
  assert.equal(plain?.fields['ftp.greeting'], 'JD FTP Server Ready');
});

test('held-out: entries become services as the probes record them', () => {
  const services = heldoutServices({
    'ssh.ident': 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2',
    'telnet.banner': '\nDebian GNU/Linux 12\n\nbackup login: \n',
    'ssdp.server': 'Synology/DSM/192.0.2.5',
    'upnp.manufacturer': 'Synology',
    'tls.subject': 'CN=example',
  });
  const by = new Map(services.map((s) => [s.protocol, s]));
  assert.deepEqual(by.get('ssh')?.fields, {
    'ssh.ident': 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2',
    'ssh.software': 'OpenSSH_9.2p1',
    'ssh.comment': 'Debian-2+deb12u2',
  });
  assert.equal(by.get('telnet')?.fields['telnet.prompt'], 'backup login:');
  assert.equal(by.get('telnet')?.fields['telnet.banner'], 'Debian GNU/Linux 12\n\nbackup login:');
  // Line ends are normalised as the telnet probe does (CR LF as LF).
  const [crlf] = heldoutServices({ 'telnet.banner': '\r\nF660\r\nLogin: ' });
  assert.equal(crlf?.fields['telnet.banner'], 'F660\nLogin:');
  assert.equal(crlf?.fields['telnet.prompt'], 'Login:');
  assert.equal(by.get('ssdp')?.fields['upnp.manufacturer'], 'Synology');
  assert.equal(by.get('ssdp')?.transport, 'udp');
  assert.equal(by.get('https')?.fields['tls.subject'], 'CN=example');
});

test('held-out: an HTTP entry gets what the probe derives from its headers and body, unless written', () => {
  const [http] = heldoutServices({
    'http.headers':
      'Server: xxxxxxxx-xxxxx\r\nWWW-Authenticate: Basic realm="FortiGate"\r\nLocation: /login',
    'http.body':
      '<html><head><meta name="generator" content="WebGen 2"><title> Login </title></head>',
  });
  assert.deepEqual(
    {
      server: http?.fields['http.server'],
      title: http?.fields['http.title'],
      realm: http?.fields['http.realm'],
      generator: http?.fields['http.generator'],
      location: http?.fields['http.location'],
    },
    {
      server: 'xxxxxxxx-xxxxx',
      title: 'Login',
      realm: 'FortiGate',
      generator: 'WebGen 2',
      location: '/login',
    },
  );
  // A field the entry writes out is kept as written.
  const [written] = heldoutServices({
    'http.server': 'Boa/0.94.14rc21',
    'http.headers': 'server: lighttpd',
  });
  assert.equal(written?.fields['http.server'], 'Boa/0.94.14rc21');
});

test('held-out: a typo in the set fails loudly instead of dropping a check', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heldout-'));
  try {
    const write = (body: string): string => {
      const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, body);
      return file;
    };
    const entry = (fields: string, expect: string) =>
      `entries:\n  - id: x\n    fields: ${fields}\n    expect: ${expect}\n    source: s\n`;
    assert.throws(
      () => loadHeldout(write(entry('{ ssh.identity: a }', '{ vendor: null }'))),
      /unknown field 'ssh\.identity'/,
    );
    assert.throws(
      () => loadHeldout(write(entry('{ ssh.ident: a }', '{ class: rooter }'))),
      /unknown class 'rooter'/,
    );
    assert.throws(
      () => loadHeldout(write(entry('{ ssh.ident: a }', '{ vendors: cisco }'))),
      /unknown expect key 'vendors'/,
    );
    assert.equal(loadHeldout(write(entry('{ ssh.ident: a }', '{ vendor: null }'))).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('held-out: a telnet banner written with its IAC bytes is parsed as the probe parses it', () => {
  const [telnet] = heldoutServices({
    'telnet.banner': '\xff\xfb\x01\xff\xfb\x03\r\nF660\r\nLogin: ',
  });
  assert.equal(telnet?.fields['telnet.banner'], 'F660\nLogin:');
  assert.equal(telnet?.fields['telnet.prompt'], 'Login:');
  assert.equal(telnet?.fields['telnet.options'], 'WILL 1,WILL 3');
  // Text beyond latin1 (no raw bytes) is only normalised.
  const [plain] = heldoutServices({ 'telnet.banner': '欢迎\r\nlogin: ' });
  assert.equal(plain?.fields['telnet.banner'], '欢迎\nlogin:');
  assert.equal(plain?.fields['telnet.options'], undefined);
});

test('held-out: header lines written as sent get the names the HTTP probe records', () => {
  const [http] = heldoutServices({
    'http.status': '200 OK',
    'http.headers':
      'Server: GoAhead-Webs\r\nX-Powered-By: PHP/5.6\r\nSet-Cookie: SESSIONID=1; Path=/',
  });
  assert.equal(
    http?.fields['http.headers'],
    'server: GoAhead-Webs\nx-powered-by: PHP/5.6\nset-cookie: SESSIONID=1; Path=/',
  );
});

/**
 * Lab personas for identification depth (issue 4, part 1): devices on unexpected ports,
 * devices that only a TLS certificate, a UPnP description or an RTSP Server header gives
 * away, and hosts that try to lead the scanner elsewhere (an SSDP LOCATION on another
 * address, a redirect chain longer than the scanner follows). Pure data, like
 * `personas.ts`; the behaviour lives in `servers/`.
 *
 * The banners are written for the lab from how these devices present themselves; versions,
 * serial numbers and names are made up and differ from the signature examples.
 *
 * Order matters once: `ssdp-elsewhere` points its LOCATION at the next address, which must
 * be `upnp-canary`.
 */
import { DEVICE_CLASSES, type DeviceClass } from '../types.js';
import type {
  HttpConfig,
  HttpResponseSpec,
  LabExpectation,
  PersonaDefinition,
  SshConfig,
  TelnetConfig,
} from './types.js';

type Headers = readonly (readonly [string, string])[];

function label(
  cls: DeviceClass,
  vendor: string | null,
  extra: { product?: string; model?: string } = {},
): LabExpectation {
  return { class: cls, vendor_id: vendor, iot: DEVICE_CLASSES[cls], ...extra };
}

const NOTHING: LabExpectation = { class: null, vendor_id: null, iot: null };

function page(status: number, headers: Headers, body: string): HttpResponseSpec {
  return { status, headers, body };
}

const NOT_FOUND = page(
  404,
  [['Content-Type', 'text/html']],
  '<html><body>Not found</body></html>\n',
);

// ---------------------------------------------------------------------------------------
// MikroTik RouterOS 6 with every service moved off its standard port.

const ROUTEROS_TELNET: TelnetConfig = {
  // DO TTYPE, DO NAWS, WILL ECHO, WILL SGA, DO SGA.
  negotiation: [
    0xff, 0xfd, 0x18, 0xff, 0xfd, 0x1f, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03, 0xff, 0xfd, 0x03,
  ],
  banner: 'MikroTik v6.49.10 (long-term)\r\n',
  loginPrompt: 'Login: ',
  passwordPrompt: 'Password: ',
  failure: 'Login failed, incorrect username or password',
  maxAttempts: 3,
};

const ROUTEROS_SSH: SshConfig = {
  ident: 'ROSSSH',
  hostKey: 'ecdsa',
  kex: [
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group14-sha1',
    'diffie-hellman-group1-sha1',
  ],
  ciphers: ['aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-cbc', 'aes256-cbc', '3des-cbc'],
  macs: ['hmac-sha1', 'hmac-md5'],
  compression: ['none'],
};

const WEBFIG: HttpConfig = {
  routes: {
    '/': page(
      200,
      [
        ['Content-Type', 'text/html'],
        ['Expires', 'Thu, 01 Jan 1970 00:00:00 GMT'],
        ['Cache-Control', 'no-cache'],
      ],
      '<!doctype html>\n<html lang=en>\n<head>\n<title>RouterOS router configuration page</title>\n' +
        '<meta charset="utf-8">\n</head>\n<body>\n<div id="login"><h1>RouterOS v6.49.10</h1>\n' +
        '<form name="loginForm" action="/jsproxy/" method="post">Login: <input type="text" id="name">\n' +
        'Password: <input type="password" id="password"></form></div>\n</body>\n</html>\n',
    ),
  },
  fallback: NOT_FOUND,
  serverHeaders: [],
};

// ---------------------------------------------------------------------------------------
// Pages that name no vendor: whatever identifies these devices is elsewhere.

const BLANK_LOGIN = page(
  200,
  [
    ['Content-Type', 'text/html; charset=utf-8'],
    ['Cache-Control', 'no-cache'],
    ['X-Frame-Options', 'SAMEORIGIN'],
  ],
  '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title></title>\n' +
    '<script src="/js/app.js"></script>\n</head>\n<body><div id="app"></div></body>\n</html>\n',
);

/** A redirect page as embedded servers send it (Location and a tiny body). */
function redirect(location: string, title: string): HttpResponseSpec {
  return page(
    302,
    [
      ['Location', location],
      ['Content-Type', 'text/html'],
    ],
    `<html><head><title>${title}</title></head><body><a href="${location}">moved</a></body></html>\n`,
  );
}

/** Philips Hue bridge (2015, square) device description, with a made-up serial. */
const HUE_DESCRIPTION =
  '<?xml version="1.0" encoding="UTF-8" ?>\n' +
  '<root xmlns="urn:schemas-upnp-org:device-1-0">\n' +
  '<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n' +
  '<device>\n' +
  '<deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>\n' +
  '<friendlyName>Philips hue ({address})</friendlyName>\n' +
  '<manufacturer>Signify</manufacturer>\n' +
  '<manufacturerURL>http://www.philips-hue.com</manufacturerURL>\n' +
  '<modelDescription>Philips hue Personal Wireless Lighting</modelDescription>\n' +
  '<modelName>Philips hue bridge 2015</modelName>\n' +
  '<modelNumber>BSB002</modelNumber>\n' +
  '<modelURL>http://www.philips-hue.com</modelURL>\n' +
  '<serialNumber>ecb5fa0c1d2e</serialNumber>\n' +
  '<UDN>uuid:2f402f80-da50-11e1-9b23-ecb5fa0c1d2e</UDN>\n' +
  '<presentationURL>index.html</presentationURL>\n' +
  '</device>\n</root>\n';

/** Every depth persona (issue 4), appended to the lab after the hostile ones. */
export const DEPTH_PERSONAS: readonly PersonaDefinition[] = [
  {
    id: 'mikrotik-odd-ports',
    description:
      'MikroTik RouterOS with SSH on 2323, telnet on 8023, WebFig on 81, HTTPS on 8443 and 4443',
    hostile: false,
    expected: label('router', 'mikrotik', { product: 'RouterOS' }),
    services: [
      { protocol: 'ssh', port: 2323, ssh: ROUTEROS_SSH },
      { protocol: 'telnet', port: 8023, telnet: ROUTEROS_TELNET },
      { protocol: 'http', port: 81, http: WEBFIG },
      { protocol: 'https', port: 8443, https: { cert: 'router', http: WEBFIG } },
      // Not a known TLS port: the scanner waits, tries HTTP, gets no HTTP, then tries TLS.
      { protocol: 'https', port: 4443, https: { cert: 'router', http: WEBFIG } },
    ],
  },
  {
    id: 'fortigate-cert',
    description:
      'FortiGate 60E admin page over HTTPS: a blank app page, only the factory certificate names it',
    hostile: false,
    expected: label('firewall', 'fortinet', { product: 'FortiGate', model: '60E' }),
    services: [
      {
        protocol: 'https',
        port: 443,
        https: {
          cert: 'fortigate',
          http: {
            routes: { '/': redirect('/login?redir=%2F', ''), '/login': BLANK_LOGIN },
            fallback: NOT_FOUND,
            serverHeaders: [],
          },
        },
      },
    ],
  },
  {
    id: 'hue-bridge-upnp',
    description: 'Philips Hue bridge: only its UPnP description (SSDP LOCATION) names it',
    hostile: false,
    expected: label('appliance', 'philips', { product: 'Hue bridge', model: '2015' }),
    services: [
      {
        protocol: 'ssdp',
        port: 1900,
        ssdp: {
          server: 'Linux/3.14.0 UPnP/1.0 IpBridge/1.48.0',
          location: 'http://{address}:{port:80}/description.xml',
          st: 'upnp:rootdevice',
          usn: 'uuid:2f402f80-da50-11e1-9b23-ecb5fa0c1d2e::upnp:rootdevice',
        },
      },
      {
        protocol: 'http',
        port: 80,
        http: {
          routes: {
            '/': BLANK_LOGIN,
            '/description.xml': page(200, [['Content-Type', 'text/xml']], HUE_DESCRIPTION),
          },
          fallback: NOT_FOUND,
          serverHeaders: [],
        },
      },
    ],
  },
  {
    id: 'rtsp-camera',
    description: 'White-label IP camera: only RTSP is open, its Server header names the stack',
    hostile: false,
    expected: label('camera', 'hipcam'),
    services: [
      {
        protocol: 'rtsp',
        port: 554,
        rtsp: {
          headers: [
            ['Server', 'Hipcam RealServer/V1.0'],
            ['Public', 'OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, SET_PARAMETER, GET_PARAMETER'],
          ],
        },
      },
    ],
  },
  {
    id: 'redirect-chain',
    description:
      'HTTP redirects / -> /step1 -> … -> /step5 on its own address (longer than followed)',
    hostile: false,
    expected: NOTHING,
    services: [
      {
        protocol: 'http',
        port: 80,
        http: {
          routes: {
            '/': redirect('/step1', 'step 0'),
            '/step1': redirect('/step2', 'step 1'),
            '/step2': redirect('step3', 'step 2'),
            '/step3': redirect('/step4', 'step 3'),
            '/step4': redirect('/step5', 'step 4'),
            '/step5': page(200, [['Content-Type', 'text/html']], '<title>step 5</title>'),
          },
          fallback: NOT_FOUND,
          serverHeaders: [],
        },
      },
    ],
  },
  {
    id: 'ssdp-elsewhere',
    description: 'SSDP reply whose LOCATION points at the next lab address (must not be fetched)',
    hostile: true,
    expected: NOTHING,
    services: [
      {
        protocol: 'ssdp',
        port: 1900,
        ssdp: {
          // A SERVER no signature names (MiniUPnPd's now does): what must stay unlabeled
          // here is whatever the foreign LOCATION would have said.
          server: 'Linux/4.4 UPnP/1.0 igd/2.1',
          location: 'http://{next}:{port:5431}/rootDesc.xml',
          st: 'upnp:rootdevice',
          usn: 'uuid:5e3c1a70-0f1b-4c2d-8e9f-a1b2c3d4e5f6::upnp:rootdevice',
        },
      },
    ],
  },
  // Must directly follow ssdp-elsewhere: counts whoever fetches the foreign LOCATION.
  {
    id: 'upnp-canary',
    description: 'Hostile: silent listener only a client fetching a foreign LOCATION would reach',
    hostile: true,
    expected: NOTHING,
    services: [{ protocol: 'hostile', port: 5431, mode: 'tarpit' }],
  },
];

/**
 * Lab personas for follow-up requests (issue 4, "vendor-telling paths requested only after
 * a softmatch narrowed the vendor"): routers whose front page names the maker but not the
 * model, with the model on an unauthenticated info path their firmware really serves; a
 * router whose login realm already names the model (its info path must never be asked);
 * and a page that hints at two makers at once, answering 404 everywhere else, to show the
 * per-port cap of two follow-ups. Pure data, like `personas.ts`.
 *
 * Models, firmware versions and serials are made up and differ from the signature examples.
 */
import { DEVICE_CLASSES, type DeviceClass } from '../types.js';
import type { HttpConfig, HttpResponseSpec, LabExpectation, PersonaDefinition } from './types.js';

type Headers = readonly (readonly [string, string])[];

function label(
  cls: DeviceClass,
  vendor: string,
  extra: { product?: string; model?: string } = {},
): LabExpectation {
  return { class: cls, vendor_id: vendor, iot: DEVICE_CLASSES[cls], ...extra };
}

function page(status: number, headers: Headers, body: string): HttpResponseSpec {
  return { status, headers, body };
}

const NOT_FOUND = page(
  404,
  [['Content-Type', 'text/html']],
  '<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n',
);

// ---------------------------------------------------------------------------------------
// AVM FRITZ!Box 7530: the login page says "FRITZ!Box"; /jason_boxinfo.xml says which one.

const FRITZ_LOGIN = page(
  200,
  [
    ['Content-Type', 'text/html; charset=utf-8'],
    ['Cache-Control', 'no-cache'],
    ['X-Frame-Options', 'SAMEORIGIN'],
    ['X-Content-Type-Options', 'nosniff'],
  ],
  '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>FRITZ!Box</title>\n' +
    '<link rel="stylesheet" href="/css/rd/login.css">\n</head>\n<body>\n' +
    '<div id="loginArea"><h1>Welcome to your FRITZ!Box</h1>\n' +
    '<form method="POST" action="/"><input type="password" id="uiPass" name="response">' +
    '</form></div>\n</body>\n</html>\n',
);

const FRITZ_BOXINFO =
  '<j:BoxInfo xmlns:j="http://jason.avm.de/updatecheck/">\n' +
  '<j:Name>FRITZ!Box 7530</j:Name>\n<j:HW>243</j:HW>\n<j:Version>164.07.21</j:Version>\n' +
  '<j:Revision>101476</j:Revision>\n<j:Serial>2C91AB0D1E2F</j:Serial>\n<j:OEM>avm</j:OEM>\n' +
  '<j:Lang>en</j:Lang>\n<j:Annex>A</j:Annex>\n<j:Lab/>\n<j:Country>044</j:Country>\n' +
  '<j:Flag>mesh_master</j:Flag>\n<j:UpdateConfig>2</j:UpdateConfig>\n</j:BoxInfo>\n';

const FRITZ_HTTP: HttpConfig = {
  routes: {
    '/': FRITZ_LOGIN,
    '/jason_boxinfo.xml': page(200, [['Content-Type', 'text/xml']], FRITZ_BOXINFO),
  },
  fallback: NOT_FOUND,
  serverHeaders: [],
};

// ---------------------------------------------------------------------------------------
// D-Link DIR-878 over HTTPS: the router page names D-Link; GET /HNAP1/ names the model.

const DLINK_HNAP =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n<soap:Body>\n' +
  '<GetDeviceSettingsResponse xmlns="http://purenetworks.com/HNAP1/">\n' +
  '<GetDeviceSettingsResult>OK</GetDeviceSettingsResult>\n<Type>GatewayWithWiFi</Type>\n' +
  '<DeviceName>D-Link DIR-878</DeviceName>\n<VendorName>D-Link</VendorName>\n' +
  '<ModelDescription>AC1900 MU-MIMO Wi-Fi Router</ModelDescription>\n' +
  '<ModelName>DIR-878</ModelName>\n<FirmwareVersion>1.20B05</FirmwareVersion>\n' +
  '<PresentationURL>/</PresentationURL>\n</GetDeviceSettingsResponse>\n' +
  '</soap:Body>\n</soap:Envelope>\n';

const DLINK_HTTP: HttpConfig = {
  routes: {
    '/': page(
      200,
      [
        ['Content-Type', 'text/html'],
        ['Cache-Control', 'no-cache'],
      ],
      '<html>\n<head>\n<title>D-LINK SYSTEMS, INC. | WIRELESS ROUTER | LOGIN</title>\n' +
        '<script src="/js/hnap.js"></script>\n</head>\n<body><div id="login"></div></body>\n</html>\n',
    ),
    '/HNAP1/': page(200, [['Content-Type', 'text/xml; charset=utf-8']], DLINK_HNAP),
  },
  fallback: NOT_FOUND,
  serverHeaders: [],
};

// ---------------------------------------------------------------------------------------
// NETGEAR R6400: the realm already names the model, so /currentsetting.htm is never asked.

const NETGEAR_HTTP: HttpConfig = {
  routes: {
    '/': page(
      401,
      [
        ['WWW-Authenticate', 'Basic realm="NETGEAR R6400"'],
        ['Content-Type', 'text/html'],
      ],
      '<html><head><title>401 Unauthorized</title></head><body>' +
        '<p>Log in at http://www.routerlogin.net with the admin password.</p></body></html>\n',
    ),
    '/currentsetting.htm': page(
      200,
      [['Content-Type', 'text/html']],
      'Firmware=V1.0.4.122_10.0.95\r\nRegionTag=R6400_WW\r\nRegion=ww\r\nModel=R6400\r\n',
    ),
  },
  fallback: NOT_FOUND,
  serverHeaders: [],
};

// ---------------------------------------------------------------------------------------
// A page hinting at two makers (a FRITZ!Box title, a routerlogin.net link): three paths are
// tempting, every one answers 404, and only two may be asked.

const TWO_HINTS_HTTP: HttpConfig = {
  routes: {
    '/': page(
      200,
      [['Content-Type', 'text/html']],
      '<html><head><title>FRITZ!Box</title></head><body>' +
        '<p>Moved from routerlogin.net? Your new router lives here.</p></body></html>\n',
    ),
  },
  fallback: NOT_FOUND,
  serverHeaders: [],
};

/** The follow-up personas, appended to the lab's aggregate list. */
export const FOLLOWUP_PERSONAS: readonly PersonaDefinition[] = [
  {
    id: 'fritzbox-followup',
    description:
      'AVM FRITZ!Box 7530: the login page names only "FRITZ!Box", /jason_boxinfo.xml the model',
    hostile: false,
    expected: label('router', 'avm', { product: 'FRITZ!Box', model: '7530' }),
    services: [{ protocol: 'http', port: 80, http: FRITZ_HTTP }],
  },
  {
    id: 'dlink-hnap-https',
    description:
      'D-Link DIR-878 over HTTPS only: the router page names D-Link, GET /HNAP1/ the model',
    hostile: false,
    expected: label('router', 'dlink', { product: 'DIR router', model: 'DIR-878' }),
    services: [{ protocol: 'https', port: 443, https: { cert: 'router', http: DLINK_HTTP } }],
  },
  {
    id: 'netgear-realm-model',
    description:
      'NETGEAR R6400 whose login realm names the model: its /currentsetting.htm is never needed',
    hostile: false,
    expected: label('router', 'netgear', { product: 'Router', model: 'R6400' }),
    services: [{ protocol: 'http', port: 80, http: NETGEAR_HTTP }],
  },
  {
    id: 'two-maker-hints',
    description:
      'A FRITZ!Box title beside a routerlogin.net link, 404 everywhere else: two follow-ups at most',
    hostile: false,
    expected: label('router', 'avm', { product: 'FRITZ!Box' }),
    services: [{ protocol: 'http', port: 80, http: TWO_HINTS_HTTP }],
  },
];

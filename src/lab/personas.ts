/**
 * The lab's device farm as data: banners, pages, headers and expected labels per persona.
 *
 * Everything here is written for the lab from how these devices present themselves in the
 * field (option bytes, greeting formats, header order, page titles); it is not copied from
 * any fingerprint database, and it deliberately does not mirror the signature examples:
 * versions, host names and models vary as real firmware does. Host names sit under
 * example.com / example.net, serial numbers and MAC-derived names are made up.
 *
 * No behaviour lives here: the generic servers in `servers/` turn this data into protocol.
 */
import { DEVICE_CLASSES, type DeviceClass } from '../types.js';
import { iconResponse, SHARED_ICONS } from './favicon.js';
import { DEPTH_PERSONAS } from './personas-depth.js';
import { DEPTH2_PERSONAS } from './personas-depth2.js';
import { DEPTH3_PERSONAS } from './personas-depth3.js';
import { FOLLOWUP_PERSONAS } from './personas-followup.js';
import { HOSTILE_PERSONAS } from './personas-hostile.js';
import type {
  FtpConfig,
  HttpConfig,
  HttpResponseSpec,
  LabExpectation,
  PersonaDefinition,
  SmtpConfig,
  SmtpReplies,
  SshConfig,
  TelnetConfig,
} from './types.js';

// ---------------------------------------------------------------------------------------
// Telnet option offers, as the daemons send them before any text.

/** BusyBox telnetd: DO ECHO, DO NAWS, WILL ECHO, WILL SGA. */
const BUSYBOX_TELNETD = [0xff, 0xfd, 0x01, 0xff, 0xfd, 0x1f, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03];
/** netkit/inetutils telnetd: DO TTYPE, DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON. */
const NETKIT_TELNETD = [0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20, 0xff, 0xfd, 0x23, 0xff, 0xfd, 0x27];
/** RouterOS telnet: DO TTYPE, DO NAWS, WILL ECHO, WILL SGA, DO SGA. */
const ROUTEROS_TELNETD = [
  0xff, 0xfd, 0x18, 0xff, 0xfd, 0x1f, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03, 0xff, 0xfd, 0x03,
];

/** A `login`-style dialogue: `Password: ` then `Login incorrect`, three tries. */
function loginDialogue(
  negotiation: readonly number[],
  banner: string,
  prompt: string,
): TelnetConfig {
  return {
    negotiation,
    banner,
    loginPrompt: prompt,
    passwordPrompt: 'Password: ',
    failure: 'Login incorrect',
    maxAttempts: 3,
  };
}

// ---------------------------------------------------------------------------------------
// SMTP daemons' refusal texts.

/** Postfix 3.x with SASL off, VRFY disabled and client restrictions in front of MAIL. */
const POSTFIX_REPLIES: SmtpReplies = {
  mail: '554 5.7.1 <unknown[{client}]>: Client host rejected: Access denied',
  rcpt: '503 5.5.1 Error: need MAIL command',
  data: '503 5.5.1 Error: need RCPT command',
  auth: '503 5.5.1 Error: authentication not enabled',
  starttls: '454 4.7.0 TLS not available due to local problem',
  quit: '221 2.0.0 Bye',
  unknown: '502 5.5.2 Error: command not recognized',
  noop: '250 2.0.0 Ok',
  rset: '250 2.0.0 Ok',
  vrfy: '502 5.5.1 VRFY command is disabled',
  help: '502 5.5.2 Error: command not recognized',
  tooLong: '500 5.5.2 Error: line too long',
};

function postfix(greeting: string, host: string, keywords: readonly string[]): SmtpConfig {
  return { greeting: [greeting], ehlo: [host, ...keywords], helo: host, replies: POSTFIX_REPLIES };
}

/** Exim 4 as Debian ships it (no relay, no AUTH advertised). */
function exim(host: string, version: string): SmtpConfig {
  return {
    greeting: [`${host} ESMTP Exim ${version} {date}`],
    ehlo: [
      `${host} Hello {helo} [{client}]`,
      'SIZE 52428800',
      '8BITMIME',
      'PIPELINING',
      'PIPECONNECT',
      'CHUNKING',
      'PRDR',
      'HELP',
    ],
    helo: `${host} Hello {helo} [{client}]`,
    replies: {
      mail: '550 Administrative prohibition',
      rcpt: '503 sender not yet given',
      data: '503 valid RCPT command must precede DATA',
      auth: '503 AUTH command used when not advertised',
      starttls: '500 unrecognized command',
      quit: `221 ${host} closing connection`,
      unknown: '500 unrecognized command',
      noop: '250 OK',
      rset: '250 Reset OK',
      vrfy: '252 Administrative prohibition',
      help: '214-Commands supported:\r\n214 AUTH HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP',
      tooLong: '500 line too long',
    },
  };
}

/** The IIS SMTP service of Windows Server. */
function iisSmtp(host: string, version: string): SmtpConfig {
  return {
    greeting: [`${host} Microsoft ESMTP MAIL Service, Version: ${version} ready at  {date} `],
    ehlo: [
      `${host} Hello [{client}]`,
      'TURN',
      'SIZE 2097152',
      'ETRN',
      'PIPELINING',
      'DSN',
      'ENHANCEDSTATUSCODES',
      '8bitmime',
      'BINARYMIME',
      'CHUNKING',
      'VRFY',
      'OK',
    ],
    helo: `${host} Hello [{client}]`,
    replies: {
      mail: '530 5.7.3 Client was not authenticated',
      rcpt: '503 5.5.2 Need mail command',
      data: '503 5.5.2 Need Rcpt command.',
      auth: '504 5.7.4 Unrecognized authentication type',
      starttls: '502 5.3.3 Command not implemented',
      quit: `221 2.0.0 ${host} Service closing transmission channel`,
      unknown: '500 5.3.3 Unrecognized command',
      noop: '250 2.0.0 OK',
      rset: '250 2.0.0 Resetting',
      vrfy: '252 2.1.5 Cannot VRFY user',
      help:
        '214-This server supports the following commands:\r\n' +
        '214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH TURN ETRN BDAT VRFY',
      tooLong: '500 5.5.2 Line too long',
    },
  };
}

// ---------------------------------------------------------------------------------------
// FTP daemons.

const VSFTPD_FEAT = [
  '211-Features:',
  ' EPRT',
  ' EPSV',
  ' MDTM',
  ' PASV',
  ' REST STREAM',
  ' SIZE',
  ' TVFS',
  ' UTF8',
  '211 End',
] as const;

function vsftpd(version: string): FtpConfig {
  return {
    greeting: [`(vsFTPd ${version})`],
    user: '331 Please specify the password.',
    pass: '530 Login incorrect.',
    syst: '215 UNIX Type: L8',
    feat: VSFTPD_FEAT,
    quit: '221 Goodbye.',
    notLoggedIn: '530 Please login with USER and PASS.',
    unknown: '530 Please login with USER and PASS.',
  };
}

// ---------------------------------------------------------------------------------------
// SSH daemons: ident and KEXINIT offer in the daemon's order.

const OPENSSH_CIPHERS = [
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
] as const;
const OPENSSH_MACS = [
  'umac-64-etm@openssh.com',
  'umac-128-etm@openssh.com',
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha1-etm@openssh.com',
  'umac-64@openssh.com',
  'umac-128@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-sha1',
] as const;
const OPENSSH_KEX_8 = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'sntrup761x25519-sha512@openssh.com',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
] as const;

function openssh(ident: string, kex: readonly string[]): SshConfig {
  return {
    ident,
    hostKey: 'ed25519',
    kex,
    ciphers: OPENSSH_CIPHERS,
    macs: OPENSSH_MACS,
    compression: ['none', 'zlib@openssh.com'],
  };
}

// ---------------------------------------------------------------------------------------
// HTTP helpers.

type Headers = readonly (readonly [string, string])[];

function page(status: number, headers: Headers, body: string, reason?: string): HttpResponseSpec {
  return reason === undefined ? { status, headers, body } : { status, headers, body, reason };
}

/** A web server config whose fallback is a 404 page with the given headers. */
function site(
  serverHeaders: Headers,
  routes: Readonly<Record<string, HttpResponseSpec>>,
  notFound: HttpResponseSpec,
  options: { readonly keepAlive?: boolean } = {},
): HttpConfig {
  return { routes, fallback: notFound, serverHeaders, ...options };
}

/** Servers that keep connections alive by default (lighttpd, Apache, IIS, Twisted). */
const PERSISTENT = { keepAlive: true } as const;

function label(
  cls: DeviceClass,
  vendor: string | null,
  extra: { product?: string; model?: string } = {},
): LabExpectation {
  return { class: cls, vendor_id: vendor, iot: DEVICE_CLASSES[cls], ...extra };
}

/** Expectation for the hostile personas and the empty address: nothing to identify. */
export const NOTHING: LabExpectation = { class: null, vendor_id: null, iot: null };

// ---------------------------------------------------------------------------------------
// Personas.

const LIGHTTPD_DLINK: Headers = [['Server', 'lighttpd/1.4.28']];
const TWISTED_DM: Headers = [['Server', 'TwistedWeb/8.2.0']];
const TWISTED_VU: Headers = [['Server', 'TwistedWeb/16.4.1']];
const IIS: Headers = [
  ['Server', 'Microsoft-IIS/10.0'],
  ['X-Powered-By', 'ASP.NET'],
];
const APACHE_UBUNTU: Headers = [['Server', 'Apache/2.4.52 (Ubuntu)']];
const HP_EWS: Headers = [
  [
    'Server',
    'HP HTTP Server; HP LaserJet Pro M402dn - C5F94A; Serial Number: PHBXK41207; ' +
      'Built:Wed Mar 13, 2019 05:17:36AM {DEJEFWXX1N002.2003C}',
  ],
];
const HIKVISION: Headers = [['Server', 'App-webs/']];

/** Every persona, in address order (`prefix.10` onwards). */
export const PERSONAS: readonly PersonaDefinition[] = [
  {
    id: 'busybox-router',
    description: 'Unbranded BusyBox router: telnetd login with no host name set',
    hostile: false,
    expected: label('unknown-embedded', null),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: loginDialogue(BUSYBOX_TELNETD, '\r\n', '(none) login: '),
      },
    ],
  },
  {
    id: 'tplink-router',
    description: 'TP-Link TL-WR841N home router: Basic-auth web UI naming the model, telnet',
    hostile: false,
    expected: label('router', 'tplink', { product: 'Wireless N Router', model: 'TL-WR841N' }),
    services: [
      {
        protocol: 'http',
        port: 80,
        http: site(
          [['Server', 'Router Webserver']],
          {},
          page(
            401,
            [
              ['Server', 'Router Webserver'],
              ['Connection', 'close'],
              ['WWW-Authenticate', 'Basic realm="TP-LINK Wireless N Router WR841N"'],
              ['Content-Type', 'text/html'],
            ],
            '<HTML><HEAD><TITLE>401 Unauthorized</TITLE></HEAD>\n' +
              '<BODY BGCOLOR="#cc9999"><H4>401 Unauthorized</H4>\n' +
              'Authorization required.\n</BODY></HTML>\n',
            'N/A',
          ),
        ),
      },
      {
        protocol: 'telnet',
        port: 23,
        telnet: loginDialogue(BUSYBOX_TELNETD, '\r\n', '(none) login: '),
      },
    ],
  },
  {
    id: 'mikrotik-router',
    description: 'MikroTik RouterOS 6 router: telnet, SSH, FTP and WebFig',
    hostile: false,
    expected: label('router', 'mikrotik', { product: 'RouterOS' }),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: {
          negotiation: ROUTEROS_TELNETD,
          banner: 'MikroTik v6.48.6 (long-term)\r\n',
          loginPrompt: 'Login: ',
          passwordPrompt: 'Password: ',
          failure: 'Login failed, incorrect username or password',
          maxAttempts: 3,
        },
      },
      {
        protocol: 'ssh',
        port: 22,
        ssh: {
          ident: 'ROSSSH',
          hostKey: 'ecdsa',
          kex: [
            'diffie-hellman-group-exchange-sha256',
            'diffie-hellman-group14-sha1',
            'diffie-hellman-group-exchange-sha1',
            'diffie-hellman-group1-sha1',
          ],
          ciphers: [
            'aes128-ctr',
            'aes192-ctr',
            'aes256-ctr',
            'aes128-cbc',
            'aes192-cbc',
            'aes256-cbc',
            'blowfish-cbc',
            '3des-cbc',
          ],
          macs: ['hmac-sha1', 'hmac-md5'],
          compression: ['none'],
        },
      },
      {
        protocol: 'ftp',
        port: 21,
        ftp: {
          greeting: ['MikroTik FTP server (MikroTik 6.48.6) ready'],
          user: '331 Password required',
          pass: '530 Login incorrect',
          syst: '215 UNIX Type: L8',
          feat: null,
          quit: '221 Closing',
          notLoggedIn: '530 Please login with USER and PASS',
          unknown: '500 Unknown command',
        },
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          [],
          {
            '/': page(
              200,
              [
                ['Content-Type', 'text/html'],
                ['Expires', 'Thu, 01 Jan 1970 00:00:00 GMT'],
                ['Cache-Control', 'no-cache'],
              ],
              '<!doctype html>\n<html lang=en>\n<head>\n<title>RouterOS router configuration page</title>\n' +
                '<meta charset="utf-8">\n<link rel="stylesheet" href="/webfig/default.css">\n</head>\n' +
                '<body>\n<div id="top"><div id="login">\n<h1>RouterOS v6.48.6</h1>\n' +
                '<form name="loginForm" action="/jsproxy/" method="post">\n' +
                'Login: <input type="text" id="name"> Password: <input type="password" id="password">\n' +
                '<input type="submit" value="Login">\n</form></div>\n' +
                '<p>You have connected to a router. Administrative access only.</p>\n' +
                '<p><a href="/winbox/winbox.exe">Winbox</a> | <a href="/webfig/">Webfig</a> | ' +
                '<a href="/graphs/">Graphs</a> | <a href="http://www.mikrotik.com/">mikrotik</a></p>\n' +
                '</div>\n</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse([], {
              background: [255, 255, 255],
              foreground: [40, 60, 120],
              pattern: 'diagonal',
            }),
          },
          page(404, [['Content-Type', 'text/html']], '<html><body>Not found</body></html>\n'),
        ),
      },
    ],
  },
  {
    id: 'dlink-nas',
    description: 'D-Link ShareCenter DNS-320 NAS: telnet, Dropbear SSH, SMTP and lighttpd UI',
    hostile: false,
    expected: label('nas', 'dlink', { product: 'ShareCenter', model: 'DNS-320' }),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: loginDialogue(BUSYBOX_TELNETD, '\r\n', 'dlink-4A7F21 login: '),
      },
      {
        protocol: 'ssh',
        port: 22,
        ssh: {
          ident: 'dropbear_2012.55',
          hostKey: 'ecdsa',
          kex: ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1'],
          ciphers: [
            'aes128-ctr',
            '3des-ctr',
            'aes256-ctr',
            'aes128-cbc',
            '3des-cbc',
            'aes256-cbc',
            'twofish256-cbc',
            'twofish-cbc',
            'twofish128-cbc',
            'blowfish-cbc',
          ],
          macs: ['hmac-sha1-96', 'hmac-sha1', 'hmac-md5'],
          compression: ['zlib@openssh.com', 'zlib', 'none'],
        },
      },
      {
        protocol: 'smtp',
        port: 25,
        smtp: postfix('dlink-4A7F21 ESMTP Postfix', 'dlink-4A7F21', [
          'PIPELINING',
          'SIZE 10240000',
          'VRFY',
          'ETRN',
          'ENHANCEDSTATUSCODES',
          '8BITMIME',
          'DSN',
        ]),
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          LIGHTTPD_DLINK,
          {
            '/': page(
              200,
              [
                ['Content-Type', 'text/html'],
                ['Accept-Ranges', 'bytes'],
                ['ETag', '"1893713415"'],
                ['Last-Modified', 'Tue, 14 Jan 2014 09:12:40 GMT'],
                ...LIGHTTPD_DLINK,
              ],
              '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n' +
                '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n' +
                '<title>ShareCenter</title>\n<link href="/web/css/style.css" rel="stylesheet">\n' +
                '</head>\n<body>\n<div class="header"><span class="product">Product Page : DNS-320</span>' +
                '<span class="fw">Firmware Version : 2.05</span></div>\n' +
                '<div class="logo">ShareCenter&trade; 2-Bay Network Storage Enclosure</div>\n' +
                '<form method="post" action="/cgi-bin/login_mgr.cgi">\n' +
                'User Name : <input type="text" name="username"><br>\n' +
                'Password : <input type="password" name="pwd"><br>\n' +
                '<input type="submit" value="Login">\n</form>\n' +
                '<div class="copyright">Copyright &copy; 2014 D-Link Corporation. All rights reserved.</div>\n' +
                '</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse(LIGHTTPD_DLINK, {
              background: [255, 255, 255],
              foreground: [0, 100, 150],
              pattern: 'square',
            }),
          },
          page(
            404,
            [['Content-Type', 'text/html'], ...LIGHTTPD_DLINK],
            '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
              '<html><head><title>404 - Not Found</title></head>\n' +
              '<body><h1>404 - Not Found</h1></body></html>\n',
          ),
          PERSISTENT,
        ),
      },
    ],
  },
  {
    id: 'netgear-nas',
    description: 'NETGEAR ReadyNAS OS 6 (Debian-based): OpenSSH, Postfix, admin web UI',
    hostile: false,
    expected: label('nas', 'netgear', { product: 'ReadyNAS' }),
    services: [
      {
        protocol: 'ssh',
        port: 22,
        ssh: {
          ident: 'OpenSSH_6.7p1 Debian-5+deb8u8',
          hostKey: 'ed25519',
          kex: [
            'curve25519-sha256@libssh.org',
            'ecdh-sha2-nistp256',
            'ecdh-sha2-nistp384',
            'ecdh-sha2-nistp521',
            'diffie-hellman-group-exchange-sha256',
            'diffie-hellman-group14-sha1',
          ],
          ciphers: [
            'aes128-ctr',
            'aes192-ctr',
            'aes256-ctr',
            'aes128-gcm@openssh.com',
            'aes256-gcm@openssh.com',
            'chacha20-poly1305@openssh.com',
          ],
          macs: OPENSSH_MACS,
          compression: ['none', 'zlib@openssh.com'],
        },
      },
      {
        protocol: 'smtp',
        port: 25,
        smtp: postfix('nas-3B-1C-8E ESMTP Postfix (Debian/GNU)', 'nas-3B-1C-8E', [
          'PIPELINING',
          'SIZE 10240000',
          'VRFY',
          'ETRN',
          'STARTTLS',
          'ENHANCEDSTATUSCODES',
          '8BITMIME',
          'DSN',
        ]),
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          [['Server', 'Apache']],
          {
            '/': page(
              200,
              [
                ['Server', 'Apache'],
                ['Last-Modified', 'Thu, 07 Jun 2018 21:40:13 GMT'],
                ['Accept-Ranges', 'bytes'],
                ['Vary', 'Accept-Encoding'],
                ['Content-Type', 'text/html'],
              ],
              '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
                '<title>ReadyNAS Web Access - nas-3B-1C-8E</title>\n' +
                '<link rel="stylesheet" href="/shares/css/readynas.css">\n</head>\n<body>\n' +
                '<div id="header"><span class="brand">NETGEAR</span> ReadyNAS OS 6</div>\n' +
                '<div id="content"><h2>Shares on nas-3B-1C-8E</h2>\n' +
                '<p>To manage this device, open <a href="/admin/">ReadyNAS Admin Page</a>.</p>\n' +
                '</div>\n</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse([['Server', 'Apache']], {
              background: [30, 30, 30],
              foreground: [120, 200, 40],
              pattern: 'frame',
            }),
          },
          page(
            404,
            [
              ['Server', 'Apache'],
              ['Content-Type', 'text/html; charset=iso-8859-1'],
            ],
            '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n' +
              '<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n' +
              '<p>The requested URL was not found on this server.</p>\n</body></html>\n',
          ),
          PERSISTENT,
        ),
      },
    ],
  },
  {
    id: 'dreambox',
    description: 'Dreambox DM800SE satellite receiver: telnet, vsftpd, Enigma2 web interface',
    hostile: false,
    expected: label('set-top-box', 'dreambox', { product: 'Dreambox', model: 'DM800SE' }),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: loginDialogue(
          BUSYBOX_TELNETD,
          '\r\nopendreambox 1.6.0 dm800se\r\n\r\n',
          'dm800se login: ',
        ),
      },
      { protocol: 'ftp', port: 21, ftp: vsftpd('2.3.5') },
      {
        protocol: 'http',
        port: 80,
        http: site(
          TWISTED_DM,
          {
            '/': page(
              200,
              [['Content-Type', 'text/html'], ['Expires', '-1'], ...TWISTED_DM],
              '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n' +
                '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n' +
                '<title>Dreambox WebControl</title>\n' +
                '<link rel="stylesheet" type="text/css" href="/web-data/style.css">\n' +
                '<script type="text/javascript" src="/web-data/lib/prototype.js"></script>\n' +
                '</head>\n<body>\n<div id="header"><img src="/web-data/img/dm800se.png" alt="dm800se">' +
                '<span id="boxtype">dm800se</span></div>\n' +
                '<div id="navigation"><a href="#" onclick="loadBouquets()">TV</a> ' +
                '<a href="#" onclick="loadRadio()">Radio</a> <a href="#" onclick="loadMovies()">Movies</a></div>\n' +
                '<div id="footer">Enigma2 WebInterface 1.6.8</div>\n</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse(TWISTED_DM, {
              background: [0, 0, 0],
              foreground: [230, 230, 230],
              pattern: 'dot',
            }),
          },
          page(
            404,
            [['Content-Type', 'text/html'], ...TWISTED_DM],
            '<html>\n  <head><title>404 - No Such Resource</title></head>\n  <body>\n' +
              '    <h1>No Such Resource</h1>\n    <p>No such child resource.</p>\n  </body>\n</html>\n',
          ),
          PERSISTENT,
        ),
      },
    ],
  },
  {
    id: 'vuplus-duo2',
    description: 'VU+ Duo2 receiver on OpenPLi: telnet, Dropbear SSH, OpenWebif',
    hostile: false,
    expected: label('set-top-box', 'vuplus', { product: 'VU+ Duo2' }),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: loginDialogue(BUSYBOX_TELNETD, '\r\nopenpli 7.3 vuduo2\r\n\r\n', 'vuduo2 login: '),
      },
      {
        protocol: 'ssh',
        port: 22,
        ssh: {
          ident: 'dropbear_2019.78',
          hostKey: 'ecdsa',
          kex: [
            'curve25519-sha256',
            'curve25519-sha256@libssh.org',
            'ecdh-sha2-nistp521',
            'ecdh-sha2-nistp384',
            'ecdh-sha2-nistp256',
            'diffie-hellman-group14-sha256',
            'diffie-hellman-group14-sha1',
            'kexguess2@matt.ucc.asn.au',
          ],
          ciphers: ['aes128-ctr', 'aes256-ctr', 'aes128-cbc', 'aes256-cbc', '3des-ctr', '3des-cbc'],
          macs: ['hmac-sha1-96', 'hmac-sha1', 'hmac-sha2-256'],
          compression: ['zlib@openssh.com', 'none'],
        },
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          TWISTED_VU,
          {
            '/': page(
              200,
              [
                ['Content-Type', 'text/html'],
                ['Set-Cookie', 'TWISTED_SESSION=1f0c6e6b2a5d4c1f8e3b9a7d6c5b4a39; Path=/'],
                ...TWISTED_VU,
              ],
              '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n<title>OpenWebif</title>\n' +
                '<link rel="stylesheet" href="/css/style.min.css">\n</head>\n<body>\n' +
                '<div id="container">\n<div id="header"><h1><a href="/">Open<span>Webif</span></a></h1>\n' +
                '<h2>OpenWebif for vuduo2</h2></div>\n' +
                '<div id="leftmenu"><div id="boximage"><img src="/images/boxes/vuduo2.png" ' +
                'alt="Vu+ Duo2"></div>\n<p>Vu+ Duo2<br>OpenPLi 7.3</p></div>\n' +
                '<div id="content">Loading...</div>\n' +
                '<div id="footer">OpenWebif Version: 1.4.9</div>\n</div>\n</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse(TWISTED_VU, {
              background: [20, 40, 90],
              foreground: [250, 250, 250],
              pattern: 'stripes',
            }),
          },
          page(
            404,
            [['Content-Type', 'text/html'], ...TWISTED_VU],
            '<html>\n  <head><title>404 - No Such Resource</title></head>\n  <body>\n' +
              '    <h1>No Such Resource</h1>\n    <p>No such child resource.</p>\n  </body>\n</html>\n',
          ),
          PERSISTENT,
        ),
      },
    ],
  },
  {
    id: 'melita-stb',
    description: 'Melita Cable HD box (operator-branded cable set-top box): telnet and web status',
    hostile: false,
    expected: label('set-top-box', 'melita', { product: 'Cable HD box' }),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: loginDialogue(
          NETKIT_TELNETD,
          '\r\nMelita Cable HD - STB software 4.12.3\r\n',
          'stb login: ',
        ),
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          [['Server', 'micro_httpd']],
          {
            '/': page(
              200,
              [
                ['Server', 'micro_httpd'],
                ['Cache-Control', 'no-cache'],
                ['Content-Type', 'text/html'],
              ],
              '<html>\n<head>\n<title>Melita Cable HD - Box Status</title>\n</head>\n' +
                '<body bgcolor="#ffffff">\n<h2>Melita Cable HD</h2>\n<table border="0">\n' +
                '<tr><td>Software version</td><td>4.12.3</td></tr>\n' +
                '<tr><td>Hardware</td><td>HD-DVR 2.1</td></tr>\n' +
                '<tr><td>CA status</td><td>Entitled</td></tr>\n' +
                '<tr><td>Downstream</td><td>Locked 650 MHz QAM256</td></tr>\n' +
                '</table>\n</body>\n</html>\n',
            ),
          },
          page(
            404,
            [
              ['Server', 'micro_httpd'],
              ['Content-Type', 'text/html'],
            ],
            '<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n' +
              '<BODY BGCOLOR="#cc9999"><H4>404 Not Found</H4>\nFile not found.\n</BODY></HTML>\n',
            'Not Found',
          ),
        ),
      },
    ],
  },
  {
    id: 'realtek-player',
    description: 'Realtek Venus-platform network media player (sold as PBO, Masscool, Ryan)',
    hostile: false,
    expected: label('media-player', 'realtek', { product: 'Venus' }),
    services: [
      {
        protocol: 'telnet',
        port: 23,
        telnet: loginDialogue(BUSYBOX_TELNETD, '\r\n', 'Venus login: '),
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          [['Server', 'Boa/0.94.14rc21']],
          {
            '/': page(
              200,
              [
                ['Server', 'Boa/0.94.14rc21'],
                ['Accept-Ranges', 'bytes'],
                ['Last-Modified', 'Mon, 16 Apr 2012 03:21:09 GMT'],
                ['Content-Type', 'text/html'],
              ],
              '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n' +
                '<title>Network Media Player</title>\n</head>\n<body>\n' +
                '<h3>Network Media Player - Web Control</h3>\n' +
                '<p><a href="/cgi-bin/bt.cgi">BitTorrent Download</a> | ' +
                '<a href="/cgi-bin/samba.cgi">Network Share</a> | ' +
                '<a href="/cgi-bin/sysinfo.cgi">System Information</a></p>\n' +
                '<p>Platform: RTD1073 (Venus) &nbsp; Firmware: R2.20.1104</p>\n</body>\n</html>\n',
            ),
          },
          page(
            404,
            [
              ['Server', 'Boa/0.94.14rc21'],
              ['Content-Type', 'text/html; charset=ISO-8859-1'],
            ],
            '<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n' +
              '<BODY><H1>404 Not Found</H1>\nThe requested URL / was not found on this server.\n' +
              '</BODY></HTML>\n',
          ),
        ),
      },
    ],
  },
  {
    id: 'samsung-tv',
    description: 'Samsung Tizen Smart TV: DLNA/UPnP on 7676 and the remote-control API on 8001',
    hostile: false,
    expected: label('smart-tv', 'samsung', { product: 'Smart TV' }),
    services: [
      {
        protocol: 'http',
        port: 7676,
        http: site(
          [['SERVER', 'SHP, UPnP/1.0, Samsung UPnP SDK/1.0']],
          {
            '/smp_7_': page(
              200,
              [
                ['CONTENT-TYPE', 'text/xml;charset=utf-8'],
                ['SERVER', 'SHP, UPnP/1.0, Samsung UPnP SDK/1.0'],
              ],
              '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0" ' +
                'xmlns:sec="http://www.sec.co.kr/dlna">\n<specVersion><major>1</major><minor>0</minor></specVersion>\n' +
                '<device>\n<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>\n' +
                '<friendlyName>[TV] Samsung 7 Series (55)</friendlyName>\n' +
                '<manufacturer>Samsung Electronics</manufacturer>\n' +
                '<manufacturerURL>http://www.samsung.com/sec</manufacturerURL>\n' +
                '<modelDescription>Samsung TV DMR</modelDescription>\n' +
                '<modelName>UE55MU7000</modelName>\n<modelNumber>AllShare1.0</modelNumber>\n' +
                '<UDN>uuid:0a4f7c31-1d2e-4b5a-9c8d-7e6f5a4b3c2d</UDN>\n' +
                '<sec:deviceID>MTCN4UQJAZBMQ</sec:deviceID>\n</device>\n</root>\n',
            ),
          },
          page(
            404,
            [
              ['CONTENT-LENGTH', '0'],
              ['SERVER', 'SHP, UPnP/1.0, Samsung UPnP SDK/1.0'],
            ],
            '',
          ),
        ),
      },
      {
        protocol: 'http',
        port: 8001,
        http: site(
          [],
          {
            '/api/v2/': page(
              200,
              [
                ['Content-Type', 'application/json; charset=utf-8'],
                ['Access-Control-Allow-Origin', '*'],
              ],
              JSON.stringify({
                device: {
                  FrameTVSupport: 'false',
                  GamePadSupport: 'true',
                  ImeSyncedSupport: 'true',
                  OS: 'Tizen',
                  TokenAuthSupport: 'true',
                  VoiceSupport: 'true',
                  countryCode: 'GB',
                  description: 'Samsung DTV RCR',
                  developerIP: '0.0.0.0',
                  developerMode: '0',
                  duid: 'uuid:0a4f7c31-1d2e-4b5a-9c8d-7e6f5a4b3c2d',
                  firmwareVersion: 'Unknown',
                  id: 'uuid:0a4f7c31-1d2e-4b5a-9c8d-7e6f5a4b3c2d',
                  model: '17_KANTM_UHD',
                  modelName: 'UE55MU7000',
                  name: '[TV] Samsung 7 Series (55)',
                  networkType: 'wired',
                  resolution: '3840x2160',
                  smartHubAgreement: 'true',
                  type: 'Samsung SmartTV',
                  udn: 'uuid:0a4f7c31-1d2e-4b5a-9c8d-7e6f5a4b3c2d',
                  wifiMac: '8c:71:f8:3d:22:1a',
                },
                id: 'uuid:0a4f7c31-1d2e-4b5a-9c8d-7e6f5a4b3c2d',
                isSupport:
                  '{"DMP_DRM_PLAYREADY":"false","DMP_DRM_WIDEVINE":"false","DMP_available":"true",' +
                  '"EDEN_available":"true","FrameTVSupport":"false","ImeSyncedSupport":"true",' +
                  '"TokenAuthSupport":"true","remote_available":"true","remote_fourDirections":"true",' +
                  '"remote_touchPad":"true","remote_voiceControl":"true"}\n',
                name: '[TV] Samsung 7 Series (55)',
                remote: '1.0',
                type: 'Samsung SmartTV',
                uri: 'http://{address}:8001/api/v2/',
                version: '2.0.25',
              }),
            ),
          },
          page(404, [['Content-Type', 'text/plain; charset=utf-8']], 'Cannot GET /\n'),
        ),
      },
    ],
  },
  {
    id: 'game-console',
    description: 'Sony PlayStation 4 in rest mode: answers Device Discovery Protocol on udp/987',
    hostile: false,
    expected: label('game-console', 'sony', { product: 'PlayStation', model: 'PS4' }),
    services: [
      {
        protocol: 'udp-text',
        port: 987,
        udpText: {
          requestPrefix: 'SRCH * HTTP/1.1',
          reply:
            'HTTP/1.1 620 Server Standby\n' +
            'host-id:70662FA1B3C4\n' +
            'host-type:PS4\n' +
            'host-name:PS4-417\n' +
            'host-request-port:997\n' +
            'device-discovery-protocol-version:00020020\n' +
            'system-version:08520001\n\n',
        },
      },
    ],
  },
  {
    id: 'smart-fridge',
    description: 'Samsung Family Hub refrigerator: local web UI',
    hostile: false,
    expected: label('appliance', 'samsung', { product: 'Family Hub' }),
    services: [
      {
        protocol: 'http',
        port: 80,
        http: site(
          [],
          {
            '/': page(
              200,
              [
                ['Content-Type', 'text/html; charset=UTF-8'],
                ['Cache-Control', 'no-store'],
                ['X-Frame-Options', 'SAMEORIGIN'],
              ],
              '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="UTF-8">\n' +
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
                '<title>Samsung Family Hub</title>\n<link rel="stylesheet" href="/css/fh.css">\n' +
                '</head>\n<body>\n<div class="app">\n<header>Family Hub Refrigerator</header>\n' +
                '<section id="status"><p>Fridge <span id="t1">3 &deg;C</span> &middot; ' +
                'Freezer <span id="t2">-19 &deg;C</span></p>\n' +
                '<p>Model RF28M9580SG &middot; Software 2.1.2 (Tizen)</p></section>\n' +
                '<p>Sign in with your Samsung account in the SmartThings app to manage this appliance.</p>\n' +
                '</div>\n<script src="/js/fh.min.js"></script>\n</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse([], {
              background: [20, 40, 160],
              foreground: [255, 255, 255],
              pattern: 'frame',
            }),
          },
          page(
            404,
            [['Content-Type', 'text/html; charset=UTF-8']],
            '<!DOCTYPE html><html><head><title>Not Found</title></head><body>Not Found</body></html>\n',
          ),
        ),
      },
    ],
  },
  {
    id: 'hp-printer',
    description: 'HP LaserJet Pro M402dn: SNMP (JetDirect) and the Embedded Web Server',
    hostile: false,
    expected: label('printer', 'hp', { product: 'LaserJet', model: 'M402dn' }),
    services: [
      {
        protocol: 'snmp',
        port: 161,
        snmp: {
          community: 'public',
          variables: [
            {
              oid: '1.3.6.1.2.1.1.1.0',
              type: 'string',
              value:
                'HP ETHERNET MULTI-ENVIRONMENT,SN:PHBXK41207,FN:1N91F8K,SVCID:28071,' +
                'PID:HP LaserJet Pro M402dn',
            },
            { oid: '1.3.6.1.2.1.1.2.0', type: 'oid', value: '1.3.6.1.4.1.11.2.3.9.1' },
            { oid: '1.3.6.1.2.1.1.3.0', type: 'uptime', value: '' },
            { oid: '1.3.6.1.2.1.1.4.0', type: 'string', value: '' },
            { oid: '1.3.6.1.2.1.1.5.0', type: 'string', value: 'NPI5D02E7' },
            { oid: '1.3.6.1.2.1.1.6.0', type: 'string', value: '' },
          ],
        },
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          HP_EWS,
          {
            '/': page(
              200,
              [
                ...HP_EWS,
                ['Content-Type', 'text/html'],
                ['Cache-Control', 'max-age=0, no-cache, no-store'],
                ['X-Frame-Options', 'SAMEORIGIN'],
              ],
              '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" ' +
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n' +
                '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n<head>\n' +
                '<title>HP LaserJet Pro M402dn&nbsp;&nbsp;&nbsp;NPI5D02E7</title>\n' +
                '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n' +
                '<link rel="stylesheet" type="text/css" href="/Framework/Themes/hp.css" />\n' +
                '</head>\n<body>\n<div id="pgHeader"><h1 id="DeviceName">HP LaserJet Pro M402dn</h1>' +
                '<span id="HostName">NPI5D02E7</span></div>\n<div id="pgContent">\n' +
                '<h2>Device Status</h2>\n<p id="StatusMessage">Ready</p>\n' +
                '<h2>Supplies</h2>\n<p>Black Cartridge 26A (CF226A): 60%</p>\n</div>\n' +
                '</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse(HP_EWS, {
              background: [0, 150, 214],
              foreground: [255, 255, 255],
              pattern: 'dot',
            }),
          },
          page(
            404,
            [...HP_EWS, ['Content-Type', 'text/html']],
            '<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n',
          ),
        ),
      },
    ],
  },
  {
    id: 'hikvision-camera',
    description: 'Hikvision IP camera: web server redirecting to its login page',
    hostile: false,
    expected: label('camera', 'hikvision', { product: 'IP camera' }),
    services: [
      {
        protocol: 'http',
        port: 80,
        http: site(
          HIKVISION,
          {
            '/': page(
              200,
              [
                ['Content-Type', 'text/html'],
                ['Connection', 'close'],
                ['Last-Modified', 'Fri, 11 Mar 2022 08:31:02 GMT'],
                ['ETag', '"622b0a46-1e4"'],
                ['X-Frame-Options', 'SAMEORIGIN'],
                ['Cache-Control', 'no-cache'],
                ...HIKVISION,
              ],
              '<!DOCTYPE html>\n<html>\n<head>\n<title></title>\n<script>\n' +
                'window.location.href = "/doc/page/login.asp?_" + (new Date()).getTime();\n' +
                '</script>\n</head>\n<body>\n</body>\n</html>\n',
            ),
            '/doc/page/login.asp': page(
              200,
              [['Content-Type', 'text/html'], ...HIKVISION],
              '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title></title>\n' +
                '<link rel="stylesheet" href="../ui/css/ui.css">\n' +
                '<script src="../script/lib/jquery/jquery-1.11.3.min.js"></script>\n' +
                '<script src="../script/login.js"></script>\n</head>\n<body>\n' +
                '<div class="login"><div class="logo"></div>\n' +
                '<input id="username" type="text"><input id="password" type="password">\n' +
                '<button id="login">Login</button></div>\n</body>\n</html>\n',
            ),
            '/favicon.ico': iconResponse(HIKVISION, SHARED_ICONS.hikvision),
          },
          page(
            404,
            [['Content-Type', 'text/html'], ...HIKVISION],
            '<!DOCTYPE html>\n<html><head><title>Document Error: Page not found</title></head>\n' +
              '<body><h2>Access Error: Page not found</h2>\n' +
              '<p>Cannot open URL</p></body></html>\n',
          ),
        ),
      },
    ],
  },
  {
    id: 'ubuntu-server',
    description: 'Ubuntu 22.04 server: OpenSSH, Postfix and the Apache default page',
    hostile: false,
    expected: label('computer', null), // a computer's maker is unknown; the OS (Ubuntu) is in device.os
    services: [
      { protocol: 'ssh', port: 22, ssh: openssh('OpenSSH_8.9p1 Ubuntu-3ubuntu0.6', OPENSSH_KEX_8) },
      {
        protocol: 'smtp',
        port: 25,
        smtp: postfix('mail.example.com ESMTP Postfix (Ubuntu)', 'mail.example.com', [
          'PIPELINING',
          'SIZE 10240000',
          'VRFY',
          'ETRN',
          'STARTTLS',
          'ENHANCEDSTATUSCODES',
          '8BITMIME',
          'DSN',
          'SMTPUTF8',
          'CHUNKING',
        ]),
      },
      {
        protocol: 'http',
        port: 80,
        http: site(
          APACHE_UBUNTU,
          {
            '/': page(
              200,
              [
                ...APACHE_UBUNTU,
                ['Last-Modified', 'Mon, 03 Apr 2023 10:14:52 GMT'],
                ['ETag', '"29af-5f86c6a0e5c1f"'],
                ['Accept-Ranges', 'bytes'],
                ['Vary', 'Accept-Encoding'],
                ['Content-Type', 'text/html'],
              ],
              '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" ' +
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
                '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n' +
                '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n' +
                '<title>Apache2 Ubuntu Default Page: It works</title>\n</head>\n<body>\n' +
                '<div class="main_page"><div class="page_header floating_element">' +
                '<span class="floating_element">Apache2 Default Page</span></div>\n' +
                '<div class="content_section"><p>This default page shows that the Apache2 server ' +
                'on this Ubuntu system is installed and working. Replace /var/www/html/index.html ' +
                'before going live.</p></div>\n</div>\n</body>\n</html>\n',
            ),
          },
          page(
            404,
            [...APACHE_UBUNTU, ['Content-Type', 'text/html; charset=iso-8859-1']],
            '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n' +
              '<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n' +
              '<p>The requested URL was not found on this server.</p>\n<hr>\n' +
              '<address>Apache/2.4.52 (Ubuntu) Server at {address} Port 80</address>\n' +
              '</body></html>\n',
          ),
          PERSISTENT,
        ),
      },
    ],
  },
  {
    id: 'windows-server',
    description: 'Windows Server 2019: IIS SMTP service, IIS web server, Microsoft FTP Service',
    hostile: false,
    expected: label('computer', null),
    services: [
      { protocol: 'smtp', port: 25, smtp: iisSmtp('mx.example.net', '10.0.17763.1697') },
      {
        protocol: 'http',
        port: 80,
        http: site(
          IIS,
          {
            '/': page(
              200,
              [
                ['Content-Type', 'text/html'],
                ['Last-Modified', 'Tue, 14 Sep 2021 07:12:31 GMT'],
                ['Accept-Ranges', 'bytes'],
                ['ETag', '"2f1ed41a3a9d71:0"'],
                ...IIS,
              ],
              '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" ' +
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n' +
                '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n' +
                '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1" />\n' +
                '<title>IIS Windows Server</title>\n</head>\n<body>\n<div id="container">\n' +
                '<a href="http://go.microsoft.com/fwlink/?linkid=66138&amp;clcid=0x409">' +
                '<img src="iisstart.png" alt="IIS" width="960" height="600" /></a>\n' +
                '</div>\n</body>\n</html>',
            ),
          },
          page(
            404,
            [['Content-Type', 'text/html'], ...IIS],
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">\n<html><head>\n' +
              '<title>404 - File or directory not found.</title>\n</head><body>\n' +
              '<div id="header"><h1>Server Error</h1></div>\n<div id="content">\n' +
              '<h2>404 - File or directory not found.</h2>\n</div>\n</body></html>\n',
          ),
          PERSISTENT,
        ),
      },
      {
        protocol: 'ftp',
        port: 21,
        ftp: {
          greeting: ['Microsoft FTP Service'],
          user: '331 Password required',
          pass: '530 User cannot log in.',
          syst: '215 Windows_NT',
          feat: [
            '211-Extended features supported:',
            ' LANG EN*',
            ' UTF8',
            ' AUTH TLS;TLS-C;SSL;TLS-P;',
            ' PBSZ',
            ' PROT C;P;',
            ' CCC',
            ' HOST',
            ' SIZE',
            ' MDTM',
            ' REST STREAM',
            '211 END',
          ],
          quit: '221 Goodbye.',
          notLoggedIn: '530 Please login with USER and PASS.',
          unknown: '500 Command not understood.',
        },
      },
    ],
  },
  {
    id: 'debian-mail',
    description: 'Debian 12 mail host: OpenSSH and Exim',
    hostile: false,
    expected: label('computer', null),
    services: [
      {
        protocol: 'ssh',
        port: 22,
        ssh: openssh('OpenSSH_9.2p1 Debian-2+deb12u3', [
          'sntrup761x25519-sha512@openssh.com',
          ...OPENSSH_KEX_8.filter((k) => k !== 'sntrup761x25519-sha512@openssh.com'),
        ]),
      },
      { protocol: 'smtp', port: 25, smtp: exim('mail.example.net', '4.96') },
    ],
  },
  {
    id: 'tarpit',
    description: 'Hostile: accepts TCP and never sends a byte',
    hostile: true,
    expected: NOTHING,
    services: [
      { protocol: 'hostile', port: 23, mode: 'tarpit' },
      { protocol: 'hostile', port: 80, mode: 'tarpit' },
    ],
  },
  {
    id: 'reset',
    description: 'Hostile: resets every connection right after accept',
    hostile: true,
    expected: NOTHING,
    services: [
      { protocol: 'hostile', port: 23, mode: 'reset' },
      { protocol: 'hostile', port: 22, mode: 'reset' },
    ],
  },
  {
    id: 'flood',
    description: 'Hostile: sends endless random bytes as fast as the peer reads',
    hostile: true,
    expected: NOTHING,
    services: [
      { protocol: 'hostile', port: 23, mode: 'flood' },
      { protocol: 'hostile', port: 80, mode: 'flood' },
    ],
  },
  {
    id: 'garbage',
    description: 'Hostile: sends a random binary "banner", then closes',
    hostile: true,
    expected: NOTHING,
    services: [
      { protocol: 'hostile', port: 21, mode: 'garbage' },
      { protocol: 'hostile', port: 25, mode: 'garbage' },
    ],
  },
  ...HOSTILE_PERSONAS,
  ...DEPTH_PERSONAS,
  ...DEPTH2_PERSONAS,
  ...DEPTH3_PERSONAS,
  ...FOLLOWUP_PERSONAS,
];

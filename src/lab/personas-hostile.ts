/**
 * Hostile lab personas: hosts that try to hang, flood, steer or fool the scanner. Pure
 * data, like `personas.ts`; the behaviours live in `servers/hostile.ts` and, for banners
 * with escape sequences and the honeypot, in the ordinary protocol servers fed with nasty
 * text. Each persona sits on its own address and only on the lab's usual ports (21, 22,
 * 23, 25, 80, 161, and 1900 once for SSDP), so scanning the whole lab does not add ports to every host.
 *
 * Order matters once: `redirect-away` points at the next address, which must be `canary`.
 */
import type { PersonaDefinition, ServiceDefinition, TelnetConfig } from './types.js';

/** Expectation for a host that must not be labeled. */
const NOTHING = { class: null, vendor_id: null, iot: null } as const;

/** Text with an ANSI clear-screen, a title-setting OSC, a CSI as C1, NULs and invalid UTF-8. */
const NASTY =
  '\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[31mred\x1b[0m \u009b6n \x00NUL\x00 ' +
  '\xc3\x28 \x80\x81 bidi\u202eevil';

/** A BusyBox-like login dialogue with the given banner. */
function telnetWith(banner: string, loginPrompt = 'login: '): TelnetConfig {
  return {
    negotiation: [0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03],
    banner,
    loginPrompt,
    passwordPrompt: 'Password: ',
    failure: 'Login incorrect',
    maxAttempts: 3,
  };
}

function hostile(
  id: string,
  description: string,
  services: readonly ServiceDefinition[],
): PersonaDefinition {
  return { id, description: `Hostile: ${description}`, hostile: true, expected: NOTHING, services };
}

/** Every hostile persona added by the reliability work (issue 6). */
export const HOSTILE_PERSONAS: readonly PersonaDefinition[] = [
  hostile('drip', 'sends one byte a second, forever, on telnet and HTTP ports', [
    { protocol: 'hostile', port: 23, mode: 'drip' },
    { protocol: 'hostile', port: 80, mode: 'drip' },
  ]),
  hostile('half-open', 'accepts and never reads nor sends', [
    { protocol: 'hostile', port: 23, mode: 'half-open' },
    { protocol: 'hostile', port: 80, mode: 'half-open' },
  ]),
  hostile('http-giant-headers', 'HTTP response whose header block never ends', [
    { protocol: 'hostile', port: 80, mode: 'http-giant-headers' },
  ]),
  hostile('http-endless-chunked', 'HTTP 200 with a chunked body that never ends', [
    { protocol: 'hostile', port: 80, mode: 'http-endless-chunked' },
  ]),
  hostile('http-gzip-bomb', 'HTTP body gzip-encoded from 32 MiB of zeros', [
    { protocol: 'hostile', port: 80, mode: 'http-gzip-bomb' },
  ]),
  hostile('http-1xx-flood', 'endless 102 Processing interim responses', [
    { protocol: 'hostile', port: 80, mode: 'http-1xx-flood' },
  ]),
  hostile('redirect-loop', 'HTTP 302 back to itself', [
    { protocol: 'hostile', port: 80, mode: 'http-redirect-loop' },
  ]),
  hostile('redirect-away', 'HTTP 302 and SSDP LOCATION to the next address (the canary)', [
    { protocol: 'hostile', port: 80, mode: 'http-redirect-away' },
    { protocol: 'hostile', port: 1900, mode: 'ssdp-location-away' },
  ]),
  // Must directly follow redirect-away: it counts whoever follows the redirect.
  hostile('canary', 'silent listener that only a client following a redirect would reach', [
    { protocol: 'hostile', port: 80, mode: 'tarpit' },
  ]),
  hostile('telnet-endless-subneg', 'telnet subnegotiation that never reaches IAC SE', [
    { protocol: 'hostile', port: 23, mode: 'telnet-endless-subneg' },
  ]),
  hostile('telnet-iac-flood', 'endless 0xFF bytes on telnet', [
    { protocol: 'hostile', port: 23, mode: 'telnet-iac-flood' },
  ]),
  hostile('telnet-text-flood', 'telnet options, then endless text that never reaches a prompt', [
    { protocol: 'hostile', port: 23, mode: 'telnet-text-flood' },
  ]),
  hostile('ssh-bad-ident', 'SSH ident line with an escape sequence that never ends', [
    { protocol: 'hostile', port: 22, mode: 'ssh-bad-ident' },
  ]),
  hostile('ssh-huge-packet', 'SSH packet announcing 4 GB', [
    { protocol: 'hostile', port: 22, mode: 'ssh-huge-packet' },
  ]),
  hostile('ssh-endless-kexinit', 'SSH KEXINIT that trickles in forever', [
    { protocol: 'hostile', port: 22, mode: 'ssh-endless-kexinit' },
  ]),
  hostile('smtp-endless-multiline', 'SMTP 220- greeting lines forever', [
    { protocol: 'hostile', port: 25, mode: 'smtp-endless-multiline' },
  ]),
  hostile('snmp-malformed', 'SNMP replies with broken BER', [
    { protocol: 'hostile', port: 161, mode: 'snmp-malformed' },
  ]),
  hostile('snmp-huge', 'SNMP reply with a 60 000-byte sysDescr', [
    { protocol: 'hostile', port: 161, mode: 'snmp-huge' },
  ]),
  hostile('snmp-wrong-id', 'SNMP replies to request ids never sent', [
    { protocol: 'hostile', port: 161, mode: 'snmp-wrong-id' },
  ]),
  hostile('escape-banners', 'banners full of ANSI escapes, C1 controls, NULs and invalid UTF-8', [
    { protocol: 'telnet', port: 23, telnet: telnetWith(`${NASTY}\r\n`, `${NASTY} login: `) },
    {
      protocol: 'ftp',
      port: 21,
      ftp: {
        greeting: [`${NASTY} FTP ready`],
        user: '331 Password required',
        pass: '530 Login incorrect',
        syst: '215 UNIX Type: L8',
        feat: null,
        quit: '221 Bye',
        notLoggedIn: '530 Please login with USER and PASS',
        unknown: '500 Unknown command',
      },
    },
    {
      protocol: 'smtp',
      port: 25,
      smtp: {
        greeting: [`mail.example.net ESMTP ${NASTY}`],
        ehlo: [`mail.example.net ${NASTY}`, 'PIPELINING', '8BITMIME'],
        helo: 'mail.example.net',
        replies: {
          mail: '554 5.7.1 Access denied',
          rcpt: '503 5.5.1 need MAIL',
          data: '503 5.5.1 need RCPT',
          auth: '503 5.5.1 no auth',
          starttls: '454 4.7.0 TLS not available',
          quit: '221 2.0.0 Bye',
          unknown: '502 5.5.2 unknown',
          noop: '250 2.0.0 Ok',
          rset: '250 2.0.0 Ok',
          vrfy: '502 5.5.1 VRFY disabled',
          help: '502 5.5.2 unknown',
          tooLong: '500 5.5.2 line too long',
        },
      },
    },
    {
      protocol: 'http',
      port: 80,
      http: {
        routes: {},
        fallback: {
          status: 200,
          headers: [
            ['Server', 'evil/1.0 \u00e9\u00e8'],
            ['Content-Type', 'text/html'],
          ],
          body: Buffer.from(
            `<html><head><title>${NASTY}</title></head><body>${NASTY}</body></html>`,
            'latin1',
          ),
        },
        serverHeaders: [['Server', 'evil/1.0']],
      },
    },
  ]),
  // Every probe answers with another vendor's words: five vendors across four classes.
  hostile('honeypot', 'answers every probe with strings of many vendors', [
    {
      protocol: 'telnet',
      port: 23,
      telnet: telnetWith('MikroTik v6.49.6 (stable)\r\nopendreambox 2.0.0\r\n', 'dm800se login: '),
    },
    {
      protocol: 'ssh',
      port: 22,
      ssh: {
        ident: 'ROSSSH',
        hostKey: 'ecdsa',
        kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha256'],
        ciphers: ['aes128-ctr', 'aes256-ctr', 'aes128-cbc'],
        macs: ['hmac-sha1'],
        compression: ['none'],
      },
    },
    {
      protocol: 'http',
      port: 80,
      http: {
        routes: {},
        fallback: {
          status: 200,
          headers: [
            ['Server', 'App-webs/'],
            ['Content-Type', 'text/html'],
          ],
          body: '<html><head><title>Synology DiskStation</title></head><body>SYNO.SDS.Session</body></html>',
        },
        serverHeaders: [['Server', 'App-webs/']],
      },
    },
    {
      protocol: 'snmp',
      port: 161,
      snmp: {
        community: 'public',
        variables: [
          {
            oid: '1.3.6.1.2.1.1.1.0',
            type: 'string',
            value: 'HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24002',
          },
          { oid: '1.3.6.1.2.1.1.2.0', type: 'oid', value: '1.3.6.1.4.1.11.2.3.9.1' },
          { oid: '1.3.6.1.2.1.1.5.0', type: 'string', value: 'honey' },
        ],
      },
    },
  ]),
];

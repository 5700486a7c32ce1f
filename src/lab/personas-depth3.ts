/**
 * Lab personas for identification depth (issue 4, part 3): a device that only its favicon
 * gives away, and one that only its SSH key-exchange offer does.
 *
 * - `favicon-camera`: a Hikvision camera whose web server sends a generic `Server` header
 *   and a blank page with an empty title. It serves the same stand-in icon as the lab's
 *   other Hikvision camera (`SHARED_ICONS.hikvision`): a lab drawing padded to the
 *   favicon mmh3 published for Hikvision's web interface (999357577), which the signature
 *   `hikvision/ipcam-favicon` reads; the drawing is ours, the hash is the field's.
 * - `kexinit-dropbear`: an embedded box whose vendor rewrote Dropbear's ident line to a
 *   generic `SSH-2.0-server`. Its KEXINIT still lists `kexguess2@matt.ucc.asn.au`, the
 *   marker every Dropbear release since 2013 offers and no other SSH implementation does;
 *   the Dropbear signature reads that list (the input of HASSH), not one opaque hash, so it
 *   names Dropbear whatever the build's other algorithms are.
 *
 * Pure data, like `personas.ts`; the algorithm lists are written for the lab from how
 * Dropbear orders them (real methods, then the marker), the rest is made up.
 */
import { DEVICE_CLASSES, type DeviceClass } from '../types.js';
import { iconResponse, SHARED_ICONS } from './favicon.js';
import type { HttpResponseSpec, LabExpectation, PersonaDefinition, SshConfig } from './types.js';

type Headers = readonly (readonly [string, string])[];

function label(cls: DeviceClass, vendor: string | null): LabExpectation {
  return { class: cls, vendor_id: vendor, iot: DEVICE_CLASSES[cls] };
}

function page(status: number, headers: Headers, body: string | Uint8Array): HttpResponseSpec {
  return { status, headers, body };
}

/** A Server header many embedded web servers send (on every response): it names no software. */
const GENERIC_SERVER: Headers = [['Server', 'httpd']];

/** A single-page web client's shell: no title, no vendor words. */
const BLANK_APP = page(
  200,
  [
    ...GENERIC_SERVER,
    ['Content-Type', 'text/html; charset=utf-8'],
    ['Cache-Control', 'no-store'],
    ['X-Frame-Options', 'SAMEORIGIN'],
  ],
  '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title></title>\n' +
    '<link rel="icon" href="/favicon.ico">\n<script src="/static/js/main.8f3a1c.js"></script>\n' +
    '</head>\n<body><div id="root"></div></body>\n</html>\n',
);

/** Dropbear as an embedded build offers it: curve25519 and ECDH first, the marker last. */
const DROPBEAR_RENAMED: SshConfig = {
  ident: 'server',
  hostKey: 'ecdsa',
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp521',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp256',
    'diffie-hellman-group14-sha256',
    'diffie-hellman-group14-sha1',
  ],
  kexSignals: ['kexguess2@matt.ucc.asn.au'],
  ciphers: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-ctr'],
  macs: ['hmac-sha1', 'hmac-sha2-256'],
  compression: ['none'],
};

/** The part-3 depth personas, appended to the lab's aggregate list. */
export const DEPTH3_PERSONAS: readonly PersonaDefinition[] = [
  {
    id: 'favicon-camera',
    description:
      'Hikvision camera behind a generic Server header and a blank page: only its favicon names it',
    hostile: false,
    expected: label('camera', 'hikvision'),
    services: [
      {
        protocol: 'http',
        port: 80,
        http: {
          routes: {
            '/': BLANK_APP,
            '/favicon.ico': iconResponse(GENERIC_SERVER, SHARED_ICONS.hikvision),
          },
          fallback: page(
            404,
            [...GENERIC_SERVER, ['Content-Type', 'text/html']],
            '<html><body>404</body></html>\n',
          ),
          serverHeaders: GENERIC_SERVER,
        },
      },
    ],
  },
  {
    id: 'kexinit-dropbear',
    description:
      'Embedded box with Dropbear renamed to SSH-2.0-server: only its KEXINIT offer tells',
    hostile: false,
    expected: label('unknown-embedded', null),
    services: [{ protocol: 'ssh', port: 22, ssh: DROPBEAR_RENAMED }],
  },
];

/**
 * The client side of an SSH key exchange, in plaintext, only as far as the server's host
 * key: send our KEXINIT and a real public value (one per method and thread, see `once`), read
 * K_S from the reply, stop.
 * No shared secret is ever computed, no signature verified, NEWKEYS never sent.
 *
 * The negotiation follows RFC 4253 7.1 (first of our algorithms the server also lists).
 * Our host-key preference is the order ssh2's client offered, so the key type reported is
 * the one reported when ssh2 did this step; `ssh-dss` comes last, for servers with nothing
 * else.
 */
import { createECDH, generateKeyPairSync, getDiffieHellman, randomBytes } from 'node:crypto';
import { pooledRandomBytes } from '../src/net/random-pool.js';
import {
  type ClientAlgorithms,
  DISCONNECT_REASON,
  encodeDisconnect,
  encodeGexInit,
  encodeGexRequest,
  encodeKexInit,
  encodeKexinit,
  encodePacket,
  fromBigInt,
  MAX_PADDING,
  MSG,
  negotiate,
  parseDisconnect,
  parseGexGroup,
  parseKexReply,
  toBigInt,
} from './parsers/ssh-kex.js';
import type { Kexinit } from './parsers/ssh-wire.js';

/** How a key-exchange method makes our ephemeral public value. */
type Method =
  /** KEX_ECDH_INIT: `Q_C` as a string. */
  | { readonly kind: 'ecdh'; readonly publicValue: () => Buffer }
  /** KEXDH_INIT: `e` as an mpint. */
  | { readonly kind: 'dh'; readonly publicValue: () => Buffer }
  /** Group exchange: ask for a group first (RFC 4419). */
  | { readonly kind: 'gex' };

/**
 * RFC 2409 6.2 Oakley group 2 (`diffie-hellman-group1-sha1`). Node has it as `modp2`, but
 * OpenSSL re-checks that prime (tens of milliseconds) each time one is made and then uses
 * a full-length exponent; {@link dhPublic} is an order of magnitude cheaper.
 */
const GROUP1_PRIME = toBigInt(
  Buffer.from(
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22' +
      '514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6' +
      'F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381' +
      'FFFFFFFFFFFFFFFF',
    'hex',
  ),
);

/** Bits of our private exponent in a finite-field exchange done here (twice a 128-bit level). */
const DH_EXPONENT_BYTES = 32;

/**
 * Made on first use, then the same for every server this thread asks: the exchange stops
 * before any secret is derived from it, so a fresh key per connection bought nothing and
 * cost a key generation per SSH port (a modular exponentiation for the DH groups).
 */
const once = (make: () => Buffer) => {
  let value: Buffer | null = null;
  return (): Buffer => {
    value ??= make();
    return value;
  };
};
const x25519 = once((): Buffer => {
  const jwk = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
});
const ecdh = (curve: string) => once(() => createECDH(curve).generateKeys());
/** RFC 3526 groups OpenSSL knows by name: its own exponentiation, with a short exponent. */
const modp = (name: string) => once(() => getDiffieHellman(name).generateKeys());

/**
 * Key-exchange methods, most preferred first: cheapest to start first (the exchange
 * stops before any of them is completed, so strength does not enter into it), the
 * group exchange last since it costs a round trip more.
 */
const METHODS: ReadonlyArray<readonly [string, Method]> = [
  ['curve25519-sha256', { kind: 'ecdh', publicValue: x25519 }],
  ['curve25519-sha256@libssh.org', { kind: 'ecdh', publicValue: x25519 }],
  ['ecdh-sha2-nistp256', { kind: 'ecdh', publicValue: ecdh('prime256v1') }],
  ['ecdh-sha2-nistp384', { kind: 'ecdh', publicValue: ecdh('secp384r1') }],
  ['ecdh-sha2-nistp521', { kind: 'ecdh', publicValue: ecdh('secp521r1') }],
  ['diffie-hellman-group14-sha256', { kind: 'dh', publicValue: modp('modp14') }],
  ['diffie-hellman-group16-sha512', { kind: 'dh', publicValue: modp('modp16') }],
  ['diffie-hellman-group18-sha512', { kind: 'dh', publicValue: modp('modp18') }],
  ['diffie-hellman-group14-sha1', { kind: 'dh', publicValue: modp('modp14') }],
  [
    'diffie-hellman-group1-sha1',
    { kind: 'dh', publicValue: once(() => dhPublic(2n, GROUP1_PRIME)) },
  ],
  ['diffie-hellman-group-exchange-sha256', { kind: 'gex' }],
  ['diffie-hellman-group-exchange-sha1', { kind: 'gex' }],
];

/**
 * What our KEXINIT offers. Ciphers, MACs and compression are never used (no NEWKEYS) but
 * must overlap the server's or it hangs up before its reply: real names, broad enough for
 * old devices (CBC, hmac-md5) as well as new ones.
 */
export const CLIENT_ALGORITHMS: ClientAlgorithms = {
  kex: METHODS.map(([name]) => name),
  hostKey: [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
    'ssh-dss',
  ],
  ciphers: [
    'chacha20-poly1305@openssh.com',
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'aes128-ctr',
    'aes192-ctr',
    'aes256-ctr',
    'aes128-cbc',
    'aes192-cbc',
    'aes256-cbc',
    '3des-cbc',
  ],
  macs: [
    'hmac-sha2-256-etm@openssh.com',
    'hmac-sha2-512-etm@openssh.com',
    'hmac-sha1-etm@openssh.com',
    'hmac-sha2-256',
    'hmac-sha2-512',
    'hmac-sha1',
    'hmac-sha1-96',
    'hmac-md5',
  ],
  compression: ['none', 'zlib@openssh.com', 'zlib'],
};

/** Server messages read at most during the exchange (IGNORE, DEBUG, a wrong guess, replies). */
const MAX_KEX_MESSAGES = 8;

/** Messages a server may send at any time, which carry nothing for us. */
const SKIPPABLE: ReadonlySet<number> = new Set([MSG.IGNORE, MSG.DEBUG]);

/** Why the server's next message is not there. */
export type ChannelEnd = 'closed' | 'timeout' | 'aborted' | 'invalid';

/** The plaintext connection the exchange runs on. */
export interface KexChannel {
  /** The server's next message payload (message number first), or why there is none. */
  next(): Promise<Buffer | ChannelEnd>;
  /** Sends bytes as they are; never throws. */
  send(data: Buffer): void;
}

/** How the exchange ended. */
export type HostKeyOutcome =
  | {
      readonly kind: 'host-key';
      /** K_S, the public host key blob. */
      readonly blob: Buffer;
      readonly kex: string;
      readonly hostKeyAlgorithm: string;
    }
  /** Nothing in common for this list: no packet beyond our DISCONNECT was sent. */
  | { readonly kind: 'no-common'; readonly list: 'kex' | 'host key' }
  | { readonly kind: 'disconnected'; readonly reason: number; readonly description: string }
  /** Anything else: closed, timed out, garbage, an unexpected message, an unusable group. */
  | { readonly kind: 'failed'; readonly why: string };

/**
 * Runs the exchange after the server's KEXINIT, up to K_S. On every outcome but the
 * server's own DISCONNECT or close, a DISCONNECT of ours has been sent when this returns.
 */
export async function exchangeForHostKey(
  server: Kexinit,
  channel: KexChannel,
): Promise<HostKeyOutcome> {
  const outcome = await exchange(server, channel);
  if (outcome.kind === 'host-key') {
    sendDisconnect(channel, DISCONNECT_REASON.BY_APPLICATION, 'host key read, closing');
  } else if (outcome.kind === 'no-common') {
    sendDisconnect(channel, DISCONNECT_REASON.KEY_EXCHANGE_FAILED, `no common ${outcome.list}`);
  } else if (outcome.kind === 'failed' && outcome.why !== 'closed') {
    sendDisconnect(channel, DISCONNECT_REASON.BY_APPLICATION, 'closing');
  }
  return outcome;
}

async function exchange(server: Kexinit, channel: KexChannel): Promise<HostKeyOutcome> {
  const kex = negotiate(CLIENT_ALGORITHMS.kex, server.kex);
  if (kex === null) return { kind: 'no-common', list: 'kex' };
  const hostKeyAlgorithm = negotiate(CLIENT_ALGORITHMS.hostKey, server.hostKeyAlgorithms);
  if (hostKeyAlgorithm === null) return { kind: 'no-common', list: 'host key' };
  const method = METHODS.find(([name]) => name === kex)?.[1];
  if (!method) return { kind: 'failed', why: `no method for ${kex}` };

  const first =
    method.kind === 'gex'
      ? encodeGexRequest()
      : encodeKexInit(method.publicValue(), method.kind === 'dh');
  channel.send(
    Buffer.concat([packet(encodeKexinit(pooledRandomBytes(16), CLIENT_ALGORITHMS)), packet(first)]),
  );

  // RFC 4253 7: a guessed packet after a wrong guess is ignored.
  const guessedRight =
    server.kex.split(',')[0] === kex && server.hostKeyAlgorithms.split(',')[0] === hostKeyAlgorithm;
  let ignoreNext = server.firstKexPacketFollows && !guessedRight;
  const replyType: number = method.kind === 'gex' ? MSG.KEX_DH_GEX_REPLY : MSG.KEX_REPLY;
  let awaitingGroup = method.kind === 'gex';

  for (let n = 0; n < MAX_KEX_MESSAGES; n += 1) {
    const payload = await channel.next();
    if (typeof payload === 'string') return { kind: 'failed', why: payload };
    if (ignoreNext) {
      ignoreNext = false;
      continue;
    }
    const type = payload[0] ?? -1;
    if (SKIPPABLE.has(type)) continue;
    if (type === MSG.DISCONNECT) {
      const d = parseDisconnect(payload);
      return { kind: 'disconnected', reason: d?.reason ?? 0, description: d?.description ?? '' };
    }
    if (awaitingGroup) {
      const group = parseGexGroup(payload);
      if (!group) return { kind: 'failed', why: `bad group-exchange group (message ${type})` };
      channel.send(packet(encodeGexInit(dhPublic(toBigInt(group.g), toBigInt(group.p)))));
      awaitingGroup = false;
      continue;
    }
    const blob = parseKexReply(payload, replyType);
    if (!blob) return { kind: 'failed', why: `unexpected message ${type}` };
    return { kind: 'host-key', blob, kex, hostKeyAlgorithm };
  }
  return { kind: 'failed', why: 'too many messages before the reply' };
}

function packet(payload: Buffer): Buffer {
  return encodePacket(payload, pooledRandomBytes(MAX_PADDING));
}

function sendDisconnect(channel: KexChannel, reason: number, description: string): void {
  channel.send(packet(encodeDisconnect(reason, `thingscan: ${description}`)));
}

/**
 * `g^x mod p` for a fresh random `x`, as unsigned bytes. Square-and-multiply over bigint:
 * with a 256-bit exponent, a few milliseconds for 2048-bit `p`, bounded by the group sizes
 * `parseGexGroup` accepts.
 */
export function dhPublic(g: bigint, p: bigint): Buffer {
  let x = toBigInt(randomBytes(DH_EXPONENT_BYTES));
  if (x < 2n) x = 2n;
  let result = 1n;
  let base = g % p;
  while (x > 0n) {
    if (x & 1n) result = (result * base) % p;
    x >>= 1n;
    base = (base * base) % p;
  }
  return fromBigInt(result);
}

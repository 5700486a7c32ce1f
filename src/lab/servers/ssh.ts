/**
 * SSH daemon emulation on `ssh2`'s Server: the persona's ident line, host key type and
 * KEXINIT algorithm order. Every authentication attempt is rejected and counted; no session
 * is ever opened.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import ssh2 from 'ssh2';
import type { HostRecorder, RunningServer, SshConfig, SshHostKeyType } from '../types.js';
import { bindServer, DEFAULT_IDLE_MS } from './common.js';

/** Host keys generated once per lab run (ed25519 and ECDSA are fast; RSA is not). */
export type SshHostKeys = Readonly<Record<SshHostKeyType, string>>;

/** Generates one private key per supported host key type. */
export function generateHostKeys(): SshHostKeys {
  return {
    ed25519: parsableKeyPair(() => ssh2.utils.generateKeyPairSync('ed25519')).private,
    ecdsa: parsableKeyPair(() => ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 })).private,
  };
}

/** Generation attempts before giving up on a key ssh2 can read back. */
const KEY_ATTEMPTS = 8;

/**
 * A key pair from `generate` whose private key ssh2's own parser accepts. ssh2 1.x writes
 * an ed25519 key it then rejects ("Malformed OpenSSH private key") about once in 200 keys
 * (measured: 14 in 3,000), which made a lab start fail now and then; a fresh key is as
 * good as the first.
 */
export function parsableKeyPair<T extends { readonly private: string }>(generate: () => T): T {
  for (let attempt = 1; ; attempt++) {
    const pair = generate();
    const parsed = ssh2.utils.parseKey(pair.private);
    if (!(parsed instanceof Error)) return pair;
    if (attempt >= KEY_ATTEMPTS)
      throw new Error(`no usable SSH host key after ${attempt} attempts: ${parsed.message}`);
  }
}

/** Starts an SSH server on `address:port` configured by persona data. */
export function startSsh(
  address: string,
  port: number,
  config: SshConfig,
  keys: SshHostKeys,
  recorder: HostRecorder,
): Promise<RunningServer> {
  const inject = sshAcceptor(config, keys, recorder);
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    recorder.connection();
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(DEFAULT_IDLE_MS, () => socket.destroy());
    inject(socket);
  });
  return bindServer(server, address, port, sockets);
}

/**
 * Builds the persona's SSH daemon once and returns what serves one accepted socket with it
 * (also used by the scale lab's wildcard listener). Every authentication is rejected.
 */
export function sshAcceptor(
  config: SshConfig,
  keys: SshHostKeys,
  recorder: HostRecorder,
): (socket: net.Socket) => void {
  const ssh = createSshServer(config, keys[config.hostKey]);
  const signals = config.kexSignals ?? [];
  let offer: Offer | undefined;
  ssh.on('connection', (client) => {
    // Emitted once the client's ident is read, just before our KEXINIT goes out.
    if (signals.length > 0) offer = withKexSignals(client, signals, offer);
    // Protocol errors from a hostile client end that connection only.
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      // `none` is how clients ask which methods exist; it carries no secret.
      if (ctx.method !== 'none') recorder.credentialAttempt();
      ctx.reject(['publickey', 'password']);
    });
  });
  return (socket) => ssh.injectSocket(socket);
}

type Algorithms = NonNullable<ssh2.ServerConfig['algorithms']>;

/** Name lists of a KEXINIT, as `ssh2`'s internal `KexInit` takes and keeps them. */
interface OfferLists {
  readonly kex: readonly string[];
  readonly serverHostKey: readonly string[];
  readonly cs: Readonly<Record<'cipher' | 'mac' | 'compress' | 'lang', readonly string[]>>;
  readonly sc: Readonly<Record<'cipher' | 'mac' | 'compress' | 'lang', readonly string[]>>;
}
type Entry = { readonly array: readonly string[] };
type Direction = Readonly<Record<'cipher' | 'mac' | 'compress' | 'lang', Entry>>;
/** `ssh2`'s `KexInit` instance: the offer a connection sends, hashes and negotiates with. */
interface Offer {
  readonly lists: {
    readonly kex: Entry;
    readonly serverHostKey: Entry;
    readonly cs: Direction;
    readonly sc: Direction;
  };
}

/**
 * `ssh2`'s offer class. It is internal (ssh2 is pinned in package.json): the public Server
 * validates every name against what it can run, and a kex marker such as `kexguess2@…`
 * runs nothing. The e2e test of the Dropbear persona fails if this ever stops working.
 */
const { KexInit } = createRequire(import.meta.url)('ssh2/lib/protocol/kex.js') as {
  KexInit: new (lists: OfferLists) => Offer;
};

/**
 * Gives a connection's protocol an offer with `signals` after the real kex methods (and
 * before ssh2's own strict-kex marker, which it always appends). The same offer object is
 * used for the KEXINIT sent, the exchange hash and negotiation, so the handshake stays
 * valid. Returns the offer, built once per daemon and reused.
 */
function withKexSignals(client: unknown, signals: readonly string[], built?: Offer): Offer {
  const protocol = (client as { _protocol?: { _offer?: Offer } })._protocol;
  const current = protocol?._offer;
  if (!protocol || !current) throw new Error('ssh2 internals changed: no offer to extend');
  const offer = built ?? extendOffer(current, signals);
  protocol._offer = offer;
  return offer;
}

function extendOffer(base: Offer, signals: readonly string[]): Offer {
  const { kex, serverHostKey, cs, sc } = base.lists;
  const real = kex.array.filter((n) => !n.startsWith('kex-strict-'));
  const strict = kex.array.filter((n) => n.startsWith('kex-strict-'));
  const names = (d: Direction) => ({
    cipher: d.cipher.array,
    mac: d.mac.array,
    compress: d.compress.array,
    lang: d.lang.array,
  });
  return new KexInit({
    kex: [...real, ...signals, ...strict],
    serverHostKey: serverHostKey.array,
    cs: names(cs),
    sc: names(sc),
  });
}

/**
 * Builds the ssh2 server. Names this ssh2/OpenSSL build cannot speak are dropped one by
 * one (ssh2 names the first it rejects), keeping the persona's order for the rest.
 */
function createSshServer(config: SshConfig, hostKey: string): ssh2.Server {
  const lists = {
    kex: [...config.kex],
    cipher: [...config.ciphers],
    hmac: [...config.macs],
    compress: [...config.compression],
  };
  for (let attempt = 0; attempt < 64; attempt++) {
    try {
      return new ssh2.Server({
        hostKeys: [hostKey],
        ident: config.ident,
        algorithms: lists as Algorithms,
      });
    } catch (err) {
      const name = /Unsupported algorithm: (\S+)/.exec(String(err))?.[1];
      if (name === undefined) throw err;
      let removed = false;
      for (const list of Object.values(lists)) {
        const i = list.indexOf(name);
        if (i >= 0) {
          list.splice(i, 1);
          removed = true;
        }
      }
      if (!removed) throw err;
    }
  }
  throw new Error('ssh2 rejected every algorithm of the persona');
}

/**
 * One datagram socket per address family for every UDP exchange of a scan thread, behind
 * sockets that look like `node:dgram`'s to their users (our probes, and net-snmp through
 * its `dgramModule` option).
 *
 * Why: a scan sends a few datagrams per host (SNMPv3 discovery, SNMPv2c and v1 GETs, SSDP)
 * and a socket of its own for each cost a socket, a bind and a close every time, about a
 * twentieth of the scanner's CPU at hundreds of hosts a second. Here the real socket
 * opens with the first user and closes with the last one.
 *
 * What a user sees: `createSocket('udp4' | 'udp6')` gives a {@link SharedUdpSocket} with
 * `send`, `close`, the `message`, `error` and `close` events, and no-op `bind`, `ref`,
 * `unref`. It receives only datagrams from an address and port it has sent to (or, when it
 * asks, from another port of that address that no other user awaits), so one host's
 * replies never reach another host's probe. Each user still checks what it gets
 * (request IDs, sizes): the shared port is fixed for the scan, where per-exchange sockets
 * had a fresh one, so a forged reply needs the target's address, port and the request's
 * own ID, as it does for scanners that work this way (ZMap, masscan).
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';

/** Address families of the shared sockets. */
export type UdpFamily = 'udp4' | 'udp6';

type SendCallback = (error: Error | null, bytes: number) => void;

/** Datagram sockets sharing one real socket (see the file header). */
class SharedUdp {
  readonly #family: UdpFamily;
  #socket: dgram.Socket | null = null;
  /** Open users, so the real socket closes with the last of them. */
  readonly #users = new Set<SharedUdpSocket>();
  /** `address|port` → users that sent there and wait for its replies. */
  readonly #routes = new Map<string, Set<SharedUdpSocket>>();

  constructor(family: UdpFamily) {
    this.#family = family;
  }

  /** Users open, routes registered, and whether the real socket is open (for tests). */
  state(): { readonly users: number; readonly routes: number; readonly open: boolean } {
    return { users: this.#users.size, routes: this.#routes.size, open: this.#socket !== null };
  }

  open(user: SharedUdpSocket): void {
    this.#users.add(user);
  }

  send(
    user: SharedUdpSocket,
    payload: Uint8Array,
    port: number,
    address: string,
    cb: SendCallback,
  ): void {
    this.#addRoute(user, routeKey(address, port));
    this.#real().send(payload, port, address, cb);
  }

  /**
   * Also routes to `user` the datagrams from any port of `address` that no user awaits on
   * that port (see {@link SharedUdpSocket.acceptAnyPort}).
   */
  acceptAnyPort(user: SharedUdpSocket, address: string): void {
    this.#addRoute(user, anyPortKey(address));
  }

  /** Routes datagrams matching `key` to `user` (until it closes). */
  #addRoute(user: SharedUdpSocket, key: string): void {
    let listeners = this.#routes.get(key);
    if (!listeners) {
      listeners = new Set();
      this.#routes.set(key, listeners);
    }
    listeners.add(user);
    user.routes.push(key);
  }

  close(user: SharedUdpSocket): void {
    for (const key of user.routes) {
      const listeners = this.#routes.get(key);
      if (!listeners) continue;
      listeners.delete(user);
      if (listeners.size === 0) this.#routes.delete(key);
    }
    user.routes.length = 0;
    this.#users.delete(user);
    if (this.#users.size === 0 && this.#socket) {
      const socket = this.#socket;
      this.#socket = null;
      socket.close();
    }
  }

  #real(): dgram.Socket {
    if (this.#socket) return this.#socket;
    const socket = dgram.createSocket(this.#family);
    socket.on('message', (message, rinfo) => {
      const listeners =
        this.#routes.get(routeKey(rinfo.address, rinfo.port)) ??
        this.#routes.get(anyPortKey(rinfo.address));
      if (!listeners) return;
      for (const user of listeners) user.emit('message', message, rinfo);
    });
    // Asynchronous socket errors concern every user (send errors go to their callbacks);
    // the socket is dropped, so the next send opens a fresh one.
    socket.on('error', (error) => {
      if (this.#socket === socket) this.#socket = null;
      try {
        socket.close();
      } catch {
        // Already closed.
      }
      for (const user of [...this.#users]) user.emit('error', error);
    });
    this.#socket = socket;
    return socket;
  }
}

/** `address|port`, IPv4-mapped IPv6 addresses folded into IPv4, lower case. */
function routeKey(address: string, port: number): string {
  return `${bareAddress(address)}|${port}`;
}

/** `address|*`: the route of datagrams from any port of `address` no user awaits. */
function anyPortKey(address: string): string {
  return `${bareAddress(address)}|*`;
}

function bareAddress(address: string): string {
  const bare =
    address.startsWith('::ffff:') || address.startsWith('::FFFF:') ? address.slice(7) : address;
  return bare.toLowerCase();
}

const shared: Record<UdpFamily, SharedUdp> = {
  udp4: new SharedUdp('udp4'),
  udp6: new SharedUdp('udp6'),
};

/**
 * A datagram socket of a user, carried by the family's shared socket: the subset of
 * `dgram.Socket` our probes and net-snmp call.
 */
export class SharedUdpSocket extends EventEmitter {
  /** Route keys this socket registered (internal to the shared socket). */
  readonly routes: string[] = [];
  readonly #owner: SharedUdp;
  #closed = false;

  constructor(family: UdpFamily) {
    super();
    this.#owner = shared[family];
    this.#owner.open(this);
  }

  /**
   * Sends a datagram: `send(buf, port, address, cb)` or net-snmp's
   * `send(buf, offset, length, port, address, cb)`.
   */
  send(payload: Uint8Array, ...rest: unknown[]): void {
    let data = payload;
    let args = rest;
    if (typeof rest[0] === 'number' && typeof rest[1] === 'number' && typeof rest[3] === 'string') {
      const [offset, length] = rest as [number, number];
      data = payload.subarray(offset, offset + length);
      args = rest.slice(2);
    }
    const [port, address, cb] = args as [number, string, SendCallback | undefined];
    const callback: SendCallback = cb ?? (() => {});
    if (this.#closed) {
      process.nextTick(callback, new Error('socket closed'), 0);
      return;
    }
    this.#owner.send(this, data, port, address, callback);
  }

  /**
   * Also receive datagrams from other ports of `address`, when no other user awaits that
   * port: some stacks answer from a fresh socket (libupnp's SSDP replies). The user checks
   * what it gets, as ever.
   */
  acceptAnyPort(address: string): void {
    if (!this.#closed) this.#owner.acceptAnyPort(this, address);
  }

  close(callback?: () => void): this {
    if (this.#closed) return this;
    this.#closed = true;
    this.#owner.close(this);
    process.nextTick(() => {
      this.emit('close');
      callback?.();
    });
    return this;
  }

  /** No-op: the shared socket binds itself on first send, to an ephemeral port. */
  bind(): this {
    return this;
  }
  /** No-op: the shared socket lives while any user is open. */
  ref(): this {
    return this;
  }
  /** No-op (see {@link ref}). */
  unref(): this {
    return this;
  }
}

/** Drop-in for `dgram.createSocket(type)` (and net-snmp's `dgramModule`). */
export function createSocket(type: UdpFamily | { readonly type: UdpFamily }): SharedUdpSocket {
  return new SharedUdpSocket(typeof type === 'string' ? type : type.type);
}

/** Users, routes and whether the family's real socket is open: for tests and debugging. */
export function sharedUdpState(family: UdpFamily): ReturnType<SharedUdp['state']> {
  return shared[family].state();
}

/** What net-snmp's `dgramModule` option takes. */
export const sharedDgram = { createSocket };

/**
 * Loopback fake TCP servers for probe tests: well-behaved scripted services and the
 * hostile behaviours every probe must survive (silence, half a banner, an endless flood,
 * garbage, a reset). They listen on 127.0.0.1 only and record, within a cap, every byte a
 * probe sent them, so tests can assert what the scanner said.
 */
import net from 'node:net';

/** The hostile behaviours of the conformance suite. */
export const HOSTILE_BEHAVIOURS = [
  'refuse',
  'silent',
  'close-mid-banner',
  'oversize',
  'garbage',
  'reset',
] as const;
/** One of {@link HOSTILE_BEHAVIOURS}. */
export type HostileBehaviour = (typeof HOSTILE_BEHAVIOURS)[number];

/** One accepted connection, as a script sees it. */
export interface FakeConnection {
  /** Writes bytes unless the socket is gone. */
  write(data: string | Uint8Array): void;
  /** Half-closes after pending writes (FIN). */
  end(data?: string | Uint8Array): void;
  /** Sends a TCP RST and destroys the socket. */
  reset(): void;
  /** Bytes received on this connection so far (capped). */
  readonly received: Buffer;
}

/** A behaviour with its parameters. */
export interface FakeSpec {
  readonly kind: HostileBehaviour | 'script';
  /**
   * When the behaviour starts: on `connect` (server-first protocols, the default) or on
   * the first bytes received (`request`, for client-first protocols such as HTTP).
   */
  readonly trigger?: 'connect' | 'request' | undefined;
  /** `close-mid-banner`: the full banner; the first half (or `cutAt` bytes) is sent. */
  readonly banner?: string | Uint8Array | undefined;
  /** `close-mid-banner`: bytes of the banner to send before closing. */
  readonly cutAt?: number | undefined;
  /** `oversize`, `garbage`, `reset`: bytes sent first (e.g. a protocol opening). */
  readonly prefix?: string | Uint8Array | undefined;
  /** `oversize`: the chunk repeated forever (default 16 KiB of `A`). */
  readonly filler?: string | Uint8Array | undefined;
  /** `garbage`: number of random bytes (default 4096). */
  readonly garbageBytes?: number | undefined;
  /** `garbage`: PRNG seed, so a failure can be replayed. */
  readonly seed?: number | undefined;
  /** `script`: called once per connection. */
  readonly onConnect?: ((conn: FakeConnection) => void) | undefined;
  /** `script`: called for every chunk received. */
  readonly onData?: ((conn: FakeConnection, chunk: Buffer) => void) | undefined;
}

/** A behaviour name or a full spec. */
export type FakeBehaviour = HostileBehaviour | FakeSpec;

/** A running fake server. */
export interface FakeServer {
  /** Always a loopback address. */
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Every byte received from every connection, in arrival order (capped). */
  received(): Buffer;
  /** Resolves once every connection accepted so far has closed. */
  settled(): Promise<void>;
  /** Closes the listener and destroys open connections. */
  close(): Promise<void>;
}

/** Bytes recorded per server: enough for any probe's requests, bounded against floods. */
const RECEIVED_CAP = 64 * 1024;

const LOOPBACK = '127.0.0.1';

/** A small deterministic PRNG (mulberry32), so garbage is reproducible from its seed. */
export function seededBytes(count: number, seed: number): Buffer {
  let state = seed >>> 0;
  const out = Buffer.alloc(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

function toBuffer(data: string | Uint8Array | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
}

/** Starts a fake server on 127.0.0.1 with an ephemeral port. */
export async function startFakeTcp(behaviour: FakeBehaviour): Promise<FakeServer> {
  const spec: FakeSpec = typeof behaviour === 'string' ? { kind: behaviour } : behaviour;
  if (spec.kind === 'refuse') return refusedPort();

  const sockets = new Set<net.Socket>();
  const log: Buffer[] = [];
  let logged = 0;
  let connections = 0;
  let waiters: (() => void)[] = [];
  const wakeIfSettled = (): void => {
    if (sockets.size > 0) return;
    const pending = waiters;
    waiters = [];
    for (const wake of pending) wake();
  };

  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    let received = Buffer.alloc(0);
    let started = false;
    // A reset or destroyed client is expected here; it must not crash the test process.
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      wakeIfSettled();
    });
    const conn: FakeConnection = {
      write: (data) => {
        if (!socket.destroyed && socket.writable) socket.write(data);
      },
      end: (data) => {
        if (socket.destroyed) return;
        if (data !== undefined) socket.end(data);
        else socket.end();
      },
      reset: () => {
        if (!socket.destroyed) socket.resetAndDestroy();
      },
      get received() {
        return received;
      },
    };
    const start = (): void => {
      if (started) return;
      started = true;
      behave(spec, socket, conn);
    };
    socket.on('data', (chunk: Buffer) => {
      const room = RECEIVED_CAP - logged;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        log.push(part);
        logged += part.length;
        if (received.length < RECEIVED_CAP) {
          received = Buffer.concat([received, part]);
        }
      }
      if (spec.trigger === 'request') start();
      spec.onData?.(conn, chunk);
    });
    if (spec.trigger !== 'request') start();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');

  return {
    host: LOOPBACK,
    port: address.port,
    get connections() {
      return connections;
    },
    received: () => Buffer.concat(log),
    settled: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        wakeIfSettled();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port where nothing listens: bind an ephemeral port, then release it. */
async function refusedPort(): Promise<FakeServer> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, LOOPBACK, resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    host: LOOPBACK,
    port: address.port,
    connections: 0,
    received: () => Buffer.alloc(0),
    settled: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

function behave(spec: FakeSpec, socket: net.Socket, conn: FakeConnection): void {
  switch (spec.kind) {
    case 'silent':
    case 'refuse':
      return;
    case 'script':
      spec.onConnect?.(conn);
      return;
    case 'close-mid-banner': {
      const banner = toBuffer(spec.banner);
      const cut = spec.cutAt ?? Math.floor(banner.length / 2);
      socket.end(banner.subarray(0, cut));
      return;
    }
    case 'garbage': {
      const bytes = seededBytes(spec.garbageBytes ?? 4096, spec.seed ?? 1);
      socket.end(Buffer.concat([toBuffer(spec.prefix), bytes]));
      return;
    }
    case 'reset': {
      const prefix = toBuffer(spec.prefix);
      // Let the prefix reach the kernel first, so the peer may see some bytes, then RST.
      if (prefix.length > 0) socket.write(prefix, () => conn.reset());
      else conn.reset();
      return;
    }
    case 'oversize':
      flood(socket, toBuffer(spec.prefix), toBuffer(spec.filler ?? 'A'.repeat(16 * 1024)));
      return;
  }
}

/** Writes `filler` forever at full speed, pausing whenever the socket asks (backpressure). */
function flood(socket: net.Socket, prefix: Buffer, filler: Buffer): void {
  const chunk = filler.length > 0 ? filler : Buffer.from('A');
  const pump = (): void => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  if (prefix.length > 0) socket.write(prefix);
  pump();
}

/**
 * A `script` spec for line-based protocols (SMTP, FTP): sends `greeting` on connect, then
 * calls `respond` with each line received (line end removed) and writes what it returns.
 */
export function lineScript(
  greeting: string | null,
  respond: (line: string, conn: FakeConnection) => string | null,
): FakeSpec {
  return {
    kind: 'script',
    onConnect: (conn) => {
      if (greeting !== null) conn.write(greeting);
    },
    onData: (() => {
      // One partial-line buffer per connection, bounded like everything a peer sends.
      const pending = new WeakMap<FakeConnection, string>();
      return (conn: FakeConnection, chunk: Buffer) => {
        let text = ((pending.get(conn) ?? '') + chunk.toString('latin1')).slice(-4096);
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
          const line = text.slice(0, nl).replace(/\r$/, '');
          text = text.slice(nl + 1);
          const answer = respond(line, conn);
          if (answer !== null) conn.write(answer);
        }
        pending.set(conn, text);
      };
    })(),
  };
}

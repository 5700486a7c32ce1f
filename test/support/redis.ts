/**
 * A real Redis for tests: Debian's `redis-server` on a free loopback port, no mock.
 * `.ci/run` installs it (`apt-get install -y redis-server`); without it the fleet tests
 * fail with a message saying so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A running `redis-server`. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** Working directory (the AOF lives here when `persist`). */
  readonly dir: string;
  /** Kills the server with SIGKILL (Redis "going away"). */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (AOF replayed when `persist`). */
  restart(): Promise<void>;
  /** Stops it; safe to call twice. */
  stop(): Promise<void>;
}

/** Binds port 0 on loopback to learn a free port, then releases it. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return port;
}

/**
 * Starts `redis-server` on 127.0.0.1. `persist` turns on the AOF with fsync on every write
 * (what docs/fleet.md recommends), so a SIGKILL loses nothing acknowledged.
 */
export async function startRedis(options: { persist?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'thingscan-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    dir,
    '--appendonly',
    options.persist ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--maxmemory-policy',
    'noeviction',
  ];
  let child: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      c.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'ENOENT'
            ? new Error(
                'redis-server not found: the fleet tests need it (apt-get install -y redis-server)',
              )
            : e,
        ),
      );
      c.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${log}`)));
      c.stdout?.setEncoding('utf8').on('data', (d: string) => {
        log += d;
        // Redis prints this once it accepts connections: an event, not a sleep.
        if (/Ready to accept connections/.test(log)) resolve();
      });
    });
    c.removeAllListeners('exit');
    c.stdout?.resume();
    c.stderr?.resume();
  };
  await launch();
  const killWith = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child as ChildProcess | null;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill: () => killWith('SIGKILL'),
    restart: launch,
    stop: () => killWith('SIGTERM'),
  };
}

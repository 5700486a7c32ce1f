/**
 * Private network namespaces for the scale bench and test: a namespace whose only interface
 * is loopback, so the scale lab's wildcard listeners and everything scanned stay on this
 * machine's loopback. Needs root and iproute2 (`ip netns`). Every namespace created here is
 * deleted by `close()`, and also when the process exits or is interrupted.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';

/** A private network namespace and the processes started in it. */
export interface Netns {
  /** Namespace name (`thingscan-<tag>-<pid>-<n>`). */
  readonly name: string;
  /** Starts `command args` inside the namespace (stdin ignored, stdout/stderr piped). */
  spawn(command: string, args: readonly string[]): ChildProcess;
  /** Runs a command inside the namespace to completion. */
  run(
    command: string,
    args: readonly string[],
  ): { code: number | null; stdout: string; stderr: string };
  /** Kills the processes started by `spawn` (by pid) and deletes the namespace. */
  close(): void;
}

/** Why namespaces cannot be used here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error)
    return `iproute2 missing (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}); apt-get install iproute2`;
  if (probe.status !== 0) return `ip netns list failed: ${probe.stderr.trim()}`;
  return null;
}

let counter = 0;
const live = new Set<Netns>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const ns of [...live]) ns.close();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const ns of [...live]) ns.close();
      process.exit(130);
    });
  }
}

/**
 * Creates a namespace with loopback up, a wide ephemeral port range and TIME_WAIT reuse
 * (hundreds of thousands of short connections), and optional unreachable loopback ranges
 * (`unreachable`: CIDRs inside 127.0.0.0/8 where a connect fails at once, standing in for
 * hosts that never answer).
 */
export function createNetns(tag: string, unreachable: readonly string[] = []): Netns {
  hookExit();
  const name = `thingscan-${tag}-${process.pid}-${counter++}`;
  const ip = (...args: string[]): void => {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  ip('netns', 'add', name);
  const children = new Set<ChildProcess>();
  let closed = false;
  const ns: Netns = {
    name,
    spawn(command, args) {
      const child = spawn('ip', ['netns', 'exec', name, command, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    run(command, args) {
      const r = spawnSync('ip', ['netns', 'exec', name, command, ...args], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    close() {
      if (closed) return;
      closed = true;
      live.delete(ns);
      for (const child of children) {
        if (child.pid !== undefined && child.exitCode === null) {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
  live.add(ns);
  try {
    ip('-n', name, 'link', 'set', 'lo', 'up');
    for (const cidr of unreachable) {
      if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}\/\d{1,2}$/.test(cidr)) {
        throw new Error(`unreachable range must be inside 127.0.0.0/8: ${cidr}`);
      }
      // The local table is looked up first and by longest prefix: this beats 127.0.0.0/8.
      ip('-n', name, 'route', 'add', 'unreachable', cidr, 'table', 'local');
    }
    const sysctl = ns.run('sh', [
      '-c',
      'echo "1024 65535" > /proc/sys/net/ipv4/ip_local_port_range && echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse',
    ]);
    if (sysctl.code !== 0) throw new Error(`namespace sysctl failed: ${sysctl.stderr.trim()}`);
  } catch (error) {
    ns.close();
    throw error;
  }
  return ns;
}

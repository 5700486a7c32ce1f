/**
 * Redis connections of the fleet. One rule matters: no command is retried or queued
 * silently while Redis is away. Our own clients fail fast (`enableOfflineQueue: false`),
 * so a lost record write surfaces as an error and the batch stays in the queue; BullMQ's
 * clients wait for Redis to come back, as BullMQ requires.
 */
import { Redis } from 'ioredis';
import { ThingscanError } from '../errors.js';

/** How long to wait for the first answer from Redis, ms. */
export const REDIS_CONNECT_TIMEOUT_MS = 3_000;

/** A Redis URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparsable Redis URL>';
  }
}

/**
 * Checks a Redis URL (`redis://host:port/db` or `rediss://`).
 *
 * @throws ThingscanError `E_USAGE` on anything else.
 */
export function checkRedisUrl(url: string): string {
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) {
    throw new ThingscanError(
      'E_USAGE',
      `--redis wants a URL like redis://127.0.0.1:6379/0, got '${redactUrl(url)}'`,
    );
  }
  return url;
}

/** Which kind of client: ours fail fast, BullMQ's wait. */
export type ClientKind = 'fail-fast' | 'bullmq';

/**
 * Connects and checks Redis with a PING.
 *
 * @throws ThingscanError `E_IO` "cannot reach Redis at URL: reason" when Redis does not
 * answer within {@link REDIS_CONNECT_TIMEOUT_MS}.
 */
export async function connectRedis(url: string, kind: ClientKind = 'fail-fast'): Promise<Redis> {
  checkRedisUrl(url);
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    // The first connection fails at once (a clear error beats a wait); later losses
    // reconnect with a capped backoff, and callers decide when "away" becomes fatal.
    retryStrategy: (times) => (connected ? Math.min(100 * times, 2_000) : null),
    ...(kind === 'bullmq'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 0, enableOfflineQueue: false }),
  });
  // ioredis re-emits connection errors on every retry; callers watch 'close'/'ready'.
  // The socket's own error (ECONNREFUSED …) says more than "Connection is closed".
  let socketError: Error | null = null;
  const onError = (e: Error): void => {
    socketError ??= e;
  };
  client.on('error', onError);
  try {
    await withTimeout(client.connect(), REDIS_CONNECT_TIMEOUT_MS);
    await withTimeout(client.ping(), REDIS_CONNECT_TIMEOUT_MS);
  } catch (error) {
    client.disconnect();
    const reason = socketError ?? (error as Error);
    throw new ThingscanError(
      'E_IO',
      `cannot reach Redis at ${redactUrl(url)}: ${reason?.message ?? String(reason)}`,
      { cause: reason },
    );
  }
  connected = true;
  client.off('error', onError);
  client.on('error', () => undefined);
  return client;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Wraps a failed Redis command into an `E_IO` error naming what was lost. */
export function redisError(url: string, what: string, error: unknown): ThingscanError {
  return new ThingscanError(
    'E_IO',
    `Redis at ${redactUrl(url)} failed while ${what}: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}

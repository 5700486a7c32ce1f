import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onAbort } from '../src/net/abort-hub.js';
import { pooledRandomBytes } from '../src/net/random-pool.js';

test('abort hub: callbacks run once, in order, and only while watched', () => {
  const controller = new AbortController();
  const calls: string[] = [];
  onAbort(controller.signal, () => calls.push('a'));
  const stopB = onAbort(controller.signal, () => calls.push('b'));
  onAbort(controller.signal, () => calls.push('c'));
  stopB();
  controller.abort();
  controller.abort();
  assert.deepEqual(calls, ['a', 'c']);
  // After the abort, a new callback is not run (callers check `aborted` first).
  onAbort(controller.signal, () => calls.push('late'));
  assert.deepEqual(calls, ['a', 'c']);
});

test('abort hub: one real listener per signal, whatever the number of callbacks', () => {
  const controller = new AbortController();
  let added = 0;
  const original = controller.signal.addEventListener.bind(controller.signal);
  controller.signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    added++;
    original(...args);
  }) as AbortSignal['addEventListener'];
  const stops = Array.from({ length: 50 }, () => onAbort(controller.signal, () => undefined));
  for (const stop of stops) stop();
  let ran = 0;
  onAbort(controller.signal, () => ran++);
  controller.abort();
  assert.equal(added, 1);
  assert.equal(ran, 1);
});

test('abort hub: a callback stopped by an earlier one during the abort is skipped', () => {
  const controller = new AbortController();
  const calls: string[] = [];
  let stopSecond = (): void => undefined;
  onAbort(controller.signal, () => {
    calls.push('first');
    stopSecond();
  });
  stopSecond = onAbort(controller.signal, () => calls.push('second'));
  controller.abort();
  // As in EventTarget dispatch: a listener removed during the dispatch is not called.
  assert.deepEqual(calls, ['first']);
});

test('abort hub: no signal means nothing to watch', () => {
  const stop = onAbort(undefined, () => assert.fail('never called'));
  stop();
});

test('pooled random bytes: right lengths, own buffers, not repeating', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const b = pooledRandomBytes(16);
    assert.equal(b.length, 16);
    seen.add(b.toString('hex'));
  }
  // 2,000 draws of 128 bits cross several pool refills; a repeat would mean reuse.
  assert.equal(seen.size, 2000);
  const a = pooledRandomBytes(8);
  const copy = Buffer.from(a);
  pooledRandomBytes(8192);
  pooledRandomBytes(100);
  assert.deepEqual(a, copy, 'a returned buffer is never overwritten by later draws');
  assert.equal(pooledRandomBytes(20_000).length, 20_000);
});

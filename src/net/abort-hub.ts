/**
 * Abort callbacks without one EventTarget listener each. A host's signal is watched by
 * every connection, read, datagram and request of that host (dozens per host), and
 * Node's `addEventListener`/`removeEventListener` on an AbortSignal showed up at a few
 * per cent of the scan profile. Here a signal gets one real listener, on first use, that
 * runs a plain set of callbacks; adding and removing a callback is a Set operation.
 *
 * Callbacks run in the order they were added, once, when the signal aborts; one removed
 * by an earlier callback during the abort is skipped, as with EventTarget. A callback
 * added to a signal that has already aborted is not run: callers check `signal.aborted`
 * first, as they would with `addEventListener`.
 */

const HUB = Symbol('thingscan.abortHub');

type Hub = Set<() => void>;
type WithHub = AbortSignal & { [HUB]?: Hub };

/** Calls `fn` when `signal` aborts; returns the function that stops watching. */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (signal === undefined || signal.aborted) return noop;
  const host = signal as WithHub;
  let hub = host[HUB];
  if (hub === undefined) {
    const callbacks: Hub = new Set();
    hub = callbacks;
    host[HUB] = callbacks;
    signal.addEventListener(
      'abort',
      () => {
        // A callback removed by an earlier one is skipped, as in EventTarget dispatch.
        for (const cb of callbacks) cb();
        callbacks.clear();
      },
      { once: true },
    );
  }
  const callbacks = hub;
  callbacks.add(fn);
  return () => {
    callbacks.delete(fn);
  };
}

function noop(): void {}

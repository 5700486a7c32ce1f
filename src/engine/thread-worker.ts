/**
 * Entry point of one scan thread (see `threads.ts`): runs {@link scan} over the hosts this
 * thread is handed and posts each record back as the host finishes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { ThingscanError } from '../errors.js';
import { type ScanTarget, scan } from './scan.js';
import { quietStackTraces } from './stacks.js';
import type { FromWorker, ThreadInit, ToWorker } from './threads.js';

/** Hosts handed to this thread, as an async iterable that ends on `end` or `stop`. */
class HostQueue implements AsyncIterable<ScanTarget> {
  readonly #items: ScanTarget[] = [];
  #ended = false;
  #wake: (() => void) | null = null;

  push(item: ScanTarget): void {
    this.#items.push(item);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    this.#wake?.();
    this.#wake = null;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ScanTarget> {
    for (;;) {
      const item = this.#items.shift();
      if (item) {
        yield item;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('thread-worker.js runs only as a worker thread');
  const init = workerData as ThreadInit;
  quietStackTraces(init.logLevel);
  const post = (m: FromWorker): void => port.postMessage(m);
  const queue = new HostQueue();
  const stop = new AbortController();
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'target') {
      queue.push({
        kind: 'target',
        ip: m.ip,
        excluded: m.excluded,
        ...(m.ports ? { ports: m.ports } : {}),
      });
    } else if (m.kind === 'end') {
      queue.end();
    } else {
      stop.abort(new Error('scan stopped'));
      queue.end();
    }
  });
  try {
    const logger = pino({ level: init.logLevel }, pino.destination(2));
    for await (const record of scan(queue, { ...init.options, logger, signal: stop.signal })) {
      post({ kind: 'record', record });
    }
    post({ kind: 'done' });
  } catch (error) {
    post({
      kind: 'fatal',
      code: error instanceof ThingscanError ? error.code : 'E_INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    port.close();
  }
}

void main();

// Gathers the bodies of fleet scrapes that finish close together into one hot-path batch (one pool task), so ~667
// small bodies a second cost a few dozen messages instead of one each, and their parsing leaves the main thread.
import type { ExpositionFormat } from '../exposition/types.js';
import type { HotPathModule } from '../pool/hot-path.js';
import type { HotPathBatch, HotPathBatchItem, HotPathEncodedResult } from '../pool/hot-path-batch.js';

export interface BatchRunner {
  runBatch(batch: HotPathBatch): Promise<HotPathEncodedResult[]>;
}

export interface ScrapeBatcherOptions {
  /** A batch goes once it holds this many bodies… */
  readonly maxItems?: number;
  /** …or this many bytes of bodies (default: no bound)… */
  readonly maxBytes?: number;
  /** …or once its first body has waited this long. */
  readonly maxWaitMs?: number;
}

interface Pending {
  readonly module: HotPathModule;
  readonly items: HotPathBatchItem[];
  bytes: number;
  readonly waiters: Array<(result: HotPathEncodedResult) => void>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * 64 bodies or 20 ms: at 10,000 targets every 15 s (667 bodies/s) a batch holds ~13 bodies (~70 KB), and a body
 * waits at most 20 ms — scrape duration, not the targets' schedule, which depends only on when fetches start.
 */
const DEFAULT_MAX_ITEMS = 64;
const DEFAULT_MAX_WAIT_MS = 20;

export class ScrapeBatcher {
  readonly #runner: BatchRunner;
  readonly #formats: readonly ExpositionFormat[];
  readonly #maxItems: number;
  readonly #maxBytes: number;
  readonly #maxWaitMs: number;
  /** One open batch per module object (a module of one generation). */
  readonly #open = new Map<HotPathModule, Pending>();

  constructor(runner: BatchRunner, formats: readonly ExpositionFormat[], options: ScrapeBatcherOptions = {}) {
    this.#runner = runner;
    this.#formats = formats;
    this.#maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /** Bodies waiting for their batch to go. */
  get waiting(): number {
    let count = 0;
    for (const pending of this.#open.values()) count += pending.items.length;
    return count;
  }

  run(module: HotPathModule, item: HotPathBatchItem): Promise<HotPathEncodedResult> {
    let pending = this.#open.get(module);
    if (pending === undefined) {
      pending = { module, items: [], bytes: 0, waiters: [], timer: undefined };
      this.#open.set(module, pending);
      const opened = pending;
      pending.timer = setTimeout(() => this.#send(opened), this.#maxWaitMs);
      pending.timer.unref();
    }
    const result = new Promise<HotPathEncodedResult>((resolve) => pending.waiters.push(resolve));
    pending.items.push(item);
    pending.bytes += item.body.byteLength;
    if (pending.items.length >= this.#maxItems || pending.bytes >= this.#maxBytes) this.#send(pending);
    return result;
  }

  #send(pending: Pending): void {
    if (this.#open.get(pending.module) !== pending) return;
    this.#open.delete(pending.module);
    clearTimeout(pending.timer);
    const batch: HotPathBatch = { module: pending.module, formats: this.#formats, items: pending.items };
    this.#runner.runBatch(batch).then(
      (results) => {
        for (const [i, resolve] of pending.waiters.entries()) {
          resolve(
            results[i] ?? {
              ok: false,
              reason: 'worker_error',
              message: 'the hot path returned fewer results than bodies',
            },
          );
        }
      },
      (err: unknown) => {
        const message = `hot path batch failed: ${err instanceof Error ? err.message : String(err)}`;
        for (const resolve of pending.waiters) resolve({ ok: false, reason: 'worker_error', message });
      },
    );
  }
}

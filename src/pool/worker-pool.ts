// The HotPath on a Piscina pool: bodies are transferred to workers, bounded by a queue that fails fast when full.
import { Piscina } from 'piscina';
import type { HotPath, HotPathResult, HotPathTask } from './hot-path.js';
import type { WorkerReply, WorkerTask } from './messages.js';

export interface WorkerPoolOptions {
  /** Worker threads, all started up front and kept (a scrape fleet keeps them busy; no idle teardown). */
  readonly threads: number;
  /** Tasks allowed to wait for a worker once all are busy; one more fails at once with `pool_overloaded`. */
  readonly maxQueue: number;
  /** The worker module (a file URL). Defaults to ./worker.js; tests point it at a wrapper that can crash. */
  readonly workerUrl?: string;
}

/** What the pool reports to its metrics. */
export interface WorkerPoolStats {
  readonly threads: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks posted and not yet settled (running or waiting). */
  readonly inFlight: number;
  /** Piscina's utilisation: the share of the pool's thread time spent running tasks since it started, 0..1. */
  readonly utilization: number;
}

/**
 * The body's ArrayBuffer when the body views all of it (fetchTarget's bodies do): that buffer is transferred
 * and the caller's view detached. A view into a larger or shared buffer is copied once instead, so transferring
 * never takes memory the caller still uses for something else.
 */
function transferableBody(body: Uint8Array): ArrayBuffer {
  const buffer = body.buffer;
  if (buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === buffer.byteLength) return buffer;
  return body.slice().buffer;
}

export class WorkerPool implements HotPath {
  readonly #pool: Piscina<WorkerTask, WorkerReply>;
  readonly #capacity: number;
  #inFlight = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`WorkerPool: threads must be a whole number ≥ 1 (got ${options.threads})`);
    }
    if (!Number.isSafeInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RangeError(`WorkerPool: maxQueue must be a whole number ≥ 0 (got ${options.maxQueue})`);
    }
    this.#capacity = options.threads + options.maxQueue;
    this.#pool = new Piscina<WorkerTask, WorkerReply>({
      filename: options.workerUrl ?? new URL('./worker.js', import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      // Our own bound (#capacity) answers first; this is only a backstop that never trips before it.
      maxQueue: this.#capacity,
      // Workers are kept for the process's life: a respawn costs a module load and recompiling the config.
      idleTimeout: Number.MAX_SAFE_INTEGER,
    });
  }

  /** Bodies posted and not answered yet: what routing reads per body (stats also reads Piscina's timing histograms). */
  get inFlight(): number {
    return this.#inFlight;
  }

  get stats(): WorkerPoolStats {
    return {
      threads: this.#pool.threads.length,
      queued: this.#pool.queueSize,
      inFlight: this.#inFlight,
      utilization: this.#pool.utilization,
    };
  }

  async run(task: HotPathTask): Promise<HotPathResult> {
    if (this.#closed)
      return {
        ok: false,
        reason: 'worker_error',
        message: 'the worker pool is closed (the exporter is shutting down)',
      };
    // Counted synchronously, before any await: a burst of probes sees the bound exactly, not after the fact.
    if (this.#inFlight >= this.#capacity) {
      return {
        ok: false,
        reason: 'pool_overloaded',
        message: `worker pool overloaded: ${this.#inFlight} bodies in flight (threads + --workers.max-queue = ${this.#capacity}); retry later or raise --workers / --workers.max-queue`,
      };
    }
    const body = transferableBody(task.body);
    const workerTask: WorkerTask = {
      generation: task.module.generation,
      moduleName: task.module.name,
      module: task.module.config,
      body,
      ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
      targetLabels: task.targetLabels,
      formats: task.formats,
    };
    this.#inFlight++;
    try {
      const reply = await this.#pool.run(workerTask, { transferList: [body] });
      return reply.result;
    } catch (err) {
      // A throw in the task or a worker that died: only this task fails; Piscina starts a replacement worker.
      return {
        ok: false,
        reason: 'worker_error',
        message: `worker failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    } finally {
      this.#inFlight--;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }
}

// The HotPath on a Piscina pool: bodies are transferred to workers, bounded by a queue that fails fast when full.
import { Piscina } from 'piscina';
import { FamilyMetaInterner } from '../exposition/encoded-families.js';
import type { HotPath, HotPathResult, HotPathTask } from './hot-path.js';
import { decodeBatch, encodeBatch, type HotPathBatch, type HotPathEncodedResult } from './hot-path-batch.js';
import type { WorkerBatchReply, WorkerBatchTask, WorkerPing, WorkerReply, WorkerTask } from './messages.js';

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

/** A batch's bodies back to back in one new ArrayBuffer (transferred; the callers' buffers stay theirs). */
function packBodies(batch: HotPathBatch): { bodies: ArrayBuffer; bodyEnds: Uint32Array } {
  const bodyEnds = new Uint32Array(batch.items.length);
  let total = 0;
  for (const [i, item] of batch.items.entries()) {
    total += item.body.byteLength;
    bodyEnds[i] = total;
  }
  const bodies = new Uint8Array(total);
  let at = 0;
  for (const item of batch.items) {
    bodies.set(item.body, at);
    at += item.body.byteLength;
  }
  return { bodies: bodies.buffer, bodyEnds };
}

export class WorkerPool implements HotPath {
  readonly #pool: Piscina<WorkerTask | WorkerBatchTask | WorkerPing, WorkerReply | WorkerBatchReply | 'pong'>;
  readonly #capacity: number;
  /** Every batch result of a module generation shares one family list. */
  readonly #families = new FamilyMetaInterner();
  /**
   * Batches sent with their module's config, per generation and module: the first few carry it (most likely every
   * worker gets one, so the first scrapes after a start or reload pay no extra round trip); the rest do not.
   */
  readonly #configSent = new Map<string, number>();
  readonly #threads: number;
  /** Workers that answered their start-up ping: until one has, batches run inline (a worker's start takes ~0.5 s). */
  #started = 0;
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
    this.#threads = options.threads;
    this.#pool = new Piscina<WorkerTask | WorkerBatchTask | WorkerPing, WorkerReply | WorkerBatchReply | 'pong'>({
      filename: options.workerUrl ?? new URL('./worker.js', import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      // Our own bound (#capacity) answers first; this is only a backstop that never trips before it.
      maxQueue: this.#capacity,
      // Workers are kept for the process's life: a respawn costs a module load and recompiling the config.
      idleTimeout: Number.MAX_SAFE_INTEGER,
    });
    for (let i = 0; i < options.threads; i++) {
      this.#pool.run({ kind: 'ping' }).then(
        () => this.#started++,
        () => undefined,
      );
    }
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
      const reply = (await this.#pool.run(workerTask, { transferList: [body] })) as WorkerReply;
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

  /**
   * Many bodies of one module in one task (fleet mode's small bodies: one message instead of one per body). The
   * module's config is not sent until a worker asks for it, once per generation. Counts as one task against the
   * queue bound; a failure of the task fails each of its bodies with the same reason.
   */
  async runBatch(batch: HotPathBatch): Promise<HotPathEncodedResult[]> {
    const fail = (reason: 'worker_error' | 'pool_overloaded', message: string): HotPathEncodedResult[] =>
      batch.items.map(() => ({ ok: false, reason, message }));
    if (batch.items.length === 0) return [];
    // The first scrapes after a start must not wait for workers still loading (a scrape timeout can be < 1 s).
    if (this.#started === 0 && !this.#closed) {
      return decodeBatch(encodeBatch(batch.module.compiled, batch.items, batch.formats), this.#families);
    }
    if (this.#closed) return fail('worker_error', 'the worker pool is closed (the exporter is shutting down)');
    if (this.#inFlight >= this.#capacity) {
      return fail(
        'pool_overloaded',
        `worker pool overloaded: ${this.#inFlight} tasks in flight (threads + --workers.max-queue = ${this.#capacity}); retry later or raise --workers / --workers.max-queue`,
      );
    }
    const { bodies, bodyEnds } = packBodies(batch);
    const key = `${batch.module.generation}\u0000${batch.module.name}`;
    const sent = this.#configSent.get(key) ?? 0;
    if (sent === 0 && this.#configSent.size > 64) this.#configSent.clear();
    this.#configSent.set(key, sent + 1);
    const task: WorkerBatchTask = {
      ...(sent < this.#threads * 2 ? { module: batch.module.config } : {}),
      kind: 'batch',
      generation: batch.module.generation,
      moduleName: batch.module.name,
      bodies,
      bodyEnds,
      contentTypes: batch.items.map((item) => item.contentType),
      targetLabels: batch.items.map((item) => item.targetLabels),
      formats: batch.formats,
    };
    this.#inFlight++;
    try {
      let reply = (await this.#pool.run(task, { transferList: [bodies] })) as WorkerBatchReply;
      if (reply.kind === 'missing-module') {
        const resend = { ...task, bodies: reply.bodies, module: batch.module.config };
        reply = (await this.#pool.run(resend, { transferList: [reply.bodies] })) as WorkerBatchReply;
      }
      if (reply.kind !== 'batch')
        return fail('worker_error', 'worker failed: it did not compile the module it was sent');
      return decodeBatch(reply.batch, this.#families);
    } catch (err) {
      return fail('worker_error', `worker failed: ${err instanceof Error ? err.message : String(err)}`);
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

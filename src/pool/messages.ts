// What crosses the thread boundary between the pool and its workers: plain data and transferred ArrayBuffers.
import type { ModuleConfig } from '../config/types.js';
import type { ExpositionFormat } from '../exposition/types.js';
import type { HotPathResult } from './hot-path.js';
import type { EncodedBatch } from './hot-path-batch.js';

/** One body to parse, extract and render in a worker. Structured-cloned, except `body`, which is transferred. */
export interface WorkerTask {
  readonly kind?: 'single';
  /** Config generation of `module`: a worker seeing a newer one drops the modules it compiled for older ones. */
  readonly generation: number;
  readonly moduleName: string;
  /**
   * The plain module config, sent with the first tasks of a (generation, moduleName) only: the worker compiles it
   * once and caches the result. A worker that has not compiled it answers `missing-module`, and the task is sent
   * again with it (a replaced worker, a busy start).
   */
  readonly module?: ModuleConfig;
  /** The response body; transferred, so the caller's buffer is detached once the task is posted. */
  readonly body: ArrayBuffer;
  readonly contentType?: string;
  readonly targetLabels: Readonly<Record<string, string>>;
  readonly formats: readonly ExpositionFormat[];
  /** Epoch ms: the scrape's deadline; the worker stops the task with `timeout` past it. */
  readonly deadline?: number;
  /**
   * One Int32 shared with the pool: the task's state (TASK_QUEUED → TASK_RUNNING, or TASK_CANCELLED set by the
   * pool). A worker that finds a queued task cancelled returns at once; a running one stops at its next budget check.
   */
  readonly control?: SharedArrayBuffer;
  /**
   * Answer with the families as UTF-8 bytes in one transferred buffer (WorkerEncodedReply) instead of cloned strings:
   * what /probe writes to its socket as it is.
   */
  readonly encode?: boolean;
  /** A large body: the worker collects its garbage before it answers (see WorkerPool's LARGE_BODY_BYTES). */
  readonly collectGarbage?: boolean;
}

export const TASK_QUEUED = 0;
export const TASK_RUNNING = 1;
export const TASK_CANCELLED = 2;

/** A worker's answer to a WorkerTask: the hot path's own result (families, counts, problems, timings). */
export interface WorkerReply {
  readonly kind?: undefined;
  readonly result: HotPathResult;
}

/** A worker's answer to a WorkerTask with `encode`: the result as a one-item batch (its buffer transferred). */
export interface WorkerEncodedReply {
  readonly kind: 'encoded';
  readonly batch: EncodedBatch;
}

/** A task without `module` that the worker has not compiled: its body comes back untouched (transferred). */
export interface WorkerMissingModule {
  readonly kind: 'missing-module';
  readonly body: ArrayBuffer;
}

/**
 * Many bodies of one module in one message: `bodies` (transferred) holds them back to back, body i ending at
 * `bodyEnds[i]`. The module's config comes once per generation: a worker that has not compiled
 * (generation, moduleName) yet answers `missing-module`, and only then is the batch sent again with `module`.
 */
export interface WorkerBatchTask {
  readonly kind: 'batch';
  readonly generation: number;
  readonly moduleName: string;
  readonly module?: ModuleConfig;
  readonly bodies: ArrayBuffer;
  readonly bodyEnds: Uint32Array;
  readonly contentTypes: ReadonlyArray<string | undefined>;
  readonly targetLabels: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly formats: readonly ExpositionFormat[];
  /** Each body's deadline (epoch ms; NaN: none): past it that body stops with `timeout`. */
  readonly deadlines?: Float64Array;
  /** The batch's state word, as WorkerTask.control: a cancelled batch is dropped, a running one stops its bodies. */
  readonly control?: SharedArrayBuffer;
  /** As WorkerTask.collectGarbage, for a batch whose bodies add up to a large body. */
  readonly collectGarbage?: boolean;
}

/** `missing-module` hands the bodies back untouched (transferred) for the resend; `batch` is the encoded answer. */
export type WorkerBatchReply =
  | { readonly kind: 'missing-module'; readonly bodies: ArrayBuffer }
  | { readonly kind: 'batch'; readonly batch: EncodedBatch };

/** Sent once per thread when the pool starts: answered as soon as a worker has loaded its module. */
export interface WorkerPing {
  readonly kind: 'ping';
}

/**
 * The worker module's export that large bodies (and large batches) are run under: the same function as the default
 * export, named so the pool's balancer can tell them apart (Piscina shows a balancer a task's name, not its data).
 */
export const LARGE_BODY_TASK = 'runLargeBody';

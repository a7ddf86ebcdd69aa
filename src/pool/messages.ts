// What crosses the thread boundary between the pool and its workers: plain data and one transferred ArrayBuffer.
import type { ModuleConfig } from '../config/types.js';
import type { ExpositionFormat } from '../exposition/types.js';
import type { HotPathResult } from './hot-path.js';

/** One body to parse, extract and render in a worker. Structured-cloned, except `body`, which is transferred. */
export interface WorkerTask {
  /** Config generation of `module`: a worker seeing a newer one drops the modules it compiled for older ones. */
  readonly generation: number;
  readonly moduleName: string;
  /** The plain module config; the worker compiles it once per (generation, moduleName) and caches the result. */
  readonly module: ModuleConfig;
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
}

export const TASK_QUEUED = 0;
export const TASK_RUNNING = 1;
export const TASK_CANCELLED = 2;

/** A worker's answer: the hot path's own result (families, counts, problems, timings) and how the cache did. */
export interface WorkerReply {
  readonly result: HotPathResult;
  /** Whether the compiled module came from the worker's cache (false: compiled for this task). */
  readonly cacheHit: boolean;
}

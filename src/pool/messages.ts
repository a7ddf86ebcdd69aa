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
}

/** A worker's answer: the hot path's own result (families, counts, problems, timings) and how the cache did. */
export interface WorkerReply {
  readonly result: HotPathResult;
  /** Whether the compiled module came from the worker's cache (false: compiled for this task). */
  readonly cacheHit: boolean;
}

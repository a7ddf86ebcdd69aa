// Picks where each body is handled: small ones inline on the main thread, the rest in the worker pool; counts both.
import type { Registry } from 'prom-client';
import { createHotPathMetrics, type HotPathMetrics, type HotPathRoute } from '../telemetry/pool-metrics.js';
import { FamilyMetaInterner } from '../exposition/encoded-families.js';
import { runInlineTask, type HotPath, type HotPathResult, type HotPathTask } from './hot-path.js';
import { encodeResult, type HotPathBatch, type HotPathEncodedResult, runBatchInline } from './hot-path-batch.js';
import { WorkerPool } from './worker-pool.js';

/**
 * Bodies smaller than this run inline. First set to 8 KiB from the main thread's cost per body inline vs through the
 * pool (`npm run bench:hotpath -- --sizes=8k,16k,32k,64k`). Issue 16 made the inline path cheaper (no depth scan of
 * small bodies) and measured the hop's own cost: every task wakes a worker (`Atomics.notify`, ~10 % of the main
 * thread at 50 probes) and its answer is cloned back, so on 2 cores the pool saves the main thread little below
 * ~32 KB and costs more CPU in all: at 50 concurrent probes of a 22 KB body, 2,384 req/s and p99 47 ms inline
 * against 1,859 req/s and p99 102 ms through 2 workers (reference config, same run, bench/README.md).
 */
export const DEFAULT_INLINE_MAX_BYTES = 32 * 1024;

/**
 * Bodies up to this size also run inline while the main thread is idle (no body in the pool, event loop busy under
 * IDLE_UTILIZATION over the last IDLE_WINDOW_MS): the hop (post, clone, reply) is pure latency for a lone probe.
 * Larger bodies always go to the pool: a 1 MB srs_streams body is ~20 ms of main-thread time, too long to hold off
 * other requests even when idle. Under load the pool takes them, so the main thread keeps to I/O.
 */
export const DEFAULT_IDLE_INLINE_MAX_BYTES = 256 * 1024;
/**
 * Measured with bench:probe (50-stream body, reference config): "no body in the pool" alone is not a load signal —
 * with every body inline the pool is never busy, and at 50 connections the main thread did all the work while both
 * workers idled (98 % in atomicsWaitLoop), halving throughput. Event-loop utilisation is: ~0.3 for a lone probe,
 * ~1 at 10+ connections.
 */
const IDLE_UTILIZATION = 0.5;
const IDLE_WINDOW_MS = 100;

export interface HotPathOptions {
  /** Pool worker threads; 0 handles every body inline. */
  readonly workers: number;
  /** Bodies allowed to wait for a busy pool before new ones fail with `pool_overloaded`. */
  readonly maxQueue: number;
  /** Bodies below this many bytes run inline even when there is a pool. */
  readonly inlineMaxBytes: number;
  /** Bodies up to this many bytes run inline too while the pool has no body in flight; 0 (default): never. */
  readonly idleInlineMaxBytes?: number;
  /** Where the hot-path self-metrics go; none when absent. */
  readonly registry?: Registry;
  /** A different worker module (tests only). */
  readonly workerUrl?: string;
  /** Each worker's heap limit in MB (WorkerPool's default when absent). */
  readonly maxHeapMb?: number;
  /** Workers idle this long are stopped until a body needs them (WorkerPool's default when absent; 0: never). */
  readonly idleStopMs?: number;
}

/** A HotPath that knows which way each task went, for the caller's trace spans and metrics. */
export interface RoutedHotPath extends HotPath {
  /**
   * Where a body of this size would run now (it depends on the pool's load for bodies up to idleInlineMaxBytes);
   * `risky`: the module uses a jsonpath-plus filter, which runs in the pool whenever there is one.
   */
  routeFor(bodyBytes: number, risky?: boolean): HotPathRoute;
  readonly pool: WorkerPool | undefined;
  /**
   * Many bodies of one module at once (fleet mode): inline when every body routes inline (routeFor: below
   * --workers.inline-max-bytes, no jsonpath-plus filter) or there is no pool; otherwise one pool task for them all.
   */
  runBatch(batch: HotPathBatch): Promise<HotPathEncodedResult[]>;
  runEncoded(task: HotPathTask): Promise<HotPathEncodedResult>;
  runsInline(task: HotPathTask): boolean;
}

export function createHotPath(options: HotPathOptions): RoutedHotPath {
  const pool =
    options.workers > 0
      ? new WorkerPool({
          threads: options.workers,
          maxQueue: options.maxQueue,
          ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
          ...(options.maxHeapMb === undefined ? {} : { maxHeapMb: options.maxHeapMb }),
          ...(options.idleStopMs === undefined ? {} : { idleStopMs: options.idleStopMs }),
        })
      : undefined;
  const metrics: HotPathMetrics | undefined =
    options.registry === undefined ? undefined : createHotPathMetrics(options.registry, () => pool?.stats);
  const idleInlineMaxBytes = pool === undefined ? 0 : (options.idleInlineMaxBytes ?? 0);
  // The main thread's event-loop utilisation over the last window, sampled on a timer (only when the idle rule is on).
  let utilization = 0;
  let sampled = performance.eventLoopUtilization();
  const sampler =
    idleInlineMaxBytes > 0
      ? setInterval(() => {
          const now = performance.eventLoopUtilization();
          utilization = performance.eventLoopUtilization(now, sampled).utilization;
          sampled = now;
        }, IDLE_WINDOW_MS).unref()
      : undefined;
  const routeFor = (bodyBytes: number, risky = false): HotPathRoute => {
    if (pool === undefined) return 'inline';
    if (risky) return 'pool';
    if (bodyBytes < options.inlineMaxBytes) return 'inline';
    const idle = pool.inFlight === 0 && utilization < IDLE_UTILIZATION;
    return bodyBytes <= idleInlineMaxBytes && idle ? 'inline' : 'pool';
  };

  const runRouted = async (task: HotPathTask, route: HotPathRoute): Promise<HotPathResult> => {
    if (route === 'inline' || pool === undefined) return runInlineTask(task);
    return pool.run(task);
  };

  const families = new FamilyMetaInterner();
  const runEncodedRouted = async (task: HotPathTask, route: HotPathRoute): Promise<HotPathEncodedResult> => {
    if (route === 'inline' || pool === undefined) return encodeResult(runInlineTask(task), task.formats, families);
    return pool.runEncoded(task);
  };

  /** Runs a task where routeFor says, and counts it by path and outcome. */
  const measured = async <R extends HotPathResult | HotPathEncodedResult>(
    task: HotPathTask,
    run: (task: HotPathTask, route: HotPathRoute) => Promise<R>,
  ): Promise<R> => {
    // A module with a jsonpath-plus filter may run a regular expression that backtracks for minutes, which no
    // budget check can interrupt: such bodies always go to the pool, whose watchdog can replace a stuck worker.
    const route = routeFor(task.body.byteLength, task.module.compiled.usesFallbackFilter);
    const started = performance.now();
    const result = await run(task, route);
    if (metrics !== undefined) {
      metrics.tasks.inc({ path: route, outcome: result.ok ? 'ok' : result.reason });
      metrics.duration.observe({ path: route }, (performance.now() - started) / 1000);
    }
    return result;
  };
  return {
    pool,
    routeFor,
    async runBatch(batch) {
      const risky = batch.module.compiled.usesFallbackFilter;
      const route: HotPathRoute =
        pool === undefined || batch.items.every((item) => routeFor(item.body.byteLength, risky) === 'inline')
          ? 'inline'
          : 'pool';
      const started = performance.now();
      const results =
        route === 'inline' || pool === undefined ? runBatchInline(batch, families) : await pool.runBatch(batch);
      if (metrics !== undefined) {
        for (const result of results) metrics.tasks.inc({ path: route, outcome: result.ok ? 'ok' : result.reason });
        metrics.duration.observe({ path: route }, (performance.now() - started) / 1000);
      }
      return results;
    },
    run: (task) => measured(task, runRouted),
    runsInline: (task) => routeFor(task.body.byteLength, task.module.compiled.usesFallbackFilter) === 'inline',
    runEncoded: (task) => measured(task, runEncodedRouted),
    close: async () => {
      clearInterval(sampler);
      await pool?.close();
    },
  };
}

// The scheduler's scrape function: fetch one fleet target (as /probe does), then its body joins a hot-path batch;
// the result comes back as bytes (EncodedFamilies) rendered with the target's labels.
import { redactedUrlOf, type ScrapeTarget } from '../discovery/target.js';
import type { ExpositionFormat } from '../exposition/types.js';
import { type HotPathBatchItem, type HotPathEncodedResult, runBatchInline } from '../pool/hot-path-batch.js';
import { FamilyMetaInterner } from '../exposition/encoded-families.js';
import { epochNow, type HotPath, type HotPathModule } from '../pool/hot-path.js';
import type { HotPathRoute } from '../telemetry/pool-metrics.js';
import type { PreparedConfig } from '../scrape/prepared-config.js';
import { fetchProbeBody } from '../scrape/probe-target.js';
import { endScrapeTrace, recordHotPathSpans, startScrapeTrace } from '../telemetry/tracing.js';
import type { ScrapeFunction } from './scheduler.js';
import { type BatchRunner, ScrapeBatcher, type ScrapeBatcherOptions } from './scrape-batcher.js';

export interface FleetScrapeOptions {
  /** The config generation to scrape with, read at each scrape: a reload applies from the next scrape on. */
  readonly prepared: () => PreparedConfig;
  /**
   * With a pool (createHotPath's, `pool` set), bodies its routeFor sends to the pool go there in batches; the others
   * (below --workers.inline-max-bytes), and every body without a pool, run inline at once (gathering bodies only
   * pays for messages to workers).
   */
  readonly hotPath: HotPath &
    Partial<BatchRunner> & {
      readonly pool?: unknown;
      readonly routeFor?: (bodyBytes: number, risky?: boolean) => HotPathRoute;
    };
  /** Used when the config has no fleet.max_body_bytes (--scrape.max-body-bytes). */
  readonly maxBodyBytes: number;
  /** How inline bodies are gathered into batches (INLINE_BATCH when absent; `maxItems: 1` runs each at once). */
  readonly inlineBatch?: ScrapeBatcherOptions;
}

/** Both formats are kept: Prometheus asks for OpenMetrics first, other clients for text 0.0.4. */
export const FLEET_FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];
/** Fleet scrapes carry no probe URL parameters: a templated body sees empty data. */
const NO_PARAMS: ReadonlyMap<string, readonly string[]> = new Map();

/** A cancelled scrape's hot-path answer (the scheduler turns a deadline's abort into `timeout`). */
const ABORTED: HotPathEncodedResult = Object.freeze({
  ok: false,
  reason: 'aborted',
  message: 'the scrape was cancelled',
});

/**
 * The batch's answer, or `aborted` as soon as the scrape's signal fires (its deadline, the target vanishing): a
 * batch stuck in a worker (a filter's regexp backtracking) must not hold the scheduler's slot.
 */
function untilAborted(result: Promise<HotPathEncodedResult>, signal: AbortSignal): Promise<HotPathEncodedResult> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    void result.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

/**
 * Bodies that run inline are gathered too, for at most this long or this many bodies or bytes, and run as one batch on
 * the main thread, each body's lines then copied into a recycled buffer of its own (runBatchInline). Measured
 * (bench:fleet, 90 s windows, alternated with one body at a time, bench/README.md, twenty-third stop on issue 15):
 * 10,000 × 10 CPU 17.9 / 17.0 → 14.1 / 14.8 % of 2 cores, 2,000 × 50 11.4 / 12.0 → 11.1 / 11.1 %. A batch looks up its
 * module's parser, counts its metrics and wakes its scrapes once; that is a few microseconds a body, less than was
 * saved, and why the rest goes is not pinned down (bodies run back to back may find the module's code and data still
 * in the caches). The bytes bound keeps a batch to a few milliseconds of the event loop.
 */
export const INLINE_BATCH: Required<ScrapeBatcherOptions> = Object.freeze({
  maxItems: 64,
  maxBytes: 512 * 1024,
  maxWaitMs: 20,
});

/** A batch waits at most the batcher's short timer (unref'd), so a stopping scheduler's scrapes still settle. */
export function createFleetScrape(options: FleetScrapeOptions): ScrapeFunction {
  const { hotPath } = options;
  const runBatch = hotPath.runBatch;
  const batcher =
    runBatch !== undefined && hotPath.pool !== undefined
      ? new ScrapeBatcher({ runBatch: (batch) => runBatch.call(hotPath, batch) }, FLEET_FORMATS)
      : undefined;
  const families = new FamilyMetaInterner();
  // Through the hot path when it can take a batch, so the bodies are counted in its metrics.
  const inlineBatcher = new ScrapeBatcher(
    {
      runBatch: (batch) =>
        runBatch !== undefined ? runBatch.call(hotPath, batch) : Promise.resolve(runBatchInline(batch, families)),
    },
    FLEET_FORMATS,
    options.inlineBatch ?? INLINE_BATCH,
  );
  /**
   * Small bodies run on the main thread as /probe's do. Measured (bench:fleet, same-run pairs, bench/README.md): with
   * every body batched to the workers the process used 10 % more CPU at 10,000 × 10 (18.2 against 16.4 % of 2 cores)
   * and 21 % more at 2,000 × 50 (14.3 against 11.8 %) than with the small ones inline: the messages, the workers'
   * wake-ups and their own collections cost more than the work they took off the main thread. Its event loop's delay
   * p99 stayed under 10 ms either way.
   */
  const inline = (module: HotPathModule, item: HotPathBatchItem): boolean =>
    batcher === undefined || hotPath.routeFor?.(item.body.byteLength, module.compiled.usesFallbackFilter) === 'inline';
  /**
   * An inline batch runs within the batcher's short wait and cannot get stuck (nothing in it waits): only a pool batch
   * waits on the signal, which spares two listeners and a promise per scrape on the common path. A deadline that
   * passes meanwhile is still the scrape's outcome (the scheduler reads its signal's reason).
   */
  const run = async (
    module: HotPathModule,
    item: HotPathBatchItem,
    signal: AbortSignal,
  ): Promise<HotPathEncodedResult> => {
    if (!inline(module, item)) return untilAborted((batcher as ScrapeBatcher).run(module, item), signal);
    if (signal.aborted) return ABORTED;
    return inlineBatcher.run(module, item);
  };
  return async (target: ScrapeTarget, signal: AbortSignal) => {
    const prepared = options.prepared();
    const module = prepared.modules.get(target.module);
    if (module === undefined) {
      return {
        ok: false,
        reason: 'unknown_module',
        message: `module ${JSON.stringify(target.module)} of job ${target.job} is not in the config`,
      };
    }
    // The scrape's one deadline (the scheduler aborts `signal` at it too): the worker stops this body there.
    const deadline = epochNow() + target.timeoutMs;
    const redacted = redactedUrlOf(target);
    const trace = startScrapeTrace(redacted, module.hotPath.name, module.hotPath.generation);
    const fetched = await fetchProbeBody(
      {
        module,
        hotPath,
        target: target.url,
        targetLabels: target.labels,
        formats: FLEET_FORMATS,
        params: NO_PARAMS,
        timeoutMs: target.timeoutMs,
        maxBodyBytes: prepared.config.fleet?.maxBodyBytes ?? options.maxBodyBytes,
        signal,
        lean: true,
      },
      trace,
    );
    if (!fetched.ok) {
      endScrapeTrace(trace, fetched);
      return { ok: false, reason: fetched.reason, message: fetched.message };
    }
    // The hot path renders target labels first and renames a clashing series label to exported_<name>.
    const result = await run(
      module.hotPath,
      {
        body: fetched.body,
        ...(fetched.contentType === undefined ? {} : { contentType: fetched.contentType }),
        targetLabels: target.labels,
        deadline,
      },
      signal,
    );
    if (!result.ok) {
      const failure = {
        ok: false as const,
        reason: result.reason,
        message: `${redacted}: ${result.message}`,
      };
      endScrapeTrace(trace, failure);
      return failure;
    }
    recordHotPathSpans(trace, result.timings, {
      'fje.body_bytes': fetched.body.byteLength,
      'fje.samples': result.sampleCount,
    });
    endScrapeTrace(trace, undefined);
    return {
      ok: true,
      encoded: result.encoded,
      sampleCount: result.sampleCount,
      problemCounts: result.problemCounts,
      problems: result.problems,
      ...(fetched.templateError === undefined ? {} : { templateError: fetched.templateError }),
    };
  };
}

// The hot path's one interface: body bytes → rendered families. Inline here; the Piscina pool implements the same.
import type { ModuleConfig } from '../config/types.js';
import { findApiError } from '../extract/api-error.js';
import type { CompiledModule } from '../extract/compile-module.js';
import { extractSamples, type ExtractProblem, type ExtractProblemReason } from '../extract/extract.js';
import { parseJsonBody, type JsonBodyParser } from '../extract/parse-json.js';
import { escapeLabelValue } from '../exposition/escape.js';
import { resolveLabelClashes } from '../exposition/label-clash.js';
import { renderFamily, rendersAlikeInBothFormats } from '../exposition/render.js';
import type { ExpositionFormat, RenderedFamily } from '../exposition/types.js';
import type { HotPathTimings } from '../telemetry/tracing.js';
import type { HotPathFailureReason } from './errors.js';

/** A module as the hot path needs it: plain config (crosses to workers) and, on the main thread, its compiled form. */
export interface HotPathModule {
  /** The module's name in the config: with the generation, the key of a worker's compiled-module cache. */
  readonly name: string;
  /** The config generation the module belongs to; workers cache compiled modules per generation. */
  readonly generation: number;
  readonly config: ModuleConfig;
  readonly compiled: CompiledModule;
}

export interface HotPathTask {
  readonly module: HotPathModule;
  /** The response body. A pool transfers its ArrayBuffer to a worker: the caller must not use it afterwards. */
  readonly body: Uint8Array;
  readonly contentType?: string;
  /**
   * Labels put before each series' own labels, in this order (fleet mode: job, instance, the job's and
   * file_sd's labels); empty in probe mode.
   */
  readonly targetLabels: Readonly<Record<string, string>>;
  /** The formats to render; each gets its own list of families. */
  readonly formats: readonly ExpositionFormat[];
}

export type HotPathResult =
  | {
      readonly ok: true;
      /** Per requested format, every family of the module in order (a family with no samples has text ''). */
      readonly families: Partial<Record<ExpositionFormat, RenderedFamily[]>>;
      readonly sampleCount: number;
      readonly problemCounts: Partial<Record<ExtractProblemReason, number>>;
      readonly problems: readonly ExtractProblem[];
      /** When each step ran, so the caller can record trace spans even when a worker did the work. */
      readonly timings: HotPathTimings;
    }
  | { readonly ok: false; readonly reason: HotPathFailureReason; readonly message: string };

/** The rendered families and counts of a body the hot path handled. */
export type HotPathSuccess = Extract<HotPathResult, { readonly ok: true }>;

/** Now, in epoch milliseconds with sub-millisecond precision, on whichever thread calls it. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface HotPath {
  run(task: HotPathTask): Promise<HotPathResult>;
  close(): Promise<void>;
}

/** `k="v",…` for the target labels, escaped once per task rather than once per series. */
export function renderTargetLabels(labels: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [name, value] of Object.entries(labels)) {
    out += (out === '' ? '' : ',') + name + '="' + escapeLabelValue(value) + '"';
  }
  return out;
}

/**
 * The whole hot path on the calling thread: parse once, extract, render each requested format. The one code path
 * for it: the pool's workers call this too. `parse` is the parser seam (bench/ measures alternatives through it).
 */
export function runHotPathInline(
  compiled: CompiledModule,
  task: Omit<HotPathTask, 'module'>,
  parse: JsonBodyParser = parseJsonBody,
): HotPathResult {
  const parseStart = epochNow();
  const parsed = parse(task.body);
  if (!parsed.ok) return { ok: false, reason: 'invalid_json', message: parsed.error };
  const apiError = findApiError(compiled, parsed.value);
  if (apiError !== undefined) return { ok: false, reason: 'api_error', message: apiError };
  const extraction = extractSamples(compiled, parsed.value);
  const extractEnd = epochNow();
  const prefix = renderTargetLabels(task.targetLabels);
  // A series label named like a target label becomes exported_<name> (Prometheus's rule without honor_labels).
  const resolved =
    prefix === ''
      ? extraction.families
      : extraction.families.map((family) => resolveLabelClashes(family, task.targetLabels));
  const families: Partial<Record<ExpositionFormat, RenderedFamily[]>> = {};
  for (const format of task.formats) {
    // Fleet mode asks for both formats: a family whose lines are equal in both is rendered once (the same object,
    // so a worker's reply carries it once and the store sees equal text without comparing it).
    const text = format === 'openmetrics' ? families.text : undefined;
    families[format] = resolved.map((family, i) =>
      text !== undefined && rendersAlikeInBothFormats(family)
        ? (text[i] as RenderedFamily)
        : renderFamily(family, format, prefix),
    );
  }
  const timings = { parseStart, extractEnd, renderEnd: epochNow() };
  return {
    ok: true,
    families,
    sampleCount: extraction.sampleCount,
    problemCounts: extraction.problemCounts,
    problems: extraction.problems,
    timings,
  };
}

/** The inline implementation of {@link HotPath}: what a pool falls back to for small bodies, and what tests use. */
export function createInlineHotPath(): HotPath {
  return {
    run: (task) => Promise.resolve(runHotPathInline(task.module.compiled, task)),
    close: () => Promise.resolve(),
  };
}

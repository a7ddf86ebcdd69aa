// The hot path's one interface: body bytes → rendered families. Inline here; the Piscina pool implements the same.
import { isMainThread } from 'node:worker_threads';
import type { ModuleConfig } from '../config/types.js';
import { findApiError } from '../extract/api-error.js';
import type { CompiledModule } from '../extract/compile-module.js';
import {
  extractSamples,
  type ExtractProblem,
  type ExtractProblemReason,
  type ExtractResult,
} from '../extract/extract.js';
import type { JsonBodyParser } from '../extract/parse-json.js';
import { moduleParser } from '../extract/pruned-parse.js';
import {
  DEFAULT_BUDGET_LIMITS,
  EvaluationBudget,
  runWithBudget,
  stopFromThrown,
  type BudgetStop,
} from '../jsonpath/index.js';
import { escapeLabelValue } from '../exposition/escape.js';
import { resolveLabelClashes } from '../exposition/label-clash.js';
import { LabelBlockCache, renderFamily, rendersAlikeInBothFormats } from '../exposition/render.js';
import type { ExpositionFormat, FamilySamples, RenderedFamily } from '../exposition/types.js';
import type { HotPathTimings } from '../telemetry/tracing.js';
import type { HotPathFailureReason } from './errors.js';
import type { HotPathEncodedResult } from './hot-path-batch.js';

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
  /**
   * Epoch milliseconds when the scrape's one deadline passes (fetch, decode, parse, extract and render share it):
   * past it the work stops with `timeout`. None: only the evaluation size bounds apply.
   */
  readonly deadline?: number;
  /** The scrape was cancelled (client gone, deadline): queued work is dropped, running work stops at its next check. */
  readonly signal?: AbortSignal;
}

/** What every body the hot path handled reports beside its families, whatever form the families take. */
export interface HotPathCounts {
  readonly sampleCount: number;
  readonly problemCounts: Partial<Record<ExtractProblemReason, number>>;
  readonly problems: readonly ExtractProblem[];
  /** When each step ran, so the caller can record trace spans even when a worker did the work. */
  readonly timings: HotPathTimings;
}

/** A body that gave no families, and why. */
export interface HotPathFailure {
  readonly ok: false;
  readonly reason: HotPathFailureReason;
  readonly message: string;
}

export type HotPathResult =
  | ({
      readonly ok: true;
      /** Per requested format, every family of the module in order (a family with no samples has text ''). */
      readonly families: Partial<Record<ExpositionFormat, RenderedFamily[]>>;
    } & HotPathCounts)
  | HotPathFailure;

/** The rendered families and counts of a body the hot path handled. */
export type HotPathSuccess = Extract<HotPathResult, { readonly ok: true }>;

/** Now, in epoch milliseconds with sub-millisecond precision, on whichever thread calls it. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface HotPath {
  run(task: HotPathTask): Promise<HotPathResult>;
  /**
   * As run, with the families as UTF-8 bytes (what /probe writes): a worker transfers them instead of cloning
   * strings. Optional: a caller without it encodes run's strings itself (encodeResult).
   */
  runEncoded?(task: HotPathTask): Promise<HotPathEncodedResult>;
  /**
   * Whether run would do this task on the calling thread now. Optional: without it a caller assumes not. /probe then
   * keeps run's strings, which the socket write encodes itself, instead of encoding them first (runEncoded).
   */
  runsInline?(task: HotPathTask): boolean;
  close(): Promise<void>;
}

/** Rendered target labels per label set: fleet targets keep one labels object per definition (see below). */
const renderedTargetLabels = new WeakMap<Readonly<Record<string, string>>, string>();

/**
 * `k="v",…` for the target labels, escaped once per label set rather than once per series: a fleet target's labels
 * object lives as long as its definition, so its 667 scrapes a second at 10,000 targets (and its health series) reuse
 * one string. A worker receives a copy per task: it renders it once per task and keeps nothing.
 */
export function renderTargetLabels(labels: Readonly<Record<string, string>>): string {
  const known = renderedTargetLabels.get(labels);
  if (known !== undefined) return known;
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) parts.push(name + '="' + escapeLabelValue(value) + '"');
  // Joined, not built with `+=`: join makes one flat string, where `+=` kept a rope of ~15 nodes per target alive for
  // the target's life (7.8 MB of the heap at 10,000 targets, a heap snapshot in bench:fleet), walked again by every
  // label block that starts with it.
  const out = parts.join(',');
  // /probe's empty label set (often a fresh object per request) is not worth an entry, nor a worker's copy.
  if (out !== '' && isMainThread) renderedTargetLabels.set(labels, out);
  return out;
}

/** What runHotPathInline needs of a task: no module (the caller compiled it), and a cancel check for workers. */
export type InlineTask = Omit<HotPathTask, 'module' | 'signal'> & {
  readonly isCancelled?: () => boolean;
  /** Called once the body is extracted (the document and the body's bytes are garbage), before rendering. */
  readonly afterExtract?: () => void;
};

/**
 * The whole hot path on the calling thread: parse once, extract, render each requested format. The one code path
 * for it: the pool's workers call this too. `parse` is the parser seam (bench/ measures alternatives through it).
 * Every template evaluation charges one budget (sizes, the deadline, the cancel check): whatever the body and the
 * templates, this returns a result, never throws for data, and stops soon after the deadline.
 */
export function runHotPathInline(
  compiled: CompiledModule,
  task: InlineTask,
  parse: JsonBodyParser = moduleParser(compiled),
): HotPathResult {
  return underBudget(task, (budget) => runSteps(compiled, task, parse, budget));
}

/**
 * `steps` under the task's one budget (sizes, the deadline, the cancel check): a stop it throws is a failure
 * returned, never an exception.
 */
export function underBudget<Result>(
  task: Pick<InlineTask, 'deadline' | 'isCancelled'>,
  steps: (budget: EvaluationBudget) => Result | HotPathFailure,
): Result | HotPathFailure {
  const budget = new EvaluationBudget({
    ...DEFAULT_BUDGET_LIMITS,
    ...(task.deadline === undefined ? {} : { deadline: task.deadline }),
    ...(task.isCancelled === undefined ? {} : { isCancelled: task.isCancelled }),
  });
  try {
    return runWithBudget(budget, () => steps(budget));
  } catch (thrown) {
    const stop = stopFromThrown(budget, thrown);
    return stoppedResult(stop.stop, budget);
  }
}

function stoppedResult(stop: BudgetStop, budget: EvaluationBudget): HotPathFailure {
  return { ok: false, reason: stop, message: budget.detail };
}

const KIND_NAMES = { object: 'an object', array: 'an array' } as const;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Parse, shape check, api error, extraction: a function of its own so the document is garbage before rendering. */
function parseAndExtract(
  compiled: CompiledModule,
  task: InlineTask,
  parse: JsonBodyParser,
  budget: EvaluationBudget,
): { readonly extraction: ExtractResult; readonly replacedInvalidUtf8: boolean } | HotPathFailure {
  const parsed = parse(task.body, { invalidUtf8: compiled.invalidUtf8 });
  if (!parsed.ok) return { ok: false, reason: parsed.reason ?? 'invalid_json', message: parsed.error };
  budget.check();
  const doc = parsed.value;
  const expected = compiled.expectedRoot;
  const mismatch =
    expected === 'array'
      ? !Array.isArray(doc)
      : expected === 'object' && (doc === null || typeof doc !== 'object' || Array.isArray(doc));
  if (mismatch) {
    return {
      ok: false,
      reason: 'unexpected_shape',
      message: `the module's paths read ${KIND_NAMES[expected as 'object' | 'array']} at the top of the body, which is ${kindOf(doc)}`,
    };
  }
  const apiError = findApiError(compiled, doc);
  if (apiError !== undefined) return { ok: false, reason: 'api_error', message: apiError };
  const extraction = extractSamples(compiled, doc);
  // A template the budget stopped failed only its value; the scrape fails as a whole.
  if (budget.stopped !== undefined) return stoppedResult(budget.stopped, budget);
  budget.check();
  return { extraction, replacedInvalidUtf8: parsed.replacedInvalidUtf8 === true };
}

/**
 * Whether a rendered label block of `family` can serve twice: in a second format, or for a second family fed from the
 * same element's labels (a metric with several values, a group of metrics). Where it cannot, a cache would only keep
 * one block per series alive until the render ends (31 MB of heap for 200,000 series, issue 17, bench:large-body),
 * and flattening and storing a block used once cost ~5 % of the `srs_streams` preset's hot path at 50 KB, whose codec
 * families' blocks serve one line each (issue 16).
 */
export function labelBlocksRecur(
  compiled: CompiledModule,
  formats: readonly ExpositionFormat[],
  family?: number,
): boolean {
  if (formats.length > 1) return true;
  return family === undefined ? compiled.sharesLabels.includes(true) : compiled.sharesLabels[family] === true;
}

/** A body parsed and extracted, its families' label clashes resolved: what either renderer starts from. */
export interface ExtractedBody {
  readonly families: readonly FamilySamples[];
  /** The target labels as a rendered `k="v",…` prefix ('' for none). */
  readonly prefix: string;
  readonly extraction: ExtractResult;
  readonly replacedInvalidUtf8: boolean;
  readonly parseStart: number;
  readonly extractEnd: number;
}

/** The hot path up to rendering: parse, extract, resolve clashes with the target labels. */
export function extractBody(
  compiled: CompiledModule,
  task: InlineTask,
  parse: JsonBodyParser,
  budget: EvaluationBudget,
): ExtractedBody | HotPathFailure {
  const parseStart = epochNow();
  const extracted = parseAndExtract(compiled, task, parse, budget);
  if ('ok' in extracted) return extracted;
  const { extraction } = extracted;
  task.afterExtract?.();
  const extractEnd = epochNow();
  const prefix = renderTargetLabels(task.targetLabels);
  // A series label named like a target label becomes exported_<name> (Prometheus's rule without honor_labels).
  const families =
    prefix === ''
      ? extraction.families
      : extraction.families.map((family) => resolveLabelClashes(family, task.targetLabels));
  return {
    families,
    prefix,
    extraction,
    replacedInvalidUtf8: extracted.replacedInvalidUtf8,
    parseStart,
    extractEnd,
  };
}

/** A rendered body's counts, its problems with invalid UTF-8 replaced counted too. */
export function countsOf(body: ExtractedBody): HotPathCounts {
  const timings = { parseStart: body.parseStart, extractEnd: body.extractEnd, renderEnd: epochNow() };
  const { extraction } = body;
  if (!body.replacedInvalidUtf8) {
    return {
      sampleCount: extraction.sampleCount,
      problemCounts: extraction.problemCounts,
      problems: extraction.problems,
      timings,
    };
  }
  return {
    sampleCount: extraction.sampleCount,
    problemCounts: { ...extraction.problemCounts, invalid_utf8: 1 },
    problems: [
      {
        reason: 'invalid_utf8',
        metric: '',
        message: 'the body is not valid UTF-8; read with U+FFFD (invalid_utf8: replace)',
      },
      ...extraction.problems,
    ],
    timings,
  };
}

function runSteps(
  compiled: CompiledModule,
  task: InlineTask,
  parse: JsonBodyParser,
  budget: EvaluationBudget,
): HotPathResult {
  const body = extractBody(compiled, task, parse, budget);
  if ('ok' in body) return body;
  const families: Partial<Record<ExpositionFormat, RenderedFamily[]>> = {};
  // Label blocks are the same in both formats; a metric's or a group's families share each element's label values.
  const labelBlocks = labelBlocksRecur(compiled, task.formats) ? new LabelBlockCache() : undefined;
  const cacheFor = (family: number): LabelBlockCache | undefined =>
    labelBlocks !== undefined && labelBlocksRecur(compiled, task.formats, family) ? labelBlocks : undefined;
  for (const format of task.formats) {
    // Fleet mode asks for both formats: a family whose lines are equal in both is rendered once (the same object,
    // so a worker's reply carries it once and the store sees equal text without comparing it).
    const text = format === 'openmetrics' ? families.text : undefined;
    families[format] = body.families.map((family, i) => {
      budget.check();
      return text !== undefined && rendersAlikeInBothFormats(family)
        ? (text[i] as RenderedFamily)
        : renderFamily(family, format, body.prefix, cacheFor(i));
    });
  }
  return { ok: true, families, ...countsOf(body) };
}

/** A HotPathTask on this thread: a signal that already fired skips the work (the scrape was cancelled). */
export function runInlineTask(task: HotPathTask): HotPathResult {
  const { signal } = task;
  if (signal?.aborted === true) return { ok: false, reason: 'aborted', message: 'the scrape was cancelled' };
  return runHotPathInline(
    task.module.compiled,
    signal === undefined ? task : { ...task, isCancelled: () => signal.aborted },
  );
}

/** The inline implementation of {@link HotPath}: what a pool falls back to for small bodies, and what tests use. */
export function createInlineHotPath(): HotPath {
  return {
    run: (task) => Promise.resolve(runInlineTask(task)),
    close: () => Promise.resolve(),
  };
}

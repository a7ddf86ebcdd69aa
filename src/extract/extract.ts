// Applies a compiled module to a parsed JSON document: samples per family, and every skipped value counted by reason.
import type { FamilySamples, Sample } from '../exposition/types.js';
import type { CompiledTemplate, EvalOptions } from '../jsonpath/index.js';
import type { CompiledMetric, CompiledModule, CompiledValue } from './compile-module.js';
import { convertText, convertValue, parseEpochMillis } from './convert-value.js';

/** Why a sample was not produced (or a label/timestamp fell back). Stable: these are label values of a self-metric. */
export type ExtractProblemReason =
  | 'missing_key'
  | 'jsonpath_error'
  | 'no_value'
  | 'several_values'
  | 'not_numeric'
  | 'label_error'
  | 'timestamp_error'
  | 'duplicate_series'
  | 'items_truncated';

export const EXTRACT_PROBLEM_REASONS: readonly ExtractProblemReason[] = [
  'missing_key',
  'jsonpath_error',
  'no_value',
  'several_values',
  'not_numeric',
  'label_error',
  'timestamp_error',
  'duplicate_series',
  'items_truncated',
];

export interface ExtractProblem {
  readonly reason: ExtractProblemReason;
  readonly metric: string;
  readonly message: string;
}

export interface ExtractResult {
  /** Every family of the module, in order, with its samples (possibly none). */
  readonly families: FamilySamples[];
  readonly sampleCount: number;
  /** Count of problems by reason; reasons that did not occur are absent. */
  readonly problemCounts: Partial<Record<ExtractProblemReason, number>>;
  /** The first problems in detail (capped), for logs and `eval`. */
  readonly problems: ExtractProblem[];
}

const MAX_PROBLEM_DETAILS = 20;
// Values and timestamps print integers whole (the same number; epoch milliseconds stay integers); labels print
// numbers as the metric says (CompiledMetric.labelOptions: json_exporter's text unless label_number_format: integer).
const ALLOW_MISSING: EvalOptions = { allowMissingKeys: true, numbers: 'integer' };
const STRICT: EvalOptions = { numbers: 'integer' };

/** A number is the sample's value; 'skip' marks a silently absent value (allow_missing_key); an object, a problem. */
type ValueOutcome = number | { readonly reason: ExtractProblemReason; readonly message: string } | 'skip';

class Extraction {
  readonly buckets: Sample[][];
  /** Per family: series key → index of its sample in the bucket. */
  readonly seen: Array<Map<string, number> | undefined>;
  readonly problemCounts: Partial<Record<ExtractProblemReason, number>> = {};
  readonly problems: ExtractProblem[] = [];
  sampleCount = 0;

  constructor(readonly module: CompiledModule) {
    this.buckets = module.families.map(() => []);
    this.seen = module.families.map(() => undefined);
  }

  report(reason: ExtractProblemReason, metric: string, message: string): void {
    this.problemCounts[reason] = (this.problemCounts[reason] ?? 0) + 1;
    if (this.problems.length < MAX_PROBLEM_DETAILS) this.problems.push({ reason, metric, message });
  }

  /** Duplicate series within one scrape: keep the first, count the rest (json_exporter fails the whole scrape). */
  /** `key` is the label values joined by NUL: computed once per element, shared by the element's values. */
  add(family: number, sample: Sample, metric: CompiledMetric, key: string): void {
    let seen = this.seen[family];
    if (seen === undefined) {
      seen = new Map();
      this.seen[family] = seen;
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const bucket = this.buckets[family] as Sample[];
      if (metric.sumDuplicates) {
        const first = bucket[earlier] as Sample;
        bucket[earlier] = { ...first, value: first.value + sample.value };
        return;
      }
      const name = this.module.families[family]?.name ?? metric.name;
      this.report(
        'duplicate_series',
        metric.name,
        `${name}{${sample.labelValues.join(',')}}: duplicate series dropped`,
      );
      return;
    }
    const bucket = this.buckets[family] as Sample[];
    seen.set(key, bucket.length);
    bucket.push(sample);
    this.sampleCount++;
  }
}

function evaluateValue(
  template: CompiledTemplate,
  value: CompiledValue,
  doc: unknown,
  allowMissing: boolean,
): ValueOutcome {
  const options = allowMissing ? ALLOW_MISSING : STRICT;
  if (template.isSingleBlock) {
    // The raw match: numbers are never printed and re-parsed.
    const selection = template.select(doc, options);
    if (!selection.ok) {
      if (allowMissing && selection.missing) return 'skip';
      return {
        reason: selection.missing ? 'missing_key' : 'jsonpath_error',
        message: `${template.text}: ${selection.error}`,
      };
    }
    const matches = selection.values;
    if (matches.length === 0) {
      return allowMissing ? 'skip' : { reason: 'no_value', message: `${template.text}: matched nothing` };
    }
    if (matches.length > 1) {
      return {
        reason: 'several_values',
        message: `${template.text}: matched ${matches.length} values, a sample needs one`,
      };
    }
    const converted = convertValue(matches[0], value.converter);
    if (converted === undefined) {
      return {
        reason: 'not_numeric',
        message: `${template.text}: ${JSON.stringify(matches[0])?.slice(0, 80)} is not a number or a boolean`,
      };
    }
    return converted;
  }
  const printed = template.print(doc, options);
  if (!printed.ok) {
    if (allowMissing && printed.missing) return 'skip';
    return {
      reason: printed.missing ? 'missing_key' : 'jsonpath_error',
      message: `${template.text}: ${printed.error}`,
    };
  }
  if (printed.text === '' && allowMissing) return 'skip';
  const converted = convertText(printed.text, value.converter);
  if (converted === undefined) {
    return {
      reason: 'not_numeric',
      message: `${template.text}: ${JSON.stringify(printed.text.slice(0, 80))} is not a number or a boolean`,
    };
  }
  return converted;
}

function evaluateLabels(run: Extraction, metric: CompiledMetric, doc: unknown): string[] {
  const labelValues: string[] = new Array(metric.labels.length);
  for (let i = 0; i < metric.labels.length; i++) {
    const template = metric.labels[i] as CompiledTemplate;
    const printed = template.print(doc, metric.labelOptions);
    if (printed.ok) {
      labelValues[i] = printed.text;
    } else {
      // json_exporter: a label whose template fails becomes "" as a whole.
      labelValues[i] = '';
      run.report('label_error', metric.name, `label ${template.text}: ${printed.error}`);
    }
  }
  return labelValues;
}

function evaluateTimestamp(run: Extraction, metric: CompiledMetric, doc: unknown): number | undefined {
  const template = metric.timestamp;
  if (template === undefined) return undefined;
  const printed = template.print(doc, metric.allowMissingKey ? ALLOW_MISSING : STRICT);
  if (!printed.ok) {
    if (!(metric.allowMissingKey && printed.missing))
      run.report('timestamp_error', metric.name, `${template.text}: ${printed.error}`);
    return undefined;
  }
  if (printed.text === '' && metric.allowMissingKey) return undefined;
  const millis = parseEpochMillis(printed.text);
  if (millis === undefined) {
    run.report(
      'timestamp_error',
      metric.name,
      `${template.text}: ${JSON.stringify(printed.text.slice(0, 80))} is not integer epoch milliseconds`,
    );
  }
  return millis;
}

/** Samples of one document (the whole body for `value`, one selected element for `object`). */
function extractFrom(run: Extraction, metric: CompiledMetric, doc: unknown): void {
  let labelValues: string[] | undefined;
  let seriesKey = '';
  let timestampMs: number | undefined;
  let evaluatedShared = false;
  for (const value of metric.values) {
    const outcome = evaluateValue(value.template, value, doc, metric.allowMissingKey);
    if (outcome === 'skip') continue;
    if (typeof outcome !== 'number') {
      run.report(outcome.reason, metric.name, outcome.message);
      continue;
    }
    if (!evaluatedShared) {
      // Labels and timestamp are shared by all values of an element: evaluate once, only if a value exists.
      labelValues = evaluateLabels(run, metric, doc);
      seriesKey = labelValues.join('\u0000');
      timestampMs = evaluateTimestamp(run, metric, doc);
      evaluatedShared = true;
    }
    const sample: Sample =
      timestampMs === undefined
        ? { labelValues: labelValues as string[], value: outcome }
        : { labelValues: labelValues as string[], value: outcome, timestampMs };
    run.add(value.family, sample, metric, seriesKey);
  }
}

/** Applies a module to one parsed document. Never throws for data problems: they are counted in the result. */
export function extractSamples(module: CompiledModule, doc: unknown): ExtractResult {
  const run = new Extraction(module);
  if (module.paging !== undefined) limitItems(run, module.paging, doc);
  for (const metric of module.metrics) {
    if (metric.elements === undefined) {
      extractFrom(run, metric, doc);
      continue;
    }
    const selection = metric.elements.select(doc, metric.allowMissingKey ? ALLOW_MISSING : STRICT);
    if (!selection.ok) {
      if (!(metric.allowMissingKey && selection.missing)) {
        run.report(
          selection.missing ? 'missing_key' : 'jsonpath_error',
          metric.name,
          `${metric.elements.text}: ${selection.error}`,
        );
      }
      continue;
    }
    for (const element of selection.values) extractFrom(run, metric, element);
  }
  const families: FamilySamples[] = module.families.map((family, i) => ({
    name: family.name,
    help: family.help,
    type: family.type,
    labelNames: family.labelNames,
    samples: run.buckets[i] ?? [],
  }));
  return { families, sampleCount: run.sampleCount, problemCounts: run.problemCounts, problems: run.problems };
}

/**
 * `paging`: the request asked for max_items + 1 items; more than max_items means the list was longer. The surplus is
 * cut (bounded series) and the cut counted as `items_truncated`, so a too-small limit is visible, never silent.
 */
function limitItems(run: Extraction, paging: NonNullable<CompiledModule['paging']>, doc: unknown): void {
  const selection = paging.items.select(doc, ALLOW_MISSING);
  if (!selection.ok) return;
  for (const list of selection.values) {
    if (!Array.isArray(list) || list.length <= paging.maxItems) continue;
    run.report(
      'items_truncated',
      paging.items.text,
      `${paging.items.text}: more than ${paging.maxItems} items; the rest are not exported (raise paging.max_items)`,
    );
    list.length = paging.maxItems;
  }
}

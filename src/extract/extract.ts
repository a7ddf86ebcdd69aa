// Applies a compiled module to a parsed JSON document: samples per family, and every skipped value counted by reason.
import type { FamilySamples, Sample } from '../exposition/types.js';
import {
  activeBudget,
  EvalFailure,
  formatValue,
  NO_VALUE,
  type CompiledTemplate,
  type EvalOptions,
} from '../jsonpath/index.js';
import type { CompiledMetric, CompiledModule, CompiledValue } from './compile-module.js';
import { convertText, convertValue, parseEpochMillis } from './convert-value.js';
import type { MetricGroup } from './metric-groups.js';
import { ProblemTally, type ExtractProblem, type ExtractProblemReason, type ProblemSink } from './problems.js';
import { giveBackInt32, takeInt32 } from './int32-scratch.js';
import { SeriesIndex, seriesKey } from './series-index.js';

export { EXTRACT_PROBLEM_REASONS, type ExtractProblem, type ExtractProblemReason } from './problems.js';

export interface ExtractResult {
  /** Every family of the module, in order, with its samples (possibly none). */
  readonly families: FamilySamples[];
  readonly sampleCount: number;
  /** Count of problems by reason; reasons that did not occur are absent. */
  readonly problemCounts: Partial<Record<ExtractProblemReason, number>>;
  /** The first problems in detail (capped), for logs and `eval`. */
  readonly problems: ExtractProblem[];
}

// Values and timestamps print integers whole (the same number; epoch milliseconds stay integers); labels print
// numbers as the metric says (CompiledMetric.labelOptions: json_exporter's text unless label_number_format: integer).
const ALLOW_MISSING: EvalOptions = { allowMissingKeys: true, numbers: 'integer' };
const STRICT: EvalOptions = { numbers: 'integer' };

/** A number is the sample's value; 'skip' marks a silently absent value (allow_missing_key); an object, a problem. */
type ValueOutcome = number | { readonly reason: ExtractProblemReason; readonly message: string } | 'skip';

class Extraction {
  readonly buckets: Sample[][];
  /** Per family: series key → index of its sample in the bucket (families of metrics outside shared groups). */
  readonly seen: Array<Map<string, number> | undefined>;
  readonly problems = new ProblemTally();
  sampleCount = 0;

  constructor(readonly module: CompiledModule) {
    this.buckets = module.families.map(() => []);
    this.seen = module.families.map(() => undefined);
  }

  /**
   * Duplicate series within one scrape: keep the first, count the rest (json_exporter fails the whole scrape).
   * `key` is the label values joined by NUL: computed once per element, shared by the element's values.
   */
  add(family: number, sample: Sample, metric: CompiledMetric, key: string): void {
    let seen = this.seen[family];
    if (seen === undefined) {
      seen = new Map();
      this.seen[family] = seen;
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      this.addDuplicate(this.problems, family, earlier, sample, metric);
      return;
    }
    seen.set(key, this.addFirst(family, sample));
  }

  /** Adds a sample the caller knows to be the first of its series; returns its index in the family's bucket. */
  addFirst(family: number, sample: Sample): number {
    const bucket = this.buckets[family] as Sample[];
    bucket.push(sample);
    this.sampleCount++;
    // Prometheus's sample_limit: past it the scrape fails as a whole, before the series cost more memory.
    const limit = this.module.seriesLimit;
    if (limit > 0 && this.sampleCount > limit) {
      const budget = activeBudget();
      if (budget !== undefined)
        throw budget.stop('series_limit', `more than ${limit} series (the module's series_limit)`);
    }
    return bucket.length - 1;
  }

  /** A second sample of a series: summed into the first (`duplicate_series: sum`) or dropped and counted. */
  addDuplicate(sink: ProblemSink, family: number, earlier: number, sample: Sample, metric: CompiledMetric): void {
    const bucket = this.buckets[family] as Sample[];
    if (metric.sumDuplicates) {
      const first = bucket[earlier] as Sample;
      bucket[earlier] = { ...first, value: first.value + sample.value };
      return;
    }
    const name = this.module.families[family]?.name ?? metric.name;
    sink.report('duplicate_series', metric.name, `${name}{${sample.labelValues.join(',')}}: duplicate series dropped`);
  }
}

/**
 * JSON has no infinities: a number JSON.parse read as ±Infinity overflowed a double (`1e999`). Go's encoding/json
 * refuses the whole body for it; we skip the value and count it, as for any other bad value.
 */
function outOfRange(template: CompiledTemplate): ValueOutcome {
  return {
    reason: 'number_out_of_range',
    message: `${template.text}: the number is outside the range of a float64 (e.g. 1e999)`,
  };
}

function evaluateValue(
  template: CompiledTemplate,
  value: CompiledValue,
  doc: unknown,
  allowMissing: boolean,
): ValueOutcome {
  if (value.constant !== undefined) return value.constant;
  const walk = template.walk;
  if (walk !== undefined) {
    // A singular path, walked directly: the same outcomes as the select() below, without its result objects.
    const match = walk(doc, allowMissing);
    if (match === NO_VALUE) {
      return allowMissing ? 'skip' : { reason: 'no_value', message: `${template.text}: matched nothing` };
    }
    if (match instanceof EvalFailure) {
      if (allowMissing && match.missing) return 'skip';
      return {
        reason: match.missing ? 'missing_key' : 'jsonpath_error',
        message: `${template.text}: ${match.message}`,
      };
    }
    if (typeof match === 'number') {
      if (!Number.isFinite(match)) return outOfRange(template);
      if (value.converter === undefined) return match;
    }
    const converted = convertValue(match, value.converter);
    if (converted === undefined) {
      return {
        reason: 'not_numeric',
        message: `${template.text}: ${JSON.stringify(match)?.slice(0, 80)} is not a number or a boolean`,
      };
    }
    return converted;
  }
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
    if (typeof matches[0] === 'number' && !Number.isFinite(matches[0])) return outOfRange(template);
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

/** An element's label values, and the message of each label template that failed (its value is then ""). */
interface EvaluatedLabels {
  readonly values: string[];
  readonly errors: readonly string[] | undefined;
}

/** `options.numbers`: how numbers print (the metric's label_number_format; json_exporter's text by default). */
function evaluateLabels(labels: readonly CompiledTemplate[], doc: unknown, options: EvalOptions): EvaluatedLabels {
  const values: string[] = new Array(labels.length);
  let errors: string[] | undefined;
  for (let i = 0; i < labels.length; i++) {
    const template = labels[i] as CompiledTemplate;
    if (template.walk !== undefined) {
      // print() of a singular path, without its result object.
      const match = template.walk(doc, false);
      if (match instanceof EvalFailure) {
        values[i] = '';
        (errors ??= []).push(`label ${template.text}: ${match.message}`);
      } else values[i] = match === NO_VALUE ? '' : formatValue(match, options.numbers);
      continue;
    }
    const printed = template.print(doc, options);
    if (printed.ok) {
      values[i] = printed.text;
    } else {
      // json_exporter: a label whose template fails becomes "" as a whole.
      values[i] = '';
      (errors ??= []).push(`label ${template.text}: ${printed.error}`);
    }
  }
  return { values, errors };
}

function reportLabelErrors(sink: ProblemSink, metric: CompiledMetric, labels: EvaluatedLabels): void {
  if (labels.errors === undefined) return;
  for (const message of labels.errors) sink.report('label_error', metric.name, message);
}

function evaluateTimestamp(sink: ProblemSink, metric: CompiledMetric, doc: unknown): number | undefined {
  const template = metric.timestamp;
  if (template === undefined) return undefined;
  const printed = template.print(doc, metric.allowMissingKey ? ALLOW_MISSING : STRICT);
  if (!printed.ok) {
    if (!(metric.allowMissingKey && printed.missing))
      sink.report('timestamp_error', metric.name, `${template.text}: ${printed.error}`);
    return undefined;
  }
  if (printed.text === '' && metric.allowMissingKey) return undefined;
  const millis = parseEpochMillis(printed.text);
  if (millis === undefined) {
    sink.report(
      'timestamp_error',
      metric.name,
      `${template.text}: ${JSON.stringify(printed.text.slice(0, 80))} is not integer epoch milliseconds`,
    );
  }
  return millis;
}

function sampleOf(labelValues: string[], value: number, timestampMs: number | undefined): Sample {
  return timestampMs === undefined ? { labelValues, value } : { labelValues, value, timestampMs };
}

/** Samples of one document (the whole body for `value`, one selected element for `object`). */
function extractFrom(run: Extraction, metric: CompiledMetric, doc: unknown): void {
  let labels: EvaluatedLabels | undefined;
  let key: string | undefined;
  let timestampMs: number | undefined;
  for (const value of metric.values) {
    const outcome = evaluateValue(value.template, value, doc, metric.allowMissingKey);
    if (outcome === 'skip') continue;
    if (typeof outcome !== 'number') {
      run.problems.report(outcome.reason, metric.name, outcome.message);
      continue;
    }
    if (labels === undefined) {
      // Labels and timestamp are shared by all values of an element: evaluate once, only if a value exists.
      labels = evaluateLabels(metric.labels, doc, metric.labelOptions);
      reportLabelErrors(run.problems, metric, labels);
      timestampMs = evaluateTimestamp(run.problems, metric, doc);
    }
    key ??= seriesKey(labels.values);
    run.add(value.family, sampleOf(labels.values, outcome, timestampMs), metric, key);
  }
}

/** The elements of an object metric, or undefined after reporting why there are none. */
function selectElements(sink: ProblemSink, metric: CompiledMetric, doc: unknown): unknown[] | undefined {
  const elements = metric.elements as CompiledTemplate;
  const selection = elements.select(doc, metric.allowMissingKey ? ALLOW_MISSING : STRICT);
  if (selection.ok) return selection.values;
  if (!(metric.allowMissingKey && selection.missing)) {
    sink.report(
      selection.missing ? 'missing_key' : 'jsonpath_error',
      metric.name,
      `${elements.text}: ${selection.error}`,
    );
  }
  return undefined;
}

/**
 * A shared group: the elements selected once, then per element every metric of the group in config order, the labels
 * evaluated once (each metric that uses them still counts their errors, as it would alone) and one duplicate index
 * (series key → each value's sample index) for all the group's families.
 */
function extractGroup(run: Extraction, group: MetricGroup, doc: unknown): void {
  const metrics = group.metrics;
  const single = metrics.length === 1;
  // Interleaved metrics report into their own tallies, appended in metric order at the end: the same order of
  // problems (and of first occurrences among the counts) as running them one after another.
  const sinks: ProblemTally[] = single ? [run.problems] : metrics.map(() => new ProblemTally());
  const elements = selectElements(sinks[0] as ProblemSink, metrics[0] as CompiledMetric, doc);
  if (elements === undefined) {
    for (let m = 1; m < metrics.length; m++) selectElements(sinks[m] as ProblemSink, metrics[m] as CompiledMetric, doc);
  } else {
    // Label values → the first element that had them; per (that element, value) the sample's index in its bucket,
    // -1 while it has none. Flat, so no element allocates an index of its own.
    const seen = new SeriesIndex(elements.length);
    const firstSample = takeInt32(elements.length * group.slotCount, -1);
    const { labels: labelTemplates, labelOptions } = metrics[0] as CompiledMetric;
    const budget = activeBudget();
    for (let e = 0; e < elements.length; e++) {
      // The hot path's deadline and cancel flag, polled per element (templates charge it themselves).
      budget?.tick();
      const element = elements[e];
      let labels: EvaluatedLabels | undefined;
      let owner = -1;
      for (let m = 0; m < metrics.length; m++) {
        const metric = metrics[m] as CompiledMetric;
        const sink = sinks[m] as ProblemTally;
        const base = group.slotBase[m] as number;
        let metricStarted = false;
        let timestampMs: number | undefined;
        for (let v = 0; v < metric.values.length; v++) {
          const value = metric.values[v] as CompiledValue;
          const outcome = evaluateValue(value.template, value, element, metric.allowMissingKey);
          if (outcome === 'skip') continue;
          if (typeof outcome !== 'number') {
            sink.report(outcome.reason, metric.name, outcome.message);
            continue;
          }
          if (!metricStarted) {
            labels ??= evaluateLabels(labelTemplates, element, labelOptions);
            reportLabelErrors(sink, metric, labels);
            timestampMs = evaluateTimestamp(sink, metric, element);
            metricStarted = true;
          }
          const shared = labels as EvaluatedLabels;
          if (owner < 0) owner = seen.firstOrAdd(shared.values, e);
          const sample = sampleOf(shared.values, outcome, timestampMs);
          const slot = owner * group.slotCount + base + v;
          const earlier = firstSample[slot] as number;
          if (earlier < 0) firstSample[slot] = run.addFirst(value.family, sample);
          else run.addDuplicate(sink, value.family, earlier, sample, metric);
        }
      }
    }
    // For the next selection (a budget stop throws past this: those tables are collected, not reused).
    seen.release();
    giveBackInt32(firstSample);
  }
  if (!single) for (const sink of sinks) run.problems.append(sink);
}

/** Applies a module to one parsed document. Never throws for data problems: they are counted in the result. */
export function extractSamples(module: CompiledModule, doc: unknown): ExtractResult {
  const run = new Extraction(module);
  if (module.paging !== undefined) limitItems(run, module.paging, doc);
  for (const group of module.plan) {
    if (group.shared) {
      extractGroup(run, group, doc);
      continue;
    }
    for (const metric of group.metrics) {
      if (metric.elements === undefined) {
        extractFrom(run, metric, doc);
        continue;
      }
      const elements = selectElements(run.problems, metric, doc);
      if (elements === undefined) continue;
      const budget = activeBudget();
      for (const element of elements) {
        budget?.tick();
        extractFrom(run, metric, element);
      }
    }
  }
  const families: FamilySamples[] = module.families.map((family, i) => ({
    name: family.name,
    help: family.help,
    type: family.type,
    labelNames: family.labelNames,
    samples: run.buckets[i] ?? [],
  }));
  return {
    families,
    sampleCount: run.sampleCount,
    problemCounts: run.problems.counts,
    problems: run.problems.details,
  };
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
    run.problems.report(
      'items_truncated',
      paging.items.text,
      `${paging.items.text}: more than ${paging.maxItems} items; the rest are not exported (raise paging.max_items)`,
    );
    list.length = paging.maxItems;
  }
}

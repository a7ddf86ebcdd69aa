// Compiles a module's metrics once per config generation: templates, families, label order, converters.
import type { MetricConfig, ModuleConfig } from '../config/types.js';
import { ModuleCompileError } from './errors.js';
import type { MetricType } from '../exposition/types.js';
import {
  TemplateCache,
  type CompiledTemplate,
  type EvalOptions,
  type RootKind,
  templateTraits,
} from '../jsonpath/index.js';
import { convertText, type ValueConverter } from './convert-value.js';
import { familiesSharingLabels, planMetricGroups, type MetricGroup } from './metric-groups.js';

const GO_LABELS: EvalOptions = { numbers: 'go' };
const INTEGER_LABELS: EvalOptions = { numbers: 'integer' };

export interface CompiledFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Sorted label names: client_golang sorts label pairs by name, so json_exporter's output does too. */
  readonly labelNames: readonly string[];
}

export interface CompiledValue {
  /** Index into CompiledModule.families. */
  readonly family: number;
  readonly template: CompiledTemplate;
  readonly converter: ValueConverter | undefined;
  /** A template without blocks (`info: 1`) is the same number for every element: converted once, here. */
  readonly constant: number | undefined;
}

export interface CompiledMetric {
  /** The config entry's name, for error messages. */
  readonly name: string;
  readonly type: 'value' | 'object';
  /** The element selector of `type: object`; undefined for `type: value`. */
  readonly elements: CompiledTemplate | undefined;
  /** Label templates in the order of the family's sorted labelNames. */
  readonly labels: readonly CompiledTemplate[];
  /** How label templates print numbers: json_exporter's Go text, or whole integers (`label_number_format: integer`). */
  readonly labelOptions: EvalOptions;
  /** One for `type: value`; one per `values` key for `type: object`. */
  readonly values: readonly CompiledValue[];
  readonly timestamp: CompiledTemplate | undefined;
  readonly allowMissingKey: boolean;
  /** `duplicate_series: sum`: equal series add up rather than the first winning. */
  readonly sumDuplicates: boolean;
}

export interface CompiledModule {
  readonly name: string;
  /** Families sorted by name: the order of the exposition (as json_exporter's registry gathers them). */
  readonly families: readonly CompiledFamily[];
  readonly metrics: readonly CompiledMetric[];
  /** `metrics` in runs that share one element selection and label evaluation (metric-groups.ts). */
  readonly plan: readonly MetricGroup[];
  /** Per family: whether its samples share label values with other samples' (familiesSharingLabels). */
  readonly sharesLabels: readonly boolean[];
  /** `error_code`: the API's status field; not 0 means the body is an error, not data. */
  readonly errorCode?: CompiledTemplate;
  /** `paging`: the list a paged request fills, cut at `maxItems`. */
  readonly paging?: { readonly items: CompiledTemplate; readonly maxItems: number };
  /** The document root every template read from the body expects; a body of another kind fails (`unexpected_shape`). */
  readonly expectedRoot: RootKind;
  /** Some template runs a jsonpath-plus filter (maybe a regular expression no budget interrupts): pool only. */
  readonly usesFallbackFilter: boolean;
  /** `series_limit`; 0: none. */
  readonly seriesLimit: number;
  readonly invalidUtf8: 'fail' | 'replace';
}

/**
 * The root kind the module's document-level templates agree on (`value` metrics, `path` of `object` metrics,
 * `error_code`, `paging`), and whether any template at all uses a jsonpath-plus filter.
 */
function moduleTraits(module: ModuleConfig): { expectedRoot: RootKind; usesFallbackFilter: boolean } {
  const documentLevel: string[] = [];
  const all: string[] = [];
  for (const metric of module.metrics) {
    documentLevel.push(metric.path);
    const onElements = [...Object.values(metric.labels), ...Object.values(metric.values)];
    if (metric.epochTimestamp !== undefined) onElements.push(metric.epochTimestamp);
    if (metric.type === 'value') documentLevel.push(...onElements);
    all.push(metric.path, ...onElements);
  }
  if (module.errorCode !== undefined) documentLevel.push(module.errorCode.path);
  if (module.paging !== undefined) documentLevel.push(module.paging.items);
  // Literal text (a constant label, `path: '1'`) reads nothing of the document and says nothing of its root.
  const roots = new Set(documentLevel.filter((text) => text.includes('{')).map((text) => templateTraits(text).root));
  return {
    expectedRoot: roots.size === 1 ? ([...roots][0] as RootKind) : 'any',
    usesFallbackFilter: all.some((text) => templateTraits(text).usesFallbackFilter),
  };
}

function converterFor(metric: MetricConfig, valueTemplate: string): ValueConverter | undefined {
  const mapping = metric.valueconverter[valueTemplate];
  if (mapping === undefined) return undefined;
  return new Map(Object.entries(mapping).map(([from, to]) => [from.toLowerCase(), to]));
}

/** Compiles a validated module; throws ModuleCompileError when two metrics give one family different labels. */
export function compileModule(module: ModuleConfig): CompiledModule {
  // One cache per compiled module: its metrics repeat the same element paths and labels (the presets do).
  const templateCache = new TemplateCache();
  const compileTemplate = (text: string): CompiledTemplate => templateCache.compile(text);
  const familyIndex = new Map<string, CompiledFamily>();
  const pending: Array<{ metric: MetricConfig; labelNames: string[]; familyNames: string[]; templates: string[] }> = [];

  for (const metric of module.metrics) {
    const labelNames = Object.keys(metric.labels).sort();
    const entries: Array<[string, string]> =
      metric.type === 'object'
        ? Object.entries(metric.values).map(([key, template]) => [`${metric.name}_${key}`, template])
        : [[metric.name, metric.path]];
    for (const [familyName] of entries) {
      const existing = familyIndex.get(familyName);
      if (existing === undefined) {
        familyIndex.set(familyName, { name: familyName, help: metric.help, type: metric.valuetype, labelNames });
      } else {
        // One family, one shape: labels and type must agree (json_exporter's registry refuses such a config).
        // HELP may differ — defaults differ whenever names do — and the first one wins.
        const difference =
          existing.labelNames.join(',') !== labelNames.join(',')
            ? `different labels ([${existing.labelNames.join(', ')}] and [${labelNames.join(', ')}])`
            : existing.type !== metric.valuetype
              ? `different valuetype (${existing.type} and ${metric.valuetype})`
              : undefined;
        if (difference !== undefined) {
          throw new ModuleCompileError(
            `module "${module.name}": metric "${familyName}" is defined twice with ${difference}; give one of them another name`,
          );
        }
      }
    }
    pending.push({ metric, labelNames, familyNames: entries.map(([n]) => n), templates: entries.map(([, t]) => t) });
  }

  const families = [...familyIndex.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const position = new Map(families.map((family, i) => [family.name, i]));

  const metrics = pending.map(({ metric, labelNames, familyNames, templates }): CompiledMetric => {
    return {
      name: metric.name,
      type: metric.type,
      elements: metric.type === 'object' ? compileTemplate(metric.path) : undefined,
      labels: labelNames.map((label) => compileTemplate(metric.labels[label] ?? '')),
      labelOptions: metric.labelNumberFormat === 'integer' ? INTEGER_LABELS : GO_LABELS,
      values: familyNames.map((familyName, i) => {
        const text = templates[i] ?? '';
        const converter = converterFor(metric, text);
        const template = compileTemplate(text);
        // No `{`: literal text only, printed the same whatever the document; what extraction would make of it.
        const literal = text.includes('{') ? undefined : template.print(undefined);
        return {
          family: position.get(familyName) ?? 0,
          template,
          converter,
          constant: literal?.ok === true && literal.text !== '' ? convertText(literal.text, converter) : undefined,
        };
      }),
      timestamp: metric.epochTimestamp === undefined ? undefined : compileTemplate(metric.epochTimestamp),
      allowMissingKey: metric.allowMissingKey,
      sumDuplicates: metric.duplicateSeries === 'sum',
    };
  });

  const plan = planMetricGroups(metrics, families.length);
  return {
    name: module.name,
    families,
    metrics,
    ...moduleTraits(module),
    seriesLimit: module.seriesLimit ?? 0,
    invalidUtf8: module.invalidUtf8 ?? 'fail',
    plan,
    sharesLabels: familiesSharingLabels(plan, families.length),
    ...(module.errorCode === undefined ? {} : { errorCode: compileTemplate(module.errorCode.path) }),
    ...(module.paging === undefined
      ? {}
      : { paging: { items: compileTemplate(module.paging.items), maxItems: module.paging.maxItems } }),
  };
}

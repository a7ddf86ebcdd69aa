// The config schema, json_exporter's format: keys, types, defaults and rules in one place. Each object's refine
// returns the types of types.ts, so the compiler holds the schema and the types the rest of the code trusts in step.
import type { Node } from 'yaml';
import { httpClientConfigSchema, DEFAULT_HTTP_CLIENT_CONFIG } from './http-client-config.js';
import { checkFleetModules, fleetSchema } from './fleet-schema.js';
import { checkLabelName } from './label-name.js';
import { entryNode, keyNodeOf, objectOf, optional, required, withDefault } from './object-schema.js';
import { PRESET_NAMES, PRESETS } from './srs-presets.js';
import { checkBodyTemplate, checkTemplate, template } from './templates.js';
import type { BodyConfig, FleetConfig, MetricConfig, ModuleConfig } from './types.js';
import {
  boolean,
  defineEntry,
  integer,
  INVALID,
  listOf,
  mapOf,
  oneOf,
  text,
  ValidationContext,
  type Invalid,
  type Schema,
} from './validate.js';
import { YamlSource, type KeyPath } from './yaml-source.js';

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export { LABEL_NAME } from './label-name.js';
/** RFC 9110 token: what an HTTP header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const metricName = text((value, node, path, context) =>
  METRIC_NAME.test(value)
    ? value
    : context.report(
        'FJE_CONFIG_INVALID_VALUE',
        node,
        path,
        `${JSON.stringify(value)} is not a valid metric name; use letters, digits, _ and :, not starting with a digit`,
      ),
);

function checkHeaderName(name: string, keyNode: Node | null, path: KeyPath, context: ValidationContext): boolean {
  if (HEADER_NAME.test(name)) return true;
  context.report('FJE_CONFIG_INVALID_VALUE', keyNode, path, `${JSON.stringify(name)} is not a valid HTTP header name`);
  return false;
}

const headerValue = text((value, node, path, context) =>
  /[\r\n\0]/.test(value)
    ? context.report('FJE_CONFIG_INVALID_VALUE', node, path, 'header values cannot contain line breaks')
    : value,
);

/** Checks the `values` of a metric against its type; reports and returns false when they do not fit. */
function checkValues(
  metric: { name: string; type: 'value' | 'object'; values?: Record<string, string> },
  node: Node,
  path: KeyPath,
  context: ValidationContext,
): boolean {
  const valuesNode = entryNode(context, node, 'values');
  if (metric.type === 'value') {
    if (metric.values === undefined) return true;
    context.report(
      'FJE_CONFIG_INVALID_VALUE',
      valuesNode,
      [...path, 'values'],
      'is only used with type: object; remove it, or set type: object',
    );
    return false;
  }
  if (metric.values === undefined || Object.keys(metric.values).length === 0) {
    const where = metric.values === undefined ? node : valuesNode;
    const at = metric.values === undefined ? path : [...path, 'values'];
    context.report(
      'FJE_CONFIG_REQUIRED',
      where,
      at,
      "type: object needs `values`, a map of value names to templates, e.g. count: '{.count}'",
    );
    return false;
  }
  let valid = true;
  for (const entry of valuesNode === null ? [] : context.yaml.entriesOf(valuesNode)) {
    const family = `${metric.name}_${entry.key}`;
    if (METRIC_NAME.test(family)) continue;
    valid = false;
    context.report(
      'FJE_CONFIG_INVALID_VALUE',
      entry.keyNode,
      [...path, 'values', entry.key],
      `makes the metric name ${JSON.stringify(family)}, which is not valid; use letters, digits, _ and :`,
    );
  }
  return valid;
}

/** How labels read from numbers are written: json_exporter's Go text (default) or whole integers. */
const LABEL_NUMBER_FORMAT = oneOf(['go', 'integer'] as const);

export const metricSchema = objectOf(
  {
    name: required('name', metricName),
    path: required('path', template()),
    type: withDefault('type', oneOf(['value', 'object'] as const), 'value'),
    help: optional('help', text()),
    valuetype: withDefault('valuetype', oneOf(['gauge', 'counter', 'untyped'] as const), 'untyped'),
    labels: withDefault('labels', mapOf(template(), { key: checkLabelName }), {}),
    values: optional('values', mapOf(template())),
    // go-yaml matches the lower-cased field name, json_exporter's docs write epochTimestamp: accept both.
    epochTimestamp: optional('epochTimestamp', template(), ['epochtimestamp']),
    // As json_exporter's initializeValueConverter: source strings compared lower-cased, targets kept as text.
    valueconverter: withDefault(
      'valueconverter',
      mapOf(mapOf(text(), { normaliseKey: (key) => key.toLowerCase() }), {
        key: (key, keyNode, path, context) => checkTemplate(key, keyNode, path, context),
      }),
      {},
    ),
    allowMissingKey: withDefault('allow_missing_key', boolean(), false),
    duplicateSeries: optional('duplicate_series', oneOf(['keep_first', 'sum'] as const)),
    labelNumberFormat: optional('label_number_format', LABEL_NUMBER_FORMAT),
  },
  {
    refine: (metric, node, path, context): MetricConfig | Invalid => {
      if (!checkValues(metric, node, path, context)) return INVALID;
      const { help, values, epochTimestamp, duplicateSeries, ...rest } = metric;
      // json_exporter: an empty help falls back to the metric name.
      const result: MetricConfig = {
        ...rest,
        help: help === undefined || help === '' ? metric.name : help,
        values: values ?? {},
        ...(duplicateSeries === 'sum' ? { duplicateSeries } : {}),
      };
      return epochTimestamp === undefined ? result : { ...result, epochTimestamp };
    },
  },
);

const bodySchema = objectOf(
  {
    content: required('content', text()),
    templatize: withDefault('templatize', boolean(), false),
  },
  {
    refine: (body, node, path, context): BodyConfig | Invalid => {
      if (!body.templatize) return body;
      const contentNode = entryNode(context, node, 'content');
      return checkBodyTemplate(body.content, contentNode, [...path, 'content'], context) ? body : INVALID;
    },
  },
);

const errorCodeSchema = objectOf({ path: required('path', template()) });

const pagingSchema = objectOf({
  items: required('items', template()),
  countParam: withDefault('count_param', text(), 'count'),
  maxItems: withDefault('max_items', integer(1, 10_000_000, 'an integer from 1 to 10000000'), 10_000),
});

type ModuleFields = Omit<ModuleConfig, 'name'>;

const moduleSchema = objectOf(
  {
    preset: optional('preset', oneOf(PRESET_NAMES)),
    headers: withDefault('headers', mapOf(headerValue, { key: checkHeaderName }), {}),
    // json_exporter loads a module without metrics (only headers, body, …): it fetches and exports nothing.
    metrics: optional('metrics', listOf(metricSchema)),
    httpClientConfig: withDefault('http_client_config', httpClientConfigSchema, DEFAULT_HTTP_CLIENT_CONFIG),
    body: optional('body', bodySchema),
    validStatusCodes: withDefault(
      'valid_status_codes',
      listOf(integer(100, 599, 'an HTTP status code between 100 and 599')),
      [],
    ),
    errorCode: optional('error_code', errorCodeSchema),
    paging: optional('paging', pagingSchema),
    seriesLimit: withDefault('series_limit', integer(0, 1_000_000_000, 'an integer ≥ 0 (0: no limit)'), 0),
    invalidUtf8: withDefault('invalid_utf8', oneOf(['fail', 'replace'] as const), 'fail'),
    labelNumberFormat: optional('label_number_format', LABEL_NUMBER_FORMAT),
  },
  {
    refine: (module, node, _path, context): ModuleFields | Invalid => {
      const { preset, metrics, labelNumberFormat, ...rest } = module;
      const own = { ...rest, metrics: metrics ?? [] };
      const built =
        preset === undefined ? own : applyPreset(preset, own, (key) => keyNodeOf(context, node, key) !== null);
      return { ...built, metrics: built.metrics.map((metric) => withLabelNumberFormat(metric, labelNumberFormat)) };
    },
  },
);

/** A metric's label number format resolved against its module's: kept only when `integer` (absent means `go`). */
function withLabelNumberFormat(metric: MetricConfig, moduleFormat: 'go' | 'integer' | undefined): MetricConfig {
  const { labelNumberFormat, ...rest } = metric;
  return (labelNumberFormat ?? moduleFormat) === 'integer' ? { ...rest, labelNumberFormat: 'integer' } : rest;
}

const presetModules = new Map<string, ModuleFields>();

/** A preset's module, validated by the same schema as a module written by hand (once per process). */
function presetModule(name: string): ModuleFields {
  const cached = presetModules.get(name);
  if (cached !== undefined) return cached;
  const definition = PRESETS[name];
  if (definition === undefined) throw new Error(`no preset ${name}`);
  const yaml = new YamlSource(definition.yaml);
  const context = new ValidationContext(yaml, `<preset ${name}>`);
  const module = moduleSchema.read(yaml.document.contents as Node, [], context);
  if (module === INVALID || context.problems.length > 0) {
    throw new Error(
      `preset ${name} is invalid: ${context.problems.map((p) => `${p.line}:${p.column} ${p.keyPath}: ${p.message}`).join('; ')}`,
    );
  }
  presetModules.set(name, module);
  return module;
}

/**
 * A module built on a preset: the preset's metrics, then the module's own; keys the module writes win, except
 * `headers`, which merge.
 */
function applyPreset(name: string, own: ModuleFields, written: (key: string) => boolean): ModuleFields {
  const base = presetModule(name);
  const merged: ModuleFields = {
    ...base,
    preset: name,
    metrics: [...base.metrics, ...own.metrics],
    headers: { ...base.headers, ...own.headers },
    httpClientConfig: written('http_client_config') ? own.httpClientConfig : base.httpClientConfig,
    validStatusCodes: written('valid_status_codes') ? own.validStatusCodes : base.validStatusCodes,
    seriesLimit: written('series_limit') ? own.seriesLimit : base.seriesLimit,
    invalidUtf8: written('invalid_utf8') ? own.invalidUtf8 : base.invalidUtf8,
  };
  const optionalKeys = [
    ['body', 'body'],
    ['errorCode', 'error_code'],
    ['paging', 'paging'],
  ] as const;
  for (const [field, key] of optionalKeys) {
    if (written(key)) Object.assign(merged, { [field]: own[field] });
  }
  return merged;
}

type ConfigFields = { modules: Record<string, ModuleConfig>; fleet?: FleetConfig };

const configFields = objectOf(
  {
    modules: required('modules', mapOf(moduleSchema)),
    fleet: optional('fleet', fleetSchema),
  },
  {
    refine: (config, node, path, context): ConfigFields | Invalid => {
      const entries = Object.entries(config.modules);
      if (entries.length === 0) {
        return context.report(
          'FJE_CONFIG_REQUIRED',
          entryNode(context, node, 'modules'),
          [...path, 'modules'],
          'define at least one module, e.g. modules: { default: { metrics: [...] } }',
        );
      }
      const modules: Record<string, ModuleConfig> = {};
      for (const [name, module] of entries) defineEntry(modules, name, { name, ...module });
      return config.fleet === undefined ? { modules } : { modules, fleet: config.fleet };
    },
  },
);

/**
 * The whole file, without the load's generation and source. Jobs naming an unknown module are checked on the
 * YAML itself, so they are reported together with every other problem, not only once the rest is valid.
 */
export const configSchema: Schema<ConfigFields> = {
  expected: 'a map',
  read(node, path, context) {
    const value = configFields.read(node, path, context);
    const modulesKnown = checkFleetModules(node, path, context);
    return modulesKnown ? value : INVALID;
  },
};

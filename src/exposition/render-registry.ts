// The exporter's own prom-client metrics as OpenMetrics 1.0, without prom-client's OpenMetrics mode.
//
// prom-client 15's Registry renders OpenMetrics only for a registry created in that mode, and doing so renames
// every counter object in place (`foo_total` → `foo`), which would corrupt the text rendering of the same metrics.
// So the fleet /metrics renders the registry's JSON snapshot itself, with the same rules as the target series.
import { escapeHelp, escapeLabelValue } from './escape.js';
import { formatSampleValue } from './format-number.js';
import { familyName, seriesName } from './render.js';

/** The shape of prom-client's `Registry.getMetricsAsJSON()` entries that we read. */
export interface RegistryMetric {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: ReadonlyArray<{
    readonly value: number;
    readonly metricName?: string;
    readonly labels: Readonly<Record<string, string | number>>;
  }>;
}

const OPENMETRICS_TYPES: Readonly<Record<string, string>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
};

/** The families, each HELP/TYPE then its samples; no `# EOF` (the caller ends the whole body). */
export function renderRegistryOpenMetrics(metrics: readonly RegistryMetric[]): string {
  let out = '';
  for (const metric of metrics) {
    const type = OPENMETRICS_TYPES[metric.type] ?? 'unknown';
    // A counter's names follow the same rule as the target series' (familyName/seriesName).
    const counter = type === 'counter' ? { name: metric.name, type: 'counter' as const } : undefined;
    const family = counter === undefined ? metric.name : familyName(counter, 'openmetrics');
    out += `# HELP ${family} ${escapeHelp(metric.help, true)}\n# TYPE ${family} ${type}\n`;
    for (const sample of metric.values) {
      const name = counter === undefined ? (sample.metricName ?? metric.name) : seriesName(counter, 'openmetrics');
      const labels = Object.entries(sample.labels)
        .map(([label, value]) => `${label}="${escapeLabelValue(String(value))}"`)
        .join(',');
      out += `${name}${labels === '' ? '' : `{${labels}}`} ${formatSampleValue(sample.value)}\n`;
    }
  }
  return out;
}

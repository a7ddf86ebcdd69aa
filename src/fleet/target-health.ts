// The health series of one fleet target (up, scrape duration, samples, last success, errors by reason), rendered.
import { escapeLabelValue } from '../exposition/escape.js';
import { formatSampleValue } from '../exposition/format-number.js';
import { renderFamily } from '../exposition/render.js';
import { resolveLabelClashes } from '../exposition/label-clash.js';
import type { ExpositionFormat, FamilySamples, RenderedFamily } from '../exposition/types.js';
import { renderTargetLabels } from '../pool/hot-path.js';
import type { TargetMeta } from './store.js';

const PREFIX = 'fleet_json_exporter_target_';

/** The health families in output order, with their help: the names are part of the documented interface. */
export const TARGET_HEALTH_FAMILIES = {
  up: {
    name: PREFIX + 'up',
    type: 'gauge',
    help: "Whether the last scrape of the target succeeded (1) or failed (0), as Prometheus's up.",
  },
  duration: {
    name: PREFIX + 'scrape_duration_seconds',
    type: 'gauge',
    help: 'Duration of the last scrape of the target (fetch, parse, extract, render).',
  },
  samples: {
    name: PREFIX + 'scrape_samples',
    type: 'gauge',
    help: 'Samples the last scrape of the target gave (0 when it failed).',
  },
  lastSuccess: {
    name: PREFIX + 'last_success_timestamp_seconds',
    type: 'gauge',
    help: 'When the last successful scrape of the target ended, in seconds since the epoch.',
  },
  errors: {
    name: PREFIX + 'scrape_errors_total',
    type: 'counter',
    help: 'Failed scrapes of the target by reason (timeout, connection_refused, invalid_status, invalid_json, …) since it was discovered.',
  },
} as const;

export const TARGET_HEALTH_FAMILY_NAMES: ReadonlySet<string> = new Set(
  Object.values(TARGET_HEALTH_FAMILIES).map((family) => family.name),
);

function gauge(key: Exclude<keyof typeof TARGET_HEALTH_FAMILIES, 'errors'>, value: number): FamilySamples {
  return { ...TARGET_HEALTH_FAMILIES[key], labelNames: [], samples: [{ labelValues: [], value }] };
}

/**
 * Health families of a target that was scraped at least once, per format (families without samples are left out).
 * Their lines are the same in both formats (gauges, and a counter already named `…_total`, no timestamps): both
 * formats get the same array. `prefix` is renderTargetLabels(targetLabels), when the caller keeps it.
 *
 * Rendered once per scrape (667 a second at 10,000 targets), so the usual case writes its few lines directly: the
 * general path (sample objects, renderFamily) was the main thread's largest allocator in bench:fleet (13 % of its
 * sampled allocations at 2,000 × 50), all of it kept for an interval and then old-generation garbage. A target label
 * named `reason` takes the general path (the errors family's own label is renamed there).
 */
export function renderTargetHealth(
  targetLabels: Readonly<Record<string, string>>,
  meta: TargetMeta,
  prefix: string = renderTargetLabels(targetLabels),
): Record<ExpositionFormat, RenderedFamily[]> {
  if (!('reason' in targetLabels)) {
    const text = renderHealthLines(meta, prefix);
    return { text, openmetrics: text };
  }
  const families: FamilySamples[] = [
    gauge('up', meta.state === 'up' ? 1 : 0),
    // Microseconds are all a duration means; the rounding keeps float noise out of the exposition.
    gauge('duration', Math.round((meta.lastDurationMs ?? 0) * 1000) / 1e6),
    gauge('samples', meta.sampleCount),
  ];
  if (meta.lastSuccessMs !== undefined) families.push(gauge('lastSuccess', meta.lastSuccessMs / 1000));
  if (meta.errorsByReason.size > 0) {
    const reasons = [...meta.errorsByReason.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    families.push({
      ...TARGET_HEALTH_FAMILIES.errors,
      labelNames: ['reason'],
      samples: reasons.map(([reason, count]) => ({ labelValues: [reason], value: count })),
    });
  }
  // Only the errors family has a label of its own (reason), which this target label clashes with.
  const text = families.map((family) => renderFamily(resolveLabelClashes(family, targetLabels), 'text', prefix));
  return { text, openmetrics: text };
}

type FamilyHeader = Pick<RenderedFamily, 'name' | 'help' | 'type'>;

/** `name{prefix} value` lines of one family each, as renderFamily writes them for these gauges and the counter. */
function renderHealthLines(meta: TargetMeta, prefix: string): RenderedFamily[] {
  const labels = prefix === '' ? ' ' : `{${prefix}} `;
  const line = (family: { readonly name: string }, value: number): string =>
    family.name + labels + formatSampleValue(value) + '\n';
  const rendered = (family: FamilyHeader, text: string): RenderedFamily => ({
    name: family.name,
    help: family.help,
    type: family.type,
    text,
  });
  const { up, duration, samples, lastSuccess, errors } = TARGET_HEALTH_FAMILIES;
  const families: RenderedFamily[] = [
    rendered(up, line(up, meta.state === 'up' ? 1 : 0)),
    // Microseconds are all a duration means; the rounding keeps float noise out of the exposition.
    rendered(duration, line(duration, Math.round((meta.lastDurationMs ?? 0) * 1000) / 1e6)),
    rendered(samples, line(samples, meta.sampleCount)),
  ];
  if (meta.lastSuccessMs !== undefined)
    families.push(rendered(lastSuccess, line(lastSuccess, meta.lastSuccessMs / 1000)));
  if (meta.errorsByReason.size > 0) {
    const open = prefix === '' ? '{reason="' : `{${prefix},reason="`;
    let text = '';
    for (const [reason, count] of [...meta.errorsByReason.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      text += errors.name + open + escapeLabelValue(reason) + '"} ' + formatSampleValue(count) + '\n';
    }
    families.push(rendered(errors, text));
  }
  return families;
}

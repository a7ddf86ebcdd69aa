// The health series of one fleet target (up, scrape duration, samples, last success, errors by reason), rendered.
import { escapeLabelValue } from '../exposition/escape.js';
import { formatSampleValue } from '../exposition/format-number.js';
import { resolveLabelClashes } from '../exposition/label-clash.js';
import type { ExpositionFormat, RenderedFamily } from '../exposition/types.js';
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

/**
 * Health families of a target that was scraped at least once, per format (families without samples are left out).
 * Their lines are the same in both formats (gauges, and a counter already named `…_total`, no timestamps): both
 * formats get the same array. `prefix` is renderTargetLabels(targetLabels), when the caller keeps it.
 *
 * Rendered once per scrape (667 a second at 10,000 targets), so the lines are written directly, as renderFamily
 * writes them: the general path (sample objects through renderFamily) was the main thread's largest allocator in
 * bench:fleet (13 % of its sampled allocations at 2,000 × 50), all of it kept for an interval, then old-generation
 * garbage.
 */
export function renderTargetHealth(
  targetLabels: Readonly<Record<string, string>>,
  meta: TargetMeta,
  prefix: string = renderTargetLabels(targetLabels),
): Record<ExpositionFormat, RenderedFamily[]> {
  const labels = prefix === '' ? ' ' : `{${prefix}} `;
  const line = (family: FamilyHeader, value: number): string => family.name + labels + formatSampleValue(value) + '\n';
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
    const reasonLabel = 'reason' in targetLabels ? clashFreeReasonLabel(targetLabels) : 'reason';
    const open = `{${prefix === '' ? '' : `${prefix},`}${reasonLabel}="`;
    let text = '';
    for (const [reason, count] of [...meta.errorsByReason.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      text += errors.name + open + escapeLabelValue(reason) + '"} ' + formatSampleValue(count) + '\n';
    }
    families.push(rendered(errors, text));
  }
  return { text: families, openmetrics: families };
}

type FamilyHeader = Pick<RenderedFamily, 'name' | 'help' | 'type'>;

/** The errors family's own label under a target label named `reason`: renamed as every series label is. */
function clashFreeReasonLabel(targetLabels: Readonly<Record<string, string>>): string {
  const family = { ...TARGET_HEALTH_FAMILIES.errors, labelNames: ['reason'], samples: [] };
  return resolveLabelClashes(family, targetLabels).labelNames[0] ?? 'reason';
}

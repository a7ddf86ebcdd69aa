// The health series of one fleet target (up, scrape duration, samples, last success, errors by reason), as bytes.
import { escapeLabelValue } from '../exposition/escape.js';
import { formatSampleValue } from '../exposition/format-number.js';
import { resolveLabelClashes } from '../exposition/label-clash.js';
import type { EncodedFamilies, FamilyMeta } from '../exposition/encoded-families.js';
import { LINE_SLACK_BYTES, SeriesByteWriter } from '../exposition/series-bytes.js';
import { renderTargetLabels } from '../pool/hot-path.js';
import { ResultBuffers } from '../pool/result-buffers.js';
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

/** The health families' metadata lists, by whether the target has a last success and failures: shared by all. */
const FAMILY_LISTS: readonly (readonly FamilyMeta[])[] = (() => {
  const { up, duration, samples, lastSuccess, errors } = TARGET_HEALTH_FAMILIES;
  const lists: (readonly FamilyMeta[])[] = [];
  for (const withErrors of [false, true]) {
    for (const withSuccess of [false, true]) {
      const list: FamilyMeta[] = [up, duration, samples];
      if (withSuccess) list.push(lastSuccess);
      if (withErrors) list.push(errors);
      lists.push(Object.freeze(list));
    }
  }
  return lists;
})();

const encoder = new TextEncoder();
const NAME_BYTES = {
  up: encoder.encode(TARGET_HEALTH_FAMILIES.up.name),
  duration: encoder.encode(TARGET_HEALTH_FAMILIES.duration.name),
  samples: encoder.encode(TARGET_HEALTH_FAMILIES.samples.name),
  lastSuccess: encoder.encode(TARGET_HEALTH_FAMILIES.lastSuccess.name),
};

/**
 * A target's label block (`{k="v",…} `, or a lone space without labels) as UTF-8, per labels object: a fleet target
 * keeps one labels object per definition, so its scrapes all write the same block.
 */
const labelBlocks = new WeakMap<Readonly<Record<string, string>>, Uint8Array>();

/** One writer for every target's health lines: each is copied out before the next. */
const sink = new SeriesByteWriter();

/**
 * The buffers health lines are copied out into, given back by the store once their slot group is archived (as the
 * hot path's result buffers are): a fresh ArrayBuffer per scrape was ~0.4 MB/s at 10,000 × 10, which V8 counts against
 * the old generation's room (bench/README.md, twentieth stop on issue 15). Health lines are a few hundred bytes: sized
 * to 16 bytes, a buffer stays within the 1.2× of spare room that lets the next scrape's lines reuse it.
 */
export const healthBuffers = new ResultBuffers({ maxKeptBytes: 2 * 1024 * 1024, roundTo: 16 });

/**
 * Health families of a target that was scraped at least once, as the bytes the store keeps (families without samples
 * are left out). Their lines are the same in both formats (gauges, and a counter already named `…_total`, no
 * timestamps): the store keeps one EncodedFamilies for both.
 *
 * Written once per scrape (667 a second at 10,000 targets), so the lines go straight into bytes: the label block
 * encoded once per target, the names once, the values as digits. Rendered as strings and then encoded (per scrape:
 * the lines, a family object each, a writer's buffer), they were ~2.3 % of the process's CPU samples in bench:fleet
 * at 10,000 × 10 (bench/README.md, nineteenth stop on issue 15). Before that, the general path (sample objects through
 * renderFamily) was the main thread's largest allocator (13 % of its sampled allocations at 2,000 × 50).
 */
export function encodeTargetHealth(targetLabels: Readonly<Record<string, string>>, meta: TargetMeta): EncodedFamilies {
  let block = labelBlocks.get(targetLabels);
  if (block === undefined) {
    const prefix = renderTargetLabels(targetLabels);
    block = encoder.encode(prefix === '' ? ' ' : `{${prefix}} `);
    labelBlocks.set(targetLabels, block);
  }
  sink.rewind(0);
  const upEnd = writeLine(NAME_BYTES.up, block, meta.state === 'up' ? 1 : 0);
  // Microseconds are all a duration means; the rounding keeps float noise out of the exposition.
  const durationEnd = writeLine(NAME_BYTES.duration, block, Math.round((meta.lastDurationMs ?? 0) * 1000) / 1e6);
  const samplesEnd = writeLine(NAME_BYTES.samples, block, meta.sampleCount);
  const withSuccess = meta.lastSuccessMs !== undefined;
  const successEnd = withSuccess ? writeLine(NAME_BYTES.lastSuccess, block, (meta.lastSuccessMs as number) / 1000) : 0;
  // `ends` lives as long as the lines (an interval, so in the old generation): an array literal of its exact length,
  // where pushing grew a backing store of 17 elements (~96 KB/s of the old generation's garbage at 10,000 × 10,
  // bench/README.md, twenty-first stop on issue 15).
  const ends = withSuccess ? [upEnd, durationEnd, samplesEnd, successEnd] : [upEnd, durationEnd, samplesEnd];
  const withErrors = meta.errorsByReason.size > 0;
  if (withErrors) {
    // Failures are rare next to scrapes: these lines are written as text.
    const prefix = renderTargetLabels(targetLabels);
    const reasonLabel = 'reason' in targetLabels ? clashFreeReasonLabel(targetLabels) : 'reason';
    const open = `{${prefix === '' ? '' : `${prefix},`}${reasonLabel}="`;
    const name = TARGET_HEALTH_FAMILIES.errors.name;
    for (const [reason, count] of [...meta.errorsByReason.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      sink.writeText(name + open + escapeLabelValue(reason) + '"} ' + formatSampleValue(count) + '\n');
    }
    ends.push(sink.length);
  }
  const length = sink.length;
  const bytes = healthBuffers.take(length);
  bytes.set(sink.view());
  return { families: FAMILY_LISTS[(withErrors ? 2 : 0) + (withSuccess ? 1 : 0)] as readonly FamilyMeta[], bytes, ends };
}

/** One health line (a family of one series) into the sink; where its family ends. */
function writeLine(name: Uint8Array, block: Uint8Array, value: number): number {
  sink.reserve(name.length + block.length + LINE_SLACK_BYTES);
  sink.writeBytes(name);
  sink.writeBytes(block);
  sink.writeSampleValue(value);
  sink.writeNewline();
  return sink.length;
}

/** The errors family's own label under a target label named `reason`: renamed as every series label is. */
function clashFreeReasonLabel(targetLabels: Readonly<Record<string, string>>): string {
  const family = { ...TARGET_HEALTH_FAMILIES.errors, labelNames: ['reason'], samples: [] };
  return resolveLabelClashes(family, targetLabels).labelNames[0] ?? 'reason';
}

// Renders families of samples as Prometheus text 0.0.4 or OpenMetrics 1.0 (HELP/TYPE once, series contiguous).
import { escapeHelp, escapeLabelValue } from './escape.js';
import { formatSampleValue, formatTimestamp } from './format-number.js';
import type { ExpositionFormat, FamilySamples, MetricType, RenderedFamily } from './types.js';

interface FamilyHeader {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
}

/** OpenMetrics names a counter family without `_total` and its sample with it (client_golang does the same). */
function openMetricsNames(name: string, type: MetricType): { family: string; sample: string } {
  if (type !== 'counter') return { family: name, sample: name };
  const family = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
  return { family, sample: family + '_total' };
}

/** The family's name in `format`'s `# HELP`/`# TYPE` lines: unique per body. */
export function familyName(family: Pick<FamilyHeader, 'name' | 'type'>, format: ExpositionFormat): string {
  return format === 'openmetrics' ? openMetricsNames(family.name, family.type).family : family.name;
}

/** The name every series line of the family carries in `format` (one per family: gauge, counter, untyped only). */
export function seriesName(family: Pick<FamilyHeader, 'name' | 'type'>, format: ExpositionFormat): string {
  return format === 'openmetrics' ? openMetricsNames(family.name, family.type).sample : family.name;
}

function typeWord(type: MetricType, openMetrics: boolean): string {
  return type === 'untyped' && openMetrics ? 'unknown' : type;
}

/** The `# HELP` and `# TYPE` lines of one family. */
export function renderHeader(family: FamilyHeader, format: ExpositionFormat): string {
  const openMetrics = format === 'openmetrics';
  const name = familyName(family, format);
  return `# HELP ${name} ${escapeHelp(family.help, openMetrics)}\n# TYPE ${name} ${typeWord(family.type, openMetrics)}\n`;
}

/**
 * Rendered `{k="v",…}` blocks by label-values array, per label-name list and prefix: families whose samples share
 * one label-values array (the metrics of a group share an element's labels) escape and join them once. One per body.
 */
export class LabelBlockCache {
  readonly #byShape = new Map<string, Map<readonly string[], string>>();

  /** The blocks of families with these label names and this prefix. */
  forShape(labelNames: readonly string[], extraLabels: string): Map<readonly string[], string> {
    const shape = labelNames.join(',') + '\u0000' + extraLabels;
    let blocks = this.#byShape.get(shape);
    if (blocks === undefined) {
      blocks = new Map();
      this.#byShape.set(shape, blocks);
    }
    return blocks;
  }
}

/**
 * The series lines of one family. `extraLabels` is a pre-rendered `k="v",…` prefix (target labels in fleet mode),
 * placed before the family's own labels. `labelBlocks` shares rendered label blocks between the families of a body.
 */
export function renderSeries(
  family: FamilySamples,
  format: ExpositionFormat,
  extraLabels = '',
  labelBlocks?: LabelBlockCache,
): string {
  const openMetrics = format === 'openmetrics';
  const sampleName = seriesName(family, format);
  const labelNames = family.labelNames;
  const labelCount = labelNames.length;
  // The constant text around each label value, built once per family: `{extra,first="`, then `",name="` before
  // each further value and `"} ` at the end. A block is then one `+` per value and one per piece, half the
  // concatenations of joining `,name="`, the value and `"` one at a time (bench/README.md, issue 16, fourth stop).
  const pieces: string[] = [];
  for (let i = 0; i < labelCount; i++) {
    const separator = i > 0 ? '",' : extraLabels === '' ? '' : ',';
    pieces.push((i === 0 ? '{' + extraLabels : '') + separator + labelNames[i] + '="');
  }
  // A family without labels of its own has one block for every line: `{extra} ` (or nothing).
  const fixed = labelCount > 0 ? undefined : extraLabels === '' ? ' ' : '{' + extraLabels + '} ';
  // `+=` builds a rope: several nodes per line, ~7× the text's size on 200,000 series (56 MB of heap for 7.5 MB of
  // text). Reading a character flattens a rope in place, so each block of lines is flattened once when it reaches
  // FLAT_BLOCK_CHARS, and the flat blocks are chained with `+` (one node each, no copy). Joining them into one flat
  // string instead cost 10× per byte once the string passed V8's large-object size (~128 KB): measured 0.4 vs 4 ms
  // per MB on the 2-core VM (fresh pages for every large object), the largest part of rendering a 1 MB body.
  let text = '';
  const blocks = fixed === undefined ? labelBlocks?.forShape(labelNames, extraLabels) : undefined;
  let out = '';
  for (const sample of family.samples) {
    let block = fixed ?? blocks?.get(sample.labelValues);
    if (block === undefined) {
      const values = sample.labelValues;
      block = (pieces[0] as string) + escapeLabelValue(values[0] ?? '');
      for (let i = 1; i < labelCount; i++) block += (pieces[i] as string) + escapeLabelValue(values[i] ?? '');
      block += '"} ';
      if (blocks !== undefined) {
        // Flat once here, so every line (of every family sharing it) copies one string instead of walking a rope.
        // Without a cache the block serves one line: the block of lines flattens it with the rest.
        block.charCodeAt(0);
        blocks.set(values, block);
      }
    }
    let line = sampleName + block + formatSampleValue(sample.value);
    if (sample.timestampMs !== undefined) line += ' ' + formatTimestamp(sample.timestampMs, openMetrics);
    out += line + '\n';
    if (out.length >= FLAT_BLOCK_CHARS) {
      out.charCodeAt(0);
      text += out;
      out = '';
    }
  }
  return text + out;
}

/**
 * Characters per flattened block in renderSeries: 32 Ki characters is at most 64 KB (two-byte text), below V8's
 * large-object size, so each flattening is a small copy into ordinary (reused) heap pages that stays in cache.
 */
const FLAT_BLOCK_CHARS = 32 * 1024;

/**
 * Whether the family's series lines are the same in both formats: they differ only in a counter's sample name
 * (OpenMetrics adds `_total`) and in timestamps (milliseconds vs seconds). Most families qualify.
 */
export function rendersAlikeInBothFormats(family: FamilySamples): boolean {
  return (
    seriesName(family, 'openmetrics') === family.name &&
    family.samples.every((sample) => sample.timestampMs === undefined)
  );
}

/** One family rendered for the worker contract: header fields plus series text. */
export function renderFamily(
  family: FamilySamples,
  format: ExpositionFormat,
  extraLabels = '',
  labelBlocks?: LabelBlockCache,
): RenderedFamily {
  return {
    name: family.name,
    help: family.help,
    type: family.type,
    text: renderSeries(family, format, extraLabels, labelBlocks),
  };
}

/** A whole exposition body from rendered families (sorted by name upstream); OpenMetrics ends with `# EOF`. */
export function joinRenderedFamilies(families: readonly RenderedFamily[], format: ExpositionFormat): string {
  let out = '';
  for (const family of families) {
    if (family.text === '') continue;
    out += renderHeader(family, format) + family.text;
  }
  if (format === 'openmetrics') out += '# EOF\n';
  return out;
}

/** Families straight to a body: the probe path. */
export function renderExposition(families: readonly FamilySamples[], format: ExpositionFormat): string {
  return joinRenderedFamilies(
    families.map((family) => renderFamily(family, format)),
    format,
  );
}

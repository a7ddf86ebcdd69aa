// Renders families of samples as Prometheus text 0.0.4 or OpenMetrics 1.0 (HELP/TYPE once, series contiguous).
import { escapeHelp, escapeLabelValue } from './escape.js';
import { formatSampleValue, formatTimestamp } from './format-number.js';
import { encodeAscii, LINE_SLACK_BYTES, type SeriesByteWriter, SeriesTextWriter } from './series-bytes.js';
import type { ExpositionFormat, FamilySamples, MetricType, RenderedFamily, Sample } from './types.js';

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
 * Blocks by label-values array, one map per label-name list and prefix, made on first use. The families of a group
 * come one after the other with the same label-name array: the last one asked for is found without a key.
 */
class BlocksByShape<Block> {
  #byShape: Map<string, Map<readonly string[], Block>> | undefined;
  #lastNames: readonly string[] | undefined;
  #lastExtra = '';
  #last: Map<readonly string[], Block> | undefined;

  get(labelNames: readonly string[], extraLabels: string): Map<readonly string[], Block> {
    if (labelNames === this.#lastNames && extraLabels === this.#lastExtra && this.#last !== undefined)
      return this.#last;
    this.#byShape ??= new Map();
    const shape = labelNames.join(',') + '\u0000' + extraLabels;
    let blocks = this.#byShape.get(shape);
    if (blocks === undefined) {
      blocks = new Map();
      this.#byShape.set(shape, blocks);
    }
    this.#lastNames = labelNames;
    this.#lastExtra = extraLabels;
    this.#last = blocks;
    return blocks;
  }
}

/**
 * Rendered `{k="v",…}` blocks by label-values array, per label-name list and prefix: families whose samples share
 * one label-values array (the metrics of a group share an element's labels) escape and join them once. One per body.
 */
export class LabelBlockCache {
  readonly #strings = new BlocksByShape<string>();
  readonly #bytes = new BlocksByShape<Uint8Array>();
  readonly #offsets = new BlocksByShape<number>();

  /** The blocks of families with these label names and this prefix. */
  forShape(labelNames: readonly string[], extraLabels: string): Map<readonly string[], string> {
    return this.#strings.get(labelNames, extraLabels);
  }

  /** As forShape, the blocks as bytes (renderSeries' byte path). */
  bytesForShape(labelNames: readonly string[], extraLabels: string): Map<readonly string[], Uint8Array> {
    return this.#bytes.get(labelNames, extraLabels);
  }

  /** As forShape, where writeFamilyBytes wrote each block in its sink: `start * BLOCK_SPAN + length`. */
  offsetsForShape(labelNames: readonly string[], extraLabels: string): Map<readonly string[], number> {
    return this.#offsets.get(labelNames, extraLabels);
  }
}

/** The end of a label block, after its last value: written as bytes by both byte renderers. */
const CLOSE_BYTES = encodeAscii('"} ');

/** writeFamilyBytes' block offsets pack a block's start and length in one number: blocks up to 64 KiB are kept. */
const BLOCK_SPAN = 65_536;

/**
 * The constant text around a line's label values, built once per family: `{extra,first="`, then `",name="` before
 * each further value (a block is then one `+` per value and one per piece, half the concatenations of joining
 * `,name="`, the value and `"` one at a time: bench/README.md, issue 16, fourth stop), and `"} ` after the last. A
 * family without labels of its own has one block for every line instead (`fixed`): `{extra} ` (or nothing).
 */
function linePieces(
  labelNames: readonly string[],
  extraLabels: string,
): { readonly pieces: string[]; readonly fixed: string | undefined } {
  const pieces: string[] = [];
  for (let i = 0; i < labelNames.length; i++) {
    const separator = i > 0 ? '",' : extraLabels === '' ? '' : ',';
    pieces.push((i === 0 ? '{' + extraLabels : '') + separator + labelNames[i] + '="');
  }
  const fixed = labelNames.length > 0 ? undefined : extraLabels === '' ? ' ' : '{' + extraLabels + '} ';
  return { pieces, fixed };
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
  const { pieces, fixed } = linePieces(labelNames, extraLabels);
  // Names are ASCII; target labels almost always are: then the lines are written as bytes (series-bytes.ts).
  if (family.samples.length >= BYTES_FROM_SAMPLES && !NON_ASCII.test(sampleName) && !NON_ASCII.test(extraLabels)) {
    const blocks = labelCount > 0 ? labelBlocks?.bytesForShape(labelNames, extraLabels) : undefined;
    return writeSeries(family.samples, sampleName, pieces, fixed, openMetrics, blocks);
  }
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

const NON_ASCII = /[\u0080-\uffff]/;
/**
 * Families of at least this many samples are written as bytes. Below it the string path is faster: its rope is small
 * and dies young, and without a scavenge mid-render it costs ~half as much per line (rope nodes are O(1), flattening
 * is a memcpy; the byte path copies label values a unit at a time). Measured crossover on the srs_streams preset:
 * ~570 streams (250 KB body) even, 228 streams 15 % slower as bytes, 1,100+ streams 20–35 % faster (issue 16).
 */
export const BYTES_FROM_SAMPLES = 512;

/** The writer renderSeries' byte path reuses (one per thread: rendering never yields). */
const writer = new SeriesTextWriter();

/**
 * renderSeries' lines written into bytes (`pieces` and `fixed` as renderSeries builds them, all ASCII). No string per
 * line: what a 1 MB body's rendering allocated (~8 MB) filled the young generation once per body (issue 16).
 */
function writeSeries(
  samples: readonly Sample[],
  sampleName: string,
  pieces: readonly string[],
  fixed: string | undefined,
  openMetrics: boolean,
  blocks: Map<readonly string[], Uint8Array> | undefined,
): string {
  const labelCount = pieces.length;
  const name = encodeAscii(sampleName);
  const before = pieces.map(encodeAscii);
  const after = fixed === undefined ? CLOSE_BYTES : encodeAscii(fixed);
  // Per line at most: the constant bytes, 6 bytes per value unit (3 would do: an escaped unit is 2 bytes, a non-ASCII
  // one at most 3 in UTF-8) and the line's end.
  let constant = name.length + after.length + LINE_SLACK_BYTES;
  for (const piece of before) constant += piece.length;
  writer.begin();
  for (const sample of samples) {
    const values = sample.labelValues;
    let bound = constant;
    for (let i = 0; i < labelCount; i++) bound += 6 * (values[i] ?? '').length;
    writer.reserve(bound);
    writer.writeBytes(name);
    const cached = blocks?.get(values);
    if (cached !== undefined) writer.writeBytes(cached);
    else {
      const start = writer.mark();
      let ascii = true;
      for (let i = 0; i < labelCount; i++) {
        writer.writeBytes(before[i] as Uint8Array);
        if (!writer.writeLabelValue(values[i] ?? '')) ascii = false;
      }
      writer.writeBytes(after);
      // A block other families write again (their samples share the label array) is copied once, as written.
      if (blocks !== undefined && ascii) blocks.set(values, writer.copySince(start));
    }
    writer.writeSampleEnd(sample.value, sample.timestampMs, openMetrics);
    writer.endLine();
  }
  return writer.end();
}

/** The last prefix found ASCII: a body's families share one (its target's labels), so it is tested once per body. */
let asciiPrefix = '';

/**
 * ASCII sample names as bytes: a module's names are the same strings body after body, written once per line with a
 * native copy. Character by character they were half of writeFamilyBytes' own time (22 bytes: 48 ns from a flat string,
 * ~2× that from a rope, which a name built by concatenation can be; 28 ns with `set`). Cleared when full: names come
 * from configs, and a reload may bring new ones.
 */
const nameBytes = new Map<string, Uint8Array>();
const NAME_BYTES_KEPT = 4096;

/** The sample name's bytes, or undefined when it is not ASCII. */
function asciiNameBytes(sampleName: string): Uint8Array | undefined {
  let bytes = nameBytes.get(sampleName);
  if (bytes !== undefined) return bytes;
  if (NON_ASCII.test(sampleName)) return undefined;
  if (nameBytes.size >= NAME_BYTES_KEPT) nameBytes.clear();
  bytes = encodeAscii(sampleName);
  nameBytes.set(sampleName, bytes);
  return bytes;
}

/**
 * A family's series lines written straight into `sink` as bytes, as renderSeries spells them: what fleet scrapes keep
 * (hot-path-batch.ts), with no text made on the way. With `labelBlocks`, a block (`{extra,name="v"} `) written once
 * is copied from where it is in the sink for every other line of the body with the same label values. Measured on a
 * 10-stream SRS body in both formats (bench/README.md, eighteenth stop on issue 15): the text and its encoding took
 * ~22 µs of the body's ~58 µs and ~30 % of the main thread's allocated bytes in bench:fleet; written as bytes, the
 * body's hot path made 40 % fewer young-generation collections (287 → 173 per 100,000 bodies) in about the same time
 * (−4 to +2 % a body, the two alternated in one process).
 */
export function writeFamilyBytes(
  sink: SeriesByteWriter,
  family: FamilySamples,
  format: ExpositionFormat,
  extraLabels: string,
  labelBlocks?: LabelBlockCache,
): void {
  const sampleName = seriesName(family, format);
  if (extraLabels !== asciiPrefix) {
    if (NON_ASCII.test(extraLabels)) {
      sink.writeText(renderSeries(family, format, extraLabels, labelBlocks));
      return;
    }
    asciiPrefix = extraLabels;
  }
  const name = asciiNameBytes(sampleName);
  if (name === undefined) {
    sink.writeText(renderSeries(family, format, extraLabels, labelBlocks));
    return;
  }
  const openMetrics = format === 'openmetrics';
  const labelNames = family.labelNames;
  const labelCount = labelNames.length;
  const { pieces, fixed } = linePieces(labelNames, extraLabels);
  const blocks = labelCount > 0 ? labelBlocks?.offsetsForShape(labelNames, extraLabels) : undefined;
  // Per line at most (as writeSeries reserves): the name, the constant text, 6 bytes per value unit, the line's end.
  let constant = sampleName.length + (fixed ?? '"} ').length + LINE_SLACK_BYTES;
  for (const piece of pieces) constant += piece.length;
  let pieceBytes: Uint8Array[] | undefined;
  for (const sample of family.samples) {
    const values = sample.labelValues;
    const cached = blocks?.get(values);
    let bound = constant;
    if (cached === undefined) for (let i = 0; i < labelCount; i++) bound += 6 * (values[i] ?? '').length;
    sink.reserve(bound);
    sink.writeBytes(name);
    if (fixed !== undefined) sink.writeAscii(fixed);
    else if (cached !== undefined) {
      const start = Math.floor(cached / BLOCK_SPAN);
      sink.writeAgain(start, start + (cached % BLOCK_SPAN));
    } else {
      const start = sink.length;
      // The pieces as bytes once per family, for the lines whose block is not written yet (a group's first family).
      pieceBytes ??= pieces.map(encodeAscii);
      for (let i = 0; i < labelCount; i++) {
        sink.writeBytes(pieceBytes[i] as Uint8Array);
        sink.writeLabelValue(values[i] ?? '');
      }
      sink.writeBytes(CLOSE_BYTES);
      const length = sink.length - start;
      if (blocks !== undefined && length < BLOCK_SPAN) blocks.set(values, start * BLOCK_SPAN + length);
    }
    sink.writeSampleEnd(sample.value, sample.timestampMs, openMetrics);
  }
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

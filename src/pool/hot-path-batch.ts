// Many small bodies of one module in one task: each through the same hot path as HotPath.run, the rendered lines of
// all of them written into one UTF-8 buffer (transferred back from a worker, not structured-cloned as strings).
import type { CompiledModule } from '../extract/compile-module.js';
import {
  type EncodedFamilies,
  type FamilyMeta,
  type FamilyMetaInterner,
  Utf8Writer,
} from '../exposition/encoded-families.js';
import { LabelBlockCache, rendersAlikeInBothFormats, writeFamilyBytes } from '../exposition/render.js';
import { SeriesByteWriter } from '../exposition/series-bytes.js';
import type { ExpositionFormat, FamilySamples, RenderedFamily } from '../exposition/types.js';
import type { JsonBodyParser } from '../extract/parse-json.js';
import { moduleParser } from '../extract/pruned-parse.js';
import {
  countsOf,
  extractBody,
  labelBlocksRecur,
  type HotPathCounts,
  type HotPathFailure,
  type HotPathModule,
  type HotPathResult,
  type InlineTask,
  underBudget,
} from './hot-path.js';
import { resultBuffers } from './result-buffers.js';

export interface HotPathBatchItem {
  /** A pool copies every body of a batch into one transferred buffer; the caller's buffer stays usable. */
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly targetLabels: Readonly<Record<string, string>>;
  /** Epoch ms: the scrape's deadline; past it this body stops with `timeout` (the batch's other bodies go on). */
  readonly deadline?: number;
}

export interface HotPathBatch {
  readonly module: HotPathModule;
  readonly formats: readonly ExpositionFormat[];
  readonly items: readonly HotPathBatchItem[];
}

/** One body's result in a batch: its families as bytes per format (see EncodedFamilies), or why there are none. */
export type HotPathEncodedResult =
  | ({ readonly ok: true; readonly encoded: Partial<Record<ExpositionFormat, EncodedFamilies>> } & HotPathCounts)
  | HotPathFailure;

/** Where one item's lines are in the batch's buffer, per format: its start and each family's end (both absolute). */
export interface EncodedItemSpans {
  readonly start: number;
  readonly ends: readonly number[];
}

export type EncodedBatchItem =
  | ({
      readonly ok: true;
      /** Per format; an OpenMetrics entry equal to the text one is the same spans (the lines were equal). */
      readonly spans: Partial<Record<ExpositionFormat, EncodedItemSpans>>;
    } & HotPathCounts)
  | HotPathFailure;

/** A batch's answer as it crosses the thread boundary: one buffer, spans into it, the module's families once. */
export interface EncodedBatch {
  readonly bytes: Uint8Array;
  readonly families: readonly FamilyMeta[];
  readonly items: readonly EncodedBatchItem[];
}

/**
 * The thread's writer for batches: every body of a batch is written into it, then copied once into the batch's own
 * buffer of the exact size (a recycled one for a single inline body). Reused, so a body's lines allocate nothing.
 */
const sink = new SeriesByteWriter();

/** A batch's lines as written into the thread's sink: valid until the next batch on this thread. */
interface SinkBatch {
  readonly families: readonly FamilyMeta[];
  readonly items: readonly EncodedBatchItem[];
}

/**
 * Runs every item through the hot path into `sink`; the one code path for batches, in a worker or inline. Each body's
 * families are written as bytes straight into it (writeFamilyBytes): no text is made (see encodeItem).
 */
function encodeIntoSink(
  compiled: CompiledModule,
  items: readonly HotPathBatchItem[],
  formats: readonly ExpositionFormat[],
  isCancelled?: () => boolean,
): SinkBatch {
  sink.rewind(0);
  let families: readonly FamilyMeta[] | undefined;
  const parse = moduleParser(compiled);
  const encoded = items.map((item): EncodedBatchItem => {
    const task = { ...item, formats, ...(isCancelled === undefined ? {} : { isCancelled }) };
    const result = encodeItem(compiled, task, parse);
    if (!result.ok) return result;
    families ??= result.families.map(({ name, help, type }) => ({ name, help, type }));
    return result.item;
  });
  return { families: families ?? [], items: encoded };
}

/** A batch as one buffer of its own (a worker's answer, transferred to the main thread), spans into it. */
export function encodeBatch(
  compiled: CompiledModule,
  items: readonly HotPathBatchItem[],
  formats: readonly ExpositionFormat[],
  isCancelled?: () => boolean,
): EncodedBatch {
  const { families, items: encoded } = encodeIntoSink(compiled, items, formats, isCancelled);
  const bytes = sink.view().slice();
  sink.shrink();
  return { bytes, families, items: encoded };
}

/**
 * One body through the hot path, its families written into `sink` per format (a format whose lines are all equal to
 * the text format's gets the same spans; a family alike in both is copied, not rendered again). A body that fails
 * leaves nothing in the sink.
 */
function encodeItem(
  compiled: CompiledModule,
  task: InlineTask,
  parse: JsonBodyParser,
):
  | { readonly ok: true; readonly item: EncodedBatchItem; readonly families: readonly FamilySamples[] }
  | HotPathFailure {
  const mark = sink.length;
  const formats = task.formats;
  const result = underBudget(task, (budget) => {
    const body = extractBody(compiled, task, parse, budget);
    if ('ok' in body) return body;
    // Label blocks are the same in both formats; a group's families share each element's label values.
    const labelBlocks = labelBlocksRecur(compiled, formats) ? new LabelBlockCache() : undefined;
    const spans: Partial<Record<ExpositionFormat, EncodedItemSpans>> = {};
    let text: EncodedItemSpans | undefined;
    for (const format of formats) {
      const alike = format === 'openmetrics' && text !== undefined ? body.families.map(rendersAlikeInBothFormats) : [];
      if (text !== undefined && alike.length > 0 && alike.every(Boolean)) {
        spans[format] = text;
        continue;
      }
      const start = sink.length;
      const ends: number[] = [];
      body.families.forEach((family, i) => {
        budget.check();
        if (alike[i] === true && text !== undefined) {
          sink.reserve(familyEnd(text, i) - familyStart(text, i));
          sink.writeAgain(familyStart(text, i), familyEnd(text, i));
        } else {
          const blocks = labelBlocks !== undefined && labelBlocksRecur(compiled, formats, i) ? labelBlocks : undefined;
          writeFamilyBytes(sink, family, format, body.prefix, blocks);
        }
        ends.push(sink.length);
      });
      spans[format] = { start, ends };
      if (format === 'text') text = spans[format];
    }
    return { ok: true as const, item: { ok: true as const, spans, ...countsOf(body) }, families: body.families };
  });
  if (!result.ok) sink.rewind(mark);
  return result;
}

function familyStart(spans: EncodedItemSpans, index: number): number {
  return index === 0 ? spans.start : (spans.ends[index - 1] as number);
}

function familyEnd(spans: EncodedItemSpans, index: number): number {
  return spans.ends[index] as number;
}

/**
 * Hot-path results as one UTF-8 buffer and spans into it: what a worker transfers back instead of structured-cloning
 * the rendered strings. For one 7.5 MB answer (issue 17's 200,000-element array) the clone took ~85 ms and the main
 * thread's encoding of the received string for the socket ~50 ms more; writing the bytes here takes ~20 ms, and the
 * transfer and the write to the socket copy nothing on the main thread.
 */
export function encodeResults(results: readonly HotPathResult[], formats: readonly ExpositionFormat[]): EncodedBatch {
  // Sized from the text (ASCII is a byte per character; the writer grows for the rest), so no spare room is kept.
  let capacity = 16;
  for (const result of results) {
    if (!result.ok) continue;
    for (const format of formats) {
      const rendered = result.families[format] ?? [];
      if (format === 'openmetrics' && sameFamilies(rendered, result.families.text)) continue;
      for (const family of rendered) capacity += family.text.length;
    }
  }
  const writer = new Utf8Writer(capacity);
  let families: readonly FamilyMeta[] | undefined;
  const encoded: EncodedBatchItem[] = results.map((result) => {
    if (!result.ok) return result;
    const spans: Partial<Record<ExpositionFormat, EncodedItemSpans>> = {};
    for (const format of formats) {
      const rendered = result.families[format] ?? [];
      families ??= rendered.map(({ name, help, type }) => ({ name, help, type }));
      if (format === 'openmetrics' && spans.text !== undefined && sameFamilies(rendered, result.families.text)) {
        spans[format] = spans.text;
        continue;
      }
      const start = writer.length;
      const ends: number[] = [];
      for (const family of rendered) {
        writer.write(family.text);
        ends.push(writer.length);
      }
      spans[format] = { start, ends };
    }
    return {
      ok: true,
      spans,
      sampleCount: result.sampleCount,
      problemCounts: result.problemCounts,
      problems: result.problems,
      timings: result.timings,
    };
  });
  // A view of the writer's buffer (decodeBatch hands out views of it; a worker transfers the buffer whole), trimmed
  // here with one copy, in the worker, when it is much larger than its lines: the main thread keeps views of it for
  // an interval, and should neither copy it nor keep its spare room alive.
  const lines = writer.view();
  const bytes = lines.byteLength * 1.25 < lines.buffer.byteLength ? writer.take() : lines;
  return { bytes, families: families ?? [], items: encoded };
}

/** The hot path hands out the same objects when a family renders alike in both formats. */
function sameFamilies(openMetrics: readonly RenderedFamily[], text: readonly RenderedFamily[] | undefined): boolean {
  return text !== undefined && openMetrics.every((family, i) => family === text[i]);
}

/** One hot-path result with its families as UTF-8 bytes, on the calling thread (the inline side of runEncoded). */
export function encodeResult(
  result: HotPathResult,
  formats: readonly ExpositionFormat[],
  interner: FamilyMetaInterner,
): HotPathEncodedResult {
  if (!result.ok) return result;
  return decodeBatch(encodeResults([result], formats), interner)[0] as HotPathEncodedResult;
}

/**
 * A batch on the calling thread: the same code a worker runs. Each body's lines are copied out of the sink into a
 * buffer of their own from `resultBuffers`, which the fleet store gives back once nothing reads them (a batch's one
 * buffer could go back only when its last target let go). Measured (bench:fleet 2,000 × 50, bench/README.md,
 * twenty-third stop on issue 15): a fresh buffer per gathered batch brought 63 full collections in 90 s against 20.
 */
export function runBatchInline(batch: HotPathBatch, interner: FamilyMetaInterner): HotPathEncodedResult[] {
  const { families: meta, items } = encodeIntoSink(batch.module.compiled, batch.items, batch.formats);
  const families = interner.intern(meta);
  const written = sink.view();
  const results = items.map((item) => {
    if (!item.ok) return item;
    // The body's lines in all its formats are one run of the sink (encodeItem writes them one after the other).
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    for (const spans of Object.values(item.spans) as EncodedItemSpans[]) {
      start = Math.min(start, spans.start);
      end = Math.max(end, spans.ends.at(-1) ?? spans.start);
    }
    if (start > end) start = end;
    const bytes = resultBuffers.take(end - start);
    bytes.set(written.subarray(start, end));
    return decodeItem(item, bytes, start, families);
  });
  sink.shrink();
  return results;
}

/**
 * A worker's batch on the main thread, each item's result as views into the batch's buffer: its targets finished their
 * fetches within ~20 ms of each other, so they are rescraped together next interval and release the buffer together,
 * and a view saves an ArrayBuffer and a copy per target. The buffer has no spare room: encodeBatch's is the batch's
 * size, encodeResults trims its own. (Inline batches give each body a recycled buffer instead: runBatchInline.)
 */
export function decodeBatch(batch: EncodedBatch, interner: FamilyMetaInterner): HotPathEncodedResult[] {
  const families = interner.intern(batch.families);
  return batch.items.map((item) => (item.ok ? decodeItem(item, batch.bytes, 0, families) : item));
}

/** One item's families as views of `bytes`, which holds the batch's bytes from offset `base` on. */
function decodeItem(
  item: Extract<EncodedBatchItem, { ok: true }>,
  bytes: Uint8Array,
  base: number,
  families: readonly FamilyMeta[],
): HotPathEncodedResult {
  const encoded: Partial<Record<ExpositionFormat, EncodedFamilies>> = {};
  let previous: { spans: EncodedItemSpans; value: EncodedFamilies } | undefined;
  for (const [format, spans] of Object.entries(item.spans) as Array<[ExpositionFormat, EncodedItemSpans]>) {
    if (previous?.spans === spans || (previous !== undefined && sameSpans(previous.spans, spans))) {
      encoded[format] = previous.value;
      continue;
    }
    const start = spans.start - base;
    const end = (spans.ends.at(-1) ?? spans.start) - base;
    const ends = spans.ends.map((at) => at - spans.start);
    // Lines that are the whole buffer (a body's own, from runBatchInline): that view itself, not one more object per
    // scrape kept for an interval.
    const whole = start === 0 && end === bytes.byteLength;
    const value = { families, bytes: whole ? bytes : bytes.subarray(start, end), ends };
    encoded[format] = value;
    previous = { spans, value };
  }
  return {
    ok: true,
    encoded,
    sampleCount: item.sampleCount,
    problemCounts: item.problemCounts,
    problems: item.problems,
    timings: item.timings,
  };
}

function sameSpans(a: EncodedItemSpans, b: EncodedItemSpans): boolean {
  return a.start === b.start && a.ends.length === b.ends.length && a.ends.every((end, i) => end === b.ends[i]);
}

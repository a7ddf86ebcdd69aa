// Many small bodies of one module in one task: each through the same hot path as HotPath.run, the rendered lines of
// all of them written into one UTF-8 buffer (transferred back from a worker, not structured-cloned as strings).
import type { CompiledModule } from '../extract/compile-module.js';
import {
  type EncodedFamilies,
  type FamilyMeta,
  type FamilyMetaInterner,
  Utf8Writer,
} from '../exposition/encoded-families.js';
import type { ExpositionFormat } from '../exposition/types.js';
import { type HotPathCounts, type HotPathFailure, type HotPathModule, runHotPathInline } from './hot-path.js';

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

/** Runs every item through the hot path; the one code path for batches, in a worker or inline. */
export function encodeBatch(
  compiled: CompiledModule,
  items: readonly HotPathBatchItem[],
  formats: readonly ExpositionFormat[],
  isCancelled?: () => boolean,
): EncodedBatch {
  const writer = new Utf8Writer(items.reduce((sum, item) => sum + item.body.byteLength * 2, 1024));
  let families: readonly FamilyMeta[] | undefined;
  const encoded: EncodedBatchItem[] = items.map((item) => {
    const result = runHotPathInline(compiled, {
      ...item,
      formats,
      ...(isCancelled === undefined ? {} : { isCancelled }),
    });
    if (!result.ok) return result;
    const spans: Partial<Record<ExpositionFormat, EncodedItemSpans>> = {};
    for (const format of formats) {
      const rendered = result.families[format] ?? [];
      families ??= rendered.map(({ name, help, type }) => ({ name, help, type }));
      // The hot path hands out the same objects when a family renders alike in both formats.
      const text = format === 'openmetrics' ? result.families.text : undefined;
      if (text !== undefined && spans.text !== undefined && rendered.every((family, i) => family === text[i])) {
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
  // A view, not a copy: decodeBatch hands out views of it, and a worker transfers the buffer whole.
  return { bytes: writer.view(), families: families ?? [], items: encoded };
}

/** A batch on the calling thread: the same code a worker runs, decoded as a worker's answer is. */
export function runBatchInline(batch: HotPathBatch, interner: FamilyMetaInterner): HotPathEncodedResult[] {
  return decodeBatch(encodeBatch(batch.module.compiled, batch.items, batch.formats), interner);
}

/**
 * Each item's result as views into the batch's buffer: a batch's targets finished their fetches within ~20 ms of each
 * other, so they are rescraped together next interval and release the buffer together, and a view saves an
 * ArrayBuffer and a copy per target (667 a second at 10,000 targets). A buffer much larger than its lines (the
 * writer's spare room) is trimmed with one copy per batch first, so spare room is not kept alive for an interval.
 */
export function decodeBatch(batch: EncodedBatch, interner: FamilyMetaInterner): HotPathEncodedResult[] {
  const families = interner.intern(batch.families);
  const bytes = batch.bytes.byteLength * 1.25 < batch.bytes.buffer.byteLength ? batch.bytes.slice() : batch.bytes;
  return batch.items.map((item) => {
    if (!item.ok) return item;
    const encoded: Partial<Record<ExpositionFormat, EncodedFamilies>> = {};
    let previous: { spans: EncodedItemSpans; value: EncodedFamilies } | undefined;
    for (const [format, spans] of Object.entries(item.spans) as Array<[ExpositionFormat, EncodedItemSpans]>) {
      if (previous?.spans === spans || (previous !== undefined && sameSpans(previous.spans, spans))) {
        encoded[format] = previous.value;
        continue;
      }
      const end = spans.ends.at(-1) ?? spans.start;
      const ends = new Uint32Array(spans.ends.length);
      for (const [i, at] of spans.ends.entries()) ends[i] = at - spans.start;
      const value = { families, bytes: bytes.subarray(spans.start, end), ends };
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
  });
}

function sameSpans(a: EncodedItemSpans, b: EncodedItemSpans): boolean {
  return a.start === b.start && a.ends.length === b.ends.length && a.ends.every((end, i) => end === b.ends[i]);
}

// Fleet mode's store: per target, the latest rendered fragments per family and format, and the scrape's meta.
import type { ScrapeTarget } from '../discovery/target.js';
import type { ExpositionFormat, MetricType, RenderedFamily } from '../exposition/types.js';
import type { ExtractProblem, ExtractProblemReason } from '../extract/extract.js';
import { fragmentBody, storeCompressed, type FragmentBody } from './fragment-gzip.js';
import { renderTargetHealth } from './target-health.js';

/** What one scrape of one target gave: rendered families per format, or a failure with a stable reason. */
export type TargetScrapeOutcome =
  | {
      readonly ok: true;
      /** Per format, the module's families (those with text '' are dropped by the store). */
      readonly families: Partial<Record<ExpositionFormat, readonly RenderedFamily[]>>;
      readonly sampleCount: number;
      /** What extraction skipped: counted and logged by the scrape outcome recorder, as /probe's are. */
      readonly problemCounts?: Partial<Record<ExtractProblemReason, number>>;
      readonly problems?: readonly ExtractProblem[];
      readonly templateError?: string;
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/**
 * One family's series of one target, kept compressed (see fragment-gzip.ts). UTF-8 bytes, never the renderer's
 * string: that is a rope of thousands of concatenations (V8 cons strings) costing several times its length until
 * flattened (bench/fleet.ts measured 2,778 B per series with strings).
 */
export interface StoredFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly body: FragmentBody;
}

export type TargetState = 'unknown' | 'up' | 'down';

export interface TargetMeta {
  readonly state: TargetState;
  /** Epoch ms of the last scrape's start; undefined before the first scrape ends. */
  readonly lastScrapeMs: number | undefined;
  readonly lastDurationMs: number | undefined;
  readonly lastError: { readonly reason: string; readonly message: string } | undefined;
  readonly lastSuccessMs: number | undefined;
  /** Samples of the last successful scrape (0 after a failure). */
  readonly sampleCount: number;
  /** Failed scrapes by reason since the target appeared. */
  readonly errorsByReason: ReadonlyMap<string, number>;
}

export interface StoredTarget {
  readonly target: ScrapeTarget;
  readonly meta: TargetMeta;
  /**
   * The target's own families with series (fragments: series lines only), per format, in the module's (name) order.
   * Each fragment's bytes become a gzip member once compressed (see StoredFamily and fragment-gzip.ts).
   */
  readonly families: Readonly<Record<ExpositionFormat, readonly StoredFamily[]>>;
  /** The health series (up, duration, samples, …) per format; empty before the first scrape. */
  readonly health: Readonly<Record<ExpositionFormat, readonly StoredFamily[]>>;
}

export interface ScrapeTiming {
  readonly startedMs: number;
  readonly durationMs: number;
}

type StoredFormats = Record<ExpositionFormat, readonly StoredFamily[]>;

const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];

const EMPTY: Readonly<StoredFormats> = Object.freeze({ text: [], openmetrics: [] });

/**
 * Families with series, as bytes. A family whose OpenMetrics lines equal its text lines (gauges, untyped, counters
 * named `…_total`, no timestamps: most of them) shares one buffer between the formats, halving the memory.
 */
function toStored(
  text: readonly RenderedFamily[] | undefined,
  openMetrics: readonly RenderedFamily[] | undefined,
): StoredFormats {
  const storedText: StoredFamily[] = [];
  const byName = new Map<string, { text: string; body: FragmentBody }>();
  for (const family of text ?? []) {
    if (family.text === '') continue;
    const body = fragmentBody(Buffer.from(family.text, 'utf8'));
    storedText.push({ name: family.name, help: family.help, type: family.type, body });
    byName.set(family.name, { text: family.text, body });
  }
  const storedOpenMetrics: StoredFamily[] = [];
  for (const family of openMetrics ?? []) {
    if (family.text === '') continue;
    const same = byName.get(family.name);
    const body =
      same !== undefined && same.text === family.text ? same.body : fragmentBody(Buffer.from(family.text, 'utf8'));
    storedOpenMetrics.push({ name: family.name, help: family.help, type: family.type, body });
  }
  return { text: storedText, openmetrics: storedOpenMetrics };
}

/** Marks fragments a newer version replaced (a /metrics answer in progress may still read them). */
function supersede(formats: Readonly<StoredFormats>): void {
  for (const format of FORMATS) for (const family of formats[format]) family.body.superseded = true;
}

/** Same names, values and order (the order target labels are rendered in). */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const left = Object.entries(a);
  const right = Object.entries(b);
  return (
    left.length === right.length && left.every(([name, value], i) => right[i]?.[0] === name && right[i]?.[1] === value)
  );
}

export class TargetStore {
  readonly #entries = new Map<string, StoredTarget>();
  #sorted: StoredTarget[] | undefined;
  /** Position of each id in #sorted, so a scrape's result replaces its entry without a search. */
  #positions = new Map<string, number>();

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): StoredTarget | undefined {
    return this.#entries.get(id);
  }

  /** Every target, sorted by id: the stable order of series within each family on /metrics. */
  entries(): readonly StoredTarget[] {
    if (this.#sorted === undefined) {
      this.#sorted = [...this.#entries.values()].sort((a, b) =>
        a.target.id < b.target.id ? -1 : a.target.id > b.target.id ? 1 : 0,
      );
      this.#positions = new Map(this.#sorted.map((entry, index) => [entry.target.id, index]));
    }
    return this.#sorted;
  }

  /** Adds a target not scraped yet (state unknown, no series), or refreshes the definition of a known one. */
  upsertTarget(target: ScrapeTarget): void {
    const existing = this.#entries.get(target.id);
    if (existing === undefined) {
      const meta: TargetMeta = {
        state: 'unknown',
        lastScrapeMs: undefined,
        lastDurationMs: undefined,
        lastError: undefined,
        lastSuccessMs: undefined,
        sampleCount: 0,
        errorsByReason: new Map(),
      };
      this.#set({ target, meta, families: EMPTY, health: EMPTY }, true);
      return;
    }
    if (existing.target === target) return;
    // Discovery hands over new objects for every target whenever its list changes: only new labels re-render.
    if (sameLabels(existing.target.labels, target.labels)) {
      this.#set({ ...existing, target }, false);
      return;
    }
    // New labels: health series follow at once; the target's own series carry the old labels until its next scrape.
    const health = existing.meta.state === 'unknown' ? EMPTY : this.#renderHealth(target, existing.meta);
    supersede(existing.health);
    const stored: StoredTarget = { ...existing, target, health };
    this.#set(stored, false);
    this.#compressAhead(stored);
  }

  /** Drops a vanished target: its series and health series leave the output at once. */
  remove(id: string): void {
    if (this.#entries.delete(id)) {
      this.#sorted = undefined;
    }
  }

  record(target: ScrapeTarget, outcome: TargetScrapeOutcome, timing: ScrapeTiming): void {
    const previous = this.#entries.get(target.id);
    // A scrape that ends after its target vanished must not bring it back.
    if (previous === undefined) return;
    const errorsByReason = new Map(previous.meta.errorsByReason);
    let meta: TargetMeta;
    let families: StoredFormats;
    if (outcome.ok) {
      meta = {
        state: 'up',
        lastScrapeMs: timing.startedMs,
        lastDurationMs: timing.durationMs,
        lastError: undefined,
        lastSuccessMs: timing.startedMs + timing.durationMs,
        sampleCount: outcome.sampleCount,
        errorsByReason,
      };
      families = toStored(outcome.families.text, outcome.families.openmetrics);
    } else {
      errorsByReason.set(outcome.reason, (errorsByReason.get(outcome.reason) ?? 0) + 1);
      meta = {
        state: 'down',
        lastScrapeMs: timing.startedMs,
        lastDurationMs: timing.durationMs,
        lastError: { reason: outcome.reason, message: outcome.message },
        lastSuccessMs: previous.meta.lastSuccessMs,
        sampleCount: 0,
        errorsByReason,
      };
      // A failed target has no series: only its health series say why (Prometheus marks the old ones stale).
      families = EMPTY;
    }
    const stored: StoredTarget = { target, meta, families, health: this.#renderHealth(target, meta) };
    supersede(previous.families);
    supersede(previous.health);
    this.#set(stored, false);
    this.#compressAhead(stored);
  }

  /** Every fragment is kept compressed: ~14× smaller than its text, and what gzip requests (Prometheus's) need. */
  #compressAhead(stored: StoredTarget): void {
    for (const format of FORMATS) {
      for (const family of stored.families[format]) storeCompressed(family.body);
      for (const family of stored.health[format]) storeCompressed(family.body);
    }
  }

  #renderHealth(target: ScrapeTarget, meta: TargetMeta): StoredFormats {
    const rendered = renderTargetHealth(target.labels, meta);
    return toStored(rendered.text, rendered.openmetrics);
  }

  #set(stored: StoredTarget, added: boolean): void {
    this.#entries.set(stored.target.id, stored);
    if (added) this.#sorted = undefined;
    else if (this.#sorted !== undefined) {
      const index = this.#positions.get(stored.target.id);
      if (index !== undefined) this.#sorted[index] = stored;
      else this.#sorted = undefined;
    }
  }
}

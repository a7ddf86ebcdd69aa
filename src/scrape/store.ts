// Fleet mode's store: per target, the latest rendered fragments per family and format, and the scrape's meta.
import { gzip, gzipSync, constants as zlibConstants } from 'node:zlib';
import type { ScrapeTarget } from '../discovery/target.js';
import type { ExpositionFormat, RenderedFamily } from '../exposition/types.js';
import { renderTargetHealth } from './target-health.js';

/** What one scrape of one target gave: rendered families per format, or a failure with a stable reason. */
export type TargetScrapeOutcome =
  | {
      readonly ok: true;
      /** Per format, the module's families (those with text '' are dropped by the store). */
      readonly families: Partial<Record<ExpositionFormat, readonly RenderedFamily[]>>;
      readonly sampleCount: number;
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/**
 * One family's series of one target, with its gzip member once computed. Members concatenate into one valid
 * gzip stream (RFC 1952 §2.2), so /metrics can serve pre-compressed fragments without re-compressing them.
 */
export interface StoredFragment {
  readonly family: RenderedFamily;
  gzip: Buffer | undefined;
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
  /** The target's own families with series, per format, in the module's (name) order. */
  readonly families: Readonly<Record<ExpositionFormat, readonly StoredFragment[]>>;
  /** The health series (up, duration, samples, …) per format; empty before the first scrape. */
  readonly health: Readonly<Record<ExpositionFormat, readonly StoredFragment[]>>;
}

export interface ScrapeTiming {
  readonly startedMs: number;
  readonly durationMs: number;
}

/** Level 1: fragments are compressed once per scrape on the thread pool; bench/fleet-gzip.ts measured the trade-off. */
export const FRAGMENT_GZIP_LEVEL = zlibConstants.Z_BEST_SPEED;

const EMPTY: Readonly<Record<ExpositionFormat, readonly StoredFragment[]>> = Object.freeze({ text: [], openmetrics: [] });
const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];
/** A format is compressed eagerly at scrape time while gzip requests for it keep coming (Prometheus scrapes it). */
const EAGER_GZIP_WINDOW_MS = 10 * 60_000;

function toFragments(families: readonly RenderedFamily[] | undefined): StoredFragment[] {
  if (families === undefined) return [];
  const out: StoredFragment[] = [];
  for (const family of families) if (family.text !== '') out.push({ family, gzip: undefined });
  return out;
}

/** The gzip member of a fragment, compressed now if no scrape-time compression has filled it yet. */
export function fragmentGzip(fragment: StoredFragment): Buffer {
  if (fragment.gzip === undefined) fragment.gzip = gzipSync(fragment.family.text, { level: FRAGMENT_GZIP_LEVEL });
  return fragment.gzip;
}

export class TargetStore {
  readonly #entries = new Map<string, StoredTarget>();
  #sorted: StoredTarget[] | undefined;
  readonly #lastGzipRequestMs: Record<ExpositionFormat, number> = { text: -Infinity, openmetrics: -Infinity };
  /** Bumped on every change: lets readers tell whether what they built from the store is still current. */
  version = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): StoredTarget | undefined {
    return this.#entries.get(id);
  }

  /** Every target, sorted by id: the stable order of series within each family on /metrics. */
  entries(): readonly StoredTarget[] {
    if (this.#sorted === undefined) {
      this.#sorted = [...this.#entries.values()].sort((a, b) => (a.target.id < b.target.id ? -1 : a.target.id > b.target.id ? 1 : 0));
    }
    return this.#sorted;
  }

  /** Adds a target not scraped yet (state unknown, no series), or refreshes the definition of a known one. */
  upsertTarget(target: ScrapeTarget): void {
    const existing = this.#entries.get(target.id);
    if (existing === undefined) {
      const meta: TargetMeta = {
        state: 'unknown', lastScrapeMs: undefined, lastDurationMs: undefined, lastError: undefined,
        lastSuccessMs: undefined, sampleCount: 0, errorsByReason: new Map(),
      };
      this.#set({ target, meta, families: EMPTY, health: EMPTY }, true);
      return;
    }
    if (existing.target === target) return;
    // New labels: health series follow at once; the target's own series carry the old labels until its next scrape.
    const health = existing.meta.state === 'unknown' ? EMPTY : this.#renderHealth(target, existing.meta);
    this.#set({ ...existing, target, health }, false);
  }

  /** Drops a vanished target: its series and health series leave the output at once. */
  remove(id: string): void {
    if (this.#entries.delete(id)) {
      this.#sorted = undefined;
      this.version++;
    }
  }

  record(target: ScrapeTarget, outcome: TargetScrapeOutcome, timing: ScrapeTiming): void {
    const previous = this.#entries.get(target.id);
    // A scrape that ends after its target vanished must not bring it back.
    if (previous === undefined) return;
    const errorsByReason = new Map(previous.meta.errorsByReason);
    let meta: TargetMeta;
    let families: Record<ExpositionFormat, readonly StoredFragment[]>;
    if (outcome.ok) {
      meta = {
        state: 'up', lastScrapeMs: timing.startedMs, lastDurationMs: timing.durationMs, lastError: undefined,
        lastSuccessMs: timing.startedMs + timing.durationMs, sampleCount: outcome.sampleCount, errorsByReason,
      };
      families = { text: toFragments(outcome.families.text), openmetrics: toFragments(outcome.families.openmetrics) };
    } else {
      errorsByReason.set(outcome.reason, (errorsByReason.get(outcome.reason) ?? 0) + 1);
      meta = {
        state: 'down', lastScrapeMs: timing.startedMs, lastDurationMs: timing.durationMs,
        lastError: { reason: outcome.reason, message: outcome.message }, lastSuccessMs: previous.meta.lastSuccessMs,
        sampleCount: 0, errorsByReason,
      };
      // A failed target has no series: only its health series say why (Prometheus marks the old ones stale).
      families = { text: [], openmetrics: [] };
    }
    const stored: StoredTarget = { target, meta, families, health: this.#renderHealth(target, meta) };
    this.#set(stored, false);
    this.#compressEagerly(stored);
  }

  /** /metrics tells the store which formats clients fetch gzipped, so scrapes compress those ahead of time. */
  noteGzipRequest(format: ExpositionFormat): void {
    this.#lastGzipRequestMs[format] = this.now();
  }

  #renderHealth(target: ScrapeTarget, meta: TargetMeta): Record<ExpositionFormat, readonly StoredFragment[]> {
    const rendered = renderTargetHealth(target.labels, meta);
    return { text: toFragments(rendered.text), openmetrics: toFragments(rendered.openmetrics) };
  }

  #set(stored: StoredTarget, added: boolean): void {
    this.#entries.set(stored.target.id, stored);
    if (added) this.#sorted = undefined;
    else if (this.#sorted !== undefined) {
      const index = this.#sorted.findIndex((entry) => entry.target.id === stored.target.id);
      if (index >= 0) this.#sorted[index] = stored;
      else this.#sorted = undefined;
    }
    this.version++;
  }

  /**
   * Compresses the new fragments on libuv's thread pool, off the event loop and off the request path; a request
   * that comes first compresses what is still missing itself (fragmentGzip).
   */
  #compressEagerly(stored: StoredTarget): void {
    const now = this.now();
    for (const format of FORMATS) {
      if (now - this.#lastGzipRequestMs[format] > EAGER_GZIP_WINDOW_MS) continue;
      for (const fragment of [...stored.families[format], ...stored.health[format]]) {
        gzip(fragment.family.text, { level: FRAGMENT_GZIP_LEVEL }, (err, compressed) => {
          if (err === null && fragment.gzip === undefined) fragment.gzip = compressed;
        });
      }
    }
  }
}

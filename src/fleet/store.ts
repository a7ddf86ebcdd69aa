// The fleet store: target id → the latest scrape's families as bytes, its meta and health series, grouped by slot.
import type { ScrapeTarget } from '../discovery/target.js';
import {
  type EncodedFamilies,
  encodeRenderedFamilies,
  FamilyMetaInterner,
  NO_FAMILIES,
} from '../exposition/encoded-families.js';
import type { ExpositionFormat, RenderedFamily } from '../exposition/types.js';
import type { ExtractProblem, ExtractProblemReason } from '../extract/extract.js';
import { type GroupArchive, hasArchivedParts, restoreArchive } from './group-archive.js';
import { scrapeOffsetMs } from './scheduler-clock.js';
import { RECYCLE_MIN_BYTES, resultBuffers } from '../pool/result-buffers.js';
import { encodeTargetHealth, healthBuffers } from './target-health.js';

/** What one scrape of one target gave: its families per format, or a failure with a stable reason. */
export type TargetScrapeOutcome =
  | {
      readonly ok: true;
      /** Per format, the module's families as bytes (fleet scrapes: what the hot path's batches return)… */
      readonly encoded?: Partial<Record<ExpositionFormat, EncodedFamilies>>;
      /** …or as rendered strings, encoded by the store (families with text '' have no series). */
      readonly families?: Partial<Record<ExpositionFormat, readonly RenderedFamily[]>>;
      readonly sampleCount: number;
      /** What extraction skipped: counted and logged by the scrape outcome recorder, as /probe's are. */
      readonly problemCounts?: Partial<Record<ExtractProblemReason, number>>;
      readonly problems?: readonly ExtractProblem[];
      readonly templateError?: string;
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

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

/**
 * The failure counts of every target that has not failed: one empty map, not one per target (an empty Map's table is
 * ~330 bytes: 3.4 MB of the heap at 10,000 targets, a heap snapshot in bench:fleet). A failure copies it (record()).
 */
const NO_ERRORS: ReadonlyMap<string, number> = new Map();

export type StoredFormats = Readonly<Record<ExpositionFormat, EncodedFamilies>>;

export interface StoredTarget {
  readonly target: ScrapeTarget;
  readonly meta: TargetMeta;
  /**
   * The target's own families per format, as bytes (one buffer per target and format, shared by both formats when
   * their lines are equal), in the module's order; no per-series objects are kept between scrapes. Once the target's
   * slot group is archived, the bytes are ARCHIVED_BYTES until restore() puts them back (the names and offsets stay).
   */
  readonly families: StoredFormats;
  /** The health series (up, duration, samples, …) per format; empty before the first scrape. */
  readonly health: StoredFormats;
  /** The slot group (see SLOT_GROUP_MS) the target belongs to. */
  readonly group: SlotGroupKey;
  /** The archive holding the bytes of parts dropped when its group was archived (until a scrape replaces them). */
  readonly archive: GroupArchive | undefined;
}

/**
 * A stored target, its fields always written in this order: one hidden class for every entry. Built by spreading
 * the previous entry and adding `archive`, each of 10,000 entries had a hidden class of its own (a heap snapshot in
 * bench:fleet: 10,088 maps used by one object each; maps and descriptors took 3.55 MB, 1.35 MB with one class).
 */
function storedTarget(
  target: ScrapeTarget,
  meta: TargetMeta,
  families: StoredFormats,
  health: StoredFormats,
  group: SlotGroupKey,
  archive: GroupArchive | undefined,
): StoredTarget {
  return { target, meta, families, health, group, archive };
}

export interface ScrapeTiming {
  readonly startedMs: number;
  readonly durationMs: number;
}

/**
 * Targets are grouped by when they are scraped: those whose slot falls in the same quarter second of the same
 * interval form one group. A group's series change together (within a quarter second of each interval) and then
 * rest, so its compressed pieces stay valid for the rest of the interval (see gzip-exposition.ts). A gzip answer
 * compresses the groups not yet settled itself, so the width bounds its work: at 10,000 × 10, quarter-second groups
 * leave it ~3.5 MB of text (~0.7 s of scrapes; `…_fleet_gzip_compressed_bytes_total{path="request"}` over 8
 * answers, bench/README.md, fourteenth stop), and in alternated pairs (thirteenth stop) its p99 was 136–187 ms
 * against 190–330 ms with 1 s groups.
 */
export const SLOT_GROUP_MS = 250;

export interface SlotGroupKey {
  readonly id: string;
  readonly intervalMs: number;
  readonly index: number;
}

export interface SlotGroup {
  readonly key: SlotGroupKey;
  /** Range of the group's targets in entries(). */
  readonly start: number;
  readonly end: number;
  /** Bumped whenever a target of the group changes (scrape, relabel, arrival, removal). */
  readonly version: number;
  /** Epoch ms of the last change. */
  readonly changedMs: number;
}

/** A buffer kept for reuse may be up to this much (plus 4× the lines) larger than the lines it holds. */
const SLAB_SLACK_BYTES = 16 * 1024;
/**
 * Targets with fewer bytes than this keep the hot path's buffers as they are (see #pack); the larger ones are copied,
 * and an inline result's buffer goes back to resultBuffers, which hands out buffers from this size on.
 */
export const REUSE_MIN_BYTES = RECYCLE_MIN_BYTES;

const EMPTY: StoredFormats = Object.freeze({ text: NO_FAMILIES, openmetrics: NO_FAMILIES });

function slotGroupOf(target: ScrapeTarget): SlotGroupKey {
  const index = Math.floor(scrapeOffsetMs(target.id, target.intervalMs) / SLOT_GROUP_MS);
  return { id: `${target.intervalMs}/${index}`, intervalMs: target.intervalMs, index };
}

/** By interval, slot group, then id: each group's targets are contiguous, and the order is stable for a target set. */
function compareTargets(a: StoredTarget, b: StoredTarget): number {
  return (
    a.group.intervalMs - b.group.intervalMs ||
    a.group.index - b.group.index ||
    (a.target.id < b.target.id ? -1 : a.target.id > b.target.id ? 1 : 0)
  );
}

/** Same names, values and order (the order target labels are rendered in). */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const left = Object.entries(a);
  const right = Object.entries(b);
  return (
    left.length === right.length && left.every(([name, value], i) => right[i]?.[0] === name && right[i]?.[1] === value)
  );
}

interface GroupState {
  version: number;
  changedMs: number;
}

export class TargetStore {
  readonly #entries = new Map<string, StoredTarget>();
  #sorted: StoredTarget[] | undefined;
  /** Position of each id in #sorted, so a scrape's result replaces its entry without a search. */
  #positions = new Map<string, number>();
  #groups: SlotGroup[] | undefined;
  readonly #groupStates = new Map<string, GroupState>();
  readonly #families = new FamilyMetaInterner();
  readonly #now: () => number;
  /** Each target's buffer, holding its latest families and health lines; rewritten in place when no reader is out. */
  readonly #slabs = new Map<string, Uint8Array>();
  /** Readers holding views of stored bytes across loop turns (pin()). */
  #readers = 0;
  /** The latest archive of each slot group (group-archive.ts); it stands for the group while the group is at its version. */
  readonly #archives = new Map<string, GroupArchive>();

  constructor(options: { readonly now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): StoredTarget | undefined {
    return this.#entries.get(id);
  }

  /**
   * Every target, by slot group then id: the stable order of series within each family on /metrics (for a given
   * set of targets, whatever the order their scrapes finished in).
   */
  entries(): readonly StoredTarget[] {
    if (this.#sorted === undefined) {
      this.#sorted = [...this.#entries.values()].sort(compareTargets);
      this.#positions = new Map(this.#sorted.map((entry, index) => [entry.target.id, index]));
      this.#groups = undefined;
    }
    return this.#sorted;
  }

  /** The slot groups in the order of entries(), each with its range there and its version. */
  groups(): readonly SlotGroup[] {
    const sorted = this.entries();
    if (this.#groups === undefined) {
      const groups: Array<{ key: SlotGroupKey; start: number; end: number }> = [];
      for (const [i, entry] of sorted.entries()) {
        const last = groups.at(-1);
        if (last !== undefined && last.key.id === entry.group.id) last.end = i + 1;
        else groups.push({ key: entry.group, start: i, end: i + 1 });
      }
      // Archives of groups gone (targets removed or moved to another interval) are dropped with them.
      const present = new Set(groups.map((group) => group.key.id));
      for (const id of this.#archives.keys()) if (!present.has(id)) this.#archives.delete(id);
      this.#groups = groups.map((group) => {
        const state = this.#groupState(group.key.id);
        return {
          ...group,
          get version() {
            return state.version;
          },
          get changedMs() {
            return state.changedMs;
          },
        };
      });
    }
    return this.#groups;
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
        errorsByReason: NO_ERRORS,
      };
      this.#set(storedTarget(target, meta, EMPTY, EMPTY, slotGroupOf(target), undefined), true);
      return;
    }
    if (existing.target === target) return;
    const group = slotGroupOf(target);
    const moved = group.id !== existing.group.id;
    // Discovery hands over new objects for every target whenever its list changes: only new labels re-render.
    // New labels: health series follow at once; the target's own series carry the old labels until its next scrape.
    const { meta, families, archive } = existing;
    let health = existing.health;
    if (!sameLabels(existing.target.labels, target.labels)) {
      health = meta.state === 'unknown' ? EMPTY : this.#renderHealth(target, meta);
    }
    this.#set(storedTarget(target, meta, families, health, moved ? group : existing.group, archive), moved);
  }

  /**
   * Keeps every stored byte as it is until the returned release is called (once or more): for a reader that holds
   * views of the stored bytes across loop turns (a /metrics or /federate answer being planned and written). Meanwhile
   * new scrapes go to fresh buffers instead of rewriting targets' buffers in place.
   */
  pin(): () => void {
    this.#readers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#readers--;
    };
  }

  /** Readers pinned now (tests). */
  get pinnedReaders(): number {
    return this.#readers;
  }

  /** The group's archive when it is current (the group has not changed since it was built), else undefined. */
  archiveOf(group: SlotGroup): GroupArchive | undefined {
    const archive = this.#archives.get(group.key.id);
    return archive !== undefined && archive.version === group.version ? archive : undefined;
  }

  /**
   * Drops the bytes of the group's targets, which `archive` now holds (group-archive.ts), if the group is still as
   * the archive was built from `sources` (its entries then); false, and nothing changed, if it is not. Targets the
   * store keeps bytes of (keepsBytes) keep them: the archive holds their parts as they are. The group's version stays:
   * its series are the same.
   */
  attachArchive(archive: GroupArchive, sources: readonly StoredTarget[]): boolean {
    const group = this.groups().find((candidate) => candidate.key.id === archive.groupId);
    if (group === undefined || group.version !== archive.version || group.end - group.start !== sources.length) {
      return false;
    }
    const sorted = this.#sorted as StoredTarget[];
    for (let k = 0; k < sources.length; k++) if (sorted[group.start + k] !== sources[k]) return false;
    for (let k = 0; k < sources.length; k++) {
      const entry = sources[k] as StoredTarget;
      const archived = archive.targets[k] as GroupArchive['targets'][number];
      const stripped = storedTarget(entry.target, entry.meta, archived.families, archived.health, entry.group, archive);
      this.#entries.set(entry.target.id, stripped);
      sorted[group.start + k] = stripped;
      // Nothing reads the dropped bytes now, unless a reader took views before (pin()): an inline result's own buffer
      // goes back for a later body (only buffers resultBuffers issued; a worker's batch buffer stays as it is).
      // Measured (bench:fleet 10,000 × 10, bench/README.md): ~5 MB/s of these buffers otherwise outlived the young
      // generation and waited in the malloc arena for V8's next full collection.
      if (this.#readers === 0) {
        resultBuffers.give(entry.families.text.bytes.buffer);
        resultBuffers.give(entry.families.openmetrics.bytes.buffer);
        healthBuffers.give(entry.health.text.bytes.buffer);
        healthBuffers.give(entry.health.openmetrics.bytes.buffer);
      }
    }
    this.#archives.set(archive.groupId, archive);
    return true;
  }

  /**
   * Whether the target's bytes are in a buffer of the store's own (#pack, targets of REUSE_MIN_BYTES or more), kept
   * for its next scrape: archiving leaves them in place (buildGroupArchive). Dropping them would save no memory, and a
   * plain answer would then inflate the group's members for bytes still there (archiveShortcut walks a group of such
   * targets instead); at 2,000 × 50, every target (bench/README.md, twenty-first stop on issue 15).
   */
  keepsBytes(id: string): boolean {
    return this.#slabs.has(id);
  }

  /**
   * Puts back the bytes of the targets of `group` in `entries` (a reader's view of entries()) that an archive holds:
   * before anything reads them (a plan walking the group, a new archive of it).
   */
  restore(group: SlotGroup, entries: readonly StoredTarget[]): void {
    for (let t = group.start; t < group.end; t++) {
      const entry = entries[t];
      if (entry?.archive !== undefined && hasArchivedParts(entry)) restoreArchive(entry.archive);
    }
  }

  /** The archives' sizes: groups archived, and the bytes of their members and of the text they hold. */
  archiveStats(): { readonly groups: number; readonly compressedBytes: number; readonly plainBytes: number } {
    let compressedBytes = 0;
    let plainBytes = 0;
    for (const archive of this.#archives.values()) {
      compressedBytes += archive.compressedBytes;
      plainBytes += archive.plainBytes;
    }
    return { groups: this.#archives.size, compressedBytes, plainBytes };
  }

  /** Drops a vanished target: its series and health series leave the output at once. */
  remove(id: string): void {
    const existing = this.#entries.get(id);
    if (existing === undefined) return;
    this.#entries.delete(id);
    this.#slabs.delete(id);
    this.#touch(existing.group.id);
    this.#sorted = undefined;
  }

  record(target: ScrapeTarget, outcome: TargetScrapeOutcome, timing: ScrapeTiming): void {
    const previous = this.#entries.get(target.id);
    // A scrape that ends after its target vanished must not bring it back.
    if (previous === undefined) return;
    // Copied only when it changes (a failure): a success keeps the previous map (no allocation per scrape).
    let errorsByReason = previous.meta.errorsByReason;
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
      families = this.#toStored(outcome);
    } else {
      const counted = new Map(errorsByReason);
      counted.set(outcome.reason, (counted.get(outcome.reason) ?? 0) + 1);
      errorsByReason = counted;
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
    const group = previous.target === target ? previous.group : slotGroupOf(target);
    const packed = this.#pack(target.id, families, this.#renderHealth(target, meta));
    // A scrape replaces every part: nothing of it is in an archive any more.
    const stored = storedTarget(target, meta, packed.families, packed.health, group, undefined);
    this.#set(stored, group.id !== previous.group.id);
  }

  /**
   * Copies a scrape's families and health lines into the target's own buffer, reused from scrape to scrape, for
   * targets of REUSE_MIN_BYTES or more. V8 counts Buffer memory allocated since its last full collection against
   * the old generation's room, and starts one once that room is down to the young generation's size (`--trace-gc`:
   * "Start (task)" at 23 of 47 MB): a fresh buffer per scrape, kept for an interval, renewed the store's ~75 MB
   * every 15 s and brought a full collection every 1–2 s at 2,000 targets × 50 streams. Reused, 4–5× fewer, and
   * the process's CPU fell from 12.3–13.0 to 9.5–9.9 % of 2 cores (bench/README.md). Smaller targets keep the hot
   * path's buffers: at 10,000 × 10 (~8 KB a target) reuse left the collections to the growth of the JS heap, whose
   * per-target objects then piled up: max RSS 470–540 MB against 390–410 MB. The buffer is rewritten in place only
   * when no reader is pinned (pin()); otherwise, and when the lines outgrew it (or shrank to well under it), a new
   * one is made.
   */
  #pack(
    id: string,
    families: StoredFormats,
    health: StoredFormats,
  ): { families: StoredFormats; health: StoredFormats } {
    const parts = [families.text, families.openmetrics, health.text, health.openmetrics];
    let total = 0;
    // Formats with equal lines share one EncodedFamilies: counted once (every scrape passes here, so no allocation).
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as EncodedFamilies;
      if (parts.indexOf(part) === i) total += part.bytes.byteLength;
    }
    if (total < REUSE_MIN_BYTES) {
      this.#slabs.delete(id);
      return { families, health };
    }
    let slab = this.#slabs.get(id);
    const reusable =
      slab !== undefined &&
      this.#readers === 0 &&
      slab.byteLength >= total &&
      slab.byteLength <= total * 4 + SLAB_SLACK_BYTES &&
      parts.every((part) => part.bytes.buffer !== slab?.buffer);
    if (!reusable) {
      // Room to grow by an eighth: the next scrape's lines are usually a few bytes longer (counters gain digits).
      slab = new Uint8Array(Math.ceil((total * 1.125) / 256) * 256);
      this.#slabs.set(id, slab);
    }
    const into = slab as Uint8Array;
    const copies = new Map<EncodedFamilies, EncodedFamilies>();
    let at = 0;
    const copy = (part: EncodedFamilies): EncodedFamilies => {
      if (part.bytes.byteLength === 0) return part;
      let copied = copies.get(part);
      if (copied === undefined) {
        into.set(part.bytes, at);
        copied = { families: part.families, ends: part.ends, bytes: into.subarray(at, at + part.bytes.byteLength) };
        at += part.bytes.byteLength;
        copies.set(part, copied);
      }
      return copied;
    };
    const packed = {
      families: { text: copy(families.text), openmetrics: copy(families.openmetrics) },
      health: { text: copy(health.text), openmetrics: copy(health.openmetrics) },
    };
    // Copied: an inline result's own buffer, and the health lines' buffer, go back for the next scrape (each pool takes
    // only the buffers it issued).
    for (const part of parts) {
      resultBuffers.give(part.bytes.buffer);
      healthBuffers.give(part.bytes.buffer);
    }
    return packed;
  }

  /** Families as the scrape gave them: bytes as they are, strings encoded once (shared by equal formats). */
  #toStored(outcome: Extract<TargetScrapeOutcome, { ok: true }>): StoredFormats {
    const { encoded, families } = outcome;
    if (encoded !== undefined) {
      return { text: encoded.text ?? NO_FAMILIES, openmetrics: encoded.openmetrics ?? NO_FAMILIES };
    }
    return this.#encodeFormats(families?.text ?? [], families?.openmetrics ?? []);
  }

  #encodeFormats(text: readonly RenderedFamily[], openMetrics: readonly RenderedFamily[]): StoredFormats {
    const interner = this.#families;
    const encodedText = encodeRenderedFamilies(text, interner);
    const alike =
      text === openMetrics ||
      (text.length === openMetrics.length &&
        openMetrics.every((family, i) => {
          const other = text[i] as RenderedFamily;
          return family === other || (family.name === other.name && family.text === other.text);
        }));
    return {
      text: encodedText,
      openmetrics: alike ? encodedText : encodeRenderedFamilies(openMetrics, interner),
    };
  }

  #renderHealth(target: ScrapeTarget, meta: TargetMeta): StoredFormats {
    // The same lines in both formats (target-health.ts).
    const encoded = encodeTargetHealth(target.labels, meta);
    return { text: encoded, openmetrics: encoded };
  }

  #groupState(id: string): GroupState {
    let state = this.#groupStates.get(id);
    if (state === undefined) {
      state = { version: 0, changedMs: 0 };
      this.#groupStates.set(id, state);
    }
    return state;
  }

  #touch(groupId: string): void {
    const state = this.#groupState(groupId);
    state.version++;
    state.changedMs = this.#now();
  }

  #set(stored: StoredTarget, reordered: boolean): void {
    const previous = this.#entries.get(stored.target.id);
    if (previous !== undefined && previous.group.id !== stored.group.id) this.#touch(previous.group.id);
    this.#entries.set(stored.target.id, stored);
    this.#touch(stored.group.id);
    if (previous === undefined || reordered) this.#sorted = undefined;
    else if (this.#sorted !== undefined) {
      const index = this.#positions.get(stored.target.id);
      if (index !== undefined) this.#sorted[index] = stored;
      else this.#sorted = undefined;
    }
  }
}

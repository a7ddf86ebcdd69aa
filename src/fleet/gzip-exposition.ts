// Gzip for fleet /metrics: one gzip member per (family, slot group), kept and reused until a target of the group
// changes; a group that changed and then settled is recompressed in the background, off the request path. In fleet
// mode (option `archive`) that background compression archives the group instead (group-archive.ts): the archive's
// members serve every answer, and units remain for the groups scraped since and for groups unfit for an archive.
//
// gzip members concatenate into one valid stream (RFC 1952 §2.2; Go's gzip reader, which Prometheus uses, reads
// multistream by default). Measured (bench/README.md, bench:fleet 10,000 SRS × 10 streams): compressing one member
// per family per target per scrape (~100,000 zlib calls per 15 s, each with a fresh deflate state and a thread-pool
// round trip) was 63 % of the main thread's profile; gzip of the whole 78 MB body per request costs 250–400 ms of one
// core. Groups are targets whose scrape slots fall in the same quarter second (store.ts), so a group's series change
// within a quarter second of each interval and then rest: every unit is compressed about once per interval, in
// pieces of ~0.02–0.3 MB, and a request finds all but the groups of the last ~0.7 s ready (~3.5 MB of text).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ExpositionFormat, MetricType } from '../exposition/types.js';
import { type FamilyMeta, familyBytes } from '../exposition/encoded-families.js';
import { familyName } from '../exposition/render.js';
import {
  type ExpositionFamily,
  familyNames,
  type FleetExposition,
  type GroupFamilies,
  type GroupPieces,
  type GroupShortcut,
  groupFamilies,
  type GroupFamily,
  healthFamilyNames,
} from './fleet-exposition.js';
import { answerScratch, ScratchBuffers } from './answer-scratch.js';
import { buildGroupArchive } from './group-archive.js';
import { compressMember } from '../exposition/gzip-codec.js';
import type { SlotGroup, TargetStore } from './store.js';

interface Unit {
  /** The family's name as the format writes it, and the type its pieces were taken with. */
  readonly familyKey: string;
  readonly type: MetricType;
  readonly groupId: string;
  /** The group's version the member (or the compression in flight) was built from. */
  version: number;
  member: Buffer | undefined;
  pending: Promise<Buffer> | undefined;
  /** The request that last used it: units a newer request's plan did not use are dropped. */
  usedBy: number;
}

export interface GzipExpositionOptions {
  /** Background compressions at a time (each holds a deflate state; requests do not wait for them). */
  readonly maxCompressions?: number;
  /** A group is recompressed once it has not changed for this long… */
  readonly settleMs?: number;
  /** …checked this often. */
  readonly tickMs?: number;
  readonly now?: () => number;
  /** Told of every unit compressed, with its plain size and whether a request or the background did it. */
  readonly onCompressed?: (path: 'background' | 'request', plainBytes: number) => void;
  /**
   * Settled groups are archived (group-archive.ts) rather than compressed unit by unit: their members serve every
   * format's gzip and plain answers, and the store drops their bytes. Fleet mode turns it on.
   */
  readonly archive?: boolean;
  /** Told whenever an archive was attached (to read the store's archiveStats()). */
  readonly onArchived?: () => void;
}

/** One: the thread pool's other threads (and the two cores) stay for requests, DNS and the main thread. */
const DEFAULT_MAX_COMPRESSIONS = 1;
const DEFAULT_SETTLE_MS = 300;
const DEFAULT_TICK_MS = 250;
/** A request copying out-of-date units lets the loop turn after about this many bytes (~1 ms of copying). */
const YIELD_AFTER_BYTES = 2 * 1024 * 1024;

/**
 * The pieces joined: into the kept buffer in `into` (grown when too small), or, when `into` is the answers' pool, into
 * a buffer borrowed from it (the caller gives the returned view back once zlib is done with it).
 */
function concatPieces(
  pieces: readonly Uint8Array[],
  start: number,
  end: number,
  into: Buffer[] | ScratchBuffers,
): Buffer {
  let size = 0;
  for (let i = start; i < end; i++) size += (pieces[i] as Uint8Array).byteLength;
  let out: Buffer;
  if (into instanceof ScratchBuffers) out = into.take(size).subarray(0, size);
  else {
    // Grown by doubling and kept: the background compressor's input, reused from unit to unit.
    const kept = into[0];
    const input =
      kept !== undefined && kept.byteLength >= size
        ? kept
        : Buffer.allocUnsafeSlow(Math.max(size, 2 * (kept?.byteLength ?? 0)));
    into[0] = input;
    out = input.subarray(0, size);
  }
  let at = 0;
  for (let i = start; i < end; i++) {
    const piece = pieces[i] as Uint8Array;
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/** A unit's key in its format's map: the family's name as the format writes it, and its slot group. */
function unitKey(familyKey: string, groupId: string): string {
  return `${familyKey}\u0000${groupId}`;
}

/** The format's map in `byFormat`, made empty the first time. */
function mapOf<V>(byFormat: Map<ExpositionFormat, Map<string, V>>, format: ExpositionFormat): Map<string, V> {
  let map = byFormat.get(format);
  if (map === undefined) {
    map = new Map();
    byFormat.set(format, map);
  }
  return map;
}

/**
 * One per fleet (instance state, owned by FleetMode): the units per format, the header members, the background
 * compressor and its bound. Concurrent requests share units, and a unit being compressed is awaited, not redone.
 */
export class GzipExposition {
  readonly #store: TargetStore;
  readonly #units = new Map<ExpositionFormat, Map<string, Unit>>();
  readonly #headers = new Map<string, Buffer | Promise<Buffer>>();
  readonly #maxCompressions: number;
  readonly #settleMs: number;
  readonly #now: () => number;
  readonly #onCompressed: GzipExpositionOptions['onCompressed'];
  readonly #timer: NodeJS.Timeout;
  #running = 0;
  /**
   * Input buffers of background compressions, each reused once its compression is done (zlib reads it until then).
   * Measured (bench/README.md, 2,000 × 50): a fresh copy per unit, ~79 MB per interval that outlived young-generation
   * collections, counted as external memory against the old generation's room and brought full collections sooner.
   */
  readonly #inputs: Buffer[][] = [];
  /**
   * compactSettled's view of the units: by slot group (see #unitsByGroup), and per group the version at which all its
   * units were up to date or being compressed.
   */
  readonly #index = new Map<ExpositionFormat, Map<string, Unit[]>>();
  readonly #clean = new Map<ExpositionFormat, Map<string, number>>();
  /** Per format, each slot group's families at the version they were read at (see shortcut). */
  readonly #groupFamilies = new Map<ExpositionFormat, Map<string, GroupFamilies>>();
  #requests = 0;
  #closed = false;
  readonly #archive: boolean;
  readonly #onArchived: GzipExpositionOptions['onArchived'];
  /** Per slot group, the version an archive is being built from… */
  readonly #archiving = new Map<string, number>();
  /** …or the version found unfit for one (a family of two types): its units are compressed as before. */
  readonly #unarchivable = new Map<string, number>();

  constructor(store: TargetStore, options: GzipExpositionOptions = {}) {
    this.#store = store;
    this.#maxCompressions = options.maxCompressions ?? DEFAULT_MAX_COMPRESSIONS;
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#now = options.now ?? Date.now;
    this.#onCompressed = options.onCompressed;
    this.#archive = options.archive ?? false;
    this.#onArchived = options.onArchived;
    this.#timer = setInterval(() => this.compactSettled(), options.tickMs ?? DEFAULT_TICK_MS);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  /** Units kept for a format (tests and debugging). */
  unitCount(format: ExpositionFormat): number {
    return this.#units.get(format)?.size ?? 0;
  }

  /**
   * What a gzip plan of `format` needs to skip the targets of a slot group whose members are all current: its
   * families at the group's version (read once per version), and each family's member (compressed, or being
   * compressed, from that version). Measured (bench:fleet, 10,000 × 10, bench/README.md): walking all 10,000
   * targets (~60,000 views of their bytes) was 30–90 ms of a gzip answer's 70–140 ms, in 4 ms slices between scrapes.
   */
  shortcut(format: ExpositionFormat): GroupShortcut {
    const units = this.#unitsOf(format);
    const known = mapOf(this.#groupFamilies, format);
    const healthNames = healthFamilyNames(format);
    return {
      cached: (group, entries) => {
        const archived = this.#store.archiveOf(group)?.formats.get(format);
        if (archived !== undefined) return archived;
        let families = known.get(group.key.id);
        if (families === undefined || families.version !== group.version) {
          // Once per group and version: the families without their bytes (no views taken), a fraction of a walk.
          families = groupFamilies(entries, group, format);
          if (families === undefined) {
            known.delete(group.key.id);
            return undefined;
          }
          known.set(group.key.id, families);
        }
        const members = new Map<GroupFamily, Buffer | Promise<Buffer>>();
        for (const list of [families.own, families.health]) {
          for (const found of list) {
            // A target family named like a health family is always left out: it has no unit of its own.
            if (list === families.own && healthNames.has(found.key)) continue;
            const unit = units.get(unitKey(found.key, group.key.id));
            // A family no unit holds at this version (a name clash left it out, or it was never compressed): walk.
            if (unit === undefined || unit.type !== found.meta.type || unit.version !== group.version) return undefined;
            const member = unit.member ?? unit.pending;
            if (member === undefined) return undefined;
            members.set(found, member);
          }
        }
        return { families, members };
      },
    };
  }

  /**
   * The gzip body of `plan` followed by `tail` (the self metrics), as members in order. Units whose group has not
   * changed since they were compressed are reused; the others are compressed now, all at once on the thread pool,
   * ahead of the background compressions (a request never waits behind them).
   */
  async members(plan: FleetExposition, tail: string): Promise<Buffer[]> {
    const request = ++this.#requests;
    const units = this.#unitsOf(plan.format);
    const members: Array<Buffer | Promise<Buffer>> = [];
    let copied = 0;
    for (const family of plan.families) {
      members.push(this.#header(family.header));
      for (const run of family.groups) {
        const member = this.#unitMember(units, family, run, plan.format, request);
        members.push(member.result);
        // Out-of-date units are copied out on this thread: a loop turn now and then keeps scrapes on time.
        copied += member.copiedBytes;
        if (copied >= YIELD_AFTER_BYTES) {
          copied = 0;
          await nextTurn();
        }
      }
    }
    members.push(compressMember(Buffer.from(tail, 'utf8')));
    for (const [key, unit] of units) {
      if (unit.usedBy === request) continue;
      units.delete(key);
      this.#index.delete(plan.format);
    }
    // Groups gone from the store (a target set that changed) are forgotten.
    const known = this.#groupFamilies.get(plan.format);
    if (known !== undefined) {
      const groups = this.#store.groups();
      if (known.size > groups.length) {
        const current = new Set(groups.map((group) => group.key.id));
        for (const id of known.keys()) if (!current.has(id)) known.delete(id);
      }
    }
    return Promise.all(members);
  }

  /**
   * Recompresses, in the background, units whose group changed and has since been quiet for `settleMs`, at most
   * `maxCompressions` at a time. Called on a timer; public so tests can drive it.
   */
  compactSettled(): void {
    if (this.#archive) this.#archiveSettled();
    if (this.#units.size === 0 || this.#running >= this.#maxCompressions) return;
    const now = this.#now();
    const groups = this.#store.groups();
    for (const [format, units] of this.#units) {
      const byGroup = this.#unitsByGroup(format, units);
      const clean = mapOf(this.#clean, format);
      for (const group of groups) {
        const id = group.key.id;
        const version = group.version;
        // Most calls find every group as it was: a group changes during a quarter second of each interval.
        if (clean.get(id) === version) continue;
        // Archived groups are served from their archive: only one unfit for it keeps units.
        if (this.#archive && this.#unarchivable.get(id) !== version) continue;
        const members = byGroup.get(id);
        if (members === undefined || now - group.changedMs < this.#settleMs) continue;
        let done = true;
        for (const unit of members) {
          // Up to date, or being compressed from this version.
          if (unit.version === version) continue;
          // Being compressed from an older version: looked at again once that is done.
          if (unit.pending !== undefined) {
            done = false;
            continue;
          }
          if (this.#running >= this.#maxCompressions) return;
          const input = this.#inputs.pop() ?? [];
          this.#compressInBackground(unit, this.#groupBytes(group, format, unit, input), version, input);
        }
        if (done) clean.set(id, version);
      }
    }
  }

  /**
   * Archives each group settled since it last changed, one at a time within `maxCompressions` (the members of one
   * group are compressed one after the other), whether or not any request asked for gzip yet.
   */
  #archiveSettled(): void {
    const now = this.#now();
    for (const group of this.#store.groups()) {
      if (this.#running >= this.#maxCompressions) return;
      const id = group.key.id;
      const version = group.version;
      if (now - group.changedMs < this.#settleMs || this.#store.archiveOf(group) !== undefined) continue;
      if (this.#archiving.get(id) === version || this.#unarchivable.get(id) === version) continue;
      this.#running++;
      this.#archiving.set(id, version);
      const done = (): void => {
        this.#running--;
        if (this.#archiving.get(id) === version) this.#archiving.delete(id);
        if (!this.#closed) this.compactSettled();
      };
      void this.#buildArchive(group, version).then(done, done);
    }
  }

  async #buildArchive(group: SlotGroup, version: number): Promise<void> {
    const input = this.#inputs.pop() ?? [];
    try {
      const built = await buildGroupArchive(this.#store, group, (pieces) => {
        // Copied into the reused input (zlib reads it until the member is done, and the next waits for that).
        const bytes = concatPieces(pieces, 0, pieces.length, input);
        this.#onCompressed?.('background', bytes.byteLength);
        return compressMember(bytes);
      });
      if (built === undefined) this.#unarchivable.set(group.key.id, version);
      else if (this.#store.attachArchive(built.archive, built.sources)) this.#onArchived?.();
    } finally {
      this.#inputs.push(input);
    }
  }

  /**
   * The format's units by slot group, rebuilt when a request adds or drops units. Measured (`perf`, bench:fleet
   * 10,000 × 10, bench/README.md): walking every unit of every format at each of the ~15 calls a second (each finished
   * compression and each tick) was ~2 % of the process's CPU.
   */
  #unitsByGroup(format: ExpositionFormat, units: Map<string, Unit>): Map<string, Unit[]> {
    let index = this.#index.get(format);
    if (index === undefined) {
      index = new Map();
      for (const unit of units.values()) {
        const members = index.get(unit.groupId);
        if (members === undefined) index.set(unit.groupId, [unit]);
        else members.push(unit);
      }
      this.#index.set(format, index);
      this.#clean.delete(format);
    }
    return index;
  }

  #unitsOf(format: ExpositionFormat): Map<string, Unit> {
    return mapOf(this.#units, format);
  }

  #header(text: string): Buffer | Promise<Buffer> {
    const member = this.#headers.get(text);
    if (member !== undefined) return member;
    // Headers come from the config's families: a handful, unless reloads keep renaming them.
    if (this.#headers.size > 10_000) this.#headers.clear();
    const pending = compressMember(Buffer.from(text, 'utf8'));
    this.#headers.set(text, pending);
    pending.then(
      (compressed) => this.#headers.set(text, compressed),
      () => this.#headers.delete(text),
    );
    return pending;
  }

  #unitMember(
    units: Map<string, Unit>,
    family: ExpositionFamily,
    run: GroupPieces,
    format: ExpositionFormat,
    request: number,
  ): { readonly result: Buffer | Promise<Buffer>; readonly copiedBytes: number } {
    const familyKey = familyName(family, format);
    const key = unitKey(familyKey, run.group.key.id);
    let unit = units.get(key);
    if (unit === undefined || unit.type !== family.type) {
      unit = {
        familyKey,
        type: family.type,
        groupId: run.group.key.id,
        version: -1,
        member: undefined,
        pending: undefined,
        usedBy: request,
      };
      units.set(key, unit);
      this.#index.delete(format);
    }
    unit.usedBy = request;
    // Taken by the plan (shortcut), as its group's targets were not walked.
    if (run.member !== undefined) return { result: run.member, copiedBytes: 0 };
    const version = run.version;
    if (unit.version === version) {
      if (unit.member !== undefined) return { result: unit.member, copiedBytes: 0 };
      if (unit.pending !== undefined) return { result: unit.pending, copiedBytes: 0 };
    }
    // Out of date (or never built): compressed now from the plan's pieces, taken at `version`, copied into a
    // borrowed buffer that goes back once zlib is done with it (answer-scratch.ts).
    const bytes = concatPieces(family.pieces, run.start, run.end, answerScratch);
    this.#onCompressed?.('request', bytes.byteLength);
    const result = this.#compress(unit, bytes, version);
    const giveBack = (): void => answerScratch.give(bytes);
    result.then(giveBack, giveBack);
    return { result, copiedBytes: bytes.byteLength };
  }

  #compress(unit: Unit, bytes: Buffer, version: number): Promise<Buffer> {
    unit.version = version;
    const pending = compressMember(bytes);
    unit.pending = pending;
    unit.member = undefined;
    pending.then(
      (member) => {
        if (unit.pending !== pending) return;
        unit.pending = undefined;
        unit.member = member;
      },
      () => {
        if (unit.pending !== pending) return;
        unit.pending = undefined;
        unit.version = -1;
        // Its group is no longer all up to date: the background compressor takes it again.
        this.#clean.clear();
      },
    );
    return pending;
  }

  #compressInBackground(unit: Unit, bytes: Buffer, version: number, input: Buffer[]): void {
    this.#running++;
    this.#onCompressed?.('background', bytes.byteLength);
    const pending = this.#compress(unit, bytes, version);
    // The next settled unit starts as soon as this one is done, not at the next tick: one at a time every 250 ms
    // kept up with ~60 of the ~165 units a format has per 15 s interval at 10,000 targets, leaving the rest to
    // requests (bench:fleet's gzip p99).
    const next = (): void => {
      this.#running--;
      this.#inputs.push(input);
      if (!this.#closed) this.compactSettled();
    };
    void pending.then(next, next);
  }

  /**
   * The unit's family's pieces of the group's targets, as the plan takes them: same name and type, and a health
   * family's name only from the health series (the plan leaves out a target family named like one).
   */
  #groupBytes(group: SlotGroup, format: ExpositionFormat, unit: Unit, input: Buffer[]): Buffer {
    const entries = this.#store.entries();
    this.#store.restore(group, entries);
    const fromHealth = healthFamilyNames(format).has(unit.familyKey);
    const pieces: Uint8Array[] = [];
    for (let t = group.start; t < group.end; t++) {
      const entry = entries[t];
      if (entry === undefined) continue;
      const encoded = fromHealth ? entry.health[format] : entry.families[format];
      // Names as the plan takes them, kept per family list (familyName per family per target was ~1 % of the
      // process's samples at 10,000 × 10, an OpenMetrics counter's name sliced anew each time).
      const names = familyNames(encoded.families, format);
      for (let i = 0; i < encoded.ends.length; i++) {
        const meta = encoded.families[i] as FamilyMeta;
        if (meta.type !== unit.type || names[i] !== unit.familyKey) continue;
        const bytes = familyBytes(encoded, i);
        if (bytes.byteLength > 0) pieces.push(bytes);
      }
    }
    return concatPieces(pieces, 0, pieces.length, input);
  }
}

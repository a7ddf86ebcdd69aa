// Merges every stored target's families into one exposition: HELP/TYPE once per family, series contiguous.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type EncodedFamilies, type FamilyMeta, familyBytes } from '../exposition/encoded-families.js';
import { familyName, renderHeader } from '../exposition/render.js';
import type { ExpositionFormat, MetricType } from '../exposition/types.js';
import type { SlotGroup, StoredTarget, TargetStore } from './store.js';
import { TARGET_HEALTH_FAMILIES, TARGET_HEALTH_FAMILY_NAMES } from './target-health.js';

/** The pieces of one family that come from one slot group: `pieces[start..end)` of the family. */
export interface GroupPieces {
  readonly group: SlotGroup;
  /** The group's version when its pieces were taken (a plan built over several loop turns may see it move on). */
  readonly version: number;
  readonly start: number;
  end: number;
  /**
   * The run's gzip member at `version`, when a GroupShortcut had it: the group's targets were not walked, and the run
   * has no pieces (start = end).
   */
  readonly member?: Buffer | Promise<Buffer>;
}

/** One family of a slot group as a walk found it: its name as the format writes it, help and type, and its pieces. */
export interface GroupFamily {
  readonly key: string;
  readonly meta: FamilyMeta;
  readonly count: number;
}

/** What walking a slot group's targets added to a plan, at the group's version: enough to add it again unwalked. */
export interface GroupFamilies {
  readonly version: number;
  /** The targets' own families, in the order first seen (names of the exporter's own families included). */
  readonly own: readonly GroupFamily[];
  readonly health: readonly GroupFamily[];
}

/**
 * Lets a gzip plan skip the targets of slot groups whose members are all current (most groups: a group changes
 * during a quarter second of each interval). `cached` answers a group's families and members at its version (the group
 * read from `entries`, the plan's view of the store), or undefined: the plan walks the group's targets.
 */
export interface GroupShortcut {
  cached(group: SlotGroup, entries: readonly StoredTarget[]): CachedGroup | undefined;
}

/** A slot group as the shortcut answers it: its families, and each family's gzip member at the group's version. */
export interface CachedGroup {
  readonly families: GroupFamilies;
  readonly members: ReadonlyMap<GroupFamily, Buffer | Promise<Buffer>>;
}

export interface ExpositionFamily {
  readonly name: string;
  readonly type: MetricType;
  /** `# HELP` and `# TYPE` lines in the format asked for. */
  readonly header: string;
  /** Each target's series lines of the family (views into the store's bytes), targets in store order. */
  readonly pieces: Uint8Array[];
  /** Which slot group each run of pieces comes from, in order (what the gzip cache compresses as one unit). */
  readonly groups: GroupPieces[];
}

export interface FleetExposition {
  readonly format: ExpositionFormat;
  /** Target families sorted by name, then the health families in their fixed order. */
  readonly families: readonly ExpositionFamily[];
  /**
   * Pieces left out: a family seen with another type than the one it got first (targets in store order), or a
   * target family named like one of the exporter's own. Counted, so a conflict between modules is visible.
   */
  readonly conflicts: number;
}

function byName(a: ExpositionFamily, b: ExpositionFamily): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The health families' names as `format` writes them: a target family of one of these names is left out. */
export function healthFamilyNames(format: ExpositionFormat): ReadonlySet<string> {
  return new Set(Object.values(TARGET_HEALTH_FAMILIES).map((family) => familyName(family, format)));
}

/** Family names as each format writes them, computed once per family list (shared by a module's targets). */
const namesByList = new WeakMap<readonly FamilyMeta[], Partial<Record<ExpositionFormat, string[]>>>();

export function familyNames(families: readonly FamilyMeta[], format: ExpositionFormat): readonly string[] {
  let byFormat = namesByList.get(families);
  if (byFormat === undefined) {
    byFormat = {};
    namesByList.set(families, byFormat);
  }
  let names = byFormat[format];
  if (names === undefined) {
    names = families.map((family) => familyName(family, format));
    byFormat[format] = names;
  }
  return names;
}

/**
 * What a walk calls for each family with series: `key` is the family's name as the format writes it. An object with
 * a method, not a closure per walk: V8 optimized the closures of the plan's and the archive's walks again after
 * every full collection or pull (bench/README.md, eighteenth stop on issue 15), a method's code stays with its class.
 */
export interface FamilyVisitor {
  visit(health: boolean, key: string, encoded: EncodedFamilies, index: number): void;
}

/**
 * Each family with series of one part of a target (its own families, or its health families: named as they are), in
 * order. Reads only names and offsets, never the bytes: an archived part (group-archive.ts) is visited alike.
 */
export function visitPart(
  encoded: EncodedFamilies,
  health: boolean,
  format: ExpositionFormat,
  visitor: FamilyVisitor,
): void {
  const names = health ? undefined : familyNames(encoded.families, format);
  for (let i = 0; i < encoded.ends.length; i++) {
    if (encoded.ends[i] === (i === 0 ? 0 : encoded.ends[i - 1])) continue;
    visitor.visit(
      health,
      names === undefined ? (encoded.families[i] as FamilyMeta).name : (names[i] as string),
      encoded,
      i,
    );
  }
}

/**
 * Each family with series of each target of `group` in `entries`, in store order (a target's own families, then its
 * health families).
 */
export function visitGroup(
  entries: readonly StoredTarget[],
  group: SlotGroup,
  format: ExpositionFormat,
  visitor: FamilyVisitor,
): void {
  for (let t = group.start; t < group.end; t++) {
    const entry = entries[t];
    if (entry === undefined) continue;
    visitPart(entry.families[format], false, format, visitor);
    visitPart(entry.health[format], true, format, visitor);
  }
}

/**
 * The families a plan's walk of `group` would find, at the group's version, without taking its bytes; undefined when
 * a family of the group has two types (only a walk sorts out which pieces are left out).
 */
export function groupFamilies(
  entries: readonly StoredTarget[],
  group: SlotGroup,
  format: ExpositionFormat,
): GroupFamilies | undefined {
  const counts = new FamilyCounts();
  visitGroup(entries, group, format, counts);
  if (counts.mixed) return undefined;
  return { version: group.version, own: [...counts.own.values()], health: [...counts.health.values()] };
}

/** A GroupFamily while its pieces are counted. */
type Counted = { -readonly [K in keyof GroupFamily]: GroupFamily[K] };

/** groupFamilies' walk: each family's pieces counted, per list; `mixed` once a family shows two types. */
class FamilyCounts implements FamilyVisitor {
  readonly own = new Map<string, Counted>();
  readonly health = new Map<string, Counted>();
  mixed = false;

  visit(isHealth: boolean, key: string, encoded: EncodedFamilies, index: number): void {
    const meta = encoded.families[index] as FamilyMeta;
    const into = isHealth ? this.health : this.own;
    const found = into.get(key);
    if (found === undefined) into.set(key, { key, meta, count: 1 });
    else if (found.meta.type !== meta.type) this.mixed = true;
    else found.count++;
  }
}

/**
 * Walks targets in store order; the first piece of a name fixes the family's help and type. Deterministic for a
 * given set of targets, whatever the order their scrapes finished in. `reserved` holds the exporter's own family
 * names as `format` writes them (selfMetricNames), which a target family must not duplicate, any more than a health
 * family's.
 */
function* planSteps(
  store: TargetStore,
  format: ExpositionFormat,
  reserved: ReadonlySet<string>,
  shortcut?: GroupShortcut,
): Generator<void, FleetExposition> {
  const walk = new PlanWalk(format, reserved);
  // Taken once: a store change between steps replaces entries in place or builds a new array, never edits this one's
  // ranges, so each target is read once, as it was when its group's turn came.
  const entries = store.entries();
  for (const group of store.groups()) {
    const cached = shortcut?.cached(group, entries);
    if (cached !== undefined) walk.addCached(group, cached);
    else {
      // A group scraped again since it was archived: its other targets' bytes come back from the archive first.
      store.restore(group, entries);
      walk.group = group;
      visitGroup(entries, group, format, walk);
    }
    yield;
  }
  return walk.result();
}

/** A plan being made: the families found so far, and the pieces left out (conflicts). */
class PlanWalk implements FamilyVisitor {
  readonly #format: ExpositionFormat;
  readonly #reserved: ReadonlySet<string>;
  // Compared as the format names families: in OpenMetrics the gauge `x` and the counter `x_total` are both family `x`.
  readonly #healthNames: ReadonlySet<string>;
  readonly #targetFamilies = new Map<string, ExpositionFamily>();
  readonly #healthFamilies = new Map<string, ExpositionFamily>();
  #conflicts = 0;
  /** The slot group being walked (visit's pieces belong to it). */
  group: SlotGroup | undefined;

  constructor(format: ExpositionFormat, reserved: ReadonlySet<string>) {
    this.#format = format;
    this.#reserved = reserved;
    this.#healthNames = healthFamilyNames(format);
  }

  visit(health: boolean, key: string, encoded: EncodedFamilies, index: number): void {
    const group = this.group as SlotGroup;
    if (health) this.#add(this.#healthFamilies, encoded, index, key, group);
    else if (this.#taken(key)) this.#conflicts++;
    else this.#add(this.#targetFamilies, encoded, index, key, group);
  }

  /** A group added from its families and members (GroupShortcut): runs without pieces. */
  addCached(group: SlotGroup, cached: CachedGroup): void {
    for (const found of cached.families.own) {
      if (this.#taken(found.key)) this.#conflicts += found.count;
      else this.#addRun(this.#targetFamilies, found, group, cached);
    }
    for (const found of cached.families.health) this.#addRun(this.#healthFamilies, found, group, cached);
  }

  result(): FleetExposition {
    const families = [...this.#targetFamilies.values()].sort(byName);
    // Health families in their documented order, whatever target came first.
    for (const name of TARGET_HEALTH_FAMILY_NAMES) {
      const family = this.#healthFamilies.get(name);
      if (family !== undefined) families.push(family);
    }
    return { format: this.#format, families, conflicts: this.#conflicts };
  }

  /** A target family named like one of the exporter's own or a health family: left out, counted as a conflict. */
  #taken(key: string): boolean {
    return this.#reserved.has(key) || this.#healthNames.has(key);
  }

  /** The family `key` of `meta`'s type, made on its first piece; undefined (a conflict) when it has another type. */
  #familyFor(into: Map<string, ExpositionFamily>, meta: FamilyMeta, key: string): ExpositionFamily | undefined {
    let family = into.get(key);
    if (family === undefined) {
      family = { name: meta.name, type: meta.type, header: renderHeader(meta, this.#format), pieces: [], groups: [] };
      into.set(key, family);
    } else if (family.type !== meta.type) return undefined;
    return family;
  }

  #add(into: Map<string, ExpositionFamily>, encoded: EncodedFamilies, index: number, key: string, group: SlotGroup) {
    const family = this.#familyFor(into, encoded.families[index] as FamilyMeta, key);
    if (family === undefined) {
      this.#conflicts++;
      return;
    }
    const last = family.groups.at(-1);
    if (last?.group !== group) {
      family.groups.push({ group, version: group.version, start: family.pieces.length, end: family.pieces.length });
    }
    family.pieces.push(familyBytes(encoded, index));
    (family.groups.at(-1) as GroupPieces).end++;
  }

  #addRun(into: Map<string, ExpositionFamily>, found: GroupFamily, group: SlotGroup, cached: CachedGroup): void {
    const family = this.#familyFor(into, found.meta, found.key);
    if (family === undefined) {
      this.#conflicts += found.count;
      return;
    }
    const at = family.pieces.length;
    const member = cached.members.get(found);
    family.groups.push({
      group,
      version: cached.families.version,
      start: at,
      end: at,
      ...(member === undefined ? {} : { member }),
    });
  }
}

/** The plan in one go: what the walk in turns must equal (tests); the routes walk in turns. */
export function planFleetExposition(
  store: TargetStore,
  format: ExpositionFormat,
  reserved: ReadonlySet<string>,
  shortcut?: GroupShortcut,
): FleetExposition {
  const steps = planSteps(store, format, reserved, shortcut);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** A loop turn is taken once this long has passed since the last one (each turn also costs the I/O waiting then). */
export const TURN_AFTER_MS = 4;

/**
 * Long work done in slices: `turnIfDue()` takes a loop turn once `afterMs` has passed since the last one it took, so
 * scrapes due meanwhile start. Only its own turns count: a wait that resolves on a later tick (a stream's 'drain', a
 * resolved promise) is no turn.
 */
export class LoopSlices {
  #sliceStart = performance.now();

  constructor(private readonly afterMs: number = TURN_AFTER_MS) {}

  async turnIfDue(): Promise<void> {
    if (performance.now() - this.#sliceStart < this.afterMs) return;
    await nextTurn();
    this.#sliceStart = performance.now();
  }
}

/**
 * The same plan, walked in slices of about `turnAfterMs` (TURN_AFTER_MS; 0: a turn after every slot group, for
 * tests) with a loop turn between: at 10,000 targets the walk takes
 * 20–50 ms, which in one piece delayed every scrape due meanwhile (bench:fleet's lag p99). Scrapes recorded between
 * turns show in the groups not yet walked.
 */
export async function planFleetExpositionInTurns(
  store: TargetStore,
  format: ExpositionFormat,
  reserved: ReadonlySet<string>,
  options: { readonly turnAfterMs?: number; readonly shortcut?: GroupShortcut } = {},
): Promise<FleetExposition> {
  const slices = new LoopSlices(options.turnAfterMs);
  const steps = planSteps(store, format, reserved, options.shortcut);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await slices.turnIfDue();
  }
}

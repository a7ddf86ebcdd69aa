// Settled slot groups kept compressed: each family's series of a group's targets as one gzip member, the targets'
// own bytes dropped from the store until a reader needs them again.
//
// Why (issue 15, bench/README.md): at 10,000 targets × 10 streams the store held ~79 MB of exposition text, and the
// malloc arenas around it another ~50 MB; a build that kept no series at all peaked 125 MB lower. A slot group's
// series change within a quarter second of each interval and then rest (store.ts), so once it has settled, its text is
// compressed once (~12× at level 1), and the same members serve gzip answers as they are and plain answers inflated
// one family piece at a time (≤ ~1 MB at once). A group whose targets are scraped again while a request walks it is
// restored from its archive first (restore()), its targets' bytes brought back exactly as they were.
import { ARCHIVED_BYTES, type EncodedFamilies, familyBytes } from '../exposition/encoded-families.js';
import type { ExpositionFormat } from '../exposition/types.js';
import {
  type CachedGroup,
  type FamilyVisitor,
  type GroupFamilies,
  type GroupFamily,
  type GroupShortcut,
  groupFamilies,
  visitGroup,
  visitPart,
} from './fleet-exposition.js';
import { inflateMember, plainSize } from './member-inflater.js';
import type { SlotGroup, StoredFormats, StoredTarget, TargetStore } from './store.js';

const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];

/** A target's part (own families or health series, one format) whose bytes the archive holds (bytes: ARCHIVED_BYTES). */
export interface ArchivedPart {
  readonly families: EncodedFamilies['families'];
  readonly ends: readonly number[];
  /** ARCHIVED_BYTES while archived; restore() puts the bytes back here, for every holder of the part at once. */
  bytes: Uint8Array;
}

/**
 * One target as its group was archived, in the order the members hold them: its parts without their bytes, or, for a
 * target whose bytes the store keeps (TargetStore.keepsBytes), its parts as they are.
 */
export interface ArchivedTarget {
  readonly families: Readonly<Record<ExpositionFormat, ArchivedPart>>;
  readonly health: Readonly<Record<ExpositionFormat, ArchivedPart>>;
}

/** A format's view of an archived group: what a plan adds for it without walking its targets. */
export interface ArchivedFormat extends CachedGroup {
  readonly members: ReadonlyMap<GroupFamily, Buffer>;
}

export interface GroupArchive {
  readonly groupId: string;
  /** The group's version the archive was built from: it stands for the group while the group stays at it. */
  readonly version: number;
  readonly formats: ReadonlyMap<ExpositionFormat, ArchivedFormat>;
  readonly targets: readonly ArchivedTarget[];
  /** Bytes of the members (formats sharing members counted once), and of the text they hold. */
  readonly compressedBytes: number;
  readonly plainBytes: number;
}

/** Every family of the group with the views of its targets' bytes, in store order (what a plan's walk would take). */
function familyPieces(
  entries: readonly StoredTarget[],
  group: SlotGroup,
  format: ExpositionFormat,
  families: GroupFamilies,
): Map<GroupFamily, Uint8Array[]> {
  const pieces = new Map<GroupFamily, Uint8Array[]>();
  const byKey = [new Map<string, Uint8Array[]>(), new Map<string, Uint8Array[]>()] as const;
  for (const [list, found] of [
    [0, families.own],
    [1, families.health],
  ] as const) {
    for (const family of found) {
      const views: Uint8Array[] = [];
      pieces.set(family, views);
      byKey[list].set(family.key, views);
    }
  }
  visitGroup(entries, group, format, new PieceCollector(byKey));
  return pieces;
}

/** familyPieces' walk: each family's views, by list and key (a method, not a closure: see FamilyVisitor). */
class PieceCollector implements FamilyVisitor {
  constructor(private readonly byKey: readonly [Map<string, Uint8Array[]>, Map<string, Uint8Array[]>]) {}

  visit(health: boolean, key: string, encoded: EncodedFamilies, index: number): void {
    this.byKey[health ? 1 : 0].get(key)?.push(familyBytes(encoded, index));
  }
}

/** Formats whose every target part is one object (equal lines): the second can share the first's members. */
function sameParts(entries: readonly StoredTarget[], group: SlotGroup): boolean {
  for (let t = group.start; t < group.end; t++) {
    const entry = entries[t] as StoredTarget;
    if (entry.families.text !== entry.families.openmetrics || entry.health.text !== entry.health.openmetrics) {
      return false;
    }
  }
  return true;
}

/** `second`'s families hold the same pieces as `first`'s, list by list and in order (names may be written apart). */
function alignedFamilies(first: GroupFamilies, second: GroupFamilies): boolean {
  return alignedLists(first.own, second.own) && alignedLists(first.health, second.health);
}

/** A loop, not `every` with a closure per call (see FamilyVisitor). */
function alignedLists(a: readonly GroupFamily[], b: readonly GroupFamily[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]?.count !== b[i]?.count || a[i]?.meta !== b[i]?.meta) return false;
  }
  return true;
}

/** The families of both lists, own first: the order members are compressed and shared in. */
function allFamilies(families: GroupFamilies): GroupFamily[] {
  return [...families.own, ...families.health];
}

/**
 * The archive of `group` at its current version, compressing one family at a time through `compress`; undefined
 * when the group cannot be archived (a family of two types in it: only a walk sorts out which pieces a plan keeps).
 * Everything is read before the first compression: the caller attaches the archive (TargetStore.attachArchive),
 * which refuses it if the group changed meanwhile.
 */
export async function buildGroupArchive(
  store: TargetStore,
  group: SlotGroup,
  compress: (pieces: readonly Uint8Array[]) => Promise<Buffer>,
): Promise<{ readonly archive: GroupArchive; readonly sources: readonly StoredTarget[] } | undefined> {
  const entries = store.entries();
  store.restore(group, entries);
  const version = group.version;
  const sources = entries.slice(group.start, group.end);
  const shared = sameParts(entries, group);
  const planned: Array<{
    format: ExpositionFormat;
    families: GroupFamilies;
    pieces: Map<GroupFamily, Uint8Array[]> | undefined;
  }> = [];
  for (const format of FORMATS) {
    const families = groupFamilies(entries, group, format);
    if (families === undefined) return undefined;
    const first = planned[0];
    // Equal lines in both formats: the second takes the first's members (OpenMetrics may only name them apart).
    const reuse = first !== undefined && shared && alignedFamilies(first.families, families);
    planned.push({ format, families, pieces: reuse ? undefined : familyPieces(entries, group, format, families) });
  }
  const formats = new Map<ExpositionFormat, ArchivedFormat>();
  let compressedBytes = 0;
  let plainBytes = 0;
  for (const { format, families, pieces } of planned) {
    const members = new Map<GroupFamily, Buffer>();
    if (pieces === undefined) {
      const first = formats.get(FORMATS[0] as ExpositionFormat) as ArchivedFormat;
      const from = allFamilies(first.families);
      allFamilies(families).forEach((family, i) => {
        members.set(family, first.members.get(from[i] as GroupFamily) as Buffer);
      });
    } else {
      for (const [family, views] of pieces) {
        const member = await compress(views);
        compressedBytes += member.byteLength;
        plainBytes += plainSize(member);
        members.set(family, member);
      }
    }
    formats.set(format, { families, members });
  }
  const stripper = new PartStripper();
  const targets: ArchivedTarget[] = [];
  for (const entry of sources) {
    // A target whose bytes the store keeps anyway holds them on (TargetStore.keepsBytes): its parts as they are, which
    // restoreArchive passes over (their bytes are there) while it counts their lengths in the members.
    if (store.keepsBytes(entry.target.id)) targets.push({ families: entry.families, health: entry.health });
    else targets.push({ families: stripper.strip(entry.families), health: stripper.strip(entry.health) });
  }
  return {
    archive: { groupId: group.key.id, version, formats, targets, compressedBytes, plainBytes },
    sources,
  };
}

/** A group's parts without their bytes, one per stored part (parts shared by targets or formats stay shared). */
class PartStripper {
  readonly #parts = new Map<EncodedFamilies, ArchivedPart>();

  strip(stored: StoredFormats): Record<ExpositionFormat, ArchivedPart> {
    return { text: this.#archived(stored.text), openmetrics: this.#archived(stored.openmetrics) };
  }

  #archived(encoded: EncodedFamilies): ArchivedPart {
    let part = this.#parts.get(encoded);
    if (part === undefined) {
      part = { families: encoded.families, ends: encoded.ends, bytes: ARCHIVED_BYTES };
      this.#parts.set(encoded, part);
    }
    return part;
  }
}

/** The archive holds parts whose bytes are not back yet. */
export function hasArchivedParts(target: StoredTarget): boolean {
  return (
    target.families.text.bytes === ARCHIVED_BYTES ||
    target.families.openmetrics.bytes === ARCHIVED_BYTES ||
    target.health.text.bytes === ARCHIVED_BYTES ||
    target.health.openmetrics.bytes === ARCHIVED_BYTES
  );
}

/** Each family's text, inflated, and how far the targets put back so far have read into it, by key. */
function inflatedTexts(
  archived: ArchivedFormat,
  families: readonly GroupFamily[],
): Map<string, { text: Buffer; at: number }> {
  return new Map(
    families.map((family) => [family.key, { text: inflateMember(archived.members.get(family) as Buffer), at: 0 }]),
  );
}

/**
 * Puts back the bytes of every part of `archive` still archived, each target's part in one buffer of its own (a
 * restored target keeps nothing else alive). Each member is inflated once; a format whose parts the other format
 * already put back (shared parts) is skipped.
 */
export function restoreArchive(archive: GroupArchive): void {
  for (const [format, archived] of archive.formats) {
    const waiting = archive.targets.some(
      (target) => target.families[format].bytes === ARCHIVED_BYTES || target.health[format].bytes === ARCHIVED_BYTES,
    );
    if (!waiting) continue;
    const restorer = new PartRestorer(
      inflatedTexts(archived, archived.families.own),
      inflatedTexts(archived, archived.families.health),
    );
    for (const target of archive.targets) {
      for (const [part, isHealth] of [
        [target.families[format], false],
        [target.health[format], true],
      ] as const) {
        // Parts shared by two targets (no series: one empty part) are put back by the first.
        restorer.bytes = part.bytes === ARCHIVED_BYTES ? Buffer.allocUnsafeSlow(part.ends.at(-1) ?? 0) : undefined;
        // Every target's lengths are counted, restored or not: the members hold them all, in this order.
        visitPart(part, isHealth, format, restorer);
        if (restorer.bytes !== undefined) part.bytes = restorer.bytes;
      }
    }
  }
}

/**
 * restoreArchive's walk of one part: each family's lines read in turn from the family's inflated text, copied into
 * `bytes` when the part is put back (undefined: only counted).
 */
class PartRestorer implements FamilyVisitor {
  bytes: Buffer | undefined;

  constructor(
    private readonly own: Map<string, { text: Buffer; at: number }>,
    private readonly health: Map<string, { text: Buffer; at: number }>,
  ) {}

  visit(health: boolean, key: string, encoded: EncodedFamilies, index: number): void {
    const start = index === 0 ? 0 : (encoded.ends[index - 1] as number);
    const length = (encoded.ends[index] as number) - start;
    const cursor = (health ? this.health : this.own).get(key) as { text: Buffer; at: number };
    this.bytes?.set(cursor.text.subarray(cursor.at, cursor.at + length), start);
    cursor.at += length;
  }
}

/** Lets a plan of `format` take every group whose archive is current as it stands, without walking its targets. */
export function archiveShortcut(store: TargetStore, format: ExpositionFormat): GroupShortcut {
  return {
    cached: (group, entries) =>
      someArchived(group, entries) ? store.archiveOf(group)?.formats.get(format) : undefined,
  };
}

/**
 * Whether a target of the group has parts in its archive only: a group whose targets all kept their bytes (each in a
 * buffer of its own, TargetStore.attachArchive) is walked instead, its bytes read as they are, where its members would
 * be inflated. Stops at the first: at 10,000 × 10 every target's parts are archived.
 */
function someArchived(group: SlotGroup, entries: readonly StoredTarget[]): boolean {
  for (let t = group.start; t < group.end; t++) if (hasArchivedParts(entries[t] as StoredTarget)) return true;
  return false;
}

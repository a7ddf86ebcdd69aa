// One target's rendered families as UTF-8 bytes: one buffer and the byte offset where each family ends, the families'
// names, help and types shared by every target of a module. What fleet workers return and the fleet store keeps.
import { renderHeader } from './render.js';
import type { ExpositionFormat, MetricType, RenderedFamily } from './types.js';

export interface FamilyMeta {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
}

/**
 * A target's families, in order: family i's series lines are `bytes[ends[i-1] ?? 0 .. ends[i]]` (empty when it had
 * no samples). `families` is shared by every target of a module generation (no per-target copies of names or help);
 * no per-series objects are kept.
 */
export interface EncodedFamilies {
  readonly families: readonly FamilyMeta[];
  readonly bytes: Uint8Array;
  /**
   * A plain array of small integers, not a Uint32Array: a typed array is two objects and a backing store of its own
   * (~3.6 MB for the 20,000 kept at 10,000 targets, a heap snapshot in bench:fleet); this is one.
   */
  readonly ends: readonly number[];
}

export const NO_FAMILIES: EncodedFamilies = Object.freeze({
  families: Object.freeze([]) as readonly FamilyMeta[],
  bytes: new Uint8Array(0),
  ends: Object.freeze([]) as readonly number[],
});

/**
 * The bytes of a stored part whose text a group archive holds (src/fleet/group-archive.ts): the store puts them back
 * (TargetStore.restore) before anything reads them.
 */
export const ARCHIVED_BYTES: Uint8Array = new Uint8Array(0);

/** Family `index`'s series lines (a view, no copy). */
export function familyBytes(encoded: EncodedFamilies, index: number): Uint8Array {
  // Reading an archived part would give no lines where the target has some: a bug, never a quiet gap on /metrics.
  if (encoded.bytes === ARCHIVED_BYTES) throw new Error('stored bytes read while archived (restore the group first)');
  const start = index === 0 ? 0 : (encoded.ends[index - 1] as number);
  return encoded.bytes.subarray(start, encoded.ends[index]);
}

const encoder = new TextEncoder();

/**
 * Appends strings as UTF-8 into one growing buffer: `encodeInto` writes (and flattens the renderer's rope strings)
 * straight into it, with no intermediate Buffer per family.
 */
export class Utf8Writer {
  #buffer: Uint8Array;
  #length = 0;

  /** Writes into `initial` when given (a recycled buffer), else into a new buffer of that many bytes. */
  constructor(initial: number | Uint8Array = 64 * 1024) {
    this.#buffer = typeof initial === 'number' ? new Uint8Array(initial) : initial;
  }

  get length(): number {
    return this.#length;
  }

  write(text: string): void {
    let rest = text;
    while (rest !== '') {
      // Tried in the room there is (ASCII needs a byte per unit); grown only when the text did not fit.
      const { read, written } = encoder.encodeInto(rest, this.#buffer.subarray(this.#length));
      this.#length += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      // UTF-8 needs at most 3 bytes per UTF-16 unit.
      this.#grow(rest.length * 3);
    }
  }

  #grow(atLeast: number): void {
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + atLeast));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  /** The bytes written, as a view from offset 0 of the writer's buffer (no copy; transfer `.buffer` whole). */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** The bytes written, in an ArrayBuffer of their own (transferable). */
  take(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

/** Family metadata lists by content, so targets of one module share one list (and the store can compare by identity). */
export class FamilyMetaInterner {
  readonly #lists = new Map<string, readonly FamilyMeta[]>();
  /** The last list handed out: the next target of the same module usually has the same families. */
  #last: readonly FamilyMeta[] = [];

  intern(families: readonly FamilyMeta[]): readonly FamilyMeta[] {
    const last = this.#last;
    if (
      last.length === families.length &&
      families.every(
        (f, i) => f === last[i] || (f.name === last[i]?.name && f.type === last[i]?.type && f.help === last[i]?.help),
      )
    )
      return last;
    let key = '';
    for (const family of families) key += `${family.name}\u0000${family.type}\u0000${family.help}\u0001`;
    let list = this.#lists.get(key);
    if (list === undefined) {
      list = Object.freeze(families.map(({ name, help, type }) => Object.freeze({ name, help, type })));
      this.#lists.set(key, list);
    }
    this.#last = list;
    return list;
  }
}

/** Rendered families (strings) as one target's bytes; families without samples keep their place, empty. */
export function encodeRenderedFamilies(
  rendered: readonly RenderedFamily[],
  interner?: FamilyMetaInterner,
): EncodedFamilies {
  const capacity = rendered.reduce((sum, family) => sum + family.text.length, 0) + 16;
  const writer = new Utf8Writer(capacity);
  const ends: number[] = [];
  for (const family of rendered) {
    writer.write(family.text);
    ends.push(writer.length);
  }
  const families = interner === undefined ? rendered.map(({ name, help, type }) => ({ name, help, type })) : rendered;
  // ASCII lines (the usual case) fill the writer to within its 16 spare bytes: keep its buffer rather than copy it.
  const bytes = writer.length + 16 >= capacity ? writer.view() : writer.take();
  return { families: interner?.intern(families) ?? families, bytes, ends };
}

/** The families that have series, with their lines (views): for reading a target's families back (tests, /targets). */
export function familiesWithSeries(encoded: EncodedFamilies): Array<FamilyMeta & { readonly bytes: Uint8Array }> {
  const out: Array<FamilyMeta & { readonly bytes: Uint8Array }> = [];
  for (const [i, family] of encoded.families.entries()) {
    const bytes = familyBytes(encoded, i);
    if (bytes.byteLength > 0) out.push({ ...family, bytes });
  }
  return out;
}

/**
 * Each family's `# HELP`/`# TYPE` lines as UTF-8, per format, kept as long as the family's metadata lives: the lists
 * are shared by every target of a module generation (FamilyMetaInterner), so a /probe encodes them once, not per
 * request (1.2 % of the main thread at 50 concurrent probes, issue 16). The bytes are only ever read.
 */
const HEADER_BYTES: Record<ExpositionFormat, WeakMap<FamilyMeta, Uint8Array>> = {
  text: new WeakMap(),
  openmetrics: new WeakMap(),
};

function headerBytes(family: FamilyMeta, format: ExpositionFormat): Uint8Array {
  const cache = HEADER_BYTES[format];
  let bytes = cache.get(family);
  if (bytes === undefined) {
    bytes = encoder.encode(renderHeader(family, format));
    cache.set(family, bytes);
  }
  return bytes;
}

/**
 * A whole exposition body from one target's encoded families, as the pieces to write in order (the lines are views,
 * not copies): byte for byte joinRenderedFamilies's text in UTF-8 — HELP/TYPE and the lines of each family that has
 * series, and `# EOF` at the end of OpenMetrics.
 */
export function encodedExposition(encoded: EncodedFamilies, format: ExpositionFormat): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (const [i, family] of encoded.families.entries()) {
    const lines = familyBytes(encoded, i);
    if (lines.byteLength === 0) continue;
    pieces.push(headerBytes(family, format), lines);
  }
  if (format === 'openmetrics') pieces.push(encoder.encode('# EOF\n'));
  return pieces;
}

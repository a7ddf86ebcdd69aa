// Duplicate-series detection over one element selection: label values → the first element that had them.
import { giveBackInt32, takeInt32 } from './int32-scratch.js';

/** A probe run this long means keys that collide under the seeded hash (crafted, or a bad hash): use a Map instead. */
const MAX_PROBES = 128;

/** The series key a Map needs: the label values joined by NUL (a label value cannot tell it from its neighbour's). */
export function seriesKey(values: readonly string[]): string {
  return values.join('\u0000');
}

/**
 * An open-addressing hash table over typed arrays, sized once for the selection's element count (load ≤ 0.5), that
 * hashes the label values where they are. It replaces a `Map` keyed by the joined values: on issue 17's
 * 200,000-element array, in a fresh worker with the pool's heap limits, the Map's inserts and regrowths added
 * 150-250 ms to a loop that walks, labels and keeps the samples, this table 70-190 ms (noisy machine, same runs),
 * and the whole extraction went from a median of 267 to 213 ms (bench/README.md, issue 17). The hash is seeded per
 * table, so a body cannot be crafted to collide, and a probe run past MAX_PROBES moves every entry into a Map
 * anyway: at worst this is the Map it replaced.
 */
export class SeriesIndex {
  /** Per slot, 1 + the element whose values are there; 0 when empty. */
  readonly #slots: Int32Array;
  /** Per slot, the full hash of its values, so values are compared only when hashes are equal. */
  readonly #hashes: Int32Array;
  readonly #mask: number;
  readonly #seed: number;
  /** Per element, its label values (only for elements that were first). */
  readonly #values: Array<readonly string[] | undefined>;
  #map: Map<string, number> | undefined;
  readonly #maxProbes: number;

  /** `maxProbes` is for tests: 1 moves to the Map at the first collision. */
  constructor(elements: number, maxProbes = MAX_PROBES) {
    this.#maxProbes = maxProbes;
    let capacity = 16;
    while (capacity < elements * 2) capacity *= 2;
    // Reused tables may be longer than `capacity`: only the first `capacity` entries are used (the mask).
    this.#slots = takeInt32(capacity, 0);
    // A hash is read only where its slot is set: stale ones need no clearing.
    this.#hashes = takeInt32(capacity);
    this.#mask = capacity - 1;
    this.#seed = (Math.random() * 0x1_0000_0000) | 0;
    this.#values = new Array<readonly string[] | undefined>(elements);
  }

  /** Gives the tables back for the next selection's index: this one must not be used afterwards. */
  release(): void {
    giveBackInt32(this.#slots);
    giveBackInt32(this.#hashes);
  }

  /** Whether the table gave up on its hash and moved to a Map (tests). */
  get usesMap(): boolean {
    return this.#map !== undefined;
  }

  /** The first element with these label values; or, when there is none, `element` is recorded as it and returned. */
  firstOrAdd(values: readonly string[], element: number): number {
    if (this.#map !== undefined) return this.#mapFirstOrAdd(values, element);
    const hash = this.#hash(values);
    const slots = this.#slots;
    let at = hash & this.#mask;
    for (let probes = 0; probes < this.#maxProbes; probes++) {
      const stored = slots[at] as number;
      if (stored === 0) {
        slots[at] = element + 1;
        this.#hashes[at] = hash;
        this.#values[element] = values;
        return element;
      }
      if (this.#hashes[at] === hash && sameValues(this.#values[stored - 1] as readonly string[], values)) {
        return stored - 1;
      }
      at = (at + 1) & this.#mask;
    }
    this.#moveToMap();
    return this.#mapFirstOrAdd(values, element);
  }

  #hash(values: readonly string[]): number {
    let hash = this.#seed;
    for (let v = 0; v < values.length; v++) {
      const value = values[v] as string;
      // Two UTF-16 units per step: half the multiplications (hashing was ~5 % of the srs_streams preset's hot path).
      const pairs = value.length - 1;
      let i = 0;
      for (; i < pairs; i += 2) {
        hash = Math.imul(hash ^ (value.charCodeAt(i) | (value.charCodeAt(i + 1) << 16)), 0x5bd1e995);
        hash ^= hash >>> 13;
      }
      if (i < value.length) {
        hash = Math.imul(hash ^ value.charCodeAt(i), 0x5bd1e995);
        hash ^= hash >>> 13;
      }
      // The end of a value counts, so ["ab", "c"] and ["a", "bc"] hash apart.
      hash = Math.imul(hash ^ 0x10001, 0x27d4eb2d);
    }
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x2c1b3c6d);
    return hash ^ (hash >>> 12);
  }

  #moveToMap(): void {
    const map = new Map<string, number>();
    // In element order, so each key keeps its first element.
    for (let element = 0; element < this.#values.length; element++) {
      const values = this.#values[element];
      if (values !== undefined) map.set(seriesKey(values), element);
    }
    this.#map = map;
  }

  #mapFirstOrAdd(values: readonly string[], element: number): number {
    const map = this.#map as Map<string, number>;
    const key = seriesKey(values);
    const first = map.get(key);
    if (first !== undefined) return first;
    map.set(key, element);
    return element;
  }
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

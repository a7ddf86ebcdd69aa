// Int32Arrays reused from one element selection to the next: the duplicate index's tables, kept per thread.
//
// Allocating a typed array costs ~2 µs however small it is (an off-heap backing store, zeroed and registered with
// the GC), against ~0.4 µs for a plain array of 256 numbers. The `srs_streams` preset allocated 9 of them per body
// (3 per group), ~6 % of its hot path at 50 KB (bench/README.md, issue 16, fourth stop); taken from here, none.

/** Arrays kept for reuse, at most this many... */
const MAX_KEPT = 8;
/** ...and none longer than this (256 KB): a 200,000-element selection's tables are not held after it. */
const MAX_KEPT_LENGTH = 64 * 1024;

const spares: Int32Array[] = [];

/**
 * An Int32Array of at least `length` entries (reused ones may be longer: callers index below `length` only), the first
 * `length` set to `fill` (or left as they are when it is undefined). Give it back with giveBackInt32 when done.
 */
export function takeInt32(length: number, fill?: number): Int32Array {
  for (let i = 0; i < spares.length; i++) {
    const spare = spares[i] as Int32Array;
    if (spare.length < length) continue;
    spares[i] = spares[spares.length - 1] as Int32Array;
    spares.pop();
    if (fill !== undefined) spare.fill(fill, 0, length);
    return spare;
  }
  const fresh = new Int32Array(length);
  if (fill !== undefined && fill !== 0) fresh.fill(fill);
  return fresh;
}

/** Keeps `array` for a later takeInt32. The caller must not use it afterwards. */
export function giveBackInt32(array: Int32Array): void {
  if (array.length <= MAX_KEPT_LENGTH && spares.length < MAX_KEPT) spares.push(array);
}

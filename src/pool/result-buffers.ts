// Buffers for the results of single bodies run inline on the main thread that the fleet store copies at once into its
// own per-target buffers (store.ts, targets of REUSE_MIN_BYTES or more): handed back after that copy and written again
// by a later body, instead of a fresh ArrayBuffer per scrape.
//
// Measured (bench:fleet 2,000 × 50, an allocation profile of 30 s including collected objects): these buffers were
// 17.5 % of the main thread's allocated bytes, ~4.8 MB/s of ArrayBuffer memory that died at once. V8 counts such memory
// against the old generation's room and starts full collections sooner (see store.ts #pack).

/**
 * Results smaller than this are never recycled; the fleet store keeps them as they are and copies the larger ones
 * (store.ts: its REUSE_MIN_BYTES is this constant, so every buffer handed out is one the store will copy).
 */
export const RECYCLE_MIN_BYTES = 16 * 1024;
/** Buffers kept for reuse at most: about one slot group's worth of scrapes finishing close together. */
const MAX_KEPT = 64;
/** A buffer is reused for a result only when it has at most this much spare room (encodeResults trims above 1.25×). */
const MAX_SPARE = 1.2;

export class ResultBuffers {
  readonly #kept: Uint8Array[] = [];
  /** Buffers this handed out: only those come back (a worker's batch buffer holds many targets' views). */
  readonly #issued = new WeakSet<ArrayBufferLike>();

  /** A buffer of at least `bytes` (kept or new), or undefined below RECYCLE_MIN_BYTES. */
  take(bytes: number): Uint8Array | undefined {
    if (bytes < RECYCLE_MIN_BYTES) return undefined;
    const kept = this.#kept;
    // The most recently returned first: a scrape's size is close to its neighbours' in the same slot group.
    for (let i = kept.length - 1; i >= 0 && i >= kept.length - 8; i--) {
      const buffer = kept[i] as Uint8Array;
      if (buffer.byteLength < bytes || buffer.byteLength > bytes * MAX_SPARE) continue;
      kept.splice(i, 1);
      return buffer;
    }
    // Room for a few more bytes next time (counters gain digits); at most ~1.16× (encodeResults trims above 1.25×).
    const fresh = new Uint8Array(Math.ceil((bytes * 1.1) / 1024) * 1024);
    this.#issued.add(fresh.buffer);
    return fresh;
  }

  /** Takes back a buffer this handed out, once nothing views it any more; any other buffer is left alone. */
  give(buffer: ArrayBufferLike): void {
    if (!this.#issued.has(buffer) || this.#kept.some((kept) => kept.buffer === buffer)) return;
    if (this.#kept.length >= MAX_KEPT) this.#kept.shift();
    this.#kept.push(new Uint8Array(buffer));
  }

  /** Buffers kept now (tests). */
  get size(): number {
    return this.#kept.length;
  }
}

/** The main thread's one instance: runBatchInline takes from it, the fleet store gives back. */
export const resultBuffers = new ResultBuffers();

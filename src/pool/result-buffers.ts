// Buffers for the results of single bodies run inline on the main thread, handed back by the fleet store once nothing
// reads them and written again by a later body, instead of a fresh ArrayBuffer per scrape: after the store copied them
// into its own per-target buffers (store.ts, targets of REUSE_MIN_BYTES or more), or, for smaller targets, whose
// buffers the store keeps, once their slot group was archived (group-archive.ts).
//
// Measured (bench:fleet 2,000 × 50, an allocation profile of 30 s including collected objects): these buffers were
// 17.5 % of the main thread's allocated bytes, ~4.8 MB/s of ArrayBuffer memory that died at once. V8 counts such memory
// against the old generation's room and starts full collections sooner (see store.ts #pack).

/**
 * The fleet store copies results of this size or more into its own buffers and gives theirs back at once; it keeps
 * smaller ones as they are until their slot group is archived (store.ts: its REUSE_MIN_BYTES is this constant).
 */
export const RECYCLE_MIN_BYTES = 16 * 1024;
/**
 * Bytes kept for reuse at most: about two slot groups' results at 10,000 targets × 10 streams (667 targets of ~8 KB
 * each), as an archived group gives back all of its buffers at once, a second after their scrapes.
 */
const MAX_KEPT_BYTES = 12 * 1024 * 1024;
/** A buffer is reused for a result only when it has at most this much spare room (kept with the result an interval). */
const MAX_SPARE = 1.2;

export interface ResultBuffersOptions {
  /** Bytes kept for reuse at most (default 12 MiB). */
  readonly maxKeptBytes?: number;
  /** New buffers are sized up to a multiple of this (default 1 KiB); smaller for small results. */
  readonly roundTo?: number;
}

export class ResultBuffers {
  readonly #maxKeptBytes: number;
  readonly #roundTo: number;
  readonly #kept: Uint8Array[] = [];
  /**
   * The buffers of #kept, to tell a buffer given twice. Found by reading each kept view's `.buffer` (a C++ builtin
   * call), give() walked up to ~1,500 views for each of the ~1,300 buffers an archived group gives back per second at
   * 10,000 × 10: ~4 % of the process's CPU samples (perf, bench:fleet, bench/README.md nineteenth stop).
   */
  readonly #keptBuffers = new Set<ArrayBufferLike>();
  #keptBytes = 0;
  /** Buffers this handed out: only those come back (a worker's batch buffer holds many targets' views). */
  readonly #issued = new WeakSet<ArrayBufferLike>();

  constructor(options: ResultBuffersOptions = {}) {
    this.#maxKeptBytes = options.maxKeptBytes ?? MAX_KEPT_BYTES;
    this.#roundTo = options.roundTo ?? 1024;
  }

  /** A buffer of at least `bytes`, kept or new. */
  take(bytes: number): Uint8Array {
    const kept = this.#kept;
    // The most recently returned first: a scrape's size is close to its neighbours' in the same slot group.
    for (let i = kept.length - 1; i >= 0 && i >= kept.length - 8; i--) {
      const buffer = kept[i] as Uint8Array;
      if (buffer.byteLength < bytes || buffer.byteLength > bytes * MAX_SPARE) continue;
      kept.splice(i, 1);
      this.#keptBuffers.delete(buffer.buffer);
      this.#keptBytes -= buffer.byteLength;
      return buffer;
    }
    // Room for a few more bytes next time (counters gain digits); at most ~1.16×, within MAX_SPARE.
    const fresh = new Uint8Array(Math.ceil((bytes * 1.1) / this.#roundTo) * this.#roundTo);
    this.#issued.add(fresh.buffer);
    return fresh;
  }

  /** Takes back a buffer this handed out, once nothing views it any more; any other buffer is left alone. */
  give(buffer: ArrayBufferLike): void {
    if (!this.#issued.has(buffer) || this.#keptBuffers.has(buffer)) return;
    this.#kept.push(new Uint8Array(buffer));
    this.#keptBuffers.add(buffer);
    this.#keptBytes += buffer.byteLength;
    while (this.#keptBytes > this.#maxKeptBytes) {
      const dropped = this.#kept.shift() as Uint8Array;
      this.#keptBuffers.delete(dropped.buffer);
      this.#keptBytes -= dropped.byteLength;
    }
  }

  /** Buffers kept now (tests). */
  get size(): number {
    return this.#kept.length;
  }

  /** Their bytes (tests). */
  get keptBytes(): number {
    return this.#keptBytes;
  }
}

/** The main thread's one instance: runBatchInline takes from it, the fleet store gives back. */
export const resultBuffers = new ResultBuffers();

// Buffers for the results of single bodies run inline on the main thread, handed back by the fleet store once nothing
// reads them and written again by a later body, instead of a fresh ArrayBuffer per scrape: after the store copied them
// into its own per-target buffers (store.ts, targets of REUSE_MIN_BYTES or more), or, for smaller targets, whose
// buffers the store keeps, once their slot group was archived (group-archive.ts).
//
// Measured (bench:fleet 2,000 × 50, an allocation profile of 30 s including collected objects): these buffers were
// 17.5 % of the main thread's allocated bytes, ~4.8 MB/s of ArrayBuffer memory that died at once. V8 counts such memory
// against the old generation's room and starts full collections sooner (see store.ts #pack).
import { IssuedMemory } from './issued-memory.js';

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
  /** Buffers given back, the most recent last: the memory alone (a view is made when one is handed out). */
  readonly #kept: ArrayBufferLike[] = [];
  #keptBytes = 0;
  /** Only buffers this handed out come back (a worker's batch buffer holds many targets' views), each once. */
  readonly #issued = new IssuedMemory();

  constructor(options: ResultBuffersOptions = {}) {
    this.#maxKeptBytes = options.maxKeptBytes ?? MAX_KEPT_BYTES;
    this.#roundTo = options.roundTo ?? 1024;
  }

  /**
   * A view of exactly `bytes` bytes, from offset 0 of a buffer kept or new (its `.buffer` is what give() takes back).
   * One view per use: the result keeps it for an interval, so a view kept with the buffer in between, then cut to
   * length, was one more object per scrape for the old generation.
   */
  take(bytes: number): Uint8Array {
    const kept = this.#kept;
    // The most recently returned first: a scrape's size is close to its neighbours' in the same slot group.
    for (let i = kept.length - 1; i >= 0 && i >= kept.length - 8; i--) {
      const buffer = kept[i] as ArrayBufferLike;
      if (buffer.byteLength < bytes || buffer.byteLength > bytes * MAX_SPARE) continue;
      kept.splice(i, 1);
      this.#issued.handOut(buffer);
      this.#keptBytes -= buffer.byteLength;
      return new Uint8Array(buffer, 0, bytes);
    }
    // Room for a few more bytes next time (counters gain digits); at most ~1.16×, within MAX_SPARE.
    const fresh = new ArrayBuffer(Math.ceil((bytes * 1.1) / this.#roundTo) * this.#roundTo);
    this.#issued.handOut(fresh);
    return new Uint8Array(fresh, 0, bytes);
  }

  /** Takes back a buffer this handed out, once nothing views it any more; any other buffer is left alone. */
  give(buffer: ArrayBufferLike): void {
    if (!this.#issued.takeBack(buffer)) return;
    this.#kept.push(buffer);
    this.#keptBytes += buffer.byteLength;
    while (this.#keptBytes > this.#maxKeptBytes) {
      // Dropped, not freed: given back once more (a holder still viewing it), it is kept again.
      const dropped = this.#kept.shift() as ArrayBufferLike;
      this.#issued.handOut(dropped);
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

// Buffers that /metrics answers borrow and give back: the copies of out-of-date groups a gzip answer compresses, the
// write batches, a plain answer's inflate buffer. Kept between answers instead of fresh ArrayBuffers per answer.
//
// Why: V8 counts ArrayBuffer memory allocated since its last full collection against the old generation's room. A
// gzip answer at 10,000 × 10 allocated ~8–10 MB of such buffers (a preload sampling V8's external memory every 50 ms,
// bench:fleet, bench/README.md twentieth stop), and a full collection followed within ~100 ms in most answers: the
// answers set the pace of full collections (one every ~5 s) and met their pauses.

import { IssuedMemory } from '../pool/issued-memory.js';

/** The smallest size handed out: smaller requests share its class. */
const MIN_CLASS_BYTES = 64 * 1024;
/** Larger requests get buffers of their own, never kept. */
const MAX_CLASS_BYTES = 8 * 1024 * 1024;

/** The size class of `bytes`: the next power of two, at least MIN_CLASS_BYTES. */
function classOf(bytes: number): number {
  return bytes <= MIN_CLASS_BYTES ? MIN_CLASS_BYTES : 2 ** Math.ceil(Math.log2(bytes));
}

export class ScratchBuffers {
  readonly #maxKeptBytes: number;
  /** Free buffers by size class, the most recently given last. */
  readonly #free = new Map<number, Buffer[]>();
  #freeBytes = 0;
  /** Memory this handed out (and may keep): only that comes back, once. */
  readonly #issued = new IssuedMemory();

  constructor(maxKeptBytes: number) {
    this.#maxKeptBytes = maxKeptBytes;
  }

  /**
   * A buffer of at least `bytes` (its size class), free or new: the caller owns it until give(). Its bytes are
   * whatever they were: every byte read must be written first.
   */
  take(bytes: number): Buffer {
    // Of its own size: never kept, so not rounded up (a power of two would waste up to half of it).
    if (bytes > MAX_CLASS_BYTES) return Buffer.allocUnsafeSlow(bytes);
    const size = classOf(bytes);
    const free = this.#free.get(size);
    const kept = free?.pop();
    if (kept !== undefined) {
      this.#issued.handOut(kept.buffer);
      this.#freeBytes -= size;
      return kept;
    }
    // Not from Buffer's shared pool (only small buffers come from there): the whole ArrayBuffer is this buffer's.
    const fresh = Buffer.allocUnsafeSlow(size);
    this.#issued.handOut(fresh.buffer);
    return fresh;
  }

  /**
   * Takes back the memory of a buffer from take() (`view` may be any view of it) once nothing reads or writes it any
   * more (a compression done with its input, a write done with its chunk). Kept while the free ones stay within the
   * bound; other memory (not from take(), or already given) is left alone.
   */
  give(view: Uint8Array): void {
    const memory = view.buffer;
    const size = memory.byteLength;
    if (this.#freeBytes + size > this.#maxKeptBytes || !this.#issued.takeBack(memory)) return;
    let free = this.#free.get(size);
    if (free === undefined) {
      free = [];
      this.#free.set(size, free);
    }
    free.push(Buffer.from(memory));
    this.#freeBytes += size;
  }

  /** Free bytes kept now (tests). */
  get freeBytes(): number {
    return this.#freeBytes;
  }
}

/**
 * The main thread's one instance. At 10,000 × 10 an answer borrows ~4–6 MB at once (its out-of-date units are
 * compressed together); two answers at a time fit.
 */
export const answerScratch = new ScratchBuffers(16 * 1024 * 1024);

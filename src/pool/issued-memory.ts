// What a buffer pool handed out, and whether it holds it again: the bookkeeping ResultBuffers and the answers'
// ScratchBuffers share (their policies differ: best fit for bytes kept an interval, size classes for copies that live
// a compression or a write).
//
// One WeakMap whose values change (memory → held now), not a set of the held ones beside a set of the issued ones: a
// Set that memory joins on give and leaves on take grows and shrinks its table ~1,300 times a second at 10,000 × 10,
// and V8 allocates an old Set's new tables in the old generation (~100 KB/s of its garbage; bench/README.md,
// twenty-first stop on issue 15). Weak: memory handed out and never given back goes with its last view.

export class IssuedMemory {
  readonly #held = new WeakMap<ArrayBufferLike, boolean>();

  /** `memory` is out of the pool (new, taken from the held ones, or dropped by it): a later give may take it back. */
  handOut(memory: ArrayBufferLike): void {
    this.#held.set(memory, false);
  }

  /**
   * Whether the pool may take `memory` back: handed out by it and not given back since. When so, it counts as held
   * from now on (a second give of the same memory is refused).
   */
  takeBack(memory: ArrayBufferLike): boolean {
    if (this.#held.get(memory) !== false) return false;
    this.#held.set(memory, true);
    return true;
  }
}

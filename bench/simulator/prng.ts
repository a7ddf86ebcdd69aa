// A small seeded PRNG (mulberry32): the simulator's only source of randomness, so a seed replays a fleet exactly.

/** Mixes a fleet seed and a server index into an independent 32-bit seed per virtual server. */
export function deriveSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index + 0x6d2b79f5), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** The number whose base-36 digits (with leading zeros) id(length) would have drawn: the same draws. */
  idNumber(length: number): number {
    let value = 0;
    for (let i = 0; i < length; i++) value = value * ID_ALPHABET.length + Math.floor(this.next() * ID_ALPHABET.length);
    return value;
  }

  /** `length` characters of [0-9a-z], the alphabet of SRS's ids (`vid-e67r09r`, `67q4o65q`). */
  id(length: number): string {
    // Char codes joined once: a string built by `+=` per character is a chain of `length` heap objects until flattened.
    const codes = new Array<number>(length);
    for (let i = 0; i < length; i++) codes[i] = ID_ALPHABET.charCodeAt(Math.floor(this.next() * ID_ALPHABET.length));
    return String.fromCharCode(...codes);
  }
}

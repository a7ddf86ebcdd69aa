// renderSeries' writer: series lines written byte by byte into one reused buffer, read back as a string per ~8 KB.
//
// The string renderer built every line from 4–5 new strings (rope nodes, the value's digits): ~8 MB of short-lived
// heap for a 1 MB SRS body, so the young generation filled about once per body and each scavenge copied whatever
// was alive then (the parsed document, the samples). Here a line allocates nothing; the text is allocated once, in
// flat pieces (bench/README.md, issue 16, fifth stop).
import { Buffer } from 'node:buffer';
import { formatSampleValue, formatTimestamp } from './format-number.js';

/**
 * Bytes per piece of text read back: far below V8's large-object size, so each piece is a small copy into ordinary
 * heap pages, and the part of the buffer in use stays in cache. Rendering a 1 MB srs_streams body, alternating
 * processes: 8 KiB pieces 6.2–6.9 ms, 16 KiB 3.6–7.3, 32 KiB 7.1–10.3, 96 KiB 10.7–11.9, 512 KiB 11.5–11.6 (issue 16).
 */
const PIECE_BYTES = 8 * 1024;

/**
 * What a series line needs beyond its name and label text, at most: a value and a timestamp of at most 24 characters
 * each (the longest a double prints), a space and the newline (50), with room to spare.
 */
export const LINE_SLACK_BYTES = 65;

/** The largest buffer kept between families. */
const RETAINED_BYTES = 1024 * 1024;

/**
 * Integers up to this print as their digits (String(n) too prints every digit below 1e21; exact arithmetic below
 * 2^53).
 */
const MAX_DIGITS_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * Series lines written as bytes into one growing buffer, which the caller reads back (`view`) or rewinds (`rewind`).
 * Strings go in as UTF-8. Fleet scrapes write every family of a body straight into one (render.ts writeFamilyBytes):
 * their bytes are what the store keeps, so no text is made at all.
 */
export class SeriesByteWriter {
  // A plain Uint8Array: element stores into a Buffer (a subclass) measured ~20 % slower; #reader reads it back.
  protected buffer = new Uint8Array(PIECE_BYTES * 2);
  protected reader = Buffer.from(this.buffer.buffer);
  protected at = 0;
  protected ascii = true;

  /** Bytes written since the last rewind to 0. */
  get length(): number {
    return this.at;
  }

  /** The bytes written (a view of the writer's own buffer: copy it before the next write). */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.at);
  }

  /** Drops what was written after `mark` (a body the budget stopped half way); rewind(0) starts afresh. */
  rewind(mark: number): void {
    this.at = mark;
    if (mark === 0) this.ascii = true;
  }

  /** A buffer grown for a huge line is not kept for the thread's life. */
  shrink(): void {
    if (this.buffer.length > RETAINED_BYTES) {
      this.buffer = new Uint8Array(PIECE_BYTES * 2);
      this.reader = Buffer.from(this.buffer.buffer);
    }
  }

  /** Room for `bytes` more bytes; called once per line with the line's upper bound, so the writes need no checks. */
  reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.at + bytes));
    grown.set(this.buffer.subarray(0, this.at));
    this.buffer = grown;
    this.reader = Buffer.from(grown.buffer);
  }

  /** Constant bytes (a line's pieces, encoded once per family by `encodeAscii`): `set` is a native copy. */
  writeBytes(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.at);
    this.at += bytes.length;
  }

  /**
   * A label value, escaped as the text formats escape it (backslash, double quote, newline). Reserve 6 per unit.
   * Returns whether it was ASCII.
   */
  writeLabelValue(value: string): boolean {
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < value.length; i++) {
      const unit = value.charCodeAt(i);
      if (unit > 0x5c || (unit > 0x22 && unit < 0x5c)) {
        if (unit > 0x7f) {
          this.at = at;
          this.writeUtf8(value, i);
          return false;
        }
        buffer[at++] = unit;
      } else if (unit === 0x5c || unit === 0x22) {
        buffer[at++] = 0x5c;
        buffer[at++] = unit;
      } else if (unit === 0x0a) {
        buffer[at++] = 0x5c;
        buffer[at++] = 0x6e;
      } else buffer[at++] = unit;
    }
    this.at = at;
    return true;
  }

  /** Where the next byte goes: with copySince, what a label block wrote, to write again for another family. */
  mark(): number {
    return this.at;
  }

  /** A copy of the bytes written since `mark` (ASCII ones only: writeBytes does not track non-ASCII). */
  copySince(mark: number): Uint8Array {
    return this.buffer.slice(mark, this.at);
  }

  /** The rest of a value from its first non-ASCII unit: escaped, then encoded by Buffer (lone surrogates → U+FFFD). */
  protected writeUtf8(value: string, from: number): void {
    const rest = value.slice(from);
    const escaped = rest.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    this.at += this.reader.write(escaped, this.at, 'utf8');
    this.ascii = false;
  }

  /** Text the caller knows to be ASCII (a line's constant pieces, a formatted number). Reserve its length. */
  writeAscii(text: string): void {
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.at = at;
  }

  /** A sample value as formatSampleValue spells it; integers as digits without a string. Reserve 32. */
  writeSampleValue(value: number): void {
    if (!Number.isInteger(value) || value > MAX_DIGITS_INTEGER || value < -MAX_DIGITS_INTEGER) {
      this.writeAscii(formatSampleValue(value));
      return;
    }
    const buffer = this.buffer;
    let at = this.at;
    let rest = value;
    if (rest < 0) {
      buffer[at++] = 0x2d;
      rest = -rest;
    }
    // -0 is an integer too: it prints as "0", as String(-0) does. Powers of ten are exact doubles up to 1e22.
    let digits = 1;
    for (let bound = 10; bound <= rest; bound *= 10) digits++;
    let end = at + digits;
    this.at = end;
    // Above 2^31 a digit costs a float division; below it, an int32 one (which the compiler makes a multiply).
    while (rest > 0x7fffffff) {
      const next = Math.floor(rest / 10);
      buffer[--end] = 0x30 + (rest - next * 10);
      rest = next;
    }
    let small = rest | 0;
    while (small >= 10) {
      const next = (small / 10) | 0;
      buffer[--end] = 0x30 + (small - next * 10);
      small = next;
    }
    buffer[end - 1] = 0x30 + small;
  }

  writeNewline(): void {
    this.buffer[this.at++] = 0x0a;
  }

  /** The end of a series line: the value, the timestamp when there is one, the newline. Reserve LINE_SLACK_BYTES. */
  writeSampleEnd(value: number, timestampMs: number | undefined, openMetrics: boolean): void {
    this.writeSampleValue(value);
    if (timestampMs !== undefined) {
      this.writeAscii(' ');
      this.writeAscii(formatTimestamp(timestampMs, openMetrics));
    }
    this.writeNewline();
  }

  /** Text as it is (any characters), as UTF-8: Buffer's encoding, lone surrogates → U+FFFD. */
  writeText(text: string): void {
    this.reserve(text.length * 3);
    this.at += this.reader.write(text, this.at, 'utf8');
    this.ascii = false;
  }

  /** Copies bytes written earlier (`from` to `to`, both below length) to the end: a label block written again. */
  writeAgain(from: number, to: number): void {
    this.buffer.copyWithin(this.at, from, to);
    this.at += to - from;
  }
}

/**
 * Appends series lines to text. One per thread, reused from family to family: `begin` starts a family's text,
 * `end` returns it. A piece that is all ASCII (the common case) is read back as Latin-1, a plain copy.
 */
export class SeriesTextWriter extends SeriesByteWriter {
  #text = '';

  begin(): void {
    this.at = 0;
    this.ascii = true;
    this.#text = '';
  }

  /** After each line: a full piece is read back into the text. */
  endLine(): void {
    if (this.at >= PIECE_BYTES) this.#flush();
  }

  /** The family's text. */
  end(): string {
    if (this.at > 0) this.#flush();
    const text = this.#text;
    this.#text = '';
    this.shrink();
    return text;
  }

  #flush(): void {
    this.#text += this.reader.toString(this.ascii ? 'latin1' : 'utf8', 0, this.at);
    this.at = 0;
    this.ascii = true;
  }
}

/** `text` as bytes, one per UTF-16 unit: for ASCII text only (the caller checks). */
export function encodeAscii(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

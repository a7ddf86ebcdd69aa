// Reading back the archive's gzip members (group-archive.ts): a member's plain size, a member inflated into a buffer of
// its own, and an inflater that reads member after member into one buffer it reuses (plain /metrics answers).
import { constants, createGunzip, type Gunzip, gunzipSync, type ZlibReset } from 'node:zlib';
import { answerScratch } from './answer-scratch.js';
import { type NativeGzip, nativeGzip } from '../exposition/gzip-codec.js';

/** The plain size a gzip member holds (its trailer's ISIZE; members here are far below 4 GiB). */
export function plainSize(member: Uint8Array): number {
  const end = member.byteLength;
  // ISIZE, little-endian, in the trailer's last four bytes.
  return (
    (member[end - 1] as number) * 2 ** 24 +
    (member[end - 2] as number) * 65536 +
    (member[end - 3] as number) * 256 +
    (member[end - 4] as number)
  );
}

/**
 * A member's text, in one buffer of its own: for a reader that holds several members' texts at once (restoring an
 * archived group). Measured (bench:fleet 10,000 × 10, two alternated pairs, bench/README.md): this beat inflating with
 * fflate into one reused buffer (CPU 16.1–17.1 against 18.2–19.1 % of 2 cores); fflate inflates at about half zlib's
 * speed. libdeflate, where built, inflates at about zlib's cost (bench/README.md, "Gzip members through libdeflate").
 */
export function inflateMember(member: Buffer, codec: NativeGzip | undefined = nativeGzip): Buffer {
  if (codec !== undefined) {
    const size = plainSize(member);
    const output = Buffer.allocUnsafe(size);
    // Anything but the whole member in exactly its size goes to zlib, which throws with its own reason.
    if (codec.decompress(member, output) === size) return output;
  }
  // One output chunk of the whole size (+1 so zlib never finds its output full): no chunks joined afterwards.
  return gunzipSync(member, { chunkSize: Math.max(64, plainSize(member) + 1) });
}

/** What MemberInflater uses of a zlib stream beyond its public API (see there). */
interface ZlibInternals {
  readonly _handle?: { writeSync?: unknown } | null;
  /** [output bytes left, input bytes left] after a writeSync. */
  readonly _writeState?: unknown;
}

/** A Gunzip stream and the two of its internals MemberInflater drives, checked once when it is made. */
interface InflateStream {
  /** Node's Gunzip has reset() (every zlib stream has); its type leaves it out. */
  readonly gunzip: Gunzip & ZlibReset;
  /** `_handle.writeSync`, bound: (flush, input, inputOffset, inputLength, output, outputOffset, outputLength). */
  readonly writeSync: (
    flush: number,
    input: Uint8Array,
    inputOffset: number,
    inputLength: number,
    output: Uint8Array,
    outputOffset: number,
    outputLength: number,
  ) => void;
  readonly state: Uint32Array;
}

/** A member this large or larger gets a buffer of its own rather than grow the reused one for good. */
const MAX_REUSED_BYTES = 8 * 1024 * 1024;

const ignoreError = (): void => {};

/**
 * Inflates members one after the other into one buffer, through libdeflate (gzip-codec.ts) where the addon is built,
 * else through one zlib inflater reset between members: what
 * `inflate` returns is a view valid until its next call. For a reader that uses each member's text before it asks for
 * the next (a plain /metrics answer copies it into its write buffers).
 *
 * Why not `inflateMember`: a plain answer at 10,000 targets inflates ~500 members, 79 MB, each into a fresh buffer
 * through a fresh zlib stream: on a 260 KB member, 2.2–3.4× the time of inflating into a reused buffer (fresh memory
 * is paged in), and the 79 MB of external memory per answer brought V8's full collections sooner (the sixteenth stop on
 * issue 15 counted 10 against 6 in a 90 s window with and without plain pulls). Measured with this (bench:fleet 10,000 ×
 * 10, three alternated pairs, bench/README.md, seventeenth stop): CPU −0.8 points, max RSS −18 MB, plain p99 −330 ms.
 *
 * Node has no public call that inflates into a given buffer, so without libdeflate this drives the zlib stream's own
 * handle the way
 * `zlib.gunzipSync` does (`_handle.writeSync`, `_writeState`), unchanged from Node 12 to 24. Where a Node lacks them,
 * every member goes through `inflateMember` (a test on the running Node checks that the reused buffer is used).
 */
export class MemberInflater {
  /** libdeflate (gzip-codec.ts) where the addon is built: it inflates into a given buffer, no zlib internals needed. */
  readonly #codec: NativeGzip | undefined;
  #stream: InflateStream | undefined;
  /** This Node's zlib stream lacks the internals: every member goes through inflateMember. */
  #unsupported = false;
  #output: Buffer | undefined;

  constructor(codec: NativeGzip | undefined = nativeGzip) {
    this.#codec = codec;
  }

  /** The member's text: a view of the reused buffer (valid until the next call), or a buffer of its own. */
  inflate(member: Buffer): Uint8Array {
    const size = plainSize(member);
    const codec = this.#codec;
    if (size >= MAX_REUSED_BYTES) return inflateMember(member, codec);
    const output = this.#outputFor(size);
    if (codec !== undefined) {
      // A member libdeflate refuses goes to zlib, which throws with its own reason.
      return codec.decompress(member, output) === size ? output.subarray(0, size) : inflateMember(member, undefined);
    }
    const stream = this.#unsupported ? undefined : (this.#stream ?? this.#start());
    if (stream === undefined) return inflateMember(member, undefined);
    stream.gunzip.reset();
    stream.writeSync(constants.Z_FINISH, member, 0, member.byteLength, output, 0, output.byteLength);
    const [outputLeft, inputLeft] = stream.state;
    if (stream.gunzip.destroyed || inputLeft !== 0 || output.byteLength - (outputLeft as number) !== size) {
      // Not what a member of ours gives (zlib destroys the stream on a corrupt one): a fresh stream next time, and
      // zlib's own path for this one, which throws with zlib's reason.
      this.#drop();
      return inflateMember(member, undefined);
    }
    return output.subarray(0, size);
  }

  /** The reused buffer, grown to hold `size` bytes and one more. */
  #outputFor(size: number): Buffer {
    let output = this.#output;
    if (output === undefined || output.byteLength <= size) {
      if (output !== undefined) answerScratch.give(output);
      // +1: a member whose text fills the buffer exactly would look to zlib like one cut short.
      output = answerScratch.take(size + 1);
      this.#output = output;
    }
    return output;
  }

  /** Frees the zlib stream and gives the buffer back (the last view returned is no longer valid). */
  close(): void {
    this.#drop();
    if (this.#output !== undefined) answerScratch.give(this.#output);
    this.#output = undefined;
  }

  #start(): InflateStream | undefined {
    const gunzip = createGunzip() as Gunzip & ZlibReset;
    // zlib reports a corrupt member by destroying the stream with an 'error' event: inflate sees `destroyed`.
    gunzip.on('error', ignoreError);
    const { _handle: handle, _writeState: state } = gunzip as unknown as ZlibInternals;
    if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array)) {
      this.#unsupported = true;
      gunzip.close();
      return undefined;
    }
    this.#stream = { gunzip, writeSync: handle.writeSync.bind(handle) as InflateStream['writeSync'], state };
    return this.#stream;
  }

  #drop(): void {
    this.#stream?.gunzip.close();
    this.#stream = undefined;
  }
}

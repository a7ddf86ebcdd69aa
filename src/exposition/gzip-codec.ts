// Gzip members for fleet /metrics: libdeflate through the native addon (native/gzip_member.cc) where it is built, else
// Node's zlib. Either way a member is one ordinary gzip member (RFC 1952): members made by one inflate with the other.
// Measured (npm run bench:gzip-codec, bench/README.md, "Gzip members through libdeflate"): libdeflate compresses
// exposition text at level 1 for 0.63–0.71× the CPU of Node's zlib, 2–3 % smaller; inflating costs about the same.
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { loadNativeAddon } from '../native-addon.js';

export interface NativeGzip {
  /** One gzip member of `input` at `level` (1–12), compressed on libuv's thread pool. */
  compress(input: Uint8Array, level: number): Promise<Buffer>;
  /** The member's plain length written into `output`; -1 when it is not one whole valid member that fits. */
  decompress(member: Uint8Array, output: Uint8Array): number;
}

/** Which codec makes and reads the members: `libdeflate` (the addon loaded) or `zlib`. */
export type GzipCodecKind = 'libdeflate' | 'zlib';

const loaded = loadNativeAddon<NativeGzip>('gzip_member');

/** The loaded addon, for tests and benches; undefined where it is not built. */
export const nativeGzip: NativeGzip | undefined = loaded.addon;
export const gzipCodecKind: GzipCodecKind = loaded.addon === undefined ? 'zlib' : 'libdeflate';
/** Why libdeflate is not used (for the startup log), when it is not. */
export const gzipCodecError: string | undefined = loaded.error;

/** Level 1: members are recompressed every interval; higher levels cost more CPU for a few percent of bytes. */
export const EXPOSITION_GZIP_LEVEL = constants.Z_BEST_SPEED;

/** zlib's default output chunk, the least zlibMember asks for. */
const MIN_OUTPUT_CHUNK_BYTES = 16 * 1024;

const gzipAsync = promisify(gzip);

/**
 * One gzip member of `bytes` through zlib, its output in one chunk: zlib's default 16 KiB chunks made a ~1 MB piece of
 * exposition text (~80 KB of gzip at level 1, ~12×) go to the thread pool and back to this thread ~5 times, each
 * return waiting for a loop turn between scrapes: a gzip answer's own compressions took 10–66 ms of its 30–135 ms.
 * With one trip (bench:fleet 10,000 × 10, three alternated pairs, bench/README.md, seventeenth stop on issue 15): gzip
 * p99 168 → 138 ms in the means. An eighth of the input is room for what level 1 makes of exposition text; anything
 * larger still comes out whole, in more trips.
 */
export function zlibMember(bytes: Uint8Array): Promise<Buffer> {
  const chunkSize = Math.max(MIN_OUTPUT_CHUNK_BYTES, Math.ceil(bytes.byteLength / 8) + 4096);
  // zlib's gzip() joins its output into a buffer of the member's own size: the larger chunk is not kept with it.
  return gzipAsync(bytes, { level: EXPOSITION_GZIP_LEVEL, chunkSize });
}

/** zlib's default level (Z_DEFAULT_COMPRESSION is 6): answers compressed whole (/probe, the self metrics). */
export const ANSWER_GZIP_LEVEL = 6;

/**
 * A whole answer as one gzip member at ANSWER_GZIP_LEVEL, compressed off this thread: libdeflate where built
 * (less CPU than zlib, bench/README.md), else zlib.gzip().
 */
export const gzipAnswer: (bytes: Uint8Array) => Promise<Buffer> =
  nativeGzip === undefined ? (bytes) => gzipAsync(bytes) : (bytes) => nativeGzip.compress(bytes, ANSWER_GZIP_LEVEL);

/**
 * One gzip member of `bytes` at EXPOSITION_GZIP_LEVEL, compressed off this thread (libuv's pool, as zlib.gzip()
 * does). The caller leaves `bytes` unchanged until the promise settles.
 */
export const compressMember: (bytes: Uint8Array) => Promise<Buffer> =
  nativeGzip === undefined ? zlibMember : (bytes) => nativeGzip.compress(bytes, EXPOSITION_GZIP_LEVEL);

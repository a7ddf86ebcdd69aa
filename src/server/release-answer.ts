// Gives a large /probe answer's memory back as soon as it is written, instead of when the main thread next collects.
import type { ServerResponse } from 'node:http';
import { freeArrayBuffers } from '../fetch/free-buffers.js';

/** Answers from this many bytes up are released once written (issue 17's 200,000-series answer is 7.5 MB). */
export const RELEASE_ANSWER_MIN_BYTES = 4 * 1024 * 1024;

/**
 * Once `response` has handed every byte to the OS ('finish'), frees the answer's buffer (detached into a message that
 * is dropped at once: freeArrayBuffers), without waiting for the main thread's next collection, which is rare on a
 * main thread that allocates little. Measured (bench:large-body, 7.5 MB probes back to back): the workers' malloc
 * arenas, where answers are allocated, held up to 34-53 MB of answers not yet freed after five probes when nothing
 * released them, 11-17 MB when they waited for a young-generation collection, 16-32 MB now with the socket reads
 * freed too (bench/README.md, issue 17). Only for a buffer the answer owns alone (a /probe answer is one worker
 * reply): fleet mode keeps its answers in the store and never calls this.
 */
export function releaseWhenWritten(response: ServerResponse, bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < RELEASE_ANSWER_MIN_BYTES) return;
  response.once('finish', () => {
    if (buffer.byteLength > 0) freeArrayBuffers([buffer]);
  });
}

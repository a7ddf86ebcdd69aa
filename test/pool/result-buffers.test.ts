// Buffers of single inline results that the fleet store copies: handed out at 16 KiB and more, taken back only when
// this handed them out, and reused for a later result of about the same size (hot-path-batch.test.ts: with the store).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RECYCLE_MIN_BYTES, ResultBuffers } from '../../src/pool/result-buffers.js';

describe('ResultBuffers', () => {
  test('nothing below RECYCLE_MIN_BYTES; above it a buffer with little spare room', () => {
    const buffers = new ResultBuffers();
    assert.equal(buffers.take(RECYCLE_MIN_BYTES - 1), undefined);
    const buffer = buffers.take(20_000);
    assert.ok(buffer !== undefined && buffer.byteLength >= 20_000 && buffer.byteLength <= 20_000 * 1.2);
  });

  test('a buffer given back is handed out again for a result of about its size; foreign buffers are ignored', () => {
    const buffers = new ResultBuffers();
    const buffer = buffers.take(20_000) as Uint8Array;
    buffers.give(new Uint8Array(20_000).buffer);
    assert.equal(buffers.size, 0, 'a buffer it did not hand out');
    buffers.give(buffer.buffer);
    buffers.give(buffer.buffer);
    assert.equal(buffers.size, 1, 'given back twice, kept once');
    assert.notEqual(buffers.take(40_000)?.buffer, buffer.buffer, 'too small for this result');
    assert.notEqual(buffers.take(16_384)?.buffer, buffer.buffer, 'too much spare room for this one');
    assert.equal(buffers.take(20_100)?.buffer, buffer.buffer);
    assert.equal(buffers.size, 0);
  });

  test('keeps at most 64 buffers', () => {
    const buffers = new ResultBuffers();
    const taken = Array.from({ length: 70 }, () => buffers.take(20_000) as Uint8Array);
    for (const buffer of taken) buffers.give(buffer.buffer);
    assert.equal(buffers.size, 64);
  });
});

// Buffers of single inline results: handed out at any size, taken back only when this handed them out, and reused for
// a later result of about the same size (hot-path-batch.test.ts and group-archive.test.ts: with the store).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResultBuffers } from '../../src/pool/result-buffers.js';

describe('ResultBuffers', () => {
  test('a view of exactly the size asked, of a buffer with little spare room, at any size', () => {
    const buffers = new ResultBuffers();
    for (const size of [100, 8_000, 20_000]) {
      const view = buffers.take(size);
      assert.equal(view.byteLength, size);
      assert.equal(view.byteOffset, 0);
      const memory = view.buffer.byteLength;
      assert.ok(memory >= size && memory <= Math.max(size * 1.2, 1024), `${size}`);
    }
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
    const again = buffers.take(20_100);
    assert.equal(again.buffer, buffer.buffer);
    assert.equal(again.byteLength, 20_100, 'cut to the size asked');
    assert.equal(buffers.size, 0);
  });

  test('keeps at most 12 MiB, the oldest given back dropped first', () => {
    const buffers = new ResultBuffers();
    const taken = Array.from({ length: 700 }, () => buffers.take(20_000));
    for (const buffer of taken) buffers.give(buffer.buffer);
    assert.ok(buffers.keptBytes <= 12 * 1024 * 1024 && buffers.keptBytes > 12 * 1024 * 1024 - 22 * 1024);
    assert.equal(buffers.size, Math.floor((12 * 1024 * 1024) / (taken[0] as Uint8Array).buffer.byteLength));
    // The newest are kept: the last one given back is handed out again.
    assert.equal(buffers.take(20_000).buffer, (taken.at(-1) as Uint8Array).buffer);
  });

  test('a buffer handed out again, or dropped for room, is kept when given back once more', () => {
    const buffers = new ResultBuffers();
    const first = buffers.take(20_000);
    buffers.give(first.buffer);
    const again = buffers.take(20_000);
    assert.equal(again.buffer, first.buffer, 'the kept buffer is handed out');
    buffers.give(again.buffer);
    assert.equal(buffers.size, 1, 'taken out, then given back: kept again');
    // Fill past 12 MiB so `first` is dropped, then give it back: it is kept, not mistaken for one still held.
    const others = Array.from({ length: 700 }, () => buffers.take(20_000));
    for (const buffer of others) buffers.give(buffer.buffer);
    assert.notEqual(buffers.take(20_000).buffer, first.buffer);
    const before = buffers.size;
    buffers.give(first.buffer);
    assert.equal(buffers.size, before + 1);
    assert.equal(buffers.take(20_000).buffer, first.buffer, 'the newest given back is handed out first');
  });

  test('sizes new buffers to its rounding and keeps no more than its bound', () => {
    const buffers = new ResultBuffers({ maxKeptBytes: 2_000, roundTo: 64 });
    const small = buffers.take(600);
    // 1.1× the request, up to a multiple of 64: room for a few more digits next time.
    assert.equal(small.buffer.byteLength, 704);
    buffers.give(small.buffer);
    assert.equal(buffers.take(650).buffer, small.buffer);
    const three = [buffers.take(600), buffers.take(600), buffers.take(600)];
    for (const buffer of three) buffers.give(buffer.buffer);
    // Two of 704 bytes fit a bound of 2,000.
    assert.equal(buffers.keptBytes, 1_408);
    assert.equal(buffers.size, 2);
  });
});

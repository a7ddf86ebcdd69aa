// The buffers /metrics answers borrow: memory given back is handed out again, never twice at once, within the bound.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScratchBuffers } from '../../src/fleet/answer-scratch.js';

describe('ScratchBuffers', () => {
  test('hands out at least the size asked for, in power-of-two classes from 64 KiB', () => {
    const scratch = new ScratchBuffers(16 * 1024 * 1024);
    assert.equal(scratch.take(1).byteLength, 64 * 1024);
    assert.equal(scratch.take(64 * 1024).byteLength, 64 * 1024);
    assert.equal(scratch.take(64 * 1024 + 1).byteLength, 128 * 1024);
    assert.equal(scratch.take(1_000_000).byteLength, 1024 * 1024);
  });

  test('memory given back, whole or through a view, is handed out again for its class', () => {
    const scratch = new ScratchBuffers(16 * 1024 * 1024);
    const first = scratch.take(200_000);
    scratch.give(first.subarray(10, 20));
    assert.equal(scratch.freeBytes, 256 * 1024);
    const again = scratch.take(150_000);
    assert.equal(again.buffer, first.buffer);
    assert.equal(again.byteOffset, 0);
    assert.equal(again.byteLength, 256 * 1024);
    assert.equal(scratch.freeBytes, 0);
    // Another class gets other memory.
    scratch.give(again);
    assert.notEqual(scratch.take(10).buffer, first.buffer);
  });

  test('memory given twice is kept once: two takes never share it', () => {
    const scratch = new ScratchBuffers(16 * 1024 * 1024);
    const buffer = scratch.take(100);
    scratch.give(buffer);
    scratch.give(buffer);
    assert.equal(scratch.freeBytes, 64 * 1024);
    const a = scratch.take(100);
    const b = scratch.take(100);
    assert.notEqual(a.buffer, b.buffer);
  });

  test('memory it did not hand out is left alone', () => {
    const scratch = new ScratchBuffers(16 * 1024 * 1024);
    const foreign = Buffer.allocUnsafeSlow(64 * 1024);
    scratch.give(foreign);
    assert.equal(scratch.freeBytes, 0);
    assert.notEqual(scratch.take(100).buffer, foreign.buffer);
  });

  test('keeps no more than its bound, and nothing above 8 MiB', () => {
    const scratch = new ScratchBuffers(1024 * 1024);
    const taken = Array.from({ length: 6 }, () => scratch.take(300 * 1024));
    for (const buffer of taken) scratch.give(buffer);
    assert.equal(scratch.freeBytes, 1024 * 1024, 'two of 512 KiB fit a 1 MiB bound');
    const large = new ScratchBuffers(64 * 1024 * 1024);
    const huge = large.take(8 * 1024 * 1024 + 1);
    assert.equal(huge.byteLength, 8 * 1024 * 1024 + 1, 'of its own size, not rounded up');
    large.give(huge);
    assert.equal(large.freeBytes, 0);
  });
});

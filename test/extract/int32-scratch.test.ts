// Reused Int32Arrays: a taken array is filled as asked, never handed out twice, and big ones are not kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { giveBackInt32, takeInt32 } from '../../src/extract/int32-scratch.js';

describe('Int32 scratch arrays', () => {
  test('an array given back is taken again for a length it holds, with its first entries filled', () => {
    const first = takeInt32(300, -1);
    assert.ok(first.length >= 300);
    assert.ok(first.subarray(0, 300).every((entry) => entry === -1));
    first.fill(42);
    giveBackInt32(first);
    const again = takeInt32(200, 0);
    assert.equal(again, first);
    assert.ok(again.subarray(0, 200).every((entry) => entry === 0));
    giveBackInt32(again);
  });

  test('an array is not handed out twice while taken', () => {
    const a = takeInt32(16, 0);
    giveBackInt32(a);
    const b = takeInt32(16, 0);
    const c = takeInt32(16, 0);
    assert.notEqual(b, c);
    giveBackInt32(b);
    giveBackInt32(c);
  });

  test('a longer request than any kept array gets a fresh one; arrays past 64 Ki entries are not kept', () => {
    const big = takeInt32(100_000, 7);
    assert.equal(big.length, 100_000);
    assert.ok(big.every((entry) => entry === 7));
    giveBackInt32(big);
    const next = takeInt32(100_000);
    assert.notEqual(next, big);
  });
});

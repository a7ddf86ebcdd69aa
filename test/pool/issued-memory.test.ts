// The buffer pools' bookkeeping: only memory a pool handed out comes back, and each time it is handed out, once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IssuedMemory } from '../../src/pool/issued-memory.js';

describe('IssuedMemory', () => {
  test('memory it never handed out is refused', () => {
    const issued = new IssuedMemory();
    assert.equal(issued.takeBack(new ArrayBuffer(8)), false);
  });

  test('memory handed out comes back once; handed out again, once more', () => {
    const issued = new IssuedMemory();
    const memory = new ArrayBuffer(8);
    issued.handOut(memory);
    assert.equal(issued.takeBack(memory), true);
    assert.equal(issued.takeBack(memory), false, 'given back twice');
    issued.handOut(memory);
    assert.equal(issued.takeBack(memory), true);
  });

  test('each pool its own: memory one handed out is foreign to another', () => {
    const one = new IssuedMemory();
    const other = new IssuedMemory();
    const memory = new ArrayBuffer(8);
    one.handOut(memory);
    assert.equal(other.takeBack(memory), false);
    assert.equal(one.takeBack(memory), true);
  });
});

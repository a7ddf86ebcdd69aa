// freeArrayBuffers: the buffers are detached at once and their memory is freed without a garbage collection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freeArrayBuffers } from '../../src/fetch/free-buffers.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('buffers are detached at once, and their memory is freed within a few event-loop turns', async () => {
  const size = 16 * 1024 * 1024;
  const buffers = [new ArrayBuffer(size), new ArrayBuffer(1024)];
  new Uint8Array(buffers[0] as ArrayBuffer).fill(1);
  const before = process.memoryUsage().arrayBuffers;
  freeArrayBuffers(buffers);
  assert.deepEqual(
    buffers.map((buffer) => buffer.byteLength),
    [0, 0],
  );
  // The buffers stay referenced here, so no collection can be what frees them.
  let freed = 0;
  for (let i = 0; i < 50 && freed < size; i++) {
    await turn();
    freed = before - process.memoryUsage().arrayBuffers;
  }
  assert.ok(freed >= size, `only ${freed} bytes freed`);
});

test('an empty list is a no-op', () => {
  assert.doesNotThrow(() => freeArrayBuffers([]));
});

// collectGarbage: a full collection on demand without the process running under --expose-gc.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { collectGarbage } from '../../src/pool/collect-garbage.js';

test('collectGarbage frees unreachable objects and leaves no global gc behind', () => {
  collectGarbage();
  const before = getHeapStatistics().used_heap_size;
  // ~32 MB of strings, unreachable as soon as the function returns.
  const make = (): number => {
    const garbage: string[] = [];
    for (let i = 0; i < 400_000; i++) garbage.push(`garbage-${i}-`.repeat(4));
    return garbage.length;
  };
  assert.equal(make(), 400_000);
  const grown = getHeapStatistics().used_heap_size;
  assert.ok(grown - before > 16 * 1024 * 1024, `the garbage should take heap (${grown - before} bytes)`);
  collectGarbage();
  const after = getHeapStatistics().used_heap_size;
  assert.ok(after - before < 4 * 1024 * 1024, `after the collection ${after - before} bytes were still used`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

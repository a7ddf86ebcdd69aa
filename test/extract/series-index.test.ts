// Duplicate-series detection over one element selection: first element wins, values compared whole, Map fallback.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeriesIndex } from '../../src/extract/series-index.js';

/** Element e's label values, with every `every`-th element repeating an earlier one. */
function valuesOf(e: number, every: number): string[] {
  const n = e % every === every - 1 ? e - 1 : e;
  return [`host-${n % 97}`, `stream-${n}`];
}

describe('SeriesIndex', () => {
  test('each new set of label values is its own first; a repeat gets the first element that had it', () => {
    const index = new SeriesIndex(6);
    assert.equal(index.firstOrAdd(['a', 'b'], 0), 0);
    assert.equal(index.firstOrAdd(['a', 'c'], 1), 1);
    assert.equal(index.firstOrAdd(['a', 'b'], 2), 0);
    assert.equal(index.firstOrAdd(['a', 'c'], 3), 1);
    assert.equal(index.firstOrAdd(['a', 'b'], 4), 0);
    assert.equal(index.usesMap, false);
  });

  test('values are compared one by one: a different split of the same characters is a different series', () => {
    const index = new SeriesIndex(4);
    assert.equal(index.firstOrAdd(['ab', 'c'], 0), 0);
    assert.equal(index.firstOrAdd(['a', 'bc'], 1), 1);
    assert.equal(index.firstOrAdd(['abc'], 2), 2);
    assert.equal(index.firstOrAdd([], 3), 3);
    assert.equal(index.firstOrAdd(['a', 'bc'], 3), 1);
  });

  for (const maxProbes of [128, 1]) {
    test(`10,000 elements, every 7th a repeat, give what a Map gives (maxProbes ${maxProbes})`, () => {
      const count = 10_000;
      const index = new SeriesIndex(count, maxProbes);
      const reference = new Map<string, number>();
      for (let e = 0; e < count; e++) {
        const values = valuesOf(e, 7);
        const key = values.join('\u0000');
        const expected = reference.get(key) ?? e;
        if (!reference.has(key)) reference.set(key, e);
        assert.equal(index.firstOrAdd(values, e), expected, `element ${e}`);
      }
      // With one probe allowed, the first collision moves the table to a Map; the answers above did not change.
      assert.equal(index.usesMap, maxProbes === 1);
    });
  }

  test('an index made after another was released starts empty (its tables are reused)', () => {
    const earlier = new SeriesIndex(100);
    for (let e = 0; e < 100; e++) earlier.firstOrAdd([`a${e}`], e);
    earlier.release();
    const index = new SeriesIndex(100);
    for (let e = 0; e < 100; e++) assert.equal(index.firstOrAdd([`a${e}`], e), e, `element ${e}`);
    assert.equal(index.firstOrAdd(['a5'], 100), 5);
    index.release();
  });
});

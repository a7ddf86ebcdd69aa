// hashmod as Prometheus computes it, and shards that partition a fleet with no overlap and no gap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashmod, ownsTarget } from '../../src/discovery/shard.js';

test('hashmod gives the values of Prometheus’s own relabel tests (model/relabel/relabel_test.go)', () => {
  assert.equal(hashmod('baz', 1000), 976);
  assert.equal(hashmod('foo\nbar', 1000), 734);
});

test('hashmod of target URLs matches an independent md5 → last 8 bytes big-endian → mod computation', () => {
  // Computed with Python: int.from_bytes(hashlib.md5(s.encode()).digest()[8:], 'big') % n
  assert.equal(hashmod('http://127.0.0.1:1985/api/v1/streams/', 3), 1);
  assert.equal(hashmod('http://10.0.0.7:1985/api/v1/streams/?count=1000', 3), 1);
  assert.equal(hashmod('10.132.183.40:80', 3), 1);
  assert.equal(hashmod('http://srs-edge-0.srs:1985/api/v1/streams/', 7), 2);
});

test('hashmod uses all 64 bits: a value above 2^53 is reduced exactly', () => {
  // md5("baz")'s last 8 bytes are 0xe44cf984c85f6e88 > 2^53: through a double the result would be 284779277, not Python's 284778901.
  assert.equal(hashmod('baz', 2 ** 31 - 1), 284_778_901);
});

test('3 shards cover 1,000 URLs exactly once', () => {
  const counts = [0, 0, 0];
  for (let i = 0; i < 1000; i++) {
    const url = `http://10.0.${i >> 8}.${i & 255}:1985/api/v1/streams/`;
    const owners = [0, 1, 2].filter((index) => ownsTarget({ total: 3, index }, url));
    assert.equal(owners.length, 1, `${url} is owned by shards ${owners.join(',')}`);
    counts[owners[0] as number] = (counts[owners[0] as number] ?? 0) + 1;
  }
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    1000,
  );
  // Every shard gets a real share (md5 spreads well; a broken hash would pile them on one shard).
  for (const count of counts) assert.ok(count > 250, `shard sizes ${counts.join(', ')}`);
});

test('with one shard every target is owned', () => {
  assert.equal(ownsTarget({ total: 1, index: 0 }, 'http://a/'), true);
});

// Which shard a replica is: flags over config over the StatefulSet hostname, with clear errors when none fits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscoveryError } from '../../src/discovery/errors.js';
import { hostnameOrdinal, resolveShardAssignment } from '../../src/discovery/shard-assignment.js';

test('the hostname ordinal is the number after the last dash of the first label', () => {
  assert.equal(hostnameOrdinal('srs-exporter-2'), 2);
  assert.equal(hostnameOrdinal('srs-exporter-12.srs-exporter.monitoring.svc.cluster.local'), 12);
  assert.equal(hostnameOrdinal('srs-exporter'), undefined);
  assert.equal(hostnameOrdinal('srs-exporter-7f9c'), undefined);
});

test('one shard, nothing set: shard 0 whatever the hostname', () => {
  assert.deepStrictEqual(resolveShardAssignment({ config: {}, flags: {}, hostname: 'srs-exporter-5' }), {
    total: 1,
    index: 0,
  });
});

test('config total > 1 without an index takes the hostname ordinal', () => {
  assert.deepStrictEqual(resolveShardAssignment({ config: { total: 3 }, flags: {}, hostname: 'srs-exporter-2' }), {
    total: 3,
    index: 2,
  });
});

test('the config index beats the hostname; flags fill in what the config does not write', () => {
  assert.deepStrictEqual(
    resolveShardAssignment({ config: { total: 3, index: 1 }, flags: {}, hostname: 'srs-exporter-2' }),
    { total: 3, index: 1 },
  );
  assert.deepStrictEqual(resolveShardAssignment({ config: {}, flags: { total: 4, index: 3 }, hostname: 'x-2' }), {
    total: 4,
    index: 3,
  });
  assert.deepStrictEqual(resolveShardAssignment({ config: {}, flags: { total: 2 }, hostname: 'srs-exporter-1' }), {
    total: 2,
    index: 1,
  });
  assert.deepStrictEqual(resolveShardAssignment({ config: { total: 3 }, flags: { index: 2 }, hostname: 'x' }), {
    total: 3,
    index: 2,
  });
  // Saying the same thing twice is not a conflict.
  assert.deepStrictEqual(
    resolveShardAssignment({ config: { total: 3, index: 1 }, flags: { total: 3, index: 1 }, hostname: 'x' }),
    { total: 3, index: 1 },
  );
});

function assertShardError(settings: Parameters<typeof resolveShardAssignment>[0], code: string, message: string): void {
  assert.throws(
    () => resolveShardAssignment(settings),
    (err: unknown) => {
      assert.ok(err instanceof DiscoveryError);
      assert.equal(err.code, code);
      assert.equal(err.message, message);
      return true;
    },
  );
}

test('total > 1 with no index anywhere and a hostname without ordinal is FJE_SHARD_INDEX_UNKNOWN', () => {
  assertShardError(
    { config: { total: 3 }, flags: {}, hostname: 'laptop' },
    'FJE_SHARD_INDEX_UNKNOWN',
    'this replica\'s shard is unknown: fleet.shard.total is 3 but no index is set and the hostname "laptop" does not end in -<ordinal>; pass --shard.index, set fleet.shard.index, or run as a StatefulSet pod (srs-exporter-2 → shard 2)',
  );
});

test('an index not below the total is FJE_SHARD_INVALID, naming where each came from', () => {
  assertShardError(
    { config: { total: 3 }, flags: {}, hostname: 'srs-exporter-3' },
    'FJE_SHARD_INVALID',
    'shard index 3 (from the hostname "srs-exporter-3") is not below the shard total 3 (from fleet.shard.total); shards are numbered 0 to 2',
  );
  assertShardError(
    { config: { index: 3 }, flags: { total: 2, index: 3 }, hostname: 'x' },
    'FJE_SHARD_INVALID',
    'shard index 3 (from --shard.index) is not below the shard total 2 (from --shard.total); shards are numbered 0 to 1',
  );
});

test("the README's copied fleet.shard { total: 1, index: 0 } run with --shard.total=3 is FJE_SHARD_CONFLICT, not shard 0 everywhere", () => {
  assertShardError(
    { config: { total: 1, index: 0 }, flags: { total: 3 }, hostname: 'srs-exporter-2' },
    'FJE_SHARD_CONFLICT',
    '--shard.total=3 contradicts fleet.shard.total: 1 in the config; write the shard in one place: remove fleet.shard from the config, or drop the flag',
  );
});

test('a flag contradicting a written fleet.shard value, or a fixed index under --shard.total, is FJE_SHARD_CONFLICT', () => {
  assertShardError(
    { config: { total: 3, index: 1 }, flags: { index: 2 }, hostname: 'x' },
    'FJE_SHARD_CONFLICT',
    '--shard.index=2 contradicts fleet.shard.index: 1 in the config; write the shard in one place: remove fleet.shard from the config, or drop the flag',
  );
  assertShardError(
    { config: { index: 0 }, flags: { total: 3 }, hostname: 'srs-exporter-2' },
    'FJE_SHARD_CONFLICT',
    '--shard.total=3 with fleet.shard.index: 0 in the config would make every replica shard 0; remove fleet.shard.index (the hostname ordinal of a StatefulSet pod then decides) or pass --shard.index per replica',
  );
});

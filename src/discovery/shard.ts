// Sharding: which of N replicas owns a target, computed exactly as Prometheus's `hashmod` relabel action does.
import { createHash } from 'node:crypto';

export interface ShardAssignment {
  readonly total: number;
  /** 0 … total - 1. */
  readonly index: number;
}

/**
 * Prometheus `hashmod`: md5 of the text, its last 8 bytes read as a big-endian unsigned 64-bit integer,
 * modulo `modulus` (model/relabel/relabel.go). BigInt because the integer does not fit a double.
 */
export function hashmod(text: string, modulus: number): number {
  const digest = createHash('md5').update(text, 'utf8').digest();
  return Number(digest.readBigUInt64BE(8) % BigInt(modulus));
}

/** Whether the target scraped at `url` belongs to this shard. */
export function ownsTarget(shard: ShardAssignment, url: string): boolean {
  // With one shard every target is ours: skip the hash (the common, unsharded case).
  return shard.total === 1 || hashmod(url, shard.total) === shard.index;
}

// What the HTTP server needs of a running fleet mode: the store, the shard, discovery's sources, the self metrics.
import type { SourceStatus } from '../discovery/source.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import type { GzipExposition } from './gzip-exposition.js';
import type { TargetStore } from './store.js';

export interface FleetMetricsSource {
  readonly store: TargetStore;
  /** The fleet's gzip units, shared by every /metrics request; without it each gzip answer compresses everything. */
  readonly gzip?: GzipExposition;
  readonly metrics: SelfMetrics;
  /** Receives the number of fragments left out of this answer (family type conflicts). */
  readonly onConflicts?: (count: number) => void;
}

export interface FleetShard {
  readonly total: number;
  readonly index: number;
}

/** What the HTTP server needs of a running fleet mode. */
export interface FleetEndpoints extends FleetMetricsSource {
  readonly shard: FleetShard;
  /** Discovery's sources, for /targets. */
  readonly sources?: () => readonly SourceStatus[];
}

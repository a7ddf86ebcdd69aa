// Fleet mode's self-metrics (scheduler lag, skipped slots, targets, merge conflicts), in the exporter's registry.
import { Counter, Gauge, type Histogram, type Registry } from 'prom-client';
import { KeyedCounter, KeyedHistogram } from './keyed-metrics.js';

const PREFIX = 'fleet_json_exporter_fleet_';

export interface FleetMetrics {
  readonly scrapeLag: Histogram;
  readonly skippedScrapes: Counter<'job'>;
  readonly scrapes: Counter<'job' | 'result'>;
  readonly targets: Gauge<'job'>;
  readonly familyConflicts: Gauge;
  readonly labelCollisions: Gauge<'job'>;
  readonly gzipCompressedBytes: Counter<'path'>;
  readonly archivedGroups: Gauge;
  readonly archivedBytes: Gauge<'form'>;
}

/** Registered once per registry: fleet mode's reloads reuse the same objects (prom-client refuses duplicates). */
const created = new WeakMap<Registry, FleetMetrics>();

export function fleetMetrics(registry: Registry): FleetMetrics {
  const existing = created.get(registry);
  if (existing !== undefined) return existing;
  const registers = [registry];
  const metrics: FleetMetrics = {
    // Observed on every scrape: series by label value (keyed-metrics.ts).
    scrapeLag: new KeyedHistogram({
      name: PREFIX + 'scrape_lag_seconds',
      help: 'How late fleet scrapes start versus their scheduled slot (waiting for a concurrency slot included).',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    skippedScrapes: new Counter({
      name: PREFIX + 'scrapes_skipped_total',
      help: 'Scheduled scrapes skipped because the previous scrape of the same target was still running or waiting, by job.',
      labelNames: ['job'],
      registers,
    }),
    // Counted on every scrape: series by label value (keyed-metrics.ts).
    scrapes: new KeyedCounter({
      name: PREFIX + 'scrapes_total',
      help: 'Fleet scrapes, by job and result (success or failure).',
      labelNames: ['job', 'result'],
      registers,
    }),
    targets: new Gauge({
      name: PREFIX + 'targets',
      help: 'Targets this shard scrapes, by job.',
      labelNames: ['job'],
      registers,
    }),
    familyConflicts: new Gauge({
      name: PREFIX + 'family_conflicts',
      help: "Target fragments left out of the last /metrics: a family name seen with two types (the first target in id order wins), or named like one of the exporter's own families.",
      registers,
    }),
    labelCollisions: new Gauge({
      name: PREFIX + 'label_collisions',
      help: 'Targets of this shard whose labels another target of the job shared (same host:port), by job; their instance label is their URL instead.',
      labelNames: ['job'],
      registers,
    }),
    gzipCompressedBytes: new Counter({
      name: PREFIX + 'gzip_compressed_bytes_total',
      help: "Plain bytes of /metrics compressed into cached gzip units, by path: 'background' (a slot group that settled) or 'request' (a request found its unit out of date and compressed it itself; high means the background falls behind).",
      labelNames: ['path'],
      registers,
    }),
    archivedGroups: new Gauge({
      name: PREFIX + 'archived_groups',
      help: 'Slot groups whose series the store keeps compressed (settled since their last change), of all slot groups.',
      registers,
    }),
    archivedBytes: new Gauge({
      name: PREFIX + 'archived_bytes',
      help: "Series text of archived slot groups, by form: 'compressed' (what the store keeps) or 'plain' (what it stands for).",
      labelNames: ['form'],
      registers,
    }),
  };
  created.set(registry, metrics);
  return metrics;
}

// Self-metrics of the hot path: tasks by path and outcome, their duration, and the worker pool's queue and load.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const PREFIX = 'fleet_json_exporter_';

/** Where a body was handled: on the main thread or in a pool worker. */
export type HotPathRoute = 'inline' | 'pool';

/** What the pool gauges read at scrape time. */
export interface PoolGaugeSource {
  readonly threads: number;
  readonly queued: number;
  readonly inFlight: number;
  readonly utilization: number;
  readonly idleStops: number;
}

export interface HotPathMetrics {
  readonly tasks: Counter<'path' | 'outcome'>;
  readonly duration: Histogram<'path'>;
}

/**
 * Registers the hot-path metrics in `registry`. `pool` is read on each scrape of the exporter's own metrics;
 * undefined (workers 0) leaves the pool gauges at 0 threads.
 */
export function createHotPathMetrics(registry: Registry, pool: () => PoolGaugeSource | undefined): HotPathMetrics {
  const registers = [registry];
  const gauge = (name: string, help: string, read: (source: PoolGaugeSource) => number): void => {
    new Gauge({
      name: PREFIX + name,
      help,
      registers,
      collect() {
        const source = pool();
        this.set(source === undefined ? 0 : read(source));
      },
    });
  };
  gauge(
    'pool_threads',
    'Worker threads running in the hot-path pool (0: --workers=0, or stopped after --workers.idle-timeout without a body).',
    (s) => s.threads,
  );
  gauge(
    'pool_queue_depth',
    'Bodies waiting for a pool worker; at --workers.max-queue further bodies fail with reason pool_overloaded.',
    (s) => s.queued,
  );
  gauge('pool_in_flight', 'Bodies handed to the pool and not yet done (running or waiting).', (s) => s.inFlight);
  gauge(
    'pool_utilization',
    'Share of the pool threads’ time spent running tasks since they (last) started (Piscina utilization), 0 to 1.',
    (s) => s.utilization,
  );
  new Counter({
    name: PREFIX + 'pool_idle_stops_total',
    help: 'Times the pool’s workers were stopped after --workers.idle-timeout without a body (the next body starts them again).',
    registers,
    collect() {
      this.reset();
      this.inc(pool()?.idleStops ?? 0);
    },
  });
  return {
    tasks: new Counter({
      name: PREFIX + 'hot_path_tasks_total',
      help: 'Bodies parsed, extracted and rendered, by path (inline: main thread; pool: a worker) and outcome (ok, invalid_json, pool_overloaded, worker_error).',
      labelNames: ['path', 'outcome'],
      registers,
    }),
    duration: new Histogram({
      name: PREFIX + 'hot_path_duration_seconds',
      help: 'Time from handing a body to the hot path to its rendered families, queue wait included, by path.',
      labelNames: ['path'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
  };
}

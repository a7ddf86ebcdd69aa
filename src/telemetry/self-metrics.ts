// The exporter's own metrics (prom-client): probes, durations, errors by reason, config reloads, process.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, type Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { prunerKind } from '../extract/pruned-parse.js';
import { gzipCodecKind } from '../exposition/gzip-codec.js';
import { VERSION } from '../version.js';
import { KeyedCounter, KeyedHistogram } from './keyed-metrics.js';

const PREFIX = 'fleet_json_exporter_';
const EVENT_LOOP_RESOLUTION_MS = 2;

/** prom-client default metrics that are gauges named like counters; `sum(nodejs_active_handles)` etc. replace them. */
export const PROM_CLIENT_TOTAL_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

export interface SelfMetrics {
  readonly registry: Registry;
  /** Stops the event-loop delay sampling (a 2 ms timer): the exporter's stop calls it. */
  close(): void;
  readonly probes: Counter<'module' | 'result'>;
  readonly probeDuration: Histogram<'module'>;
  readonly targetErrors: Counter<'module' | 'reason'>;
  readonly extractProblems: Counter<'module' | 'reason'>;
  readonly samples: Counter<'module'>;
  readonly bodyTemplateErrors: Counter<'module'>;
  readonly configReloadSuccessful: Gauge;
  readonly configReloadSuccessTime: Gauge;
  readonly configGeneration: Gauge;
  readonly configReloads: Counter<'result'>;
  readonly authRefusals: Counter<'reason'>;
  readonly probesInFlight: Gauge;
  readonly probesQueued: Gauge;
}

/** A registry of its own per server instance, so tests and several servers in one process never collide. */
export function createSelfMetrics(): SelfMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names three gauges `…_total`, which `promtool check metrics` refuses (a `_total` that is not a
  // counter). Each is the sum of the by-type gauge beside it (nodejs_active_handles{type} …), so they go.
  for (const name of PROM_CLIENT_TOTAL_GAUGES) registry.removeSingleMetric(name);
  const registers = [registry];

  new Gauge({
    name: PREFIX + 'build_info',
    help: 'A metric with a constant 1 value labelled by version, the Node.js version it runs on, json_pruner (native when the native JSON pruner is loaded, none when bodies are parsed whole) and gzip (libdeflate or zlib: what makes and reads fleet /metrics gzip members).',
    labelNames: ['version', 'nodejs_version', 'json_pruner', 'gzip'],
    registers,
  }).set({ version: VERSION, nodejs_version: process.version, json_pruner: prunerKind, gzip: gzipCodecKind }, 1);

  // prom-client's nodejs_eventloop_lag_p99_seconds samples every 10 ms, so it never reads below 10 ms; fleet mode's
  // budget (p99 < 20 ms, issue 15) needs a finer one. Sampling every 2 ms costs ~500 timer wakeups a second.
  const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loopDelay.enable();
  new Gauge({
    name: PREFIX + 'event_loop_delay_p99_seconds',
    help: `99th percentile of the event loop's delay since the previous collection (perf_hooks monitorEventLoopDelay, sampled every ${EVENT_LOOP_RESOLUTION_MS} ms, the sampling period included).`,
    registers,
    collect() {
      // NaN before the first sample: nothing to say yet.
      this.set(loopDelay.count === 0 ? Number.NaN : loopDelay.percentile(99) / 1e9);
      loopDelay.reset();
    },
  });

  return {
    registry,
    close: () => loopDelay.disable(),
    // Counted on every scrape: series by label value (keyed-metrics.ts), as are probeDuration and samples.
    probes: new KeyedCounter({
      name: PREFIX + 'probes_total',
      help: 'Probes served, by module and result (success: samples were extracted; failure: the target gave none).',
      labelNames: ['module', 'result'],
      registers,
    }),
    // Observed on every scrape: series by label value (keyed-metrics.ts).
    probeDuration: new KeyedHistogram({
      name: PREFIX + 'probe_duration_seconds',
      help: 'Time to fetch, parse and extract one probe, by module.',
      labelNames: ['module'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    targetErrors: new Counter({
      name: PREFIX + 'target_errors_total',
      help: 'Probes whose target gave no samples, by module and reason (timeout, connection_refused, invalid_status, invalid_json, …).',
      labelNames: ['module', 'reason'],
      registers,
    }),
    extractProblems: new Counter({
      name: PREFIX + 'extract_problems_total',
      help: 'Values skipped or labels/timestamps that fell back during extraction, by module and reason (not_numeric, missing_key, duplicate_series, …).',
      labelNames: ['module', 'reason'],
      registers,
    }),
    samples: new KeyedCounter({
      name: PREFIX + 'samples_total',
      help: 'Samples extracted from targets, by module.',
      labelNames: ['module'],
      registers,
    }),
    bodyTemplateErrors: new Counter({
      name: PREFIX + 'body_template_errors_total',
      help: 'Templated request bodies that failed to render (the static content was sent instead), by module.',
      labelNames: ['module'],
      registers,
    }),
    configReloadSuccessful: new Gauge({
      name: PREFIX + 'config_last_reload_successful',
      help: 'Whether the last configuration load or reload succeeded (1) or failed and the previous config kept serving (0).',
      registers,
    }),
    configReloadSuccessTime: new Gauge({
      name: PREFIX + 'config_last_reload_success_timestamp_seconds',
      help: 'Time of the last successful configuration load, in seconds since the epoch.',
      registers,
    }),
    configGeneration: new Gauge({
      name: PREFIX + 'config_generation',
      help: 'Generation number of the configuration being served; each successful reload adds one.',
      registers,
    }),
    configReloads: new Counter({
      name: PREFIX + 'config_reloads_total',
      help: 'Configuration reload attempts, by result.',
      labelNames: ['result'],
      registers,
    }),
    authRefusals: new Counter({
      name: PREFIX + 'http_auth_refusals_total',
      help: 'Requests refused by basic auth, by reason (denied: 401; overloaded: 429, too many unverified credentials being checked).',
      labelNames: ['reason'],
      registers,
    }),
    probesInFlight: new Gauge({
      name: PREFIX + 'probes_in_flight',
      help: 'Probes fetching or processing their target now (at most --probe.max-concurrent).',
      registers,
    }),
    probesQueued: new Gauge({
      name: PREFIX + 'probes_queued',
      help: 'Probes waiting for a free slot (at most --probe.max-queue; more are answered 503, reason probe_overloaded).',
      registers,
    }),
  };
}

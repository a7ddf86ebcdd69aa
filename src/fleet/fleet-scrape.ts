// The scheduler's scrape function: one fleet target through probeTarget, rendered with its target labels.
import type { ScrapeTarget } from '../discovery/target.js';
import type { ExpositionFormat } from '../exposition/types.js';
import type { HotPath } from '../pool/hot-path.js';
import type { PreparedConfig } from '../scrape/prepared-config.js';
import { probeTarget } from '../scrape/probe-target.js';
import type { ScrapeFunction } from './scheduler.js';

export interface FleetScrapeOptions {
  /** The config generation to scrape with, read at each scrape: a reload applies from the next scrape on. */
  readonly prepared: () => PreparedConfig;
  readonly hotPath: HotPath;
  /** Used when the config has no fleet.max_body_bytes (--scrape.max-body-bytes). */
  readonly maxBodyBytes: number;
}

/** Both formats are kept: Prometheus asks for OpenMetrics first, other clients for text 0.0.4. */
const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];
/** Fleet scrapes carry no probe URL parameters: a templated body sees empty data. */
const NO_PARAMS: ReadonlyMap<string, readonly string[]> = new Map();

export function createFleetScrape(options: FleetScrapeOptions): ScrapeFunction {
  return async (target: ScrapeTarget, signal: AbortSignal) => {
    const prepared = options.prepared();
    const module = prepared.modules.get(target.module);
    if (module === undefined) {
      return {
        ok: false,
        reason: 'unknown_module',
        message: `module ${JSON.stringify(target.module)} of job ${target.job} is not in the config`,
      };
    }
    // The hot path renders target labels first and renames a clashing series label to exported_<name>.
    const outcome = await probeTarget({
      module,
      hotPath: options.hotPath,
      target: target.url,
      targetLabels: target.labels,
      formats: FORMATS,
      params: NO_PARAMS,
      timeoutMs: target.timeoutMs,
      maxBodyBytes: prepared.config.fleet?.maxBodyBytes ?? options.maxBodyBytes,
      signal,
    });
    if (!outcome.ok) return { ok: false, reason: outcome.reason, message: outcome.message };
    return outcome;
  };
}

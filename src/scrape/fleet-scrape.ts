// The scheduler's scrape function: one fleet target through probeTarget, rendered with its target labels.
import type { ScrapeTarget } from '../discovery/target.js';
import { resolveLabelClashes } from '../exposition/label-clash.js';
import { renderFamily } from '../exposition/render.js';
import type { ExpositionFormat, RenderedFamily } from '../exposition/types.js';
import { renderTargetLabels } from '../pool/hot-path.js';
import type { PreparedConfig } from './prepared-config.js';
import { probeTarget } from './probe-target.js';
import type { ScrapeFunction } from './scheduler.js';

export interface FleetScrapeOptions {
  /** The config generation to scrape with, read at each scrape: a reload applies from the next scrape on. */
  readonly prepared: () => PreparedConfig;
  readonly maxBodyBytes: number;
}

const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];
/** Fleet scrapes carry no probe URL parameters: a templated body sees empty data. */
const NO_PARAMS: ReadonlyMap<string, readonly string[]> = new Map();

export function createFleetScrape(options: FleetScrapeOptions): ScrapeFunction {
  return async (target: ScrapeTarget, signal: AbortSignal) => {
    const module = options.prepared().modules.get(target.module);
    if (module === undefined) {
      return { ok: false, reason: 'unknown_module', message: `module ${JSON.stringify(target.module)} of job ${target.job} is not in the config` };
    }
    const outcome = await probeTarget({
      module,
      target: target.url,
      params: NO_PARAMS,
      timeoutMs: target.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      signal,
    });
    if (!outcome.ok) return { ok: false, reason: outcome.reason, message: outcome.message };
    const prefix = renderTargetLabels(target.labels);
    const families = outcome.extraction.families.map((family) => resolveLabelClashes(family, target.labels));
    const rendered: Partial<Record<ExpositionFormat, RenderedFamily[]>> = {};
    for (const format of FORMATS) rendered[format] = families.map((family) => renderFamily(family, format, prefix));
    return { ok: true, families: rendered, sampleCount: outcome.extraction.sampleCount };
  };
}

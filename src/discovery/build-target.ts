// A discovered target + its job → the ScrapeTarget the scheduler runs: URL, labels in output order, interval, timeout.
import { expandTargetUrl } from '../config/target-address.js';
import type { FleetJobConfig } from '../config/types.js';
import type { DiscoveredTarget } from './source.js';
import { scrapeTargetId, type ScrapeTarget } from './target.js';

/** `job`, `instance`, the job's labels, then the source's (a source label overrides a job label of the same name). */
export function buildScrapeTarget(job: FleetJobConfig, found: DiscoveredTarget): ScrapeTarget {
  const isUrl = found.address.includes('://');
  const url = isUrl ? found.address : expandTargetUrl(job.targetUrl, found.address);
  // A host:port keeps its spelling as instance (Prometheus's __address__); a URL gives its host[:port].
  const instance = found.labels['instance'] ?? (isUrl ? new URL(url).host : found.address);
  const labels: Record<string, string> = { job: job.name, instance, ...job.labels };
  for (const [name, value] of Object.entries(found.labels)) {
    // `job` names the job whatever a target group says: the store and /targets key on it.
    if (name !== 'job' && name !== 'instance') labels[name] = value;
  }
  return Object.freeze({
    id: scrapeTargetId(job.name, url),
    job: job.name,
    url,
    module: job.module,
    labels: Object.freeze(labels),
    intervalMs: job.scrapeIntervalMs,
    timeoutMs: job.scrapeTimeoutMs,
    source: found.source,
  });
}

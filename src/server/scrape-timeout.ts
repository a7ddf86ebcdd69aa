// The time a scrape may take: Prometheus's X-Prometheus-Scrape-Timeout-Seconds less an offset, within the module's cap.
import type { IncomingMessage } from 'node:http';

/** Never less than this, so an offset larger than the timeout still leaves a usable deadline. */
const MINIMUM_TIMEOUT_MS = 100;

/**
 * Prometheus tells us its deadline; we answer `offsetMs` before it (blackbox_exporter's --timeout-offset) so
 * a slow target gives a clear 503 instead of Prometheus's own "context deadline exceeded".
 */
export function scrapeTimeoutMs(request: IncomingMessage, moduleTimeoutMs: number, offsetMs: number): number {
  const header = request.headers['x-prometheus-scrape-timeout-seconds'];
  const seconds = typeof header === 'string' ? Number.parseFloat(header) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return moduleTimeoutMs;
  return Math.max(MINIMUM_TIMEOUT_MS, Math.min(moduleTimeoutMs, seconds * 1000 - offsetMs));
}

// A scrape target as discovery hands it to the scheduler: where, with which module, under which labels.
import { redactUrl } from '../fetch/redact-url.js';

export interface ScrapeTarget {
  /** Unique in the fleet: job name and URL (`<job>|<url>`); the store's key. */
  readonly id: string;
  readonly job: string;
  /** The full URL scraped (a discovered `host:port` already went through the job's `target_url`). */
  readonly url: string;
  /** A key of the config's `modules`. */
  readonly module: string;
  /**
   * Labels of every series of this target, in output order: `job`, `instance` (the URL's host:port unless a
   * source set it), the job's `labels`, then the source's (file_sd / http_sd target-group labels).
   */
  readonly labels: Readonly<Record<string, string>>;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Where it came from, for /targets and logs: `static`, `file_sd:<path>`, `http_sd:<url>`, `dns_sd:<name>`. */
  readonly source: string;
  /**
   * Set when other targets had the same label set: `instance` was changed to the URL (label-collisions.ts).
   * `instance` is the one it would have had, `sharedBy` how many targets had that label set.
   */
  readonly labelCollision?: { readonly instance: string; readonly sharedBy: number };
}

export function scrapeTargetId(job: string, url: string): string {
  return `${job}|${url}`;
}

const redactedUrls = new WeakMap<ScrapeTarget, string>();

/**
 * The target's URL as logs, traces and errors show it (redactUrl), once per target definition rather than once per
 * scrape: redacting parses the URL, ~1 % of the process's CPU at 10,000 targets (`perf`, bench/README.md).
 */
export function redactedUrlOf(target: ScrapeTarget): string {
  let redacted = redactedUrls.get(target);
  if (redacted === undefined) {
    redacted = redactUrl(target.url);
    redactedUrls.set(target, redacted);
  }
  return redacted;
}

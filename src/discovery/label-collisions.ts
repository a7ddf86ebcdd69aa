// Targets whose label sets collide (two SRS vhosts or paths of one job on one host:port): detected and resolved.
//
// Identical label sets would put identical series on /metrics (`target_up` 1 and 0 side by side), of which
// Prometheus keeps one, hiding a down target. Every target of a colliding set gets its URL (credentials
// redacted) as `instance`: deterministic, the same on every replica (resolved before the shard filter), and
// what Prometheus users put in `instance` for /probe targets anyway.
import { redactUrl } from '../fetch/redact-url.js';
import type { ScrapeTarget } from './target.js';

function labelSetKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The targets, those whose label set another target shares given `instance` = their URL (and `labelCollision`). */
export function resolveLabelCollisions(targets: readonly ScrapeTarget[]): ScrapeTarget[] {
  const byLabels = new Map<string, number>();
  for (const target of targets) {
    const key = labelSetKey(target.labels);
    byLabels.set(key, (byLabels.get(key) ?? 0) + 1);
  }
  if (byLabels.size === targets.length) return [...targets];
  const resolved = targets.map((target): ScrapeTarget => {
    const sharedBy = byLabels.get(labelSetKey(target.labels)) ?? 1;
    if (sharedBy === 1) return target;
    const instance = target.labels['instance'] ?? '';
    return Object.freeze({
      ...target,
      labels: Object.freeze({ ...target.labels, instance: redactUrl(target.url) }),
      labelCollision: Object.freeze({ instance, sharedBy }),
    });
  });
  // Two URLs that redact alike (they differ only in a password) or a source that set another target's URL as its
  // instance: numbered in target order, so no series is ever emitted twice.
  const seen = new Map<string, number>();
  return resolved.map((target) => {
    const key = labelSetKey(target.labels);
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count === 1) return target;
    const instance = `${target.labels['instance'] ?? ''}#${count}`;
    return Object.freeze({
      ...target,
      labels: Object.freeze({ ...target.labels, instance }),
      labelCollision:
        target.labelCollision ?? Object.freeze({ instance: target.labels['instance'] ?? '', sharedBy: count }),
    });
  });
}

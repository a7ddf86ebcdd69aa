// Discovery test helpers: configs built from a fleet YAML snippet, a quiet logger, and waiting for a target list.
import { PassThrough } from 'node:stream';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { Discovery } from '../../src/discovery/manager.js';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { createLogger, type Logger } from '../../src/telemetry/logger.js';

const MODULES = 'modules:\n  default:\n    metrics:\n    - name: server\n      path: "{.server}"\n';

/** A config with one `default` module and the given `fleet:` section (YAML text starting at `fleet:`). */
export function fleetConfig(fleetYaml: string): Config {
  return parseConfig(MODULES + fleetYaml, 'test.yml');
}

export function quietLogger(): Logger {
  const sink = new PassThrough();
  sink.resume();
  return createLogger('error', sink);
}

/**
 * Resolves with the first list given to onChange that satisfies `predicate` (or the current one, if it already does).
 * Discovery's timers and watches are unref'd, so a ref'd timer keeps the test process alive while it waits; it also
 * turns a change that never comes into a failure naming what was awaited instead of a hung test.
 */
export function waitForTargets(
  discovery: Discovery,
  predicate: (targets: readonly ScrapeTarget[]) => boolean,
  what = 'the expected targets',
): Promise<readonly ScrapeTarget[]> {
  if (predicate(discovery.targets())) return Promise.resolve(discovery.targets());
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      unsubscribe();
      reject(new Error(`discovery never gave ${what}; last: ${JSON.stringify(urlsOf(discovery.targets()))}`));
    }, 20_000);
    const unsubscribe = discovery.onChange((targets) => {
      if (!predicate(targets)) return;
      clearTimeout(deadline);
      unsubscribe();
      resolve(targets);
    });
  });
}

export function urlsOf(targets: readonly ScrapeTarget[]): string[] {
  return targets.map((target) => target.url);
}

/** A static target of `job` at `url` with the `default` module, 15 s interval and 10 s timeout. */
export function staticTarget(url: string, job: string, instance: string): ScrapeTarget {
  return {
    id: scrapeTargetId(job, url),
    job,
    url,
    module: 'default',
    labels: { job, instance },
    intervalMs: 15_000,
    timeoutMs: 10_000,
    source: 'static',
  };
}

// Discovery for fleet mode: runs every job's target sources, merges and deduplicates their targets, keeps this shard's.
import { createHash } from 'node:crypto';
import type { Config, FleetJobConfig } from '../config/types.js';
import type { Logger } from '../telemetry/logger.js';
import { buildScrapeTarget } from './build-target.js';
import { resolveLabelCollisions } from './label-collisions.js';
import { redactUrl } from '../fetch/redact-url.js';
import { ownsTarget, type ShardAssignment } from './shard.js';
import type { SourceStatus, TargetSource } from './source.js';
import { createDnsSdSource } from './dns-sd-source.js';
import { createFileSdSource } from './file-sd-source.js';
import { createHttpSdSource } from './http-sd-source.js';
import { createStaticSource } from './static-source.js';
import type { ScrapeTarget } from './target.js';

export type { SourceStatus } from './source.js';

export interface DiscoveryOptions {
  readonly logger: Logger;
  /** From resolveShardAssignment (flags, config, hostname). */
  readonly shard: ShardAssignment;
  /** The config file's folder: file_sd paths are relative to it. */
  readonly configDir: string;
  /** DNS servers for dns_sd (`127.0.0.1:5353`, …); absent: the system's resolvers. */
  readonly dnsServers?: readonly string[];
}

export interface Discovery {
  /** Starts every source; resolves after the first round of each (failed rounds included: see sources()). */
  start(): Promise<void>;
  /** Stops every source and timer; idempotent. */
  stop(): Promise<void>;
  /** This shard's targets, sorted by job (config order) then URL. */
  targets(): readonly ScrapeTarget[];
  /** Called with the new targets() whenever it changes (the first round's result included); returns an unsubscribe. */
  onChange(listener: (targets: readonly ScrapeTarget[]) => void): () => void;
  /** One entry per source of every job, in config order. */
  sources(): readonly SourceStatus[];
}

interface JobSources {
  readonly job: FleetJobConfig;
  readonly sources: readonly TargetSource[];
}

function createJobSources(job: FleetJobConfig, options: DiscoveryOptions): JobSources {
  const logger = options.logger.child({ job: job.name });
  const sources: TargetSource[] = [];
  if (job.staticTargets.length > 0) sources.push(createStaticSource(job, logger));
  for (const pattern of job.fileSd) sources.push(createFileSdSource(job, pattern, options.configDir, logger));
  if (job.httpSd !== undefined) sources.push(createHttpSdSource(job, job.httpSd, logger));
  const dnsSd = job.dnsSd;
  for (const name of dnsSd?.names ?? [])
    if (dnsSd !== undefined) sources.push(createDnsSdSource(job, dnsSd, name, logger, options.dnsServers));
  return { job, sources };
}

/**
 * All targets of every job, first source wins on a duplicate URL, sorted by job then URL; colliding label sets
 * resolved (before the shard filter, so every replica resolves alike).
 */
function mergeTargets(jobs: readonly JobSources[]): ScrapeTarget[] {
  const merged: ScrapeTarget[] = [];
  for (const { job, sources } of jobs) {
    const byUrl = new Map<string, ScrapeTarget>();
    for (const source of sources) {
      for (const found of source.targets()) {
        const target = buildScrapeTarget(job, found);
        if (!byUrl.has(target.url)) byUrl.set(target.url, target);
      }
    }
    merged.push(...[...byUrl.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0)));
  }
  return resolveLabelCollisions(merged);
}

/**
 * What tells a changed target set from the same one: a digest of its JSON, not the JSON itself. At 10,000 targets the
 * JSON is ~3.6 MB, and kept for the process's life it was the largest single object of the heap (a heap snapshot in
 * bench:fleet, bench/README.md, fourteenth stop on issue 15): V8 lets the old generation grow in proportion to what
 * is alive (~1.8× there), so every MB kept alive costs ~1.8 MB at the peak.
 */
function signatureOf(targets: readonly ScrapeTarget[]): string {
  return createHash('sha256').update(JSON.stringify(targets)).digest('base64');
}

export function createDiscovery(config: Config, options: DiscoveryOptions): Discovery {
  const jobs = (config.fleet?.jobs ?? []).map((job) => createJobSources(job, options));
  const listeners = new Set<(targets: readonly ScrapeTarget[]) => void>();
  let all: readonly ScrapeTarget[] = [];
  let mine: readonly ScrapeTarget[] = [];
  let signature = signatureOf(mine);
  let started = false;
  let stopped = false;
  let starting: Promise<void> | undefined;

  const recompute = (): void => {
    if (!started || stopped) return;
    all = Object.freeze(mergeTargets(jobs));
    const owned = Object.freeze(all.filter((target) => ownsTarget(options.shard, target.url)));
    const next = signatureOf(owned);
    if (next === signature) return;
    mine = owned;
    signature = next;
    const collisions = owned.filter((target) => target.labelCollision !== undefined);
    if (collisions.length > 0) {
      options.logger.warn(
        { targets: collisions.map((target) => redactUrl(target.url)) },
        'targets of one job had identical labels; their instance label is their URL (see /targets)',
      );
    }
    options.logger.info(
      { targets: mine.length, allTargets: all.length, shard: `${options.shard.index}/${options.shard.total}` },
      'fleet targets changed',
    );
    for (const listener of [...listeners]) {
      try {
        listener(mine);
      } catch (err) {
        options.logger.error({ err }, 'a discovery listener threw');
      }
    }
  };

  return {
    start() {
      // A second call shares the first: sources are started once.
      starting ??= (async () => {
        if (stopped) return;
        // Sources report changes only after every first round is in: one complete list, not a partial one per source.
        await Promise.all(jobs.flatMap(({ sources }) => sources.map((source) => source.start(recompute))));
        started = true;
        recompute();
      })();
      return starting;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      listeners.clear();
      await Promise.all(jobs.flatMap(({ sources }) => sources.map((source) => source.stop())));
    },
    targets: () => mine,
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    sources: () => jobs.flatMap(({ sources }) => sources.map((source) => source.status())),
  };
}

// Fleet mode's lifecycle: discovery → scheduler → store, started for a config with `fleet:`, rebuilt on reload.
import { hostname } from 'node:os';
import type { Config } from '../config/types.js';
import { createDiscovery, type Discovery } from '../discovery/manager.js';
import { resolveShardAssignment } from '../discovery/shard-assignment.js';
import type { ShardAssignment } from '../discovery/shard.js';
import { redactedUrlOf, type ScrapeTarget } from '../discovery/target.js';
import type { HotPath } from '../pool/hot-path.js';
import { createFleetScrape } from './fleet-scrape.js';
import type { PreparedConfig } from '../scrape/prepared-config.js';
import type { FinishedScrape, ScrapeOutcomeRecorder } from '../scrape/record-outcome.js';
import { Scheduler } from './scheduler.js';
import type { SchedulerClock } from './scheduler-clock.js';
import { GzipExposition } from './gzip-exposition.js';
import { type TargetScrapeOutcome, TargetStore } from './store.js';
import { fleetMetrics, type FleetMetrics } from '../telemetry/fleet-metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import type { FleetEndpoints } from './fleet-endpoints.js';

export interface FleetModeOptions {
  /** The generation being served, read at each scrape. */
  readonly prepared: () => PreparedConfig;
  readonly hotPath: HotPath;
  readonly metrics: SelfMetrics;
  /** Counts and logs every scrape's outcome, the same one /probe records into. */
  readonly recorder: ScrapeOutcomeRecorder;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** --shard.total / --shard.index. */
  readonly shardFlags: { readonly total?: number; readonly index?: number };
  /** The config file's folder (file_sd paths are relative to it). */
  readonly configDir: string;
  readonly dnsServers?: readonly string[];
  readonly clock?: SchedulerClock;
}

/**
 * One store and one scheduler for the process's life: a reload swaps discovery and hands its targets to the same
 * scheduler, so unchanged targets keep their slot and their series (no gap on /metrics after a reload).
 */
export class FleetMode {
  readonly store: TargetStore;
  readonly scheduler: Scheduler;
  /** The gzip units of /metrics, shared by its requests and kept up to date in the background. */
  readonly gzip: GzipExposition;
  readonly #options: FleetModeOptions;
  readonly #fleetMetrics: FleetMetrics;
  #discovery: Discovery | undefined;
  #unsubscribe: (() => void) | undefined;
  #shard: ShardAssignment = { total: 1, index: 0 };
  #jobs = new Set<string>();
  /** Applies run one after the other: two quick reloads must not start two discoveries side by side. */
  #applying: Promise<void> = Promise.resolve();
  /** A discovery still in its first round (an http_sd answer can take 30 s): stop() aborts it rather than wait. */
  #starting: Discovery | undefined;
  #stopped = false;

  constructor(options: FleetModeOptions) {
    this.#options = options;
    this.#fleetMetrics = fleetMetrics(options.metrics.registry);
    this.store = new TargetStore();
    this.gzip = new GzipExposition(this.store, {
      archive: true,
      onArchived: () => {
        const stats = this.store.archiveStats();
        this.#fleetMetrics.archivedGroups.set(stats.groups);
        this.#fleetMetrics.archivedBytes.set({ form: 'compressed' }, stats.compressedBytes);
        this.#fleetMetrics.archivedBytes.set({ form: 'plain' }, stats.plainBytes);
      },
      onCompressed: (path, bytes) => this.#fleetMetrics.gzipCompressedBytes.inc({ path }, bytes),
    });
    this.scheduler = new Scheduler({
      scrape: createFleetScrape({
        prepared: options.prepared,
        hotPath: options.hotPath,
        maxBodyBytes: options.maxBodyBytes,
      }),
      store: this.store,
      concurrency: 1,
      logger: options.logger,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      observeLag: (lagMs) => this.#fleetMetrics.scrapeLag.observe(lagMs / 1000),
      onSkipped: (target) => this.#fleetMetrics.skippedScrapes.inc({ job: target.job }),
    });
    this.scheduler.onScrape((target, outcome, timing) => {
      this.#fleetMetrics.scrapes.inc({ job: target.job, result: outcome.ok ? 'success' : 'failure' });
      options.recorder.record(
        new FleetFinishedScrape(
          this.#identityOf(target),
          options.prepared().config.generation,
          outcome,
          timing.durationMs,
          this.#options.logger.isLevelEnabled('debug'),
        ),
      );
    });
  }

  /**
   * One redacted URL and child logger per target definition, not one per scrape (667 scrapes a second at 10,000
   * targets): redacting parses the URL. The child logger is made when the target first writes a line (a failure, the
   * first warning of a skipped value; debug lines only when debug is on): most targets never do, and 10,000 children
   * held ~4 MB of heap (their bound fields as JSON text).
   */
  readonly #identities = new WeakMap<ScrapeTarget, TargetIdentity>();

  #identityOf(target: ScrapeTarget): TargetIdentity {
    let identity = this.#identities.get(target);
    if (identity === undefined) {
      identity = new TargetIdentity(target, this.#options.logger);
      this.#identities.set(target, identity);
    }
    return identity;
  }

  /** Whether the served config has a `fleet:` section. */
  get active(): boolean {
    return this.#discovery !== undefined;
  }

  /** What the HTTP server serves on /metrics, /federate, /targets, /sd; undefined when fleet mode is off. */
  endpoints(): FleetEndpoints | undefined {
    if (this.#discovery === undefined) return undefined;
    return {
      store: this.store,
      gzip: this.gzip,
      metrics: this.#options.metrics,
      shard: this.#shard,
      sources: () => this.#discovery?.sources() ?? [],
      onConflicts: (count) => this.#fleetMetrics.familyConflicts.set(count),
    };
  }

  /**
   * Runs fleet mode for `config`: the new discovery's first round completes before it replaces the old one, so the
   * scheduler goes from the old target set to the new one in one step. Throws (shard settings) before changing
   * anything, so a failed reload leaves the previous fleet running.
   */
  apply(config: Config): Promise<void> {
    const run = this.#applying.then(() => this.#apply(config));
    this.#applying = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every apply started so far has finished (tests wait on it after a reload). */
  settled(): Promise<void> {
    return this.#applying;
  }

  async #apply(config: Config): Promise<void> {
    const fleet = config.fleet;
    if (fleet === undefined) {
      await this.#replaceDiscovery(undefined);
      this.scheduler.setTargets([]);
      this.#setTargetGauges([]);
      return;
    }
    const shard = resolveShardAssignment({
      config: fleet.shard,
      flags: this.#options.shardFlags,
      hostname: hostname(),
    });
    const discovery = createDiscovery(config, {
      logger: this.#options.logger.child({ component: 'discovery' }),
      shard,
      configDir: this.#options.configDir,
      ...(this.#options.dnsServers === undefined ? {} : { dnsServers: this.#options.dnsServers }),
    });
    this.#starting = discovery;
    try {
      await discovery.start();
    } finally {
      this.#starting = undefined;
    }
    if (this.#stopped) {
      await discovery.stop();
      return;
    }
    this.#shard = shard;
    this.scheduler.setConcurrency(fleet.concurrency);
    await this.#replaceDiscovery(discovery);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#starting?.stop();
    await this.#applying;
    await this.#replaceDiscovery(undefined);
    await this.scheduler.stop();
    this.gzip.close();
  }

  async #replaceDiscovery(next: Discovery | undefined): Promise<void> {
    const previous = this.#discovery;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#discovery = next;
    if (next !== undefined) {
      const update = (targets: readonly ScrapeTarget[]): void => {
        this.scheduler.setTargets(targets);
        this.#setTargetGauges(targets);
      };
      this.#unsubscribe = next.onChange(update);
      update(next.targets());
    }
    await previous?.stop();
  }

  #setTargetGauges(targets: readonly ScrapeTarget[]): void {
    const counts = new Map<string, number>();
    for (const target of targets) counts.set(target.job, (counts.get(target.job) ?? 0) + 1);
    const collisions = new Map<string, number>();
    for (const target of targets) {
      if (target.labelCollision !== undefined) collisions.set(target.job, (collisions.get(target.job) ?? 0) + 1);
    }
    for (const job of this.#jobs) {
      if (!counts.has(job)) {
        this.#fleetMetrics.targets.remove({ job });
        this.#fleetMetrics.labelCollisions.remove({ job });
      }
    }
    for (const [job, count] of counts) {
      this.#fleetMetrics.targets.set({ job }, count);
      this.#fleetMetrics.labelCollisions.set({ job }, collisions.get(job) ?? 0);
    }
    this.#jobs = new Set(counts.keys());
  }
}

/**
 * A target's redacted URL and its child logger, made on first use. A class, not an object literal with a getter: each
 * literal carried its own accessor pair, closure and context and went to dictionary properties (~3.5 MB of the heap
 * at 10,000 targets, a heap snapshot in bench:fleet).
 */
class TargetIdentity {
  readonly target: string;
  #child: Logger | undefined;

  constructor(
    readonly definition: ScrapeTarget,
    private readonly parent: Logger,
  ) {
    this.target = redactedUrlOf(definition);
  }

  get logger(): Logger {
    const { job, module } = this.definition;
    this.#child ??= this.parent.child({ job, module, target: this.target });
    return this.#child;
  }
}

/** A fleet scrape as the recorder reads it; `logger` is read only when the recorder writes a line. */
class FleetFinishedScrape implements FinishedScrape {
  constructor(
    private readonly identity: TargetIdentity,
    readonly generation: number,
    readonly outcome: TargetScrapeOutcome,
    readonly durationMs: number,
    readonly debugEnabled: boolean,
  ) {}

  get module(): string {
    return this.identity.definition.module;
  }

  get target(): string {
    return this.identity.target;
  }

  get logger(): Logger {
    return this.identity.logger;
  }
}

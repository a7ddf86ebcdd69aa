// Holds the config generation being served; reloads swap it atomically, and a failed reload keeps the old one.
import type { Config } from '../config/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import type { TargetPolicy } from '../fetch/target-policy.js';
import { closePreparedConfig, prepareConfig, type PreparedConfig } from '../scrape/prepared-config.js';

export type ReloadResult =
  | { readonly ok: true; readonly generation: number }
  | { readonly ok: false; readonly error: string };

export class ConfigReloader {
  #current: PreparedConfig;
  readonly #listeners = new Set<(prepared: PreparedConfig) => void>();

  /** Loads the first generation; throws (ConfigError, …) when it fails, since there is nothing to keep serving. */
  constructor(
    private readonly loadConfig: () => Config,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
    /** The targets /probe may fetch; every generation's probe clients enforce it. */
    private readonly probePolicy?: TargetPolicy,
  ) {
    this.#current = prepareConfig(loadConfig(), probePolicy);
    this.#recordSuccess();
  }

  get current(): PreparedConfig {
    return this.#current;
  }

  /** Called after each successful reload with the new generation (fleet mode rebuilds its discovery). */
  onReload(listener: (prepared: PreparedConfig) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  reload(): ReloadResult {
    let next: PreparedConfig;
    try {
      next = prepareConfig(this.loadConfig(), this.probePolicy);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.metrics.configReloadSuccessful.set(0);
      this.metrics.configReloads.inc({ result: 'failure' });
      this.logger.error(
        { err: error, generation: this.#current.config.generation },
        'config reload failed; the previous config keeps serving',
      );
      return { ok: false, error };
    }
    const previous = this.#current;
    this.#current = next;
    this.#recordSuccess();
    this.metrics.configReloads.inc({ result: 'success' });
    this.logger.info(
      { source: next.config.source, generation: next.config.generation, modules: Object.keys(next.config.modules) },
      'config reloaded',
    );
    // Probes already running hold their own module; undici's close lets their requests finish.
    void closePreparedConfig(previous);
    for (const listener of this.#listeners) listener(next);
    return { ok: true, generation: next.config.generation };
  }

  async close(): Promise<void> {
    await closePreparedConfig(this.#current);
  }

  #recordSuccess(): void {
    this.metrics.configReloadSuccessful.set(1);
    this.metrics.configReloadSuccessTime.set(Date.now() / 1000);
    this.metrics.configGeneration.set(this.#current.config.generation);
  }
}

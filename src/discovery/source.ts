// A target source's life: refresh rounds (timer and on demand, never two at once), the last good list, and its status.
import type { Logger } from '../telemetry/logger.js';

/** One target as a source found it, before the job turns it into a ScrapeTarget. */
export interface DiscoveredTarget {
  /** An absolute http(s) URL or `host:port` (checked by the source). */
  readonly address: string;
  /** Target-group labels (file_sd / http_sd), `__`-prefixed ones already dropped. */
  readonly labels: Readonly<Record<string, string>>;
  /** ScrapeTarget.source: `static`, `file_sd:<file>`, `http_sd:<url>`, `dns_sd:<name>`. */
  readonly source: string;
}

/** A source's health, for /targets. */
export interface SourceStatus {
  readonly job: string;
  /** `static`, `file_sd:<pattern>`, `http_sd:<url>`, `dns_sd:<name>`. */
  readonly source: string;
  /** Epoch ms of the last refresh round (failed or not); 0 before the first. */
  readonly lastRefresh: number;
  /** Why the last round failed; absent when it succeeded. The last good targets are kept meanwhile. */
  readonly lastError?: string;
  /** Targets the source currently contributes (the last good list), before deduplication and sharding. */
  readonly targetCount: number;
}

/** A round that found some targets but also a problem (one broken file_sd file among good ones). */
export interface PartialRefresh {
  readonly targets: readonly DiscoveredTarget[];
  readonly error: string;
}

export interface SourceOptions {
  readonly job: string;
  readonly name: string;
  readonly logger: Logger;
  /** Absent: one round at start and no timer (static targets). */
  readonly refreshIntervalMs?: number;
  /** One round: the full current list, a partial one with its problem, or a throw that keeps the last good list. */
  readonly refresh: (signal: AbortSignal) => Promise<readonly DiscoveredTarget[] | PartialRefresh>;
  /** Called once the first round is under way; returns a cleanup (file_sd's directory watch). */
  readonly watch?: (trigger: () => void) => () => void;
}

function sameTargets(a: readonly DiscoveredTarget[], b: readonly DiscoveredTarget[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

export class TargetSource {
  #targets: readonly DiscoveredTarget[] = [];
  #lastRefresh = 0;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #onChange: () => void = () => {};
  #unwatch: (() => void) | undefined;
  readonly #abort = new AbortController();

  constructor(private readonly options: SourceOptions) {}

  get job(): string {
    return this.options.job;
  }

  /** Runs the first round; later rounds call `onChange` when the list changed. Resolves after the first round. */
  async start(onChange: () => void): Promise<void> {
    this.#onChange = onChange;
    this.#unwatch = this.options.watch?.(() => void this.refreshNow());
    await this.refreshNow();
  }

  /**
   * Starts a round now, or one more right after the current one (edits during a read are not lost).
   * Resolves when the rounds it asked for are done.
   */
  refreshNow(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop();
    return this.#running;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unwatch?.();
    this.#abort.abort();
    await this.#running;
  }

  targets(): readonly DiscoveredTarget[] {
    return this.#targets;
  }

  status(): SourceStatus {
    const status = {
      job: this.options.job,
      source: this.options.name,
      lastRefresh: this.#lastRefresh,
      targetCount: this.#targets.length,
    };
    return this.#lastError === undefined ? status : { ...status, lastError: this.#lastError };
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#again = false;
        clearTimeout(this.#timer);
        await this.#round();
      } while (this.#again && !this.#stopped);
    } finally {
      // In the same turn as the last `#again` check, so a request arriving after it starts a new loop.
      this.#running = undefined;
    }
    this.#schedule();
  }

  async #round(): Promise<void> {
    let changed = false;
    try {
      const result = await this.options.refresh(this.#abort.signal);
      if (this.#stopped) return;
      const targets = 'error' in result ? result.targets : result;
      changed = !sameTargets(targets, this.#targets);
      this.#targets = Object.freeze([...targets]);
      this.#recordError('error' in result ? result.error : undefined);
    } catch (err) {
      if (this.#stopped) return;
      this.#recordError(err instanceof Error ? err.message : String(err));
    } finally {
      this.#lastRefresh = Date.now();
    }
    if (changed) this.#onChange();
  }

  #recordError(message: string | undefined): void {
    const where = { job: this.options.job, source: this.options.name };
    // Logged when the state changes, not every round: a source down for an hour is one line, not hundreds.
    if (message === undefined && this.#lastError !== undefined)
      this.options.logger.info(where, 'target source recovered');
    if (message !== undefined && message !== this.#lastError)
      this.options.logger.warn(
        { ...where, err: message },
        'target source refresh failed; keeping its last good targets',
      );
    this.#lastError = message;
  }

  #schedule(): void {
    if (this.#stopped || this.options.refreshIntervalMs === undefined) return;
    this.#timer = setTimeout(() => void this.refreshNow(), this.options.refreshIntervalMs);
    this.#timer.unref();
  }
}

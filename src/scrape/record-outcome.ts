// The one owner of what happens after a scrape, /probe's and the fleet scheduler's alike: self-metrics by module
// and reason, the problem-logging policy (as blackbox_exporter's one handler records every prober's result).
import { EXTRACT_PROBLEM_REASONS, type ExtractProblem, type ExtractProblemReason } from '../extract/extract.js';
import type { Logger } from '../telemetry/logger.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';

/** What a finished scrape hands to the recorder: the outcome's fields that metrics and logs read. */
export type RecordedOutcome =
  | {
      readonly ok: true;
      readonly sampleCount: number;
      readonly problemCounts?: Partial<Record<ExtractProblemReason, number>>;
      readonly problems?: readonly ExtractProblem[];
      /** Set when a templated body failed to render and the static content was sent. */
      readonly templateError?: string;
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

export interface FinishedScrape {
  readonly module: string;
  /** The target URL, credentials redacted: failures are logged at warn at most once per window per target. */
  readonly target: string;
  /** The config generation the scrape ran with: skipped values are logged at warn once per generation. */
  readonly generation: number;
  readonly outcome: RecordedOutcome;
  readonly durationMs: number;
  /** Carries `module` and the redacted `target` (and `job` in fleet mode). Read only for a line that is written. */
  readonly logger: Logger;
  /**
   * False when the logger drops debug lines: the recorder then does not read `logger` for them (fleet mode makes a
   * target's child logger only when the target first writes a line). Unset: read it.
   */
  readonly debugEnabled?: boolean;
}

/** Generations whose warned-problem sets are kept: a scrape that began before a reload may finish after it. */
const KEPT_GENERATIONS = 2;

/** A failing target is logged at warn at most once per this window (and at debug otherwise). */
export const FAILURE_WARN_INTERVAL_MS = 5 * 60_000;

/** Targets whose last failure warning is remembered; beyond this the oldest are forgotten (they may warn again). */
const MAX_REMEMBERED_TARGETS = 10_000;

export interface RecorderOptions {
  /** Milliseconds clock for the failure-log window; tests pass a manual one. */
  readonly now?: () => number;
  readonly failureWarnIntervalMs?: number;
}

interface FailureWarning {
  readonly at: number;
  /** Failures logged at debug only since that warning. */
  suppressed: number;
}

/**
 * One per exporter (the state, which problems were already logged, is this instance's): `/probe` and the fleet
 * scheduler both call `record` once per scrape, so both count and log exactly the same way.
 */
export class ScrapeOutcomeRecorder {
  readonly #metrics: SelfMetrics;
  /** Per config generation, the (module, metric, reason) triples already logged at warn level. */
  readonly #warned = new Map<number, Set<string>>();
  /** Per (module, target), when its failure was last logged at warn; insertion order is age order. */
  readonly #failureWarnings = new Map<string, FailureWarning>();
  readonly #now: () => number;
  readonly #failureWarnIntervalMs: number;

  constructor(metrics: SelfMetrics, options: RecorderOptions = {}) {
    this.#metrics = metrics;
    this.#now = options.now ?? Date.now;
    this.#failureWarnIntervalMs = options.failureWarnIntervalMs ?? FAILURE_WARN_INTERVAL_MS;
  }

  record(scrape: FinishedScrape): void {
    const metrics = this.#metrics;
    const { module, outcome } = scrape;
    metrics.probeDuration.observe({ module }, scrape.durationMs / 1000);
    if (!outcome.ok) {
      metrics.probes.inc({ module, result: 'failure' });
      metrics.targetErrors.inc({ module, reason: outcome.reason });
      this.#logFailure(scrape, outcome.reason, outcome.message);
      return;
    }
    metrics.probes.inc({ module, result: 'success' });
    metrics.samples.inc({ module }, outcome.sampleCount);
    if (outcome.templateError !== undefined) {
      metrics.bodyTemplateErrors.inc({ module });
      scrape.logger.warn(
        { err: outcome.templateError },
        'body template failed to render; sent the static body content',
      );
    }
    const { problemCounts, problems } = outcome;
    if (problemCounts !== undefined) {
      for (const reason of EXTRACT_PROBLEM_REASONS) {
        const count = problemCounts[reason];
        if (count !== undefined) metrics.extractProblems.inc({ module, reason }, count);
      }
    }
    if (problems !== undefined) this.#logProblems(scrape, problems);
  }

  /**
   * A skipped value is logged at warn the first time its (module, metric, reason) occurs in a config generation
   * and at debug after that: a config that keeps meeting, say, a string `server` field stays visible without
   * flooding the log on every scrape (json_exporter logs an error per metric per scrape).
   */
  #logProblems(scrape: FinishedScrape, problems: readonly ExtractProblem[]): void {
    if (problems.length === 0) return;
    const warned = this.#warnedIn(scrape.generation);
    for (const problem of problems) {
      const key = `${scrape.module}\u0000${problem.metric}\u0000${problem.reason}`;
      const fields = { metric: problem.metric, reason: problem.reason, detail: problem.message };
      if (warned.has(key)) {
        if (scrape.debugEnabled !== false) scrape.logger.debug(fields, 'value skipped');
      } else {
        warned.add(key);
        scrape.logger.warn(
          fields,
          'value skipped (logged once per config generation; counted in fleet_json_exporter_extract_problems_total)',
        );
      }
    }
  }

  /**
   * A failed scrape is logged at warn with its target, module and reason, as json_exporter leaves a trace of a
   * failed probe; then at debug for the same target and module until the window passes (a target down for hours
   * on a 15 s interval would otherwise log 240 lines an hour), the next warning saying how many it left out.
   */
  #logFailure(scrape: FinishedScrape, reason: string, message: string): void {
    const key = `${scrape.module}\u0000${scrape.target}`;
    const now = this.#now();
    const last = this.#failureWarnings.get(key);
    // The logger already carries `target` (redacted) and `module`.
    const fields = { reason, err: message };
    if (last !== undefined && now - last.at < this.#failureWarnIntervalMs) {
      last.suppressed++;
      if (scrape.debugEnabled !== false) scrape.logger.debug(fields, 'scrape failed');
      return;
    }
    this.#failureWarnings.delete(key);
    this.#failureWarnings.set(key, { at: now, suppressed: 0 });
    if (this.#failureWarnings.size > MAX_REMEMBERED_TARGETS) {
      const oldest = this.#failureWarnings.keys().next();
      if (oldest.done !== true) this.#failureWarnings.delete(oldest.value);
    }
    const suppressed = last === undefined ? {} : { failures_not_logged: last.suppressed };
    scrape.logger.warn(
      { ...fields, ...suppressed },
      `scrape failed (logged at most once per ${this.#failureWarnIntervalMs / 60_000} min per target)`,
    );
  }

  #warnedIn(generation: number): Set<string> {
    let warned = this.#warned.get(generation);
    if (warned === undefined) {
      warned = new Set();
      this.#warned.set(generation, warned);
      for (const kept of [...this.#warned.keys()].sort((a, b) => b - a).slice(KEPT_GENERATIONS)) {
        this.#warned.delete(kept);
      }
    }
    return warned;
  }
}

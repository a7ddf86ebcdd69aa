// Fleet mode's scheduler: each target scraped every interval at a stable offset, one scrape per target at a time,
// a deadline per scrape, a global bound on scrapes in flight; results go to the store.
import { performance } from 'node:perf_hooks';
import { redactedUrlOf, type ScrapeTarget } from '../discovery/target.js';
import type { Logger } from '../telemetry/logger.js';
import { nextSlotMs, scrapeOffsetMs, systemClock, type SchedulerClock } from './scheduler-clock.js';
import type { ScrapeTiming, TargetScrapeOutcome, TargetStore } from './store.js';

/** Scrapes one target; must end soon after `signal` aborts (the deadline, or the target vanishing). */
export type ScrapeFunction = (target: ScrapeTarget, signal: AbortSignal) => Promise<TargetScrapeOutcome>;

export type ScrapeListener = (target: ScrapeTarget, outcome: TargetScrapeOutcome, timing: ScrapeTiming) => void;

export interface SchedulerOptions {
  readonly scrape: ScrapeFunction;
  readonly store: TargetStore;
  /** Scrapes in flight, all targets together (fleet.concurrency). */
  readonly concurrency: number;
  readonly clock?: SchedulerClock;
  readonly logger?: Logger;
  /** Every scrape that starts: actual start minus scheduled start, in ms (waiting for a concurrency slot included). */
  readonly observeLag?: (lagMs: number) => void;
  /** A slot that came while the target's previous scrape was still running or waiting: it is skipped, not stacked. */
  readonly onSkipped?: (target: ScrapeTarget) => void;
}

interface Entry {
  target: ScrapeTarget;
  offsetMs: number;
  /** The slot the timer is set for. */
  slotMs: number;
  timer: unknown;
  /** Set while a scrape runs: its controller (a vanished target's scrape is aborted). */
  running: AbortController | undefined;
  queued: boolean;
  removed: boolean;
}

/**
 * Controllers of finished scrapes that nothing aborted, kept for the next scrapes. A new one per scrape (667 a second
 * at 10,000 targets) was 1.5 % of the process's CPU samples (perf: Node builds each signal through V8's slow paths),
 * and ~0.5 MB/s of the old generation's ~2.7 MB/s of garbage (a preload logging V8's heap spaces: 2.2 against
 * 2.5–2.7 MB/s; bench/README.md, ninth stop). A few are enough (scrapes in flight at once); one kept per target
 * instead held ~7 MB more live heap at 10,000 targets. Whatever listens to a scrape's signal removes its listener
 * when its part ends (the lean client, undici's path in http-client.ts, the batch wait in fleet-scrape.ts).
 */
const IDLE_CONTROLLERS_MAX = 64;

/** Why a scrape was aborted, so its outcome can be told apart from a target failure. */
class ScrapeDeadline extends Error {}

export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #clock: SchedulerClock;
  readonly #entries = new Map<string, Entry>();
  readonly #queue: Array<{ entry: Entry; slotMs: number }> = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #listeners = new Set<ScrapeListener>();
  readonly #idleControllers: AbortController[] = [];
  #concurrency: number;
  #active = 0;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#concurrency = Math.max(1, options.concurrency);
  }

  /** Scrapes running now (never above the concurrency bound). */
  get active(): number {
    return this.#active;
  }

  /** Scrapes due but waiting for a concurrency slot. */
  get queued(): number {
    return this.#queue.length;
  }

  targets(): readonly ScrapeTarget[] {
    return [...this.#entries.values()].map((entry) => entry.target);
  }

  /** Called after each scrape is recorded in the store. */
  onScrape(listener: ScrapeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  setConcurrency(concurrency: number): void {
    this.#concurrency = Math.max(1, concurrency);
    this.#pump();
  }

  /**
   * The new target set: new targets get their slot, vanished ones stop (a running scrape is aborted) and leave
   * the store at once, unchanged ones keep their schedule; a changed interval moves the target to its new grid.
   */
  setTargets(targets: readonly ScrapeTarget[]): void {
    if (this.#stopped) return;
    const next = new Map(targets.map((target) => [target.id, target]));
    for (const [id, entry] of this.#entries) {
      if (next.has(id)) continue;
      this.#cancel(entry);
      this.#entries.delete(id);
      this.#options.store.remove(id);
    }
    for (const target of next.values()) {
      const entry = this.#entries.get(target.id);
      this.#options.store.upsertTarget(target);
      if (entry === undefined) {
        const created: Entry = {
          target,
          offsetMs: scrapeOffsetMs(target.id, target.intervalMs),
          slotMs: 0,
          timer: undefined,
          running: undefined,
          queued: false,
          removed: false,
        };
        this.#entries.set(target.id, created);
        this.#arm(created, nextSlotMs(this.#clock.now(), target.intervalMs, created.offsetMs));
        continue;
      }
      const intervalChanged = entry.target.intervalMs !== target.intervalMs;
      entry.target = target;
      if (intervalChanged) {
        this.#clock.clearTimer(entry.timer);
        entry.offsetMs = scrapeOffsetMs(target.id, target.intervalMs);
        this.#arm(entry, nextSlotMs(this.#clock.now(), target.intervalMs, entry.offsetMs));
      }
    }
  }

  /** Clears every timer, aborts running scrapes and waits for them to settle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const entry of this.#entries.values()) this.#cancel(entry);
    this.#entries.clear();
    this.#queue.length = 0;
    await Promise.allSettled([...this.#inFlight]);
  }

  #cancel(entry: Entry): void {
    entry.removed = true;
    this.#clock.clearTimer(entry.timer);
    entry.timer = undefined;
    entry.running?.abort(new Error('target removed'));
  }

  #arm(entry: Entry, slotMs: number): void {
    entry.slotMs = slotMs;
    entry.timer = this.#clock.setTimer(() => this.#due(entry), slotMs - this.#clock.now());
  }

  #due(entry: Entry): void {
    if (entry.removed) return;
    const slotMs = entry.slotMs;
    if (entry.running !== undefined || entry.queued) {
      this.#options.onSkipped?.(entry.target);
    } else {
      entry.queued = true;
      this.#queue.push({ entry, slotMs });
    }
    // The next slot on the grid; after a stall (event loop blocked, clock jump) the missed slots are not replayed.
    const interval = entry.target.intervalMs;
    this.#arm(entry, Math.max(slotMs + interval, nextSlotMs(this.#clock.now() + 1, interval, entry.offsetMs)));
    this.#pump();
  }

  #pump(): void {
    while (this.#active < this.#concurrency && this.#queue.length > 0) {
      const { entry, slotMs } = this.#queue.shift() as { entry: Entry; slotMs: number };
      entry.queued = false;
      if (entry.removed) continue;
      const run = this.#run(entry, slotMs);
      this.#inFlight.add(run);
      void run.finally(() => this.#inFlight.delete(run));
    }
  }

  async #run(entry: Entry, slotMs: number): Promise<void> {
    const target = entry.target;
    const controller = this.#idleControllers.pop() ?? new AbortController();
    entry.running = controller;
    this.#active++;
    const startedMs = this.#clock.now();
    this.#options.observeLag?.(startedMs - slotMs);
    const started = performance.now();
    const deadline = this.#clock.setTimer(
      () =>
        controller.abort(
          new ScrapeDeadline(
            `scrape of ${redactedUrlOf(target)} took longer than its timeout of ${target.timeoutMs / 1000}s`,
          ),
        ),
      target.timeoutMs,
    );
    let outcome: TargetScrapeOutcome;
    try {
      outcome = await this.#options.scrape(target, controller.signal);
    } catch (err) {
      // A bug, not a target failure (those are values): keep scheduling, say so once in the log.
      this.#options.logger?.error({ err, target: redactedUrlOf(target) }, 'scrape function threw');
      outcome = { ok: false, reason: 'internal', message: err instanceof Error ? err.message : String(err) };
    }
    this.#clock.clearTimer(deadline);
    const reason: unknown = controller.signal.reason;
    if (reason instanceof ScrapeDeadline) outcome = { ok: false, reason: 'timeout', message: reason.message };
    entry.running = undefined;
    // An aborted signal stays aborted: it is never handed out again.
    if (!controller.signal.aborted && this.#idleControllers.length < IDLE_CONTROLLERS_MAX)
      this.#idleControllers.push(controller);
    this.#active--;
    if (!entry.removed && !this.#stopped) {
      const timing: ScrapeTiming = { startedMs, durationMs: performance.now() - started };
      // entry.target: the definition may have changed (labels) while the scrape ran; the meta follows the newest.
      // A throw here would reject #run, which nobody awaits (an unhandled rejection), and skip the #pump below.
      try {
        this.#options.store.record(entry.target, outcome, timing);
      } catch (err) {
        this.#options.logger?.error({ err, target: redactedUrlOf(target) }, 'recording a scrape in the store threw');
      }
      for (const listener of this.#listeners) {
        try {
          listener(entry.target, outcome, timing);
        } catch (err) {
          this.#options.logger?.error({ err, target: redactedUrlOf(target) }, 'scrape listener threw');
        }
      }
    }
    this.#pump();
  }
}

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
  /** The next slot: the entry's key in the scheduler's heap. */
  slotMs: number;
  /** The entry's place in the heap of next slots; -1 once it left (the target vanished, the scheduler stopped). */
  heapIndex: number;
  /** Set while a scrape runs: its controller (a vanished target's scrape is aborted). */
  running: AbortController | undefined;
  /** While a scrape runs: its place in the scheduler's list of running entries, its deadline and its promise. */
  runningIndex: number;
  deadlineMs: number;
  run: Promise<void> | undefined;
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

/** Does nothing: see newScrapeController. */
const keepAbortListeners = (): void => undefined;

/**
 * A controller for the scrapes, its signal holding one listener for good. Node's EventTarget drops its map entry for
 * `abort` when the last listener goes and makes it again for the next: on a kept (old) signal each of these grows or
 * shrinks the map's table, which V8 allocates in the old generation. Measured (bench:fleet 10,000 × 10, a sampling
 * heap profile of objects that lived until a full collection): ~106 KB/s of the old generation's garbage, ~7 % of it,
 * came from the lean client's removeEventListener (bench/README.md, twenty-first stop on issue 15).
 */
export function newScrapeController(): AbortController {
  const controller = new AbortController();
  controller.signal.addEventListener('abort', keepAbortListeners);
  return controller;
}

/** Why a scrape was aborted, so its outcome can be told apart from a target failure. */
class ScrapeDeadline extends Error {}

export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #clock: SchedulerClock;
  readonly #entries = new Map<string, Entry>();
  readonly #queue: Array<{ entry: Entry; slotMs: number }> = [];
  /**
   * Every entry by its next slot (a binary min-heap), and one timer for the earliest slot or deadline: not a timer per
   * target and one more per scrape. Node's timers allocate a Timeout and a closure for each, and a target's slot timer
   * lived its whole interval (promoted to the old generation, ~0.2 MB/s at 10,000 targets in a sampling heap
   * profile); one callback per tick also starts all the scrapes due in it in one go (see SCRAPE_TICK_MS).
   */
  readonly #heap: Entry[] = [];
  /** Entries with a scrape running (unordered; each knows its index): its length is the scrapes in flight. */
  readonly #running: Entry[] = [];
  #timer: unknown;
  /** When #timer fires; Infinity when none is set. */
  #timerAtMs = Number.POSITIVE_INFINITY;
  readonly #listeners = new Set<ScrapeListener>();
  readonly #idleControllers: AbortController[] = [];
  #concurrency: number;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#concurrency = Math.max(1, options.concurrency);
  }

  /** Scrapes running now (never above the concurrency bound). */
  get active(): number {
    return this.#running.length;
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
        const offsetMs = scrapeOffsetMs(target.id, target.intervalMs);
        const created: Entry = {
          target,
          offsetMs,
          slotMs: nextSlotMs(this.#clock.now(), target.intervalMs, offsetMs),
          heapIndex: -1,
          running: undefined,
          runningIndex: -1,
          deadlineMs: Number.POSITIVE_INFINITY,
          run: undefined,
          queued: false,
          removed: false,
        };
        this.#entries.set(target.id, created);
        this.#heapPush(created);
        continue;
      }
      const intervalChanged = entry.target.intervalMs !== target.intervalMs;
      entry.target = target;
      if (intervalChanged) {
        entry.offsetMs = scrapeOffsetMs(target.id, target.intervalMs);
        this.#reslot(entry, nextSlotMs(this.#clock.now(), target.intervalMs, entry.offsetMs));
      }
    }
    this.#arm(this.#earliestDeadline());
  }

  /** Clears every timer, aborts running scrapes and waits for them to settle. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const entry of this.#entries.values()) this.#cancel(entry);
    this.#entries.clear();
    this.#queue.length = 0;
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerAtMs = Number.POSITIVE_INFINITY;
    await Promise.allSettled(this.#running.map((entry) => entry.run));
  }

  #cancel(entry: Entry): void {
    entry.removed = true;
    this.#heapRemove(entry);
    entry.running?.abort(new Error('target removed'));
  }

  /**
   * Sets the timer for the earliest of the next slot and `deadlineMs` (a running scrape's), unless it is set for
   * that time or earlier already (an early tick finds nothing due and sets it again).
   */
  #arm(deadlineMs: number): void {
    if (this.#stopped) return;
    const next = Math.min(this.#heap[0]?.slotMs ?? Number.POSITIVE_INFINITY, deadlineMs);
    if (next >= this.#timerAtMs) return;
    this.#clock.clearTimer(this.#timer);
    this.#timerAtMs = next;
    this.#timer = this.#clock.setTimer(() => this.#tick(), next - this.#clock.now());
  }

  /** The timer: aborts the scrapes past their deadline, queues the targets whose slot has come, starts what it can. */
  #tick(): void {
    this.#timer = undefined;
    this.#timerAtMs = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    for (let i = 0; i < this.#running.length; i++) {
      const entry = this.#running[i] as Entry;
      if (entry.deadlineMs > now) continue;
      // Once: the entry stays in the list until its scrape settles, which aborting starts (listeners run now).
      entry.deadlineMs = Number.POSITIVE_INFINITY;
      const target = entry.target;
      entry.running?.abort(
        new ScrapeDeadline(
          `scrape of ${redactedUrlOf(target)} took longer than its timeout of ${target.timeoutMs / 1000}s`,
        ),
      );
    }
    for (let top = this.#heap[0]; top !== undefined && top.slotMs <= now; top = this.#heap[0]) this.#due(top, now);
    this.#pump();
    this.#arm(this.#earliestDeadline());
  }

  #earliestDeadline(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.#running) if (entry.deadlineMs < earliest) earliest = entry.deadlineMs;
    return earliest;
  }

  #due(entry: Entry, now: number): void {
    const slotMs = entry.slotMs;
    if (entry.running !== undefined || entry.queued) {
      this.#options.onSkipped?.(entry.target);
    } else {
      entry.queued = true;
      this.#queue.push({ entry, slotMs });
    }
    // The next slot on the grid; after a stall (event loop blocked, clock jump) the missed slots are not replayed.
    const interval = entry.target.intervalMs;
    this.#reslot(entry, Math.max(slotMs + interval, nextSlotMs(now + 1, interval, entry.offsetMs)));
  }

  #pump(): void {
    while (this.#running.length < this.#concurrency && this.#queue.length > 0) {
      const { entry, slotMs } = this.#queue.shift() as { entry: Entry; slotMs: number };
      entry.queued = false;
      if (entry.removed) continue;
      entry.run = this.#run(entry, slotMs);
    }
  }

  async #run(entry: Entry, slotMs: number): Promise<void> {
    const target = entry.target;
    const controller = this.#idleControllers.pop() ?? newScrapeController();
    entry.running = controller;
    const startedMs = this.#clock.now();
    this.#options.observeLag?.(startedMs - slotMs);
    const started = performance.now();
    entry.deadlineMs = startedMs + target.timeoutMs;
    entry.runningIndex = this.#running.length;
    this.#running.push(entry);
    if (entry.deadlineMs < this.#timerAtMs) this.#arm(entry.deadlineMs);
    let outcome: TargetScrapeOutcome;
    try {
      outcome = await this.#options.scrape(target, controller.signal);
    } catch (err) {
      // A bug, not a target failure (those are values): keep scheduling, say so once in the log.
      this.#options.logger?.error({ err, target: redactedUrlOf(target) }, 'scrape function threw');
      outcome = { ok: false, reason: 'internal', message: err instanceof Error ? err.message : String(err) };
    }
    const reason: unknown = controller.signal.reason;
    if (reason instanceof ScrapeDeadline) outcome = { ok: false, reason: 'timeout', message: reason.message };
    entry.running = undefined;
    entry.deadlineMs = Number.POSITIVE_INFINITY;
    this.#removeRunning(entry);
    // Not kept until the next scrape: a settled promise per target would live an interval (old-generation garbage).
    entry.run = undefined;
    // An aborted signal stays aborted: it is never handed out again.
    if (!controller.signal.aborted && this.#idleControllers.length < IDLE_CONTROLLERS_MAX)
      this.#idleControllers.push(controller);
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

  #removeRunning(entry: Entry): void {
    const last = this.#running.pop() as Entry;
    if (last !== entry) {
      this.#running[entry.runningIndex] = last;
      last.runningIndex = entry.runningIndex;
    }
    entry.runningIndex = -1;
  }

  /** Moves the entry to a new slot (an earlier one sets the timer sooner). */
  #reslot(entry: Entry, slotMs: number): void {
    const earlier = slotMs < entry.slotMs;
    entry.slotMs = slotMs;
    if (entry.heapIndex < 0) return;
    if (earlier) this.#siftUp(entry.heapIndex);
    else this.#siftDown(entry.heapIndex);
  }

  #heapPush(entry: Entry): void {
    entry.heapIndex = this.#heap.length;
    this.#heap.push(entry);
    this.#siftUp(entry.heapIndex);
  }

  #heapRemove(entry: Entry): void {
    const index = entry.heapIndex;
    if (index < 0) return;
    entry.heapIndex = -1;
    const last = this.#heap.pop() as Entry;
    if (last === entry) return;
    this.#heap[index] = last;
    last.heapIndex = index;
    this.#siftDown(index);
    this.#siftUp(last.heapIndex);
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const entry = heap[index] as Entry;
    let at = index;
    while (at > 0) {
      const parentIndex = (at - 1) >> 1;
      const parent = heap[parentIndex] as Entry;
      if (parent.slotMs <= entry.slotMs) break;
      heap[at] = parent;
      parent.heapIndex = at;
      at = parentIndex;
    }
    heap[at] = entry;
    entry.heapIndex = at;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const entry = heap[index] as Entry;
    const length = heap.length;
    let at = index;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && (heap[right] as Entry).slotMs < (heap[left] as Entry).slotMs ? right : left;
      const smaller = heap[child] as Entry;
      if (smaller.slotMs >= entry.slotMs) break;
      heap[at] = smaller;
      smaller.heapIndex = at;
      at = child;
    }
    heap[at] = entry;
    entry.heapIndex = at;
  }
}

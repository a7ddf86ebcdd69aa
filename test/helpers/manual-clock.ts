// A scheduler clock that only moves when a test says so: timers fire in due order, promises settle between them.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SchedulerClock } from '../../src/fleet/scheduler-clock.js';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

export class ManualClock implements SchedulerClock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): unknown {
    const timer = { id: this.#nextId++, due: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (in due order) and letting promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (let fired = 0; fired < 100_000; fired++) {
      await settle();
      const next = this.#timers.filter((timer) => timer.due <= end).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer !== next);
      this.#now = next.due;
      next.callback();
    }
    this.#now = end;
    await settle();
  }
}

/** A few event-loop turns: enough for chains of resolved promises to run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await nextTurn();
}

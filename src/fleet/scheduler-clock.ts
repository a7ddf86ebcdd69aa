// The scheduler's view of time: wall-clock now and one-shot timers, a seam tests replace with a manual clock.

export interface SchedulerClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `ms`; the timer must not keep the process alive. */
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Real time: Date.now and unref'd setTimeout, so a forgotten scheduler never holds the process open. */
export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, Math.max(0, ms)).unref(),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A stable 32-bit hash (FNV-1a) of a target id: the same id lands on the same slot of its interval on every start. */
export function hashTargetId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The target's offset within its interval, in ms: spreads targets over the interval instead of a thundering herd. */
export function scrapeOffsetMs(id: string, intervalMs: number): number {
  return hashTargetId(id) % intervalMs;
}

/**
 * The first scheduled start at or after `now`: the grid `offset + k·interval` on the epoch, so the slot is the same
 * whatever the moment the target was discovered or the exporter started (as Prometheus's per-target offset).
 */
export function nextSlotMs(now: number, intervalMs: number, offsetMs: number): number {
  const k = Math.ceil((now - offsetMs) / intervalMs);
  return k * intervalMs + offsetMs;
}

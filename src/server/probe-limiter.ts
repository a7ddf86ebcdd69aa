// Bounds /probe: at most `maxConcurrent` probes fetch and process at once (so at most that many upstream sockets
// are busy for probes), at most `maxQueue` wait for a slot, and any more are refused at once — 2,000 concurrent
// probes of a hung target otherwise held 4,000 file descriptors.
import type { Gauge } from 'prom-client';

export interface ProbeLimits {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = Object.freeze({ maxConcurrent: 256, maxQueue: 1024 });

/** A slot to give back once the probe answered; `overloaded`: refused at once; `expired`: waited past its deadline. */
export type ProbeAdmission =
  | { readonly admitted: true; readonly waitedMs: number; release(): void }
  | { readonly admitted: false; readonly why: 'overloaded' | 'expired' | 'aborted'; readonly waitedMs: number };

interface Waiter {
  readonly grant: () => void;
}

export class ProbeLimiter {
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(
    readonly limits: ProbeLimits,
    private readonly gauges?: { readonly inFlight: Gauge; readonly queued: Gauge },
  ) {}

  /** Waits for a slot for at most `deadlineMs`, or until `signal` aborts (the client went away). */
  async admit(deadlineMs: number, signal: AbortSignal): Promise<ProbeAdmission> {
    const started = performance.now();
    const waited = (): number => performance.now() - started;
    if (this.#running < this.limits.maxConcurrent) return this.#grant(0);
    if (this.#waiting.length >= this.limits.maxQueue) return { admitted: false, why: 'overloaded', waitedMs: 0 };
    return new Promise<ProbeAdmission>((resolve) => {
      const waiter: Waiter = {
        grant: () => {
          cleanup();
          resolve(this.#grant(waited()));
        },
      };
      const leave = (why: 'expired' | 'aborted'): void => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        this.#report();
        cleanup();
        resolve({ admitted: false, why, waitedMs: waited() });
      };
      const timer = setTimeout(() => leave('expired'), Math.max(0, deadlineMs));
      timer.unref();
      const onAbort = (): void => leave('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      this.#waiting.push(waiter);
      this.#report();
    });
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  #grant(waitedMs: number): ProbeAdmission {
    this.#running++;
    this.#report();
    let released = false;
    return {
      admitted: true,
      waitedMs,
      release: () => {
        if (released) return;
        released = true;
        this.#running--;
        const next = this.#waiting.shift();
        if (next !== undefined) next.grant();
        else this.#report();
      },
    };
  }

  #report(): void {
    this.gauges?.inFlight.set(this.#running);
    this.gauges?.queued.set(this.#waiting.length);
  }
}

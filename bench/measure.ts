// Timing loops shared by the benches: repeat a case for a fixed wall time after a warm-up, report per-op cost.

export interface Measurement {
  readonly ops: number;
  readonly seconds: number;
  /** Operations per second. */
  readonly opsPerSecond: number;
  /** Milliseconds per operation. */
  readonly msPerOp: number;
  /** Main-thread busy milliseconds per operation (event-loop utilisation); for async cases only. */
  readonly mainThreadMsPerOp?: number;
}

function summarise(ops: number, ms: number): Measurement {
  return { ops, seconds: ms / 1000, opsPerSecond: (ops * 1000) / ms, msPerOp: ms / ops };
}

/** Runs `work` synchronously for `seconds` (after a warm-up of a quarter of that) and at least 3 times. */
export function measureSync(seconds: number, work: () => unknown): Measurement {
  const run = (budgetMs: number): { ops: number; ms: number } => {
    const start = performance.now();
    let ops = 0;
    let elapsed = 0;
    while (ops < 3 || elapsed < budgetMs) {
      work();
      ops++;
      elapsed = performance.now() - start;
    }
    return { ops, ms: elapsed };
  };
  run((seconds * 1000) / 4);
  const { ops, ms } = run(seconds * 1000);
  return summarise(ops, ms);
}

/**
 * Keeps `concurrency` calls of `work` in flight for `seconds` (after a warm-up), the way a scrape fleet keeps a
 * pool busy; reports completed operations per second.
 */
export async function measureAsync(
  seconds: number,
  concurrency: number,
  work: () => Promise<unknown>,
): Promise<Measurement> {
  const run = async (budgetMs: number): Promise<{ ops: number; ms: number }> => {
    const start = performance.now();
    let ops = 0;
    const lane = async (): Promise<void> => {
      while (ops < 3 || performance.now() - start < budgetMs) {
        await work();
        ops++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { ops, ms: performance.now() - start };
  };
  await run((seconds * 1000) / 4);
  const before = performance.eventLoopUtilization();
  const { ops, ms } = await run(seconds * 1000);
  const busy = performance.eventLoopUtilization(before);
  return { ...summarise(ops, ms), mainThreadMsPerOp: busy.active / ops };
}

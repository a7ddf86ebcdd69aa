// Bounded polling for things that happen on another process's clock (Prometheus, a child process): never a bare sleep.

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined, at most until `timeoutMs`
 * (a bounded wait for something Prometheus does on its own clock, not a sleep). The error names `what`.
 * A check that itself never settles is bounded too: it gets the time left (at least a second).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await within(`${what} (one check)`, check(), Math.max(deadline - Date.now(), 1_000));
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Resolves or rejects as `promise` does, or rejects after `timeoutMs` with an error naming `what`: the bound on a wait
 * for an event that may never come (a child's exit or ready line, a worker's announcement), so a slow or broken run
 * fails naming what it waited for instead of hanging until the runner's timeout.
 */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

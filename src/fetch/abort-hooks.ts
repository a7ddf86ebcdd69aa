// Abort handlers for requests that share a long-lived signal: a fleet target's scheduler signal is reused across its
// scrapes (scheduler.ts keeps idle controllers), and each scrape's request waits on it for a few milliseconds. The
// signal gets one listener for good, the first time a request waits on it; each request then only joins and leaves
// that listener's set. Measured (perf, bench:fleet 10,000 × 10, bench/README.md, twenty-fourth stop): Node's
// addEventListener and removeEventListener per request were ~0.2 points of 2 cores (their options, a Listener object,
// the AbortSignal's own new-listener hook); a Set's add and delete cost a fraction of that.

/** A signal's waiting handlers; the signal's one listener runs them when it aborts. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `handler` once when `signal` aborts, unless offAbort(signal, handler) is called first. It does not run for a
 * signal aborted already: check `signal.aborted` before. Handlers run in the order they were added and must not throw
 * (the ones after a throw would not run).
 */
export function onAbort(signal: AbortSignal, handler: () => void): void {
  let handlers = waiting.get(signal);
  if (handlers === undefined) {
    const added = new Set<() => void>();
    handlers = added;
    waiting.set(signal, added);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const waiter of added) waiter();
        added.clear();
      },
      { once: true },
    );
  }
  handlers.add(handler);
}

/** `handler` no longer waits on `signal` (nothing happens when it was not waiting). */
export function offAbort(signal: AbortSignal, handler: () => void): void {
  waiting.get(signal)?.delete(handler);
}

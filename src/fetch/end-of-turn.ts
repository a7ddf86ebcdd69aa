// Socket writes made during one turn of the event loop leave together at its end (setImmediate), as undici sends its
// requests from a setImmediate (Client resume). Measured on /probe at 50 connections (reference config, 50-stream
// body, bench:probe, issue 16): a write made at once from the microtask that finished its work cost ~3× one made among
// the turn's other writes (the lean client's request write 5.4 % of the main thread against undici's ~2 % of the
// floor's; the answer's writev 13.1 % → 4.7 %), since each lone write over loopback woke its reader on its own; the
// exporter's CPU per probe fell ~15 %. The turn's work is done first: a write waits microseconds, never a timer.

let pending: Array<() => void> = [];

function runPending(): void {
  const tasks = pending;
  pending = [];
  for (const task of tasks) task();
}

/**
 * Runs `task` at the end of this turn of the event loop, with the others queued in this turn, in order. It must not
 * throw (the tasks after it would not run): a caller that can fail catches inside and settles its own promise.
 */
export function atEndOfTurn(task: () => void): void {
  if (pending.length === 0) setImmediate(runPending);
  pending.push(task);
}

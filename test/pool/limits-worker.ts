// A test-only worker module: answers every task with the worker's own resource limits (as a failure message), so a
// test can read what the pool gave its workers.
import { resourceLimits } from 'node:worker_threads';
import type { WorkerPing, WorkerReply, WorkerTask } from '../../src/pool/messages.js';

export default function reportResourceLimits(task: WorkerTask | WorkerPing): WorkerReply | 'pong' {
  if (task.kind === 'ping') return 'pong';
  return { result: { ok: false, reason: 'worker_error', message: JSON.stringify(resourceLimits) } };
}

// Large bodies are run under this name (LARGE_BODY_TASK).
export { reportResourceLimits as runLargeBody };

// A test-only worker module: answers every task with the flags the pool sent it (as a failure message), so a test
// can read how the pool marked a body, e.g. whether it asked for a collection after a large body, and which worker
// thread ran it. A body starting with {"hold" waits for the hold channel's release first.
import { threadId } from 'node:worker_threads';
import type {
  WorkerBatchReply,
  WorkerBatchTask,
  WorkerPing,
  WorkerReply,
  WorkerTask,
} from '../../src/pool/messages.js';
import { hold } from './controlled-worker.js';

export default async function reportTaskFlags(
  task: WorkerTask | WorkerBatchTask | WorkerPing,
): Promise<WorkerReply | WorkerBatchReply | 'pong'> {
  if (task.kind === 'ping') return 'pong';
  const body = task.kind === 'batch' ? task.bodies : task.body;
  if (new TextDecoder().decode(new Uint8Array(body, 0, Math.min(body.byteLength, 7))) === '{"hold"') await hold();
  const bytes = body.byteLength;
  const failure = {
    ok: false,
    reason: 'worker_error',
    message: JSON.stringify({ bytes, collectGarbage: task.collectGarbage === true, thread: threadId }),
  } as const;
  if (task.kind !== 'batch') return { result: failure };
  // A batch: the same failure for each of its bodies.
  return {
    kind: 'batch',
    batch: { bytes: new Uint8Array(0), families: [], items: Array.from(task.bodyEnds, () => failure) },
  };
}

// Large bodies are run under this name (LARGE_BODY_TASK).
export { reportTaskFlags as runLargeBody };

// A test-only worker module: answers every task with the flags the pool sent it (as a failure message), so a test
// can read how the pool marked a body, e.g. whether it asked for a collection after a large body.
import type {
  WorkerBatchReply,
  WorkerBatchTask,
  WorkerPing,
  WorkerReply,
  WorkerTask,
} from '../../src/pool/messages.js';

export default function reportTaskFlags(
  task: WorkerTask | WorkerBatchTask | WorkerPing,
): WorkerReply | WorkerBatchReply | 'pong' {
  if (task.kind === 'ping') return 'pong';
  const bytes = task.kind === 'batch' ? task.bodies.byteLength : task.body.byteLength;
  const failure = {
    ok: false,
    reason: 'worker_error',
    message: JSON.stringify({ bytes, collectGarbage: task.collectGarbage === true }),
  } as const;
  if (task.kind !== 'batch') return { result: failure };
  // A batch: the same failure for each of its bodies.
  return {
    kind: 'batch',
    batch: { bytes: new Uint8Array(0), families: [], items: Array.from(task.bodyEnds, () => failure) },
  };
}

// A test-only worker module: the real worker, except that a body starting with "exit" or "throw" crashes it,
// "oom" allocates until the worker's heap limit kills it, "spin" loops without ever checking a budget (as a
// backtracking regular expression would), {"hold": …} keeps it busy until released, and {"coop": …} until the
// pool cancels the task. It lives under test/ so no config or HTTP request can make a production
// worker do any of this.
import { BroadcastChannel } from 'node:worker_threads';
import {
  TASK_CANCELLED,
  TASK_QUEUED,
  TASK_RUNNING,
  type WorkerBatchReply,
  type WorkerBatchTask,
  type WorkerEncodedReply,
  type WorkerMissingModule,
  type WorkerReply,
  type WorkerPing,
  type WorkerTask,
} from '../../src/pool/messages.js';
import runWorkerTask from '../../src/pool/worker.js';

/** The channel a held task announces itself on ("held") and waits on ("release"). */
export const HOLD_CHANNEL = 'fje-test-hold';

export function hold(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(HOLD_CHANNEL);
    channel.onmessage = (event) => {
      if ((event as MessageEvent).data !== 'release') return;
      channel.close();
      resolve();
    };
    // Subscribed before announcing: a release sent after "held" cannot be missed.
    channel.postMessage('held');
  });
}

/**
 * Work that never ends on its own but watches the task's state word, as the budget checks of a long extraction do:
 * it returns `aborted` once the pool marks the task cancelled (bounded: 60 s).
 */
async function cooperate(task: WorkerTask | WorkerBatchTask): Promise<WorkerReply> {
  const state = new Int32Array(task.control as SharedArrayBuffer);
  Atomics.compareExchange(state, 0, TASK_QUEUED, TASK_RUNNING);
  for (let waited = 0; waited < 60_000 && Atomics.load(state, 0) !== TASK_CANCELLED; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { result: { ok: false, reason: 'aborted', message: 'cooperative task cancelled' } };
}

export default async function runControlledWorkerTask(
  task: WorkerTask | WorkerBatchTask | WorkerPing,
): Promise<WorkerReply | WorkerEncodedReply | WorkerMissingModule | WorkerBatchReply | 'pong'> {
  if (task.kind === 'ping') return 'pong';
  // A batch is read by its first body: one "oom" body takes the whole batch's worker down.
  const [buffer, end] =
    task.kind === 'batch' ? [task.bodies, task.bodyEnds[0] ?? 0] : [task.body, task.body.byteLength];
  const head = new TextDecoder().decode(new Uint8Array(buffer, 0, Math.min(end, 8)));
  if (head.startsWith('"exit"')) process.exit(3);
  if (head.startsWith('"throw"')) throw new Error('test worker throws on purpose');
  if (head.startsWith('"oom"')) {
    const hoard: string[][] = [];
    // Bounded by the heap limit, not by the loop: the worker dies with ERR_WORKER_OUT_OF_MEMORY long before.
    for (let i = 0; i < 1e9; i++) hoard.push(new Array(1e5).fill(`x${i}`));
    return { result: { ok: false, reason: 'worker_error', message: `kept ${hoard.length}` } };
  }
  if (head.startsWith('"spin"')) {
    // Bounded only by the pool's termination (at most ~1e12 iterations if it never came).
    let x = 0;
    for (let i = 0; i < 1e12; i++) x = (x + i) % 7;
    return { result: { ok: false, reason: 'worker_error', message: `spun ${x}` } };
  }
  if (head.startsWith('{"hold"')) await hold();
  if (head.startsWith('{"coop"')) return cooperate(task);
  return runWorkerTask(task);
}

// Large bodies are run under this name (LARGE_BODY_TASK).
export { runControlledWorkerTask as runLargeBody };

// A test-only worker module: the real worker, except that a body starting with "exit" or "throw" crashes it and
// "hold" keeps it busy until released. It lives under test/ so no config or HTTP request can make a production
// worker do any of this.
import { BroadcastChannel } from 'node:worker_threads';
import type { WorkerPing, WorkerReply, WorkerTask } from '../../src/pool/messages.js';
import runWorkerTask from '../../src/pool/worker.js';

/** The channel a held task announces itself on ("held") and waits on ("release"). */
export const HOLD_CHANNEL = 'fje-test-hold';

function hold(): Promise<void> {
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

export default async function runControlledWorkerTask(task: WorkerTask | WorkerPing): Promise<WorkerReply | 'pong'> {
  if (task.kind === 'ping') return 'pong';
  const head = new TextDecoder().decode(new Uint8Array(task.body, 0, Math.min(task.body.byteLength, 8)));
  if (head.startsWith('"exit"')) process.exit(3);
  if (head.startsWith('"throw"')) throw new Error('test worker throws on purpose');
  if (head.startsWith('"hold"')) await hold();
  return runWorkerTask(task);
}

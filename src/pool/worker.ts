// The pool's worker entry: a task's body (or a batch of bodies) → the module's rendered families, through the same
// code as the inline path.
import { Piscina } from 'piscina';
import { encodeBatch, encodeResults, type HotPathBatchItem } from './hot-path-batch.js';
import { runHotPathInline } from './hot-path.js';
import {
  TASK_CANCELLED,
  TASK_QUEUED,
  TASK_RUNNING,
  type WorkerBatchReply,
  type WorkerBatchTask,
  type WorkerEncodedReply,
  type WorkerMissingModule,
  type WorkerPing,
  type WorkerReply,
  type WorkerTask,
} from './messages.js';
import { ModuleCache } from './module-cache.js';

const modules = new ModuleCache();

export function runSingle(task: WorkerTask): WorkerReply | WorkerEncodedReply | WorkerMissingModule {
  const compiled =
    task.module === undefined
      ? modules.peek(task.generation, task.moduleName)
      : modules.get(task.generation, task.moduleName, task.module).compiled;
  // Asked for before the task is claimed, so the resend finds it queued (or cancelled meanwhile).
  if (compiled === undefined) return { kind: 'missing-module', body: task.body };
  const control = task.control === undefined ? undefined : new Int32Array(task.control);
  // Claim the task; a cancelled one (the probe left while it waited in the queue) is dropped without any work.
  if (control !== undefined && Atomics.compareExchange(control, 0, TASK_QUEUED, TASK_RUNNING) !== TASK_QUEUED) {
    return { result: { ok: false, reason: 'aborted', message: 'the scrape was cancelled' } };
  }
  const result = runHotPathInline(compiled, {
    body: new Uint8Array(task.body),
    ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
    targetLabels: task.targetLabels,
    formats: task.formats,
    ...(task.deadline === undefined ? {} : { deadline: task.deadline }),
    ...(control === undefined ? {} : { isCancelled: () => Atomics.load(control, 0) === TASK_CANCELLED }),
  });
  return task.encode === true ? { kind: 'encoded', batch: encodeResults([result], task.formats) } : { result };
}

/** A batch's bodies are views into its one buffer; the rendered lines go back in one transferred buffer. */
export function runBatchTask(task: WorkerBatchTask): WorkerBatchReply {
  const compiled =
    task.module === undefined
      ? modules.peek(task.generation, task.moduleName)
      : modules.get(task.generation, task.moduleName, task.module).compiled;
  if (compiled === undefined) return { kind: 'missing-module', bodies: task.bodies };
  const control = task.control === undefined ? undefined : new Int32Array(task.control);
  // Claimed as a single task is: one the pool gave up on while it waited (its deadline passed) is dropped.
  if (control !== undefined && Atomics.compareExchange(control, 0, TASK_QUEUED, TASK_RUNNING) !== TASK_QUEUED) {
    const aborted = { ok: false as const, reason: 'aborted' as const, message: 'the scrape was cancelled' };
    return {
      kind: 'batch',
      batch: { bytes: new Uint8Array(0), families: [], items: Array.from(task.bodyEnds, () => aborted) },
    };
  }
  const items: HotPathBatchItem[] = [];
  let start = 0;
  for (const [i, end] of task.bodyEnds.entries()) {
    const contentType = task.contentTypes[i];
    const deadline = task.deadlines?.[i];
    items.push({
      body: new Uint8Array(task.bodies, start, end - start),
      ...(contentType === undefined ? {} : { contentType }),
      targetLabels: task.targetLabels[i] ?? {},
      ...(deadline === undefined || Number.isNaN(deadline) ? {} : { deadline }),
    });
    start = end;
  }
  const isCancelled = control === undefined ? undefined : () => Atomics.load(control, 0) === TASK_CANCELLED;
  return { kind: 'batch', batch: encodeBatch(compiled, items, task.formats, isCancelled) };
}

/** Piscina calls the default export once per task; a throw rejects only that task (the pool reports worker_error). */
type WorkerAnswer = WorkerReply | WorkerEncodedReply | WorkerMissingModule | WorkerBatchReply | 'pong';
function runWorkerTask(task: WorkerTask): WorkerReply | WorkerEncodedReply | WorkerMissingModule;
function runWorkerTask(task: WorkerBatchTask): WorkerBatchReply;
function runWorkerTask(task: WorkerPing): 'pong';
function runWorkerTask(task: WorkerTask | WorkerBatchTask | WorkerPing): WorkerAnswer;
function runWorkerTask(task: WorkerTask | WorkerBatchTask | WorkerPing): WorkerAnswer {
  if (task.kind === 'ping') return 'pong';
  if (task.kind !== 'batch') {
    const reply = runSingle(task);
    if (reply.kind === undefined) return reply;
    // Moved, not cloned: the body back for the resend, or the rendered lines.
    const buffer = reply.kind === 'missing-module' ? reply.body : reply.batch.bytes.buffer;
    const movable = { [Piscina.transferableSymbol]: [buffer], [Piscina.valueSymbol]: reply };
    return Piscina.move(movable as never) as unknown as WorkerMissingModule | WorkerEncodedReply;
  }
  const reply = runBatchTask(task);
  // Moved, not cloned: the bodies back for a resend, or the rendered lines.
  const buffer = reply.kind === 'missing-module' ? reply.bodies : reply.batch.bytes.buffer;
  const movable = { [Piscina.transferableSymbol]: [buffer], [Piscina.valueSymbol]: reply };
  return Piscina.move(movable as never) as unknown as WorkerBatchReply;
}

export default runWorkerTask;

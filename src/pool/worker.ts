// The pool's worker entry: a task's body → the module's rendered families, through the same code as the inline path.
import { runHotPathInline } from './hot-path.js';
import { TASK_CANCELLED, TASK_QUEUED, TASK_RUNNING, type WorkerReply, type WorkerTask } from './messages.js';
import { ModuleCache } from './module-cache.js';

const modules = new ModuleCache();

/** Piscina calls the default export once per task; a throw rejects only that task (the pool reports worker_error). */
export default function runWorkerTask(task: WorkerTask): WorkerReply {
  const control = task.control === undefined ? undefined : new Int32Array(task.control);
  // Claim the task; a cancelled one (the probe left while it waited in the queue) is dropped without any work.
  if (control !== undefined && Atomics.compareExchange(control, 0, TASK_QUEUED, TASK_RUNNING) !== TASK_QUEUED) {
    return { result: { ok: false, reason: 'aborted', message: 'the scrape was cancelled' }, cacheHit: false };
  }
  const cached = modules.get(task.generation, task.moduleName, task.module);
  const result = runHotPathInline(cached.compiled, {
    body: new Uint8Array(task.body),
    ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
    targetLabels: task.targetLabels,
    formats: task.formats,
    ...(task.deadline === undefined ? {} : { deadline: task.deadline }),
    ...(control === undefined ? {} : { isCancelled: () => Atomics.load(control, 0) === TASK_CANCELLED }),
  });
  return { result, cacheHit: cached.hit };
}

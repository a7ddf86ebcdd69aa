// The pool's worker entry: a task's body → the module's rendered families, through the same code as the inline path.
import { runHotPathInline } from './hot-path.js';
import type { WorkerReply, WorkerTask } from './messages.js';
import { ModuleCache } from './module-cache.js';

const modules = new ModuleCache();

/** Piscina calls the default export once per task; a throw rejects only that task (the pool reports worker_error). */
export default function runWorkerTask(task: WorkerTask): WorkerReply {
  const cached = modules.get(task.generation, task.moduleName, task.module);
  const result = runHotPathInline(cached.compiled, {
    body: new Uint8Array(task.body),
    ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
    targetLabels: task.targetLabels,
    formats: task.formats,
  });
  return { result, cacheHit: cached.hit };
}

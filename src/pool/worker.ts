// The pool's worker entry: a task's body (or a batch of bodies) → the module's rendered families, through the same
// code as the inline path.
import { Piscina } from 'piscina';
import { collectGarbage } from './collect-garbage.js';
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
import type { CompiledModule } from '../extract/compile-module.js';

const modules = new ModuleCache();

/** The task's compiled module: compiled from the config it carries, or the cached one (undefined: not compiled). */
function compiledFor(task: WorkerTask | WorkerBatchTask): CompiledModule | undefined {
  return task.module === undefined
    ? modules.peek(task.generation, task.moduleName)
    : modules.get(task.generation, task.moduleName, task.module).compiled;
}

/**
 * Claims a task through its state word (QUEUED → RUNNING): false when the pool cancelled it while it waited (the
 * probe left, or the deadline passed), and it is then dropped without any work. Called after the module lookup, so a
 * resend after `missing-module` finds the task still queued (or cancelled meanwhile).
 */
function claimed(control: Int32Array | undefined): boolean {
  return control === undefined || Atomics.compareExchange(control, 0, TASK_QUEUED, TASK_RUNNING) === TASK_QUEUED;
}

/** The running task's cancel check for the hot path's budget. */
function cancelCheck(control: Int32Array | undefined): { isCancelled?: () => boolean } {
  return control === undefined ? {} : { isCancelled: () => Atomics.load(control, 0) === TASK_CANCELLED };
}

const CANCELLED = { ok: false, reason: 'aborted', message: 'the scrape was cancelled' } as const;

export function runSingle(task: WorkerTask): WorkerReply | WorkerEncodedReply | WorkerMissingModule {
  const compiled = compiledFor(task);
  if (compiled === undefined) return { kind: 'missing-module', body: task.body };
  const control = task.control === undefined ? undefined : new Int32Array(task.control);
  if (!claimed(control)) return { result: CANCELLED };
  const result = runHotPathInline(compiled, {
    body: new Uint8Array(task.body),
    ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
    targetLabels: task.targetLabels,
    formats: task.formats,
    ...(task.deadline === undefined ? {} : { deadline: task.deadline }),
    ...cancelCheck(control),
    ...(task.collectGarbage === true ? { afterExtract: () => releaseBody(task.body) } : {}),
  });
  // A failure goes back as it is either way (no buffer to encode, transfer and decode for it).
  return task.encode === true && result.ok
    ? { kind: 'encoded', batch: encodeResults([result], task.formats) }
    : { result };
}

/** A batch's bodies are views into its one buffer; the rendered lines go back in one transferred buffer. */
export function runBatchTask(task: WorkerBatchTask): WorkerBatchReply {
  const compiled = compiledFor(task);
  if (compiled === undefined) return { kind: 'missing-module', bodies: task.bodies };
  const control = task.control === undefined ? undefined : new Int32Array(task.control);
  if (!claimed(control)) {
    return {
      kind: 'batch',
      batch: { bytes: new Uint8Array(0), families: [], items: Array.from(task.bodyEnds, () => CANCELLED) },
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
  return { kind: 'batch', batch: encodeBatch(compiled, items, task.formats, cancelCheck(control).isCancelled) };
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
    if (reply.kind === 'missing-module') return moved(reply, reply.body);
    collectAfterLargeBody(task);
    return reply.kind === undefined ? reply : moved(reply, reply.batch.bytes.buffer);
  }
  const reply = runBatchTask(task);
  if (reply.kind === 'missing-module') return moved(reply, reply.bodies);
  collectAfterLargeBody(task);
  return moved(reply, reply.batch.bytes.buffer);
}

/**
 * A large body leaves its worker's heap holding the body's garbage (60-73 MB after issue 17's 7.5 MB array), and an
 * idle Piscina worker never shrinks it: it blocks in Atomics.wait between tasks, so V8 gets no turn to. Collected
 * here, the heap is ~17 MB again in 6-13 ms (the answer is already bytes outside the heap, so little is live).
 * The body's own bytes are still reachable from the task Piscina holds until this returns, so they are detached
 * first (moved by structuredClone's transfer into a buffer nothing references, which this collection frees):
 * otherwise each body stayed allocated until the next large body's collection, and the main thread's malloc heap,
 * where bodies are allocated, grew by one body per back-to-back probe (11 → 36 MB over five probes,
 * bench:large-body with smaps).
 */
function collectAfterLargeBody(task: WorkerTask | WorkerBatchTask): void {
  if (task.collectGarbage !== true) return;
  releaseBody(task.kind === 'batch' ? task.bodies : task.body);
}

/**
 * Between a large body's extraction and its rendering: the parsed document (~15-20 MB for issue 17's 7.5 MB array)
 * is garbage in the old generation by then, where nothing collects it before the rendered lines pile up on top of it,
 * and the body's bytes are still held by the task. Both are freed here, with a full collection of ~20 ms while the
 * samples are live. Measured (bench:large-body, 7.5 MB array): the worker's heap peaked at 51 MB instead of 66 MB,
 * and a fresh exporter's peak RSS went from 178-193 MB to 159-167 MB.
 */
function releaseBody(body: ArrayBuffer): void {
  // A detached (or empty) buffer has no bytes to move.
  if (body.byteLength > 0) structuredClone(body, { transfer: [body] });
  collectGarbage();
}

/** Moved, not cloned: the body (or bodies) back for the resend, or the rendered lines. */
function moved<T>(reply: T, buffer: ArrayBufferLike): T {
  const movable = { [Piscina.transferableSymbol]: [buffer], [Piscina.valueSymbol]: reply };
  return Piscina.move(movable as never) as unknown as T;
}

export default runWorkerTask;
// LARGE_BODY_TASK: the same function, under the name the pool's balancer recognises.
export { runWorkerTask as runLargeBody };

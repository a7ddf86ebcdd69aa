// The worker entry called on the main thread: it caches the compiled module and returns plain data only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkerBatchTask, WorkerReply, WorkerTask } from '../../src/pool/messages.js';
import runWorkerTask, { runBatchTask, runSingle } from '../../src/pool/worker.js';
import { referenceBody, referenceModule } from './pool-fixtures.js';

function workerTask(generation: number, withConfig = true): WorkerTask {
  const module = referenceModule(generation);
  const body = referenceBody();
  return {
    generation,
    moduleName: module.name,
    ...(withConfig ? { module: module.config } : {}),
    body: body.slice().buffer,
    targetLabels: {},
    formats: ['text'],
  };
}

/** A task that carried its config (or found it compiled): the worker's reply, never a request for the config. */
function replyOf(task: WorkerTask): WorkerReply {
  const reply = runWorkerTask(task);
  assert.notEqual(reply.kind, 'missing-module');
  return reply as WorkerReply;
}

/** A batch of two bodies; with `withConfig` false it relies on the worker having compiled the module already. */
function batchTask(generation: number, withConfig: boolean): WorkerBatchTask {
  const module = referenceModule(generation);
  const body = referenceBody();
  const bodies = new Uint8Array(body.byteLength * 2);
  bodies.set(body, 0);
  bodies.set(body, body.byteLength);
  return {
    kind: 'batch',
    generation,
    moduleName: module.name,
    ...(withConfig ? { module: module.config } : {}),
    bodies: bodies.buffer,
    bodyEnds: Uint32Array.of(body.byteLength, body.byteLength * 2),
    contentTypes: [undefined, undefined],
    targetLabels: [{ instance: 'a' }, { instance: 'b' }],
    formats: ['text', 'openmetrics'],
  };
}

test('a module compiled for one task serves the next ones of its generation without its config; a new generation asks again', () => {
  // Caching observed from outside: a config-less batch only succeeds once this worker compiled the module.
  assert.equal(runBatchTask(batchTask(201, false)).kind, 'missing-module');
  assert.equal(replyOf(workerTask(201)).result.ok, true);
  assert.equal(runBatchTask(batchTask(201, false)).kind, 'batch');
  assert.equal(runBatchTask(batchTask(202, false)).kind, 'missing-module');
  assert.equal(runBatchTask(batchTask(202, true)).kind, 'batch');
  assert.equal(runBatchTask(batchTask(202, false)).kind, 'batch');
});

test('a single task without its config asks for it before claiming the task, body untouched; once compiled, it is not needed', () => {
  const task = workerTask(501, false);
  const control = new SharedArrayBuffer(4);
  const expected = new Uint8Array(task.body).slice();
  const asked = runSingle({ ...task, control });
  assert.equal(asked.kind, 'missing-module');
  assert.deepEqual(new Uint8Array(asked.kind === 'missing-module' ? asked.body : new ArrayBuffer(0)), expected);
  // Still queued: the resend with the config claims it.
  assert.equal(new Int32Array(control)[0], 0);
  const withConfig = replyOf(workerTask(501));
  const without = replyOf(workerTask(501, false));
  assert.equal(without.result.ok, true);
  assert.deepEqual(without.result.ok && without.result.families, withConfig.result.ok && withConfig.result.families);
});

test('a missing-module answer hands the bodies back untouched for the resend', () => {
  const task = batchTask(301, false);
  const expected = new Uint8Array(task.bodies).slice();
  const reply = runBatchTask(task);
  assert.equal(reply.kind, 'missing-module');
  assert.deepEqual(new Uint8Array(reply.kind === 'missing-module' ? reply.bodies : new ArrayBuffer(0)), expected);
});

test('a batch renders each body with its own target labels into one buffer', () => {
  const reply = runBatchTask(batchTask(401, true));
  assert.equal(reply.kind, 'batch');
  if (reply.kind !== 'batch') return;
  const text = new TextDecoder().decode(reply.batch.bytes);
  assert.equal(reply.batch.items.length, 2);
  assert.match(text, /^stream_clients_clients\{instance="a",name=/m);
  assert.match(text, /^stream_clients_clients\{instance="b",name=/m);
  const [first] = reply.batch.items;
  // The reference module's families render alike in both formats: OpenMetrics shares the text's bytes.
  assert.ok(first?.ok && first.spans.text === first.spans.openmetrics);
});

test('a reply survives structured cloning unchanged (plain data only)', () => {
  const reply = replyOf(workerTask(103));
  assert.equal(reply.result.ok, true);
  assert.deepEqual(structuredClone(reply), reply);
});

test('a large body (collectGarbage) is detached once extracted, before rendering, and renders the same lines', () => {
  const plain = replyOf(workerTask(601));
  const large = { ...workerTask(601), collectGarbage: true };
  const reply = runSingle(large);
  assert.equal(large.body.byteLength, 0);
  assert.notEqual(reply.kind, 'missing-module');
  const result = (reply as WorkerReply).result;
  assert.equal(result.ok, true);
  assert.deepEqual(result.ok && result.families, plain.result.ok && plain.result.families);
});

// The worker entry called on the main thread: it caches the compiled module and returns plain data only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkerTask } from '../../src/pool/messages.js';
import runWorkerTask from '../../src/pool/worker.js';
import { referenceBody, referenceModule } from './pool-fixtures.js';

function workerTask(generation: number): WorkerTask {
  const module = referenceModule(generation);
  const body = referenceBody();
  return {
    generation,
    moduleName: module.name,
    module: module.config,
    body: body.slice().buffer,
    targetLabels: {},
    formats: ['text'],
  };
}

test('the first task of a module compiles it, the next one reuses it', () => {
  assert.equal(runWorkerTask(workerTask(101)).cacheHit, false);
  assert.equal(runWorkerTask(workerTask(101)).cacheHit, true);
  assert.equal(runWorkerTask(workerTask(102)).cacheHit, false);
});

test('a reply survives structured cloning unchanged (plain data only)', () => {
  const reply = runWorkerTask(workerTask(103));
  assert.equal(reply.result.ok, true);
  assert.deepEqual(structuredClone(reply), reply);
});

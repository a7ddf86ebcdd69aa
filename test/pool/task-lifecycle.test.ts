// A pool task's life: deadlines, cancellation and worker faults (out of memory, a hang) fail only their task, the
// pool heals, and a cancelled task frees its slot at once without killing a healthy worker.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { epochNow } from '../../src/pool/hot-path.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  bytesOf,
  controlledWorkerUrl,
  holdWorker,
  longChain,
  recursiveModule,
  referenceBody,
  referenceModule,
  taskFor,
} from './pool-fixtures.js';

const module = referenceModule();

describe('worker faults', () => {
  const pool = new WorkerPool({ threads: 1, maxQueue: 4, workerUrl: controlledWorkerUrl, maxHeapMb: 64 });
  after(() => pool.close());

  test('a worker that runs out of memory (resourceLimits) fails only its task; the next body is served', async () => {
    const oom = await pool.run(taskFor(module, bytesOf('"oom"')));
    assert.equal(oom.ok ? 'ok' : oom.reason, 'out_of_memory');
    assert.match(oom.ok ? '' : oom.message, /out of memory|ERR_WORKER_OUT_OF_MEMORY/i);
    assert.equal((await pool.run(taskFor(module, referenceBody()))).ok, true);
    assert.equal(pool.stats.threads, 1);
  });

  test('a batch whose worker runs out of memory fails each body with out_of_memory; the next batch is served', async () => {
    const batch = (first: Uint8Array) => ({
      module,
      formats: ['text' as const],
      items: [first, referenceBody()].map((body) => ({ body, targetLabels: {} })),
    });
    const failed = await pool.runBatch(batch(bytesOf('"oom"')));
    assert.deepEqual(
      failed.map((result) => (result.ok ? 'ok' : result.reason)),
      ['out_of_memory', 'out_of_memory'],
    );
    assert.match(failed[0]?.ok === false ? failed[0].message : '', /handling the batch ran out of memory/);
    const served = await pool.runBatch(batch(referenceBody()));
    assert.deepEqual(
      served.map((result) => result.ok),
      [true, true],
    );
  });

  test('a worker that hangs without ever checking its budget fails with timeout and is replaced', async () => {
    const before = pool.stuckWorkersReplaced;
    const hung = await pool.run({ ...taskFor(module, bytesOf('"spin"')), deadline: epochNow() + 200 });
    assert.equal(hung.ok ? 'ok' : hung.reason, 'timeout');
    // Queued behind the hung task: served once the stuck worker is replaced after the grace.
    assert.equal((await pool.run(taskFor(module, referenceBody()))).ok, true);
    assert.equal(pool.stuckWorkersReplaced, before + 1);
  });
});

describe('cancellation', () => {
  const pool = new WorkerPool({ threads: 1, maxQueue: 0, workerUrl: controlledWorkerUrl });
  after(() => pool.close());
  const recursive = recursiveModule();

  test('a cancelled running task frees its slot at once; the worker stops at its next check and is not replaced', async () => {
    const cancel = new AbortController();
    const running = pool.run({ ...taskFor(recursive, longChain()), signal: cancel.signal });
    // Running: dispatched to the one worker, nothing queued.
    await waitFor(
      'the task to reach the worker',
      async () => (pool.stats.inFlight === 1 && pool.stats.queued === 0 ? true : undefined),
      60_000,
      5,
    );
    cancel.abort();
    const cancelled = await running;
    assert.equal(cancelled.ok ? 'ok' : cancelled.reason, 'aborted');
    // Capacity is 1 (one thread, no queue): had the cancelled task kept its slot this would be pool_overloaded.
    const next = await pool.run(taskFor(module, referenceBody()));
    assert.equal(next.ok ? 'ok' : next.reason, 'ok');
    assert.equal(pool.stuckWorkersReplaced, 0, 'the healthy worker was not terminated');
  });

  test('a cancelled queued task is dropped: the worker that takes it does no work', async () => {
    const queuedPool = new WorkerPool({ threads: 1, maxQueue: 1, workerUrl: controlledWorkerUrl });
    try {
      const held = await holdWorker(queuedPool, module);
      const cancel = new AbortController();
      const queued = queuedPool.run({ ...taskFor(recursive, longChain()), signal: cancel.signal });
      assert.equal(queuedPool.stats.inFlight, 2);
      cancel.abort();
      const result = await queued;
      assert.equal(result.ok ? 'ok' : result.reason, 'aborted');
      assert.equal(queuedPool.stats.inFlight, 1, 'only the held task still counts');
      assert.equal((await held.release()).ok, true);
      const next = await queuedPool.run(taskFor(module, referenceBody()));
      assert.equal(next.ok, true);
      assert.equal(queuedPool.stuckWorkersReplaced, 0);
    } finally {
      await queuedPool.close();
    }
  });

  test('a deadline that passes while the body waits in the queue answers timeout without waiting for a worker', async () => {
    const queuedPool = new WorkerPool({ threads: 1, maxQueue: 1, workerUrl: controlledWorkerUrl });
    try {
      const held = await holdWorker(queuedPool, module);
      const late = await queuedPool.run({ ...taskFor(module, referenceBody()), deadline: epochNow() + 50 });
      assert.equal(late.ok ? 'ok' : late.reason, 'timeout');
      assert.match(late.ok ? '' : late.message, /waited for a worker/);
      assert.equal((await held.release()).ok, true);
    } finally {
      await queuedPool.close();
    }
  });
});

describe('memory-aware body limits', () => {
  // 16 MB heaps: bodies over 1 MiB are refused, 4 MiB of bodies may be in flight together.
  const pool = new WorkerPool({ threads: 1, maxQueue: 64, workerUrl: controlledWorkerUrl, maxHeapMb: 16 });
  after(() => pool.close());

  test('a body larger than a sixteenth of a worker’s heap fails with body_too_large before it is posted', async () => {
    const big = bytesOf(`{"x":"${'y'.repeat(1_100_000)}"}`);
    const refused = await pool.run(taskFor(module, big));
    assert.equal(refused.ok ? 'ok' : refused.reason, 'body_too_large');
    assert.ok(big.byteLength > 0, 'a refused body is not transferred');
  });

  test('bodies in flight stay under a quarter of the workers’ heaps: past it pool_overloaded, after it served', async () => {
    const held = await holdWorker(pool, module);
    const body = (): Uint8Array => bytesOf(`{"x":"${'y'.repeat(1_000_000)}"}`);
    const queued = Array.from({ length: 4 }, () => pool.run(taskFor(module, body())));
    const refused = await pool.run(taskFor(module, body()));
    assert.equal(refused.ok ? 'ok' : refused.reason, 'pool_overloaded');
    assert.match(refused.ok ? '' : refused.message, /memory budget/);
    assert.equal((await held.release()).ok, true);
    for (const result of await Promise.all(queued)) assert.equal(result.ok, true);
    assert.equal((await pool.run(taskFor(module, body()))).ok, true);
  });
});

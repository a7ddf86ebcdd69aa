// Workers idle for --workers.idle-timeout are stopped, and the next body for the pool starts them again. The clock is
// the test's own: stopIfIdle() is driven by hand, never by waiting.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runHotPathInline } from '../../src/pool/hot-path.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { waitFor } from '../helpers/wait-for.js';
import { controlledWorkerUrl, holdWorker, referenceBody, referenceModule, taskFor } from './pool-fixtures.js';

const IDLE_MS = 60_000;

/** A pool on a clock the test moves, its workers started (every start-up ping answered). */
async function startedPool(
  options: { workerUrl?: string } = {},
): Promise<{ pool: WorkerPool; clock: { now: number } }> {
  const clock = { now: 1_000 };
  const pool = new WorkerPool({ threads: 2, maxQueue: 4, idleStopMs: IDLE_MS, now: () => clock.now, ...options });
  await waitFor('both workers to start', async () => (pool.startedWorkers === 2 ? true : undefined), 60_000);
  return { pool, clock };
}

describe('WorkerPool idle stop', () => {
  test('workers stop only after idleStopMs without a task, and a body after that starts them and renders the same', async () => {
    const { pool, clock } = await startedPool();
    try {
      const module = referenceModule();
      const first = await pool.run(taskFor(module, referenceBody()));
      assert.ok(first.ok);
      clock.now += IDLE_MS - 1;
      assert.equal(pool.stopIfIdle(), false, 'not idle long enough');
      assert.equal(pool.stats.threads, 2);
      clock.now += 1;
      assert.equal(pool.stopIfIdle(), true);
      assert.equal(pool.stats.threads, 0, 'no worker left');
      assert.equal(pool.startedWorkers, 0);
      assert.equal(pool.stats.idleStops, 1);
      assert.equal(pool.stopIfIdle(), false, 'nothing left to stop');

      // A body for the pool starts the workers again; the new ones get the module's config with it.
      const again = await pool.run(taskFor(module, referenceBody(), { instance: 'a:1' }));
      const inline = runHotPathInline(module.compiled, taskFor(module, referenceBody(), { instance: 'a:1' }));
      assert.ok(again.ok && inline.ok);
      assert.deepEqual(
        again.families.text?.map((family) => family.text),
        inline.families.text?.map((family) => family.text),
      );
      assert.equal(pool.stats.threads, 2);
    } finally {
      await pool.close();
    }
  });

  test('a task in flight keeps the workers, however long it runs', async () => {
    const { pool, clock } = await startedPool({ workerUrl: controlledWorkerUrl });
    try {
      const held = await holdWorker(pool, referenceModule());
      clock.now += 10 * IDLE_MS;
      assert.equal(pool.stopIfIdle(), false, 'a worker is busy');
      const released = await held.release();
      assert.ok(released.ok, JSON.stringify(released));
      // Idle from the moment it was answered, not from when it was posted.
      assert.equal(pool.stopIfIdle(), false);
      clock.now += IDLE_MS;
      assert.equal(pool.stopIfIdle(), true);
    } finally {
      await pool.close();
    }
  });

  test('a batch while the workers are stopped runs inline and starts them for the next', async () => {
    const { pool, clock } = await startedPool();
    try {
      const module = referenceModule(3);
      clock.now += IDLE_MS;
      assert.equal(pool.stopIfIdle(), true);
      const batch = { module, formats: ['text' as const], items: [{ body: referenceBody(), targetLabels: {} }] };
      const [inline] = await pool.runBatch(batch);
      assert.ok(inline?.ok);
      assert.equal(pool.stats.threads, 2, 'the batch started the workers');
      await waitFor('both workers to start again', async () => (pool.startedWorkers === 2 ? true : undefined), 60_000);
      const [pooled] = await pool.runBatch(batch);
      assert.ok(pooled?.ok);
      const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
      assert.equal(text(pooled.encoded.text?.bytes), text(inline.encoded.text?.bytes));
      assert.notEqual(text(inline.encoded.text?.bytes), '');
    } finally {
      await pool.close();
    }
  });

  test('idleStopMs 0 never stops them; a negative one is refused', async () => {
    const clock = { now: 0 };
    const pool = new WorkerPool({ threads: 1, maxQueue: 1, idleStopMs: 0, now: () => clock.now });
    try {
      await waitFor('the worker to start', async () => (pool.startedWorkers === 1 ? true : undefined), 60_000);
      clock.now += 1e9;
      assert.equal(pool.stopIfIdle(), false);
      assert.equal(pool.stats.threads, 1);
    } finally {
      await pool.close();
    }
    assert.throws(() => new WorkerPool({ threads: 1, maxQueue: 1, idleStopMs: -1 }), /idleStopMs must be ≥ 0/);
  });

  test('a pool closed right after stopping its workers as idle closes cleanly', async () => {
    const { pool, clock } = await startedPool();
    clock.now += IDLE_MS;
    assert.equal(pool.stopIfIdle(), true);
    await pool.close();
    const refused = await pool.run(taskFor(referenceModule(), referenceBody()));
    assert.equal(refused.ok ? 'ok' : refused.reason, 'worker_error');
    assert.equal(pool.stats.threads, 0, 'closing did not start them again');
  });
});

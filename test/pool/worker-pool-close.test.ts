// Closing a pool whose workers are still starting: Node 20 aborts the whole process when a worker is terminated while
// it loads its module through require(esm), so close() lets the first workers finish starting. Without that, the same
// loop as a script aborted ("FATAL ERROR: v8::Module::IsGraphAsync …", SIGABRT) in 3 of 5 runs, and this file in 1 of
// 8: a race, so this test catches a regression sometimes, not always.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { referenceModule, referenceBody, taskFor } from './pool-fixtures.js';

test('pools closed right after they were made (0–120 ms) close cleanly, and refuse work afterwards', async () => {
  const module = referenceModule();
  const delays = [0, 5, 10, 20, 30, 50, 80, 120];
  for (const delayMs of [...delays, ...delays]) {
    const pool = new WorkerPool({ threads: 2, maxQueue: 4 });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await pool.close();
    const refused = await pool.run(taskFor(module, referenceBody()));
    assert.equal(refused.ok ? 'ok' : refused.reason, 'worker_error', `closed after ${delayMs} ms`);
    assert.match(refused.ok ? '' : refused.message, /closed/);
  }
});

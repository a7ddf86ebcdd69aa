// WorkerPool.runBatch: many bodies in one task, each rendered as the inline path renders it, bytes back per body.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { familiesWithSeries } from '../../src/exposition/encoded-families.js';
import { epochNow, runHotPathInline } from '../../src/pool/hot-path.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { waitFor } from '../helpers/wait-for.js';
import { bytesOf, longChain, recursiveModule, referenceBody, referenceModule, taskFor } from './pool-fixtures.js';

const decoder = new TextDecoder();

describe('WorkerPool.runBatch', () => {
  const pool = new WorkerPool({ threads: 2, maxQueue: 4 });
  after(() => pool.close());

  test('a body past its own deadline stops with timeout; the batch’s other body, without one, is served', async () => {
    // In a worker: until one has started, batches run inline (where the same deadline applies).
    await waitFor('a worker to start', async () => (pool.startedWorkers > 0 ? true : undefined), 60_000);
    const results = await pool.runBatch({
      module: recursiveModule(),
      formats: ['text'],
      items: [
        // Already past when the worker starts on it: with a deadline 200 ms ahead, a fast moment of the machine let
        // `{..a..a}` reach its result bound first (result_too_large), a race that failed ~1 run in 10.
        { body: longChain(), targetLabels: {}, deadline: epochNow() - 1 },
        { body: bytesOf('{"a":{"a":1}}'), targetLabels: {} },
      ],
    });
    const [slow, quick] = results;
    assert.equal(slow?.ok ? 'ok' : slow?.reason, 'timeout');
    assert.equal(quick?.ok ? quick.sampleCount : quick?.reason, 1);
    assert.equal(pool.stuckWorkersReplaced, 0, 'a body that checks its budget stops itself; no worker is replaced');
  });

  test('each body of a batch gets the lines the inline path renders, with its own target labels', async () => {
    const module = referenceModule(7);
    const labels = [{ instance: 'a:1' }, { instance: 'b:1' }, { instance: 'c:1' }];
    const results = await pool.runBatch({
      module,
      formats: ['text', 'openmetrics'],
      items: labels.map((targetLabels) => ({ body: referenceBody(), targetLabels })),
    });
    assert.equal(results.length, 3);
    for (const [i, result] of results.entries()) {
      assert.ok(result.ok);
      const inline = runHotPathInline(module.compiled, taskFor(module, referenceBody(), labels[i]));
      assert.ok(inline.ok);
      const expected = (inline.families.text ?? []).map((family) => family.text).join('');
      assert.equal(decoder.decode(result.encoded.text?.bytes), expected);
      assert.deepEqual(
        familiesWithSeries(result.encoded.text!).map((family) => family.name),
        (inline.families.text ?? []).filter((family) => family.text !== '').map((family) => family.name),
      );
      assert.equal(result.sampleCount, inline.sampleCount);
    }
    // One family list for the module, shared by the three results.
    const [first, second] = results;
    assert.ok(first?.ok && second?.ok);
    assert.equal(first.encoded.text?.families, second.encoded.text?.families);
  });

  test("the callers' bodies stay usable (a batch copies them into one transferred buffer)", async () => {
    const body = referenceBody();
    const size = body.byteLength;
    const [result] = await pool.runBatch({
      module: referenceModule(8),
      formats: ['text'],
      items: [{ body, targetLabels: {} }],
    });
    assert.ok(result?.ok);
    assert.equal(body.byteLength, size);
  });

  test('a body that is not JSON fails alone; the others of its batch succeed', async () => {
    const results = await pool.runBatch({
      module: referenceModule(9),
      formats: ['text'],
      items: [
        { body: referenceBody(), targetLabels: {} },
        { body: bytesOf('{"streams": ['), targetLabels: {} },
        { body: referenceBody(), targetLabels: {} },
      ],
    });
    assert.deepEqual(
      results.map((result) => (result.ok ? 'ok' : result.reason)),
      ['ok', 'invalid_json', 'ok'],
    );
  });

  test('a new generation reaches every worker: batches of it succeed, whichever worker takes them', async () => {
    const module = referenceModule(10);
    const batches = await Promise.all(
      Array.from({ length: 6 }, () =>
        pool.runBatch({ module, formats: ['text'], items: [{ body: referenceBody(), targetLabels: {} }] }),
      ),
    );
    assert.ok(batches.every(([result]) => result?.ok));
  });
});

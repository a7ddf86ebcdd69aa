// Bodies of fleet scrapes gathered into hot-path batches: by count or after a short wait, one batch per module.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HotPathBatch, HotPathEncodedResult } from '../../src/pool/hot-path-batch.js';
import { ScrapeBatcher } from '../../src/fleet/scrape-batcher.js';
import { referenceModule } from '../pool/pool-fixtures.js';

/** A runner that records the batches it gets and answers each body with a failure naming its first byte. */
function recordingRunner(): {
  batches: HotPathBatch[];
  runBatch(batch: HotPathBatch): Promise<HotPathEncodedResult[]>;
} {
  const batches: HotPathBatch[] = [];
  return {
    batches,
    runBatch: (batch) => {
      batches.push(batch);
      return Promise.resolve(
        batch.items.map((item) => ({ ok: false, reason: 'worker_error', message: String(item.body[0]) })),
      );
    },
  };
}

const item = (n: number) => ({ body: Uint8Array.of(n), targetLabels: {} });

describe('ScrapeBatcher', () => {
  test('a full batch goes at once, and each body gets its own result back', async () => {
    const runner = recordingRunner();
    const batcher = new ScrapeBatcher(runner, ['text'], { maxItems: 3, maxWaitMs: 60_000 });
    const module = referenceModule(1);
    const results = await Promise.all([1, 2, 3].map((n) => batcher.run(module, item(n))));
    assert.equal(runner.batches.length, 1);
    assert.deepEqual(
      results.map((result) => (result.ok ? '' : result.message)),
      ['1', '2', '3'],
    );
  });

  test('a batch goes once its bodies reach maxBytes, the body that reached it included', async () => {
    const runner = recordingRunner();
    const batcher = new ScrapeBatcher(runner, ['text'], { maxItems: 100, maxBytes: 5, maxWaitMs: 60_000 });
    const module = referenceModule(1);
    const sized = (n: number, bytes: number) => ({ body: new Uint8Array(bytes).fill(n), targetLabels: {} });
    // 2 + 2 bytes wait; the third body (2 more: 6 ≥ 5) sends all three; the fourth starts a new batch, sent alone.
    const results = await Promise.all([
      batcher.run(module, sized(1, 2)),
      batcher.run(module, sized(2, 2)),
      batcher.run(module, sized(3, 2)),
      batcher.run(module, sized(4, 7)),
    ]);
    assert.deepEqual(
      runner.batches.map((batch) => batch.items.length),
      [3, 1],
    );
    assert.deepEqual(
      results.map((result) => (result.ok ? '' : result.message)),
      ['1', '2', '3', '4'],
    );
  });

  test('a batch that is not full goes after the wait', async () => {
    const runner = recordingRunner();
    const module = referenceModule(1);
    const waiting = new ScrapeBatcher(runner, ['text'], { maxItems: 100, maxWaitMs: 1 });
    const [late] = await Promise.all([waiting.run(module, item(9))]);
    assert.equal(late?.ok, false);
    assert.equal(waiting.waiting, 0);
    assert.equal(runner.batches.length, 1);
  });

  test('bodies of different modules (or generations) never share a batch', async () => {
    const runner = recordingRunner();
    const batcher = new ScrapeBatcher(runner, ['text'], { maxItems: 2, maxWaitMs: 60_000 });
    const [a, b] = [referenceModule(1), referenceModule(2)];
    const runs = [batcher.run(a, item(1)), batcher.run(b, item(2)), batcher.run(a, item(3)), batcher.run(b, item(4))];
    await Promise.all(runs);
    assert.deepEqual(
      runner.batches.map((batch) => [batch.module.generation, batch.items.map((i) => i.body[0])]),
      [
        [1, [1, 3]],
        [2, [2, 4]],
      ],
    );
  });

  test('a runner that throws fails every body of the batch with worker_error', async () => {
    const batcher = new ScrapeBatcher({ runBatch: () => Promise.reject(new Error('boom')) }, ['text'], { maxItems: 2 });
    const module = referenceModule(1);
    const results = await Promise.all([batcher.run(module, item(1)), batcher.run(module, item(2))]);
    assert.ok(results.every((result) => !result.ok && result.reason === 'worker_error' && /boom/.test(result.message)));
  });
});

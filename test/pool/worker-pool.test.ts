// The Piscina pool: same output as inline, body transferred, bounded queue, a crashing worker fails only its task.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { type EncodedFamilies, familyBytes } from '../../src/exposition/encoded-families.js';
import { createInlineHotPath, runHotPathInline, type HotPathResult } from '../../src/pool/hot-path.js';
import { WORKER_YOUNG_GENERATION_MB, WorkerPool } from '../../src/pool/worker-pool.js';
import { bytesOf, controlledWorkerUrl, referenceBody, referenceModule, taskFor } from './pool-fixtures.js';

const module = referenceModule();

/** A result without its timings, which differ from run to run. */
function withoutTimings(result: HotPathResult): unknown {
  if (!result.ok) return result;
  const { timings: _timings, ...rest } = result;
  return rest;
}

describe('WorkerPool', () => {
  const pool = new WorkerPool({ threads: 2, maxQueue: 4 });
  after(() => pool.close());

  test('a worker renders exactly what the inline path renders, target labels first', async () => {
    const labels = { job: 'srs', instance: 'edge-0:1985' };
    const inline = runHotPathInline(module.compiled, taskFor(module, referenceBody(), labels));
    const pooled = await pool.run(taskFor(module, referenceBody(), labels));
    assert.equal(pooled.ok, true);
    assert.deepEqual(withoutTimings(pooled), withoutTimings(inline));
    assert.match(
      pooled.ok ? (pooled.families.text?.[1]?.text ?? '') : '',
      /^stream_clients_clients\{job="srs",instance="edge-0:1985",name=/,
    );
  });

  test('runEncoded: the worker’s bytes are the inline text encoded, both formats, alike families shared', async () => {
    const labels = { job: 'srs', instance: 'édge-0:1985' };
    const formats = ['text', 'openmetrics'] as const;
    const inline = runHotPathInline(module.compiled, { ...taskFor(module, referenceBody(), labels), formats });
    const pooled = await pool.runEncoded({ ...taskFor(module, referenceBody(), labels), formats });
    if (!inline.ok || !pooled.ok) assert.fail('both succeed');
    assert.equal(pooled.sampleCount, inline.sampleCount);
    assert.deepEqual(pooled.problemCounts, inline.problemCounts);
    for (const format of formats) {
      const encoded: EncodedFamilies | undefined = pooled.encoded[format];
      if (encoded === undefined) assert.fail(`no ${format} families`);
      const lines = (i: number): string => new TextDecoder().decode(familyBytes(encoded, i));
      assert.deepEqual(
        encoded.families.map((family, i) => [family.name, lines(i)]),
        (inline.families[format] ?? []).map((family) => [family.name, family.text]),
      );
    }
    // The reference module's families render alike in both formats: one copy of the lines crossed.
    assert.equal(pooled.encoded.openmetrics, pooled.encoded.text);
  });

  test('runEncoded: a failure is the same value as run’s', async () => {
    const bad = await pool.runEncoded(taskFor(module, bytesOf('<html>oops</html>')));
    assert.equal(bad.ok ? '' : bad.reason, 'invalid_json');
  });

  test('the body’s ArrayBuffer is transferred: the caller’s buffer is detached afterwards', async () => {
    const body = referenceBody();
    const size = body.byteLength;
    assert.ok(size > 0);
    const result = await pool.run(taskFor(module, body));
    assert.equal(result.ok, true);
    assert.equal(body.byteLength, 0, 'the view is detached');
    assert.equal(body.buffer.byteLength, 0, 'the ArrayBuffer is detached');
  });

  test('a view into a larger buffer is copied, leaving the rest of the caller’s buffer intact', async () => {
    const whole = bytesOf(' ' + new TextDecoder().decode(referenceBody()) + ' ');
    const view = whole.subarray(1, whole.byteLength - 1);
    const result = await pool.run(taskFor(module, view));
    assert.equal(result.ok, true);
    assert.equal(whole.byteLength > 2, true, 'the caller’s buffer still holds its bytes');
    assert.equal(whole[0], 0x20);
  });

  test('a body that is not JSON is an invalid_json result, and the worker keeps serving', async () => {
    const bad = await pool.run(taskFor(module, bytesOf('<html>oops</html>')));
    assert.equal(bad.ok, false);
    assert.equal(bad.ok ? '' : bad.reason, 'invalid_json');
    const good = await pool.run(taskFor(module, referenceBody()));
    assert.equal(good.ok, true);
  });

  test('per-step timings come back from the worker in order', async () => {
    const result = await pool.run(taskFor(module, referenceBody()));
    assert.ok(result.ok);
    const { parseStart, extractEnd, renderEnd } = result.timings;
    assert.ok(parseStart > 1_600_000_000_000, 'epoch milliseconds');
    assert.ok(parseStart <= extractEnd && extractEnd <= renderEnd);
  });
});

describe('WorkerPool bound', () => {
  test('a body beyond threads + maxQueue in flight fails at once with pool_overloaded; the others complete', async () => {
    const pool = new WorkerPool({ threads: 1, maxQueue: 1 });
    try {
      const runs = [1, 2, 3].map(() => pool.run(taskFor(module, referenceBody())));
      const third = await runs[2];
      assert.equal(third?.ok, false);
      assert.equal(third?.ok === false ? third.reason : '', 'pool_overloaded');
      assert.match(third?.ok === false ? third.message : '', /--workers\.max-queue/);
      const [first, second] = await Promise.all(runs.slice(0, 2));
      assert.equal(first?.ok, true);
      assert.equal(second?.ok, true);
      assert.equal(pool.stats.inFlight, 0);
      const again = await pool.run(taskFor(module, referenceBody()));
      assert.equal(again.ok, true, 'once drained, the pool takes bodies again');
    } finally {
      await pool.close();
    }
  });

  test('with maxQueue 0 the pool still runs one body per thread', async () => {
    const pool = new WorkerPool({ threads: 1, maxQueue: 0 });
    try {
      const [first, second] = await Promise.all([
        pool.run(taskFor(module, referenceBody())),
        pool.run(taskFor(module, referenceBody())),
      ]);
      assert.equal(first.ok, true);
      assert.equal(second.ok === false ? second.reason : 'ok', 'pool_overloaded');
    } finally {
      await pool.close();
    }
  });

  test('options are checked up front with the value that was wrong', () => {
    assert.throws(() => new WorkerPool({ threads: 0, maxQueue: 1 }), /threads must be a whole number ≥ 1 \(got 0\)/);
    assert.throws(() => new WorkerPool({ threads: 1, maxQueue: -1 }), /maxQueue must be a whole number ≥ 0 \(got -1\)/);
  });

  test('a closed pool answers worker_error instead of hanging', async () => {
    const pool = new WorkerPool({ threads: 1, maxQueue: 0 });
    await pool.close();
    const result = await pool.run(taskFor(module, referenceBody()));
    assert.equal(result.ok === false ? result.reason : 'ok', 'worker_error');
  });
});

describe('WorkerPool crash recovery', () => {
  const pool = new WorkerPool({ threads: 1, maxQueue: 4, workerUrl: controlledWorkerUrl });
  after(() => pool.close());

  test('a worker that exits fails only its task with worker_error; a new worker takes the next body', async () => {
    const crashed = await pool.run(taskFor(module, bytesOf('"exit"')));
    assert.equal(crashed.ok, false);
    assert.equal(crashed.ok ? '' : crashed.reason, 'worker_error');
    const next = await pool.run(taskFor(module, referenceBody()));
    assert.equal(next.ok, true);
    assert.equal(pool.stats.threads, 1);
  });

  test('a new worker that never got the module config asks for it: the body is sent again and renders the same', async () => {
    // The first tasks of a module carry its config; later ones do not. Crash the worker after those, so its
    // replacement meets a config-less task.
    for (let i = 0; i < 3; i++) assert.equal((await pool.run(taskFor(module, referenceBody()))).ok, true);
    await pool.run(taskFor(module, bytesOf('"exit"')));
    const replaced = await pool.run(taskFor(module, referenceBody()));
    const inline = await createInlineHotPath().run(taskFor(module, referenceBody()));
    assert.equal(replaced.ok, true);
    assert.deepEqual(replaced.ok && replaced.families, inline.ok && inline.families);
  });

  test('a worker that throws fails only its task; bodies queued behind it still succeed', async () => {
    const runs = [
      pool.run(taskFor(module, bytesOf('"throw"'))),
      pool.run(taskFor(module, referenceBody())),
      pool.run(taskFor(module, bytesOf('"exit"'))),
      pool.run(taskFor(module, referenceBody())),
    ];
    const [thrown, afterThrow, exited, afterExit] = await Promise.all(runs);
    assert.equal(thrown?.ok === false ? thrown.reason : 'ok', 'worker_error');
    assert.match(thrown?.ok === false ? thrown.message : '', /test worker throws on purpose/);
    assert.equal(afterThrow?.ok, true);
    assert.equal(exited?.ok === false ? exited.reason : 'ok', 'worker_error');
    assert.equal(afterExit?.ok, true);
  });
});

describe('WorkerPool resource limits', () => {
  const pool = new WorkerPool({
    threads: 1,
    maxQueue: 1,
    maxHeapMb: 256,
    workerUrl: new URL('./limits-worker.js', import.meta.url).href,
  });
  after(() => pool.close());

  test('workers get the old-generation limit asked for and a young generation capped at 12 MB (issue 17)', async () => {
    const result = await pool.run(taskFor(referenceModule(), bytesOf('{}')));
    assert.ok(!result.ok);
    const limits = JSON.parse(result.message) as { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number };
    assert.equal(limits.maxOldGenerationSizeMb, 256);
    assert.equal(WORKER_YOUNG_GENERATION_MB, 12);
    assert.equal(limits.maxYoungGenerationSizeMb, WORKER_YOUNG_GENERATION_MB);
  });
});

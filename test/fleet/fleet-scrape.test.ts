// The fleet scrape function: a body whose batch never comes back (a worker stuck in a filter's regexp) must not
// hold the scheduler's slot past the scrape's signal; bodies below the inline threshold run on the main thread,
// gathered into batches.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { loadConfigFile } from '../../src/config/load.js';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { createFleetScrape, INLINE_BATCH } from '../../src/fleet/fleet-scrape.js';
import type { ScrapeBatcherOptions } from '../../src/fleet/scrape-batcher.js';
import { familyBytes } from '../../src/exposition/encoded-families.js';
import type { HotPathEncodedResult } from '../../src/pool/hot-path-batch.js';
import { createHotPath } from '../../src/pool/create-hot-path.js';
import { createInlineHotPath } from '../../src/pool/hot-path.js';
import { closePreparedConfig, prepareConfig, type PreparedConfig } from '../../src/scrape/prepared-config.js';
import { fixturePath } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { makeStreamsBody } from '../helpers/srs-body.js';

let srs: TestServer;
/** `/streams/N`: an SRS body of N streams (the default route: 2). */
let prepared: PreparedConfig;

/** A fleet target of the test server at `path`. */
function targetAt(path: string): ScrapeTarget {
  const url = `${srs.url}${path}`;
  return {
    id: scrapeTargetId('srs', url),
    job: 'srs',
    url,
    module: 'default',
    labels: { job: 'srs', instance: new URL(srs.url).host },
    intervalMs: 15_000,
    timeoutMs: 10_000,
    source: 'static',
  };
}

before(async () => {
  srs = await startTestServer((req, res) => {
    const count = Number(/\/streams\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 2);
    res.writeHead(200, { 'content-type': 'application/json' }).end(makeStreamsBody(count));
  });
  prepared = prepareConfig(loadConfigFile(fixturePath('config', 'srs-reference.yml'), 1));
});

after(async () => {
  await closePreparedConfig(prepared);
  await srs.close();
});

test('a batch that never answers ends as aborted once the scrape signal fires', { timeout: 30_000 }, async () => {
  let batches = 0;
  // A pool whose worker never answers: the batcher hands it the body, and nothing comes back.
  const stuck = Object.assign(createInlineHotPath(), {
    pool: {},
    runBatch: (): Promise<HotPathEncodedResult[]> => {
      batches++;
      return new Promise(() => {});
    },
  });
  const scrape = createFleetScrape({ prepared: () => prepared, hotPath: stuck, maxBodyBytes: 1 << 20 });
  const target = targetAt('/api/v1/streams/');
  const controller = new AbortController();
  const outcome = scrape(target, controller.signal);
  // The body reached the (stuck) pool before the scrape is cancelled.
  for (let turn = 0; batches === 0 && turn < 1_000_000; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(batches, 1);
  controller.abort(new Error('deadline'));
  const result = await outcome;
  assert.equal(result.ok, false);
  assert.equal(result.ok ? '' : result.reason, 'aborted');
});

test('a body below --workers.inline-max-bytes runs inline; a larger one goes to the pool in a batch', async () => {
  const registry = new Registry();
  const hotPath = createHotPath({ workers: 1, maxQueue: 8, inlineMaxBytes: 4096, registry });
  try {
    const scrape = createFleetScrape({ prepared: () => prepared, hotPath, maxBodyBytes: 1 << 20 });
    assert.ok(Buffer.byteLength(makeStreamsBody(1)) < 4096 && Buffer.byteLength(makeStreamsBody(40)) > 4096);
    const small = await scrape(targetAt('/streams/1'), new AbortController().signal);
    const large = await scrape(targetAt('/streams/40'), new AbortController().signal);
    assert.equal(small.ok && large.ok, true);
    const counts = new Map(
      (await registry.getSingleMetric('fleet_json_exporter_hot_path_tasks_total')?.get())?.values.map((value) => [
        `${value.labels.path}/${value.labels.outcome}`,
        value.value,
      ]),
    );
    assert.equal(counts.get('inline/ok'), 1);
    assert.equal(counts.get('pool/ok'), 1);
  } finally {
    await hotPath.close();
  }
});

/** Three small targets scraped at once through a hot path with a pool; how many inline batches ran, and the outcomes. */
async function scrapeThree(
  inlineBatch: ScrapeBatcherOptions | undefined,
): Promise<{ batches: number; lines: string[] }> {
  const registry = new Registry();
  const hotPath = createHotPath({ workers: 1, maxQueue: 8, inlineMaxBytes: 1 << 20, registry });
  try {
    const scrape = createFleetScrape({
      prepared: () => prepared,
      hotPath,
      maxBodyBytes: 1 << 20,
      ...(inlineBatch === undefined ? {} : { inlineBatch }),
    });
    const outcomes = await Promise.all(
      [1, 2, 3].map((count) => scrape(targetAt(`/streams/${count}`), new AbortController().signal)),
    );
    const lines = outcomes.map((outcome) => {
      assert.equal(outcome.ok, true);
      const text = outcome.ok ? outcome.encoded?.text : undefined;
      assert.ok(text !== undefined);
      return text.families.map((_, i) => new TextDecoder().decode(familyBytes(text, i))).join('');
    });
    const metric = await registry.getSingleMetric('fleet_json_exporter_hot_path_duration_seconds')?.get();
    const count = metric?.values.find(
      (value) =>
        (value as { metricName?: string }).metricName?.endsWith('_count') === true && value.labels.path === 'inline',
    );
    const tasks = (await registry.getSingleMetric('fleet_json_exporter_hot_path_tasks_total')?.get())?.values.find(
      (value) => value.labels.path === 'inline' && value.labels.outcome === 'ok',
    );
    assert.equal(tasks?.value, 3, 'every body counted');
    return { batches: count?.value ?? 0, lines };
  } finally {
    await hotPath.close();
  }
}

test('small bodies gathered run as one inline batch, each target with its own lines', async () => {
  // The third body sends the batch (the wait is far longer than any test): no timing involved.
  const { batches, lines } = await scrapeThree({ maxItems: 3, maxWaitMs: 60_000 });
  assert.equal(batches, 1);
  // Target /streams/N has N streams: its own series, none of another's.
  for (const [i, text] of lines.entries()) {
    assert.equal(text.match(/^stream_clients_clients\{/gm)?.length, i + 1, text);
  }
  // Without gathering (one body a batch) the lines are the same.
  const single = await scrapeThree({ maxItems: 1 });
  assert.equal(single.batches, 3);
  assert.deepEqual(single.lines, lines);
});

test('by default inline bodies wait at most 20 ms, and a batch holds at most 64 bodies or 512 KiB', async () => {
  assert.deepEqual({ ...INLINE_BATCH }, { maxItems: 64, maxBytes: 512 * 1024, maxWaitMs: 20 });
  // Scrapes without options gather as well (a lone body goes when the wait ends): every outcome arrives.
  const { lines } = await scrapeThree(undefined);
  assert.equal(lines.length, 3);
});

test('an inline batch goes once its bodies reach the bytes bound', async () => {
  const { batches } = await scrapeThree({ maxItems: 64, maxWaitMs: 60_000, maxBytes: 1 });
  assert.equal(batches, 3);
});

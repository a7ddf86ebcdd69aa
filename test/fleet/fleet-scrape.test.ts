// The fleet scrape function: a body whose batch never comes back (a worker stuck in a filter's regexp) must not
// hold the scheduler's slot past the scrape's signal; bodies below the inline threshold run on the main thread.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { loadConfigFile } from '../../src/config/load.js';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { createFleetScrape } from '../../src/fleet/fleet-scrape.js';
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

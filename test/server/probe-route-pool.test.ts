// /probe with a worker pool: a full pool answers 503 at once with reason pool_overloaded, and serves again after.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { configLoader } from '../../src/commands/load-config.js';
import { createHotPath } from '../../src/pool/create-hot-path.js';
import { ConfigReloader } from '../../src/server/config-reloader.js';
import { createExporterServer, type ExporterServer } from '../../src/server/http-server.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { request as httpRequest } from 'node:http';
import { controlledWorkerUrl, holdWorker } from '../pool/pool-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { ScrapeOutcomeRecorder } from '../../src/scrape/record-outcome.js';

const REFERENCE_OUTPUT = readFixture('srs', 'reference-streams.expected.txt');
const logger = createLogger('error');
const metrics = createSelfMetrics();
const reloader = new ConfigReloader(configLoader(fixturePath('config', 'srs-reference.yml')), metrics, logger);
// One worker, no queue, every body to the pool: one held task fills it.
const hotPath = createHotPath({
  workers: 1,
  maxQueue: 0,
  inlineMaxBytes: 0,
  registry: metrics.registry,
  workerUrl: controlledWorkerUrl,
});
const server: ExporterServer = createExporterServer({
  reloader,
  metrics,
  recorder: new ScrapeOutcomeRecorder(metrics),
  logger,
  telemetryPath: '/metrics',
  maxBodyBytes: 1 << 20,
  timeoutOffsetMs: 500,
  hotPath,
});
let target: TestServer;
let probeUrl = '';

before(async () => {
  target = await startTestServer((req, res) => {
    // /coop: a body the controlled worker works on until the pool cancels it (padded past no size: inlineMaxBytes 0).
    const body = req.url === '/coop' ? '{"coop":0}' : readFixture('srs', 'reference-streams.json');
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  const address = await server.listen(0, '127.0.0.1');
  probeUrl = `http://127.0.0.1:${address.port}/probe?target=${encodeURIComponent(target.url + '/reference')}`;
});

after(async () => {
  await server.close();
  await Promise.all([target.close(), hotPath.close(), reloader.close()]);
});

test('a probe through the pool gives json_exporter’s output byte for byte', async () => {
  const response = await httpGet(probeUrl);
  assert.equal(response.status, 200);
  assert.equal(response.text, REFERENCE_OUTPUT);
});

test('with the pool full, /probe answers 503 naming pool_overloaded, counts it, then serves again once it drains', async () => {
  const module = reloader.current.modules.get('default');
  assert.ok(module);
  const held = await holdWorker(hotPath, module.hotPath);
  const refused = await httpGet(probeUrl);
  assert.equal(refused.status, 503);
  assert.match(refused.text, /worker pool overloaded: 1 bodies in flight .*\(reason: pool_overloaded\)\n$/);
  const exposition = (await httpGet(probeUrl.replace(/\/probe\?.*/, '/metrics'))).text;
  assert.match(exposition, /fleet_json_exporter_target_errors_total\{module="default",reason="pool_overloaded"\} 1/);
  assert.match(exposition, /fleet_json_exporter_pool_in_flight 1/);

  await held.release();
  const served = await httpGet(probeUrl);
  assert.equal(served.status, 200);
  assert.equal(served.text, REFERENCE_OUTPUT);
});

test('a probe cancelled mid-task (client gone) frees its slot: the next probe is served, not queued behind it', async () => {
  const pool = hotPath.pool;
  assert.ok(pool);
  // Probe A: its body keeps the one worker busy until the task is cancelled.
  const coopUrl = probeUrl.replace(
    encodeURIComponent(target.url + '/reference'),
    encodeURIComponent(target.url + '/coop'),
  );
  const client = httpRequest(coopUrl, { agent: false });
  client.on('error', () => {});
  client.end();
  await waitFor('probe A to occupy the worker', async () => (pool.stats.inFlight === 1 ? true : undefined), 60_000, 5);
  client.destroy();
  // Capacity is 1 (one worker, no queue): while A held its slot, B would get 503 pool_overloaded; while A's task
  // ran, B would wait behind it forever (the task only ends when cancelled).
  await waitFor('the slot to be freed', async () => (pool.stats.inFlight === 0 ? true : undefined), 60_000, 5);
  const served = await httpGet(probeUrl);
  assert.equal(served.status, 200);
  assert.equal(served.text, REFERENCE_OUTPUT);
  assert.equal(pool.stuckWorkersReplaced, 0, 'the worker stopped by itself: it was not terminated');
});

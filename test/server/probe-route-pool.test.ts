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
import { controlledWorkerUrl, holdWorker } from '../pool/pool-fixtures.js';
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
  target = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
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

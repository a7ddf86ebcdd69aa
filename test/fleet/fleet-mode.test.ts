// Fleet mode end to end: startExporter with a config file holding `fleet:`, real targets, reload, stop.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { readFixture } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { within } from '../helpers/wait-for.js';
import { makeStreamsBody } from '../helpers/srs-body.js';

let srs: TestServer;
let exporter: RunningExporter;
let dir: string;
let configFile: string;

/** The SRS reference modules plus a fleet section scraping the given paths of the test SRS server every second. */
function writeConfig(paths: readonly string[], cluster: string): void {
  const targets = paths.map((path) => JSON.stringify(`${srs.url}${path}`)).join(', ');
  writeFileSync(
    configFile,
    readFixture('config', 'srs-reference.yml') +
      `fleet:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  concurrency: 4\n  jobs:\n` +
      `    - name: srs-edge\n      module: default\n      labels: { cluster: ${cluster} }\n      static_targets: [${targets}]\n`,
  );
}

/**
 * Resolves when every target the scheduler has was scraped at least once by a scrape that started from now on: one
 * that was already running (after a reload, with the old labels) and ends later does not count.
 */
function nextScrapeOfEach(): Promise<void> {
  const pending = new Set(exporter.fleet.scheduler.targets().map((target) => target.id));
  const since = Date.now();
  let unsubscribe: () => void = () => undefined;
  const scraped = new Promise<void>((resolve) => {
    unsubscribe = exporter.fleet.scheduler.onScrape((target, _outcome, timing) => {
      if (timing.startedMs < since) return;
      pending.delete(target.id);
      if (pending.size === 0) resolve();
    });
  });
  // Bounded: a target whose scrape never ends fails the wait by name instead of holding the file.
  return within(`a new scrape of each of ${pending.size} targets`, scraped, 60_000).finally(() => unsubscribe());
}

async function metricsBody(): Promise<string> {
  return (await httpGet(`http://127.0.0.1:${exporter.port}/metrics`)).text;
}

before(async () => {
  srs = await startTestServer((req, res) => {
    // Never answers: the scrape deadline must end it.
    if (req.url === '/stall') return;
    const count = Number((req.url ?? '').split('/').pop());
    if (Number.isInteger(count)) res.writeHead(200, { 'content-type': 'application/json' }).end(makeStreamsBody(count));
    else res.writeHead(404).end();
  });
  dir = mkdtempSync(join(tmpdir(), 'fje-fleet-'));
  configFile = join(dir, 'config.yml');
  writeConfig(['/srs/2', '/srs/3', '/stall'], 'prod');
  exporter = await startExporter(
    {
      configFile,
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'error',
      maxBodyBytes: 1 << 20,
      timeoutOffsetMs: 500,
    },
    createLogger('error'),
  );
});

after(async () => {
  await exporter.stop();
  await srs.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet mode through startExporter', () => {
  test('a config with fleet: scrapes its targets and serves their series with job, instance and the job labels', async () => {
    assert.equal(exporter.fleet.active, true);
    await nextScrapeOfEach();
    const body = await metricsBody();
    const port = new URL(srs.url).port;
    // The three targets share 127.0.0.1:<port>: their label sets collided, so each instance is its URL (issue 18).
    assert.match(
      body,
      new RegExp(
        `^stream_clients_clients\\{job="srs-edge",instance="http://127\\.0\\.0\\.1:${port}/srs/2",cluster="prod",name="stream-00"\\} 1$`,
        'm',
      ),
    );
    assert.equal(body.split('\n').filter((line) => line.startsWith('stream_clients_clients{')).length, 5);
    assert.match(body, /^fleet_json_exporter_fleet_targets\{job="srs-edge"\} 3$/m);
    // The stalled target hit its 1 s scrape_timeout: down, with the reason, and no series.
    assert.match(
      body,
      new RegExp(
        `^fleet_json_exporter_target_up\\{job="srs-edge",instance="http://127\\.0\\.0\\.1:${port}/srs/2",cluster="prod"\\} 1$`,
        'm',
      ),
    );
    const stall = exporter.fleet.store.get(`srs-edge|${srs.url}/stall`);
    assert.equal(stall?.meta.state, 'down');
    assert.equal(stall?.meta.lastError?.reason, 'timeout');
    assert.match(body, /^fleet_json_exporter_target_scrape_errors_total\{[^}]*reason="timeout"\} [1-9]\d*$/m);
    assert.match(body, /^fleet_json_exporter_fleet_scrape_lag_seconds_count \d+$/m);
    const landing = (await httpGet(`http://127.0.0.1:${exporter.port}/`)).text;
    for (const link of ['/targets', '/federate', '/sd'])
      assert.ok(landing.includes(`href="${link}`), `landing page lacks ${link}`);
  });

  test('a fleet scrape that skips a value counts it in the same extract-problem counter /probe uses', async () => {
    // No /probe has run yet in this file: every count here comes from fleet scrapes of the string `server` field.
    await nextScrapeOfEach();
    const body = await metricsBody();
    const count = /^fleet_json_exporter_extract_problems_total\{module="default",reason="not_numeric"\} (\d+)$/m.exec(
      body,
    );
    assert.ok(count, 'extract_problems_total{reason="not_numeric"} is missing from /metrics');
    assert.ok(Number(count[1]) >= 2, `expected at least one skip per healthy target, got ${count[1]}`);
    assert.match(body, /^fleet_json_exporter_probes_total\{module="default",result="success"\} [1-9]\d*$/m);
  });

  test('/probe keeps working beside fleet mode', async () => {
    const response = await httpGet(
      `http://127.0.0.1:${exporter.port}/probe?target=${encodeURIComponent(`${srs.url}/srs/1`)}`,
    );
    assert.equal(response.status, 200);
    assert.match(response.text, /^stream_clients_clients\{name="stream-00"\} 1$/m);
  });

  test("a reload applies the new targets and labels without dropping the server; a vanished target's series go at once", async () => {
    writeConfig(['/srs/3', '/srs/4'], 'staging');
    const reload = await httpGet(`http://127.0.0.1:${exporter.port}/-/reload`, { method: 'POST' });
    assert.equal(reload.status, 200);
    await exporter.fleet.settled();
    const ids = exporter.fleet.scheduler
      .targets()
      .map((target) => target.url)
      .sort();
    assert.deepEqual(ids, [`${srs.url}/srs/3`, `${srs.url}/srs/4`]);
    const before = await metricsBody();
    assert.ok(!before.includes('/srs/2'), 'the removed target is still served');
    await nextScrapeOfEach();
    const after = await metricsBody();
    const clients = after.split('\n').filter((line) => line.startsWith('stream_clients_clients{'));
    assert.equal(clients.length, 7);
    assert.ok(clients.every((line) => line.includes('cluster="staging"')));
  });

  test("a reload to a config without fleet: turns fleet mode off: no targets, fleet endpoints 404, /metrics is the exporter's own", async () => {
    writeFileSync(configFile, readFixture('config', 'srs-reference.yml'));
    assert.equal((await httpGet(`http://127.0.0.1:${exporter.port}/-/reload`, { method: 'POST' })).status, 200);
    await exporter.fleet.settled();
    assert.equal(exporter.fleet.active, false);
    assert.equal((await httpGet(`http://127.0.0.1:${exporter.port}/targets`)).status, 404);
    assert.ok(!(await metricsBody()).includes('stream_clients_clients'));
    assert.equal(exporter.fleet.scheduler.targets().length, 0);
  });
});

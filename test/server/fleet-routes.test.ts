// Fleet endpoints end to end over real HTTP: SRS-shaped targets on 127.0.0.1, the real scrape path, the server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { configLoader } from '../../src/commands/load-config.js';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { createFleetScrape } from '../../src/fleet/fleet-scrape.js';
import { Scheduler } from '../../src/fleet/scheduler.js';
import { GzipExposition } from '../../src/fleet/gzip-exposition.js';
import { TargetStore } from '../../src/fleet/store.js';
import { ConfigReloader } from '../../src/server/config-reloader.js';
import { createExporterServer, type ExporterServer } from '../../src/server/http-server.js';
import { createInlineHotPath } from '../../src/pool/hot-path.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';
import { fixturePath } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { within } from '../helpers/wait-for.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { parseExposition } from '../helpers/exposition-parser.js';
import { checkMetricsWithPromtool } from '../helpers/promtool.js';
import { makeStreamsBody } from '../helpers/srs-body.js';
import { ScrapeOutcomeRecorder } from '../../src/scrape/record-outcome.js';

const INTERVAL = 15_000;
let srs: TestServer;
let server: ExporterServer;
let base: string;
let reloader: ConfigReloader;
const hotPath = createInlineHotPath();
let scheduler: Scheduler;
let store: TargetStore;
let gzip: GzipExposition;
const clock = new ManualClock(1_700_000_000_000);
const fleetOn = { value: true };

function target(path: string, extraLabels: Record<string, string> = {}, timeoutMs = 5_000): ScrapeTarget {
  const url = `${srs.url}${path}`;
  const instance = `${new URL(url).host}${path}`;
  return {
    id: scrapeTargetId('srs-edge', url),
    job: 'srs-edge',
    url,
    module: 'default',
    labels: { job: 'srs-edge', instance, cluster: 'prod', ...extraLabels },
    intervalMs: INTERVAL,
    timeoutMs,
    source: 'static',
  };
}

/** Advances the manual clock one interval and waits until `count` scrapes have been recorded. */
async function scrapeRound(count: number): Promise<void> {
  let seen = 0;
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    unsubscribe = scheduler.onScrape(() => {
      if (++seen === count) resolve();
    });
  });
  await clock.advance(INTERVAL);
  try {
    // Bounded: a scrape that never ends (or never starts) fails the round by name instead of holding the file.
    await within(`${count} scrapes of the round`, done, 60_000);
  } finally {
    unsubscribe();
  }
}

/** Where the exporter's own metrics begin: everything before is target and health series. */
function fleetPart(body: string): string {
  const at = body.indexOf('# HELP process_');
  assert.ok(at > 0, 'self metrics missing');
  return body.slice(0, at);
}

let targets: ScrapeTarget[];

before(async () => {
  srs = await startTestServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/srs/')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(makeStreamsBody(Number(path.slice('/srs/'.length))));
    } else if (path === '/error500') {
      res.writeHead(500).end('{}');
    } else {
      res.writeHead(404).end();
    }
  });
  const metrics = createSelfMetrics();
  const logger = createLogger('error');
  reloader = new ConfigReloader(configLoader(fixturePath('config', 'srs-reference.yml')), metrics, logger);
  store = new TargetStore();
  gzip = new GzipExposition(store);
  scheduler = new Scheduler({
    // One body at a time: gathered bodies wait on a real timer, while advancing the manual clock a whole interval
    // would pass their deadlines first (in real time the wait is 20 ms against a timeout of seconds).
    scrape: createFleetScrape({
      prepared: () => reloader.current,
      hotPath,
      maxBodyBytes: 1 << 20,
      inlineBatch: { maxItems: 1 },
    }),
    store,
    concurrency: 4,
    clock,
  });
  targets = [target('/srs/3'), target('/srs/2', { name: 'fleet-label' }), target('/error500'), target('/srs/1')];
  scheduler.setTargets(targets);
  server = createExporterServer({
    hotPath,
    reloader,
    metrics,
    recorder: new ScrapeOutcomeRecorder(metrics),
    logger,
    telemetryPath: '/metrics',
    maxBodyBytes: 1 << 20,
    timeoutOffsetMs: 500,
    fleet: () => (fleetOn.value ? { store, gzip, metrics, shard: { total: 1, index: 0 } } : undefined),
  });
  const address = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
  await scrapeRound(targets.length);
});

after(async () => {
  gzip.close();
  await scheduler.stop();
  await server.close();
  await reloader.close();
  await srs.close();
});

describe('GET /metrics in fleet mode', () => {
  test("every up target's series with its target labels, each family described once, health series for all, no timestamps", async () => {
    const response = await httpGet(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const body = response.text;
    const lint = checkMetricsWithPromtool(body);
    // Lint-clean, the exporter's own metrics included (issue 18: prom-client's gauges named _total are gone).
    assert.ok(lint.ok, lint.output);
    assert.equal(body.match(/^# TYPE stream_clients_clients untyped$/gm)?.length, 1);
    const port = new URL(srs.url).port;
    // 3 + 2 + 1 streams of the three SRS targets, each target's contiguous (targets in store order: slot, then id).
    const clients = body.split('\n').filter((line) => line.startsWith('stream_clients_clients{'));
    assert.equal(clients.length, 6);
    assert.ok(
      clients.includes(
        `stream_clients_clients{job="srs-edge",instance="127.0.0.1:${port}/srs/1",cluster="prod",name="stream-00"} 1`,
      ),
    );
    const instances = clients.map((line) => /instance="([^"]+)"/.exec(line)?.[1]);
    assert.equal(new Set(instances).size, 3);
    assert.ok(
      instances.every(
        (instance, i) => i === 0 || instance === instances[i - 1] || !instances.slice(0, i).includes(instance),
      ),
      "a target's series are not contiguous",
    );
    assert.ok(
      clients.every((line) => line.split(' ').length === 2),
      'a series line carries a timestamp',
    );
    // The failing target: no series, its health says why.
    assert.ok(!body.includes('/error500",cluster="prod",name='));
    assert.match(
      body,
      new RegExp(
        `^fleet_json_exporter_target_up\\{job="srs-edge",instance="127.0.0.1:${port}/error500",cluster="prod"\\} 0$`,
        'm',
      ),
    );
    assert.match(
      body,
      /^fleet_json_exporter_target_scrape_errors_total\{[^}]*\/error500",cluster="prod",reason="invalid_status"\} 1$/m,
    );
    assert.equal(body.match(/^fleet_json_exporter_target_up\{.*\} 1$/gm)?.length, 3);
    assert.match(body, /^fleet_json_exporter_fleet_scrape_lag_seconds_bucket|^# HELP fleet_json_exporter_build_info/m);
  });

  test('a series label named like a target label is kept as exported_<name>', async () => {
    const body = (await httpGet(`${base}/metrics`)).text;
    assert.match(
      body,
      /^stream_clients_clients\{job="srs-edge",instance="[^"]+\/srs\/2",cluster="prod",name="fleet-label",exported_name="stream-00"\} 1$/m,
    );
  });

  test('gzip: the body decompresses to the uncompressed answer', async () => {
    const plain = await httpGet(`${base}/metrics`);
    const zipped = await httpGet(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'Accept-Encoding');
    assert.equal(fleetPart(gunzipSync(zipped.body).toString('utf8')), fleetPart(plain.text));
    assert.equal(Number(zipped.headers['content-length']), zipped.body.byteLength);
    const openMetrics = await httpGet(`${base}/metrics`, {
      headers: { 'accept-encoding': 'gzip', accept: 'application/openmetrics-text' },
    });
    assert.ok(gunzipSync(openMetrics.body).toString('utf8').endsWith('# EOF\n'));
  });

  test('gzip units are kept between requests, and a scrape round in between still gives the new series, right', async () => {
    const first = await httpGet(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    assert.ok(gzip.unitCount('text') > 0, 'no unit kept after a gzip answer');
    await scrapeRound(targets.length);
    // Settled groups are recompressed in the background; a request finds them ready or compresses them itself.
    gzip.compactSettled();
    const plain = await httpGet(`${base}/metrics`);
    const zipped = await httpGet(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(fleetPart(gunzipSync(zipped.body).toString('utf8')), fleetPart(plain.text));
    assert.match(gunzipSync(first.body).toString('utf8'), /^fleet_json_exporter_target_up\{/m);
  });

  test('gzip answers take settled groups from their kept members; a plain answer between them still has every series', async () => {
    const first = await httpGet(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    const plain = await httpGet(`${base}/metrics`);
    const second = await httpGet(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    const expected = fleetPart(gunzipSync(first.body).toString('utf8'));
    assert.match(expected, /^fleet_json_exporter_target_up\{/m);
    // The plain answer walks every target (it needs their bytes), whatever units the gzip answers keep.
    assert.equal(fleetPart(plain.text), expected);
    assert.equal(fleetPart(gunzipSync(second.body).toString('utf8')), expected);
  });

  test('OpenMetrics when asked: strict 1.0 syntax, counters without _total in TYPE, one # EOF at the very end', async () => {
    const response = await httpGet(`${base}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    assert.match(String(response.headers['content-type']), /^application\/openmetrics-text; version=1\.0\.0/);
    const families = parseExposition(response.text, 'openmetrics');
    assert.equal(response.text.match(/# EOF/g)?.length, 1);
    assert.ok(response.text.endsWith('\n# EOF\n'));
    const errors = families.find((f) => f.name === 'fleet_json_exporter_target_scrape_errors');
    assert.equal(errors?.type, 'counter');
    assert.equal(errors?.samples[0]?.name, 'fleet_json_exporter_target_scrape_errors_total');
    assert.equal(families.find((f) => f.name === 'stream_clients_clients')?.type, 'unknown');
    assert.equal(families.find((f) => f.name === 'fleet_json_exporter_probes')?.type, 'counter');
    assert.equal(families.find((f) => f.name === 'process_cpu_seconds')?.samples[0]?.name, 'process_cpu_seconds_total');
  });

  test('X-Prometheus-Scrape-Timeout-Seconds: /metrics answers from the store at once, whatever the deadline', async () => {
    const response = await httpGet(`${base}/metrics`, { headers: { 'x-prometheus-scrape-timeout-seconds': '0.001' } });
    assert.equal(response.status, 200);
    assert.match(response.text, /^stream_clients_clients\{/m);
  });
});

describe('GET /federate', () => {
  test('only the series matching one of the selectors, with HELP/TYPE of their families', async () => {
    const port = new URL(srs.url).port;
    const query = new URLSearchParams();
    query.append('match[]', `stream_clients_clients{instance="127.0.0.1:${port}/srs/3", name=~"stream-0[01]"}`);
    query.append('match[]', '{__name__="fleet_json_exporter_target_up", instance=~".*error500"}');
    const response = await httpGet(`${base}/federate?${query.toString()}`);
    assert.equal(response.status, 200);
    assert.equal(
      response.text,
      '# HELP stream_clients_clients Example of sub-level value scrapes from a json\n# TYPE stream_clients_clients untyped\n' +
        `stream_clients_clients{job="srs-edge",instance="127.0.0.1:${port}/srs/3",cluster="prod",name="stream-00"} 1\n` +
        `stream_clients_clients{job="srs-edge",instance="127.0.0.1:${port}/srs/3",cluster="prod",name="stream-01"} 2\n` +
        "# HELP fleet_json_exporter_target_up Whether the last scrape of the target succeeded (1) or failed (0), as Prometheus's up.\n" +
        '# TYPE fleet_json_exporter_target_up gauge\n' +
        `fleet_json_exporter_target_up{job="srs-edge",instance="127.0.0.1:${port}/error500",cluster="prod"} 0\n`,
    );
  });

  test('a selector on the name only takes the whole family; OpenMetrics ends with # EOF', async () => {
    const response = await httpGet(
      `${base}/federate?match[]=${encodeURIComponent('{__name__=~"stream_clients_f.*"}')}`,
      { headers: { accept: 'application/openmetrics-text' } },
    );
    const families = parseExposition(response.text, 'openmetrics');
    assert.deepEqual(
      families.map((f) => [f.name, f.samples.length]),
      [['stream_clients_frames', 6]],
    );
  });

  test('OpenMetrics: a counter is selected by its series name (with _total) and described by its family name', async () => {
    const selector = encodeURIComponent(
      '{__name__="fleet_json_exporter_target_scrape_errors_total", reason="invalid_status"}',
    );
    const response = await httpGet(`${base}/federate?match[]=${selector}`, {
      headers: { accept: 'application/openmetrics-text' },
    });
    const families = parseExposition(response.text, 'openmetrics');
    assert.deepEqual(
      families.map((f) => [f.name, f.type, f.samples.length]),
      [['fleet_json_exporter_target_scrape_errors', 'counter', 1]],
    );
  });

  test('no match[] or a bad selector: 400 saying what is wrong', async () => {
    const missing = await httpGet(`${base}/federate`);
    assert.equal(missing.status, 400);
    assert.match(missing.text, /at least one match\[\]/);
    const bad = await httpGet(`${base}/federate?match[]=${encodeURIComponent('up{job=~"("}')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /invalid regular expression/);
  });
});

describe('GET /sd and /targets', () => {
  test("/sd: this shard's targets as http_sd groups with __param_target and __param_module", async () => {
    const response = await httpGet(`${base}/sd`);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const groups = JSON.parse(response.text) as Array<{ targets: string[]; labels: Record<string, string> }>;
    assert.equal(groups.length, 4);
    const first = groups.find((group) => group.targets[0]?.endsWith('/srs/1'))!;
    assert.deepEqual(first.labels, {
      ...targets[3]!.labels,
      __param_target: targets[3]!.url,
      __param_module: 'default',
    });
  });

  test('/targets as JSON (Accept or ?format=json): state, error, samples per target', async () => {
    for (const response of [
      await httpGet(`${base}/targets`, { headers: { accept: 'application/json' } }),
      await httpGet(`${base}/targets?format=json`),
    ]) {
      const report = JSON.parse(response.text) as {
        targets: Array<{ url: string; state: string; samples: number; lastError: { reason: string } | null }>;
      };
      const byPath = new Map(report.targets.map((t) => [new URL(t.url).pathname, t]));
      assert.equal(byPath.get('/srs/3')?.state, 'up');
      assert.equal(byPath.get('/srs/3')?.samples, 15);
      assert.equal(byPath.get('/error500')?.state, 'down');
      assert.equal(byPath.get('/error500')?.lastError?.reason, 'invalid_status');
    }
  });
});

describe('target churn', () => {
  test("a vanished target's series and health series are gone from the next /metrics", async () => {
    const gone = targets[0]!;
    assert.ok((await httpGet(`${base}/metrics`)).text.includes(`instance="${gone.labels.instance}"`));
    scheduler.setTargets(targets.slice(1));
    const body = (await httpGet(`${base}/metrics`)).text;
    assert.ok(!body.includes(`instance="${gone.labels.instance}"`));
    assert.match(body, /^stream_clients_clients\{/m);
    scheduler.setTargets(targets);
  });

  test("without fleet mode the fleet endpoints answer 404 and /metrics has only the exporter's own metrics", async () => {
    fleetOn.value = false;
    try {
      assert.equal((await httpGet(`${base}/targets`)).status, 404);
      const body = (await httpGet(`${base}/metrics`)).text;
      assert.ok(!body.includes('stream_clients_clients'));
    } finally {
      fleetOn.value = true;
    }
  });
});

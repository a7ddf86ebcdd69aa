// A real Prometheus scraping /probe as users configure it (ServiceMonitor-style relabelling), and the SRS recording rules.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startFleetSimulator, type FleetSimulator } from '../../bench/simulator/fleet-simulator.js';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { readFixture, repoRoot } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { startPrometheus, waitFor, type PromSample, type RunningPrometheus } from '../helpers/prometheus.js';

/** What a ServiceMonitor for json_exporter-style probing renders: target from __address__, the exporter as __address__. */
function probeRelabelling(exporterAddress: string, targetFromAddress = '$1'): string {
  return `
    relabel_configs:
      - source_labels: [__address__]
        regex: '(.+)'
        replacement: '${targetFromAddress}'
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - source_labels: [__param_target]
        target_label: target
      - target_label: __address__
        replacement: '${exporterAddress}'`;
}

/** A sample as the exposition line it came from: `name{labels but job/instance/target} value`. */
function asExpositionLine(sample: PromSample): string {
  const { __name__: name, job: _job, instance: _instance, target: _target, ...labels } = sample.metric;
  const text = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${labels[key]}"`)
    .join(',');
  return `${name}${text === '' ? '' : `{${text}}`} ${sample.value}`;
}

function seriesLines(exposition: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .sort();
}

describe('Prometheus 2 scraping /probe', () => {
  let srs: TestServer;
  let simulator: FleetSimulator;
  let exporter: RunningExporter;
  let prometheus: RunningPrometheus;
  let dir: string;
  let referenceTarget: string;

  before(async () => {
    srs = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
    });
    referenceTarget = `${srs.url}/api/v1/streams/`;
    simulator = await startFleetSimulator({ servers: 3, streamsPerServer: 25, seed: 99 });
    simulator.setFault(2, 'http_500');
    dir = mkdtempSync(join(tmpdir(), 'fje-e2e-probe-'));
    const configFile = join(dir, 'exporter.yml');
    writeFileSync(
      configFile,
      readFixture('config', 'srs-reference.yml').replace('  default:', '  reference:') +
        '  default: { preset: srs_streams }\n',
    );
    exporter = await startExporter(
      {
        configFile,
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        telemetryPath: '/metrics',
        logLevel: 'error',
        maxBodyBytes: 32 << 20,
        timeoutOffsetMs: 200,
      },
      createLogger('error', new PassThrough()),
    );
    const exporterAddress = `127.0.0.1:${exporter.port}`;
    prometheus = await startPrometheus(
      `global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
rule_files: [${JSON.stringify(join(repoRoot, 'deploy', 'prometheus', 'srs-rules.yml'))}]
scrape_configs:
  - job_name: srs
    metrics_path: /probe
    params: { module: [default] }
    static_configs: [{ targets: [${JSON.stringify(referenceTarget)}] }]${probeRelabelling(exporterAddress)}
  - job_name: srs-json-exporter-config
    metrics_path: /probe
    params: { module: [reference] }
    static_configs: [{ targets: [${JSON.stringify(referenceTarget)}] }]${probeRelabelling(exporterAddress)}
  - job_name: srs-fleet
    metrics_path: /probe
    file_sd_configs: [{ files: [fleet-sd.json], refresh_interval: 1s }]${probeRelabelling(exporterAddress, 'http://$1/api/v1/streams/')}
`,
      { 'fleet-sd.json': JSON.stringify(simulator.fileSd()) },
    );
  });

  after(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    await simulator?.close();
    await srs?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test("the srs_streams preset's samples of the reference SRS JSON arrive with instance and target set to the SRS URL", async () => {
    const expected = seriesLines(readFixture('srs', 'presets', 'srs_streams.reference-streams.txt'));
    const samples = await waitFor("the srs job's samples", async () => {
      const found = await prometheus.query('{job="srs",__name__=~"srs_.*"}');
      return found.length >= expected.length ? found : undefined;
    });
    assert.deepEqual(samples.map(asExpositionLine).sort(), expected);
    for (const sample of samples) {
      assert.equal(sample.metric.instance, referenceTarget);
      assert.equal(sample.metric.target, referenceTarget);
    }
    const up = await prometheus.query('up{job="srs"}');
    assert.deepEqual(
      up.map((s) => [s.metric.instance, s.value]),
      [[referenceTarget, 1]],
    );
  });

  test("json_exporter's SRS config (module param) gives json_exporter's reference output", async () => {
    const expected = seriesLines(readFixture('srs', 'reference-streams.expected.txt'));
    const samples = await waitFor("the reference module's samples", async () => {
      const found = await prometheus.query('{job="srs-json-exporter-config",__name__=~"stream_clients_.*"}');
      return found.length >= expected.length ? found : undefined;
    });
    assert.deepEqual(samples.map(asExpositionLine).sort(), expected);
  });

  test("stream_total_clients_by_pod evaluates to the simulator's clients per pod; the failing pod has none and is down", async () => {
    const totals = simulator.expectedTotals().servers;
    const healthy = totals.filter((s) => s.fault === undefined);
    const samples = await waitFor('stream_total_clients_by_pod for the healthy pods', async () => {
      const found = await prometheus.query('stream_total_clients_by_pod{pod=~"srs-edge-.*"}');
      return found.length >= healthy.length ? found : undefined;
    });
    const byPod = Object.fromEntries(samples.map((s) => [s.metric.pod, s.value]));
    assert.deepEqual(byPod, Object.fromEntries(healthy.map((s) => [s.pod, s.clients])));
    for (const sample of samples) {
      assert.equal(
        sample.metric.instance,
        `http://${totals.find((s) => s.pod === sample.metric.pod)?.address}/api/v1/streams/`,
      );
    }
    const up = await waitFor('up of the failing SRS', async () => {
      const found = await prometheus.query('up{job="srs-fleet",pod="srs-edge-2"}');
      return found.length === 1 ? found : undefined;
    });
    assert.equal(up[0]?.value, 0);
    const fleetTotal = await prometheus.query('srs:stream_clients:sum');
    assert.ok(fleetTotal.length === 1 && fleetTotal[0] !== undefined);
    assert.ok(
      fleetTotal[0].value >= healthy.reduce((sum, s) => sum + s.clients, 0),
      'the fleet sum includes every healthy pod',
    );
  });
});

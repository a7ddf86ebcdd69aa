// A real Prometheus over fleet mode and the simulator: every server's streams, per-target up, the HPA rule, and /federate.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  startFleetSimulator,
  type FleetSimulator,
  type SimulatedServerTotals,
} from '../../bench/simulator/fleet-simulator.js';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { repoRoot } from '../helpers/fixtures.js';
import { startPrometheus, waitFor, type PromSample, type RunningPrometheus } from '../helpers/prometheus.js';

const STREAMS_PER_SERVER = 30;
/** Server index → the fault it is given, and the reason fleet mode must report for it. */
const FAULTS = {
  1: { fault: 'http_500', reason: 'invalid_status' },
  2: { fault: 'code_2048', reason: 'api_error' },
  3: { fault: 'invalid_json', reason: 'invalid_json' },
  4: { fault: 'slow', reason: 'timeout' },
} as const;

function byInstance(samples: readonly PromSample[]): Record<string, number> {
  return Object.fromEntries(samples.map((s) => [s.metric.instance ?? '', s.value]));
}

describe('Prometheus 2 over fleet mode', () => {
  let simulator: FleetSimulator;
  let exporter: RunningExporter;
  let prometheus: RunningPrometheus;
  let federating: RunningPrometheus;
  let dir: string;
  let servers: SimulatedServerTotals[];

  before(async () => {
    simulator = await startFleetSimulator({
      servers: 7,
      streamsPerServer: STREAMS_PER_SERVER,
      seed: 2026,
      slowDelayMs: 5_000,
    });
    for (const [index, { fault }] of Object.entries(FAULTS)) simulator.setFault(Number(index), fault);
    servers = simulator.expectedTotals().servers;
    dir = mkdtempSync(join(tmpdir(), 'fje-e2e-fleet-'));
    // file_sd groups labelled as the chart's README says (namespace + pod), which the HPA's Pods metric needs.
    writeFileSync(join(dir, 'fleet-sd.json'), JSON.stringify(simulator.fileSd({ labels: { namespace: 'live' } })));
    writeFileSync(
      join(dir, 'exporter.yml'),
      `modules:
  default: { preset: srs_streams }
fleet:
  scrape_interval: 1s
  scrape_timeout: 800ms
  jobs:
    - name: srs-edge
      module: default
      target_url: "http://{{address}}/api/v1/streams/"
      file_sd: [fleet-sd.json]
`,
    );
    exporter = await startExporter(
      {
        configFile: join(dir, 'exporter.yml'),
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        telemetryPath: '/metrics',
        logLevel: 'error',
        maxBodyBytes: 32 << 20,
        timeoutOffsetMs: 200,
      },
      createLogger('error', new PassThrough()),
    );
    const exporterAddress = JSON.stringify(`127.0.0.1:${exporter.port}`);
    prometheus = await startPrometheus(`global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
rule_files: [${JSON.stringify(join(repoRoot, 'deploy', 'prometheus', 'srs-rules.yml'))}]
scrape_configs:
  - job_name: fleet-json-exporter
    honor_labels: true
    static_configs: [{ targets: [${exporterAddress}] }]
`);
    federating = await startPrometheus(`global: { scrape_interval: 1s, scrape_timeout: 1s }
scrape_configs:
  - job_name: federate
    honor_labels: true
    metrics_path: /federate
    params: { 'match[]': ['{__name__=~"srs_.*"}'] }
    static_configs: [{ targets: [${exporterAddress}] }]
`);
  });

  after(async () => {
    await federating?.stop();
    await prometheus?.stop();
    await exporter?.stop();
    await simulator?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const healthy = (): SimulatedServerTotals[] => servers.filter((s) => s.fault === undefined);

  test("every healthy server's streams are queryable under its own instance and pod", async () => {
    const expected = Object.fromEntries(healthy().map((s) => [s.address, STREAMS_PER_SERVER]));
    const counts = await waitFor('stream series of every healthy server', async () => {
      const found = byInstance(await prometheus.query('count by (instance) (srs_stream_clients{job="srs-edge"})'));
      return Object.keys(found).length >= healthy().length ? found : undefined;
    });
    assert.deepEqual(counts, expected);
    const pods = await prometheus.query('count by (instance, pod) (srs_stream_clients)');
    for (const sample of pods)
      assert.equal(sample.metric.pod, servers.find((s) => s.address === sample.metric.instance)?.pod);
  });

  test('fleet_json_exporter_target_up is 1 for healthy servers and 0 for the ones the simulator made fail, with the reason', async () => {
    const expected = Object.fromEntries(servers.map((s) => [s.address, s.fault === undefined ? 1 : 0]));
    // Bounded: a target that never reaches its expected state fails the wait with its message.
    const up = await waitFor("up of every target to match the simulator's faults", async () => {
      const found = byInstance(await prometheus.query('fleet_json_exporter_target_up{job="srs-edge"}'));
      return servers.every((s) => found[s.address] === expected[s.address]) ? found : undefined;
    });
    assert.deepEqual(up, expected);
    for (const [index, { reason }] of Object.entries(FAULTS)) {
      const address = servers[Number(index)]?.address;
      const errors = await waitFor(`errors of ${address} by reason`, async () => {
        const found = await prometheus.query(`fleet_json_exporter_target_scrape_errors_total{instance="${address}"}`);
        return found.length > 0 ? found : undefined;
      });
      assert.deepEqual(
        errors.map((s) => s.metric.reason),
        [reason],
        `server ${index}`,
      );
    }
  });

  test("stream_total_clients_by_pod keeps file_sd's namespace and pod and equals the simulator's clients per healthy pod", async () => {
    const expected = Object.fromEntries(healthy().map((s) => [s.pod, s.clients]));
    const samples = await waitFor('the recording rule for every healthy pod', async () => {
      const found = await prometheus.query('stream_total_clients_by_pod');
      return found.length >= healthy().length ? found : undefined;
    });
    assert.deepEqual(Object.fromEntries(samples.map((s) => [s.metric.pod, s.value])), expected);
    assert.deepEqual(
      samples.map((s) => [s.metric.namespace, s.metric.pod, s.metric.instance]).sort(),
      healthy()
        .map((s) => ['live', s.pod, s.address])
        .sort(),
    );
  });

  test("a second Prometheus federating srs_.* with honor_labels keeps each series' original instance", async () => {
    const expected = Object.fromEntries(healthy().map((s) => [s.address, s.clients]));
    const sums = await waitFor('federated stream series of every healthy server', async () => {
      const found = byInstance(await federating.query('sum by (instance) (srs_stream_clients)'));
      return Object.keys(found).length >= healthy().length ? found : undefined;
    });
    assert.deepEqual(sums, expected);
    const jobs = await federating.query('count by (job) (srs_stream_clients)');
    assert.deepEqual(
      jobs.map((s) => s.metric.job),
      ['srs-edge'],
      'the fleet job, not the federate job',
    );
    const health = await federating.query('fleet_json_exporter_target_up');
    assert.deepEqual(health, [], 'match[] selected srs_.* only');
  });
});

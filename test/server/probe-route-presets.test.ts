// /probe on the embedded config (the SRS presets) against simulated SRS servers: no module named, all streams, SRS errors as 503.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startFleetSimulator, type FleetSimulator } from '../../bench/simulator/fleet-simulator.js';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { httpGet } from '../helpers/http.js';
import { checkMetricsWithPromtool } from '../helpers/promtool.js';

describe('/probe with the embedded config', () => {
  let simulator: FleetSimulator;
  let exporter: RunningExporter;

  before(async () => {
    simulator = await startFleetSimulator({ servers: 2, streamsPerServer: 500, seed: 21 });
    exporter = await startExporter(
      {
        configFile: undefined,
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        telemetryPath: '/metrics',
        logLevel: 'error',
        maxBodyBytes: 32 << 20,
        timeoutOffsetMs: 500,
      },
      createLogger('error', new PassThrough()),
    );
  });
  after(async () => {
    await exporter.stop();
    await simulator.close();
  });

  const probe = (query: string): ReturnType<typeof httpGet> =>
    httpGet(`http://127.0.0.1:${exporter.port}/probe?${query}`);

  test('no module named: the srs_streams preset, every one of 500 streams, promtool-clean', async () => {
    const response = await probe(`target=${encodeURIComponent(simulator.urls[0] as string)}`);
    assert.equal(response.status, 200, response.text);
    const clients = response.text.split('\n').filter((line) => line.startsWith('srs_stream_clients{'));
    assert.equal(clients.length, 500);
    const sum = clients.reduce((total, line) => total + Number(line.split(' ').pop()), 0);
    assert.equal(sum, simulator.expectedTotals().servers[0]?.clients);
    const promtool = checkMetricsWithPromtool(response.text);
    assert.ok(promtool.ok, promtool.output);
  });

  test("the streams URL without its trailing slash follows SRS's 302 and still gets every stream", async () => {
    const target = (simulator.urls[1] as string).replace(/\/$/, '');
    const response = await probe(`target=${encodeURIComponent(target)}`);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.text.split('\n').filter((line) => line.startsWith('srs_stream_clients{')).length, 500);
  });

  test('summaries, vhosts and clients presets by module name', async () => {
    const base = `http://${simulator.addresses[1]}/api/v1`;
    const cases: Array<[string, string, RegExp]> = [
      ['srs_summaries', `${base}/summaries`, /^srs_process_connections \d+$/m],
      ['srs_vhosts', `${base}/vhosts/`, /^srs_vhost_streams\{vhost="vid-\w+",vhost_name="__defaultVhost__"\} 500$/m],
      ['srs_clients', `${base}/clients/`, /^srs_client_connections\{type="fmle-publish",vhost="vid-\w+"\} \d+$/m],
    ];
    for (const [module, target, expected] of cases) {
      const response = await probe(`module=${module}&target=${encodeURIComponent(target)}`);
      assert.equal(response.status, 200, `${module}: ${response.text}`);
      assert.match(response.text, expected, module);
    }
  });

  test('a password in the target URL (SRS http_api auth) shows as xxxxx in the 503 text, never as given', async () => {
    // Port 1 on 127.0.0.1: nothing listens, so the probe fails with the URL in both the target and the error.
    const response = await probe(`target=${encodeURIComponent('http://srs:s3cret@127.0.0.1:1/api/v1/streams/')}`);
    assert.equal(response.status, 503);
    assert.ok(!response.text.includes('s3cret'), response.text);
    assert.match(
      response.text,
      /^Failed to fetch JSON response\. TARGET: http:\/\/srs:xxxxx@127\.0\.0\.1:1\/api\/v1\/streams\/, ERROR: GET http:\/\/srs:xxxxx@127\.0\.0\.1:1\/api\/v1\/streams\/\?count=10001: connection refused \(reason: connection_refused\)\n$/,
    );
  });

  test('an SRS answer with code 2048 is a 503 naming the code, counted with reason api_error', async () => {
    simulator.setFault(0, 'code_2048');
    try {
      const response = await probe(`target=${encodeURIComponent(simulator.urls[0] as string)}`);
      assert.equal(response.status, 503);
      assert.match(
        response.text,
        /ERROR: .*the API answered code 2048 \(\{\.code\}\), an error rather than data \(reason: api_error\)\n$/,
      );
    } finally {
      simulator.setFault(0, undefined);
    }
    const metrics = await httpGet(`http://127.0.0.1:${exporter.port}/metrics`);
    assert.match(metrics.text, /^fleet_json_exporter_target_errors_total\{module="default",reason="api_error"\} 1$/m);
  });
});

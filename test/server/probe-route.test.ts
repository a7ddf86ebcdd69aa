// /probe end to end: a real exporter and real SRS-shaped targets on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { parseExposition } from '../helpers/exposition-parser.js';
import { checkMetricsWithPromtool } from '../helpers/promtool.js';
import { makeStream, makeStreamsBody, type SrsStream } from '../helpers/srs-body.js';

/** json_exporter's output for the reference config and body, less the string `server` it cannot turn into a sample. */
const REFERENCE_OUTPUT = readFixture('srs', 'reference-streams.expected.txt');

let target: TestServer;
let exporter: RunningExporter;
const logLines = new PassThrough();

function probeUrl(params: Record<string, string>): string {
  return `http://127.0.0.1:${exporter.port}/probe?${new URLSearchParams(params).toString()}`;
}

before(async () => {
  const streams50 = makeStreamsBody(50);
  target = await startTestServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/reference') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
    } else if (path === '/streams50') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(streams50);
    } else if (path === '/error500') {
      res.writeHead(500).end('{"code":1}');
    } else if (path === '/not-json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>');
    } else if (path === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[' + '1,'.repeat(40_000) + '1]');
    } else if (path === '/stall') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"code":0,');
      // Never finishes: the probe deadline must end it.
    } else {
      res.writeHead(404).end();
    }
  });
  exporter = await startExporter(
    {
      configFile: fixturePath('config', 'srs-reference.yml'),
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'debug',
      maxBodyBytes: 64 * 1024,
      timeoutOffsetMs: 500,
    },
    createLogger('debug', logLines),
  );
});

after(async () => {
  await exporter.stop();
  await target.close();
});

describe('probe of the reference SRS config', () => {
  test('the reference SRS body gives exactly json_exporter’s samples, server string skipped', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/reference` }));
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(response.text, REFERENCE_OUTPUT);
  });

  test('module defaults to "default" and sends its headers with Accept: application/json', async () => {
    const before = target.requests.length;
    await httpGet(probeUrl({ target: `${target.url}/reference` }));
    const seen = target.requests[before];
    assert.ok(seen, 'the target saw the probe');
    assert.equal(seen.headers['x-dummy'], 'my-test-header');
    assert.equal(seen.headers.accept, 'application/json');
    assert.equal(seen.method, 'GET');
  });

  test('the output passes promtool check metrics', async () => {
    const response = await httpGet(probeUrl({ module: 'default', target: `${target.url}/reference` }));
    const check = checkMetricsWithPromtool(response.text);
    assert.ok(check.ok, check.output);
  });

  test('a 50-stream body gives exactly 50 series per family with the streams’ values', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/streams50` }));
    assert.equal(response.status, 200);
    const streams = Array.from({ length: 50 }, (_, i) => makeStream(i));
    const family = (key: string, value: (s: SrsStream) => number): string =>
      `# HELP stream_clients_${key} Example of sub-level value scrapes from a json\n# TYPE stream_clients_${key} untyped\n` +
      streams.map((s) => `stream_clients_${key}{name="${s.name}"} ${value(s)}\n`).join('');
    const expected =
      family('clients', (s) => s.clients) +
      family('frames', (s) => s.frames) +
      family('publish', (s) => (s.publish.active ? 1 : 0)) +
      family('recv_bytes', (s) => s.recv_bytes) +
      family('send_bytes', (s) => s.send_bytes);
    assert.equal(response.text, expected);
    const check = checkMetricsWithPromtool(response.text);
    assert.ok(check.ok, check.output);
  });

  test('OpenMetrics is served when Prometheus asks for it, ending in # EOF', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/reference` }), {
      headers: {
        accept:
          'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      },
    });
    assert.equal(response.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.match(response.text, /^# HELP stream_clients_clients /);
    assert.match(response.text, /# TYPE stream_clients_clients unknown\n/);
    assert.ok(response.text.endsWith('# EOF\n'));
  });

  test('the body is gzipped when the client accepts gzip', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/streams50` }), {
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(response.headers['content-encoding'], 'gzip');
    const text = gunzipSync(response.body).toString('utf8');
    assert.match(text, /stream_clients_clients\{name="stream-49"\} 1\n/);
  });
});

describe('probe errors', () => {
  test('an unknown module is a 400 naming it and the known ones', async () => {
    const response = await httpGet(probeUrl({ module: 'nope', target: `${target.url}/reference` }));
    assert.equal(response.status, 400);
    assert.equal(response.text, 'Unknown module "nope"; known modules: default\n');
  });

  test('a missing target is a 400', async () => {
    const response = await httpGet(probeUrl({ module: 'default' }));
    assert.equal(response.status, 400);
    assert.equal(response.text, 'Target parameter is missing\n');
  });

  test('a target answering 500 is a 503 with the status and reason', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/error500` }));
    assert.equal(response.status, 503);
    assert.match(
      response.text,
      /^Failed to fetch JSON response\. TARGET: http:\/\/127\.0\.0\.1:\d+\/error500, ERROR: .*500.*\(reason: invalid_status\)\n$/,
    );
  });

  test('a body that is not JSON is a 503 with reason invalid_json', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/not-json` }));
    assert.equal(response.status, 503);
    assert.match(response.text, /invalid JSON.*\(reason: invalid_json\)/);
  });

  test('a body over --scrape.max-body-bytes is a 503 with reason body_too_large', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/huge` }));
    assert.equal(response.status, 503);
    assert.match(response.text, /\(reason: body_too_large\)\n$/);
  });

  test('a stalled body ends at the deadline from X-Prometheus-Scrape-Timeout-Seconds', async () => {
    const response = await httpGet(probeUrl({ target: `${target.url}/stall` }), {
      headers: { 'x-prometheus-scrape-timeout-seconds': '1' },
    });
    assert.equal(response.status, 503);
    assert.match(response.text, /\(reason: timeout\)\n$/);
  });

  test('a refused connection is a 503 with reason connection_refused, and the exporter keeps serving', async () => {
    const refused = await httpGet(probeUrl({ target: 'http://127.0.0.1:1/api/v1/streams/' }));
    assert.equal(refused.status, 503);
    assert.match(refused.text, /\(reason: connection_refused\)\n$/);
    const ok = await httpGet(probeUrl({ target: `${target.url}/reference` }));
    assert.equal(ok.text, REFERENCE_OUTPUT);
  });
});

describe('self-metrics after probes', () => {
  test('/metrics in probe mode passes promtool check metrics with no lint finding (no gauge named _total)', async () => {
    const response = await httpGet(`http://127.0.0.1:${exporter.port}/metrics`);
    assert.equal(response.status, 200);
    const check = checkMetricsWithPromtool(response.text);
    assert.ok(check.ok, check.output);
    assert.doesNotMatch(response.text, /^nodejs_active_handles_total/m);
    assert.match(response.text, /^nodejs_active_handles\{type="/m);
  });

  test('/metrics in probe mode answers OpenMetrics 1.0 when Accept asks, as Prometheus does', async () => {
    const response = await httpGet(`http://127.0.0.1:${exporter.port}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok(response.text.endsWith('# EOF\n'));
    const families = parseExposition(response.text, 'openmetrics');
    const probes = families.find((family) => family.name === 'fleet_json_exporter_probes');
    assert.equal(probes?.type, 'counter');
    assert.ok(probes?.samples.every((sample) => sample.name === 'fleet_json_exporter_probes_total'));
  });

  test('probes, target errors and extraction problems are counted by module and reason', async () => {
    const response = await httpGet(`http://127.0.0.1:${exporter.port}/metrics`);
    assert.equal(response.status, 200);
    const text = response.text;
    assert.match(text, /^fleet_json_exporter_probes_total\{module="default",result="success"\} [1-9]\d*$/m);
    assert.match(text, /^fleet_json_exporter_target_errors_total\{module="default",reason="invalid_status"\} 1$/m);
    assert.match(text, /^fleet_json_exporter_target_errors_total\{module="default",reason="invalid_json"\} 1$/m);
    assert.match(text, /^fleet_json_exporter_target_errors_total\{module="default",reason="timeout"\} 1$/m);
    assert.match(
      text,
      /^fleet_json_exporter_extract_problems_total\{module="default",reason="not_numeric"\} [1-9]\d*$/m,
    );
    assert.match(text, /^fleet_json_exporter_config_last_reload_successful 1$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.ok(checkMetricsWithPromtool(text).parses);
  });

  test('the skipped string value is logged with its reason', () => {
    const logged = String(logLines.read() ?? '');
    const entry = logged
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.reason === 'not_numeric');
    assert.ok(entry, 'a not_numeric log line');
    assert.equal(entry.metric, 'server');
    assert.equal(entry.module, 'default');
    assert.equal(entry.level, 'warn');
  });
});

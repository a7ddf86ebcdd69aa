// Reload: a good config swaps generations; a bad one is reported with file:line and the old one keeps serving.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { RunningExporter } from '../../src/commands/serve.js';
import { type ConfiguredExporter, startConfiguredExporter } from '../helpers/exporter.js';
import { readFixture } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';

const EXTRA_MODULE = `
  counts:
    metrics:
    - name: srs_code
      path: '{.code}'
      valuetype: gauge
`;

let configFile: string;
let target: TestServer;
let running: ConfiguredExporter;
let exporter: RunningExporter;

before(async () => {
  target = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
  });
  running = await startConfiguredExporter(readFixture('config', 'srs-reference.yml'));
  ({ exporter, configFile } = running);
});

after(async () => {
  await running.stop();
  await target.close();
});

const base = (): string => `http://127.0.0.1:${exporter.port}`;

test('reload only accepts POST or PUT', async () => {
  const response = await httpGet(`${base()}/-/reload`);
  assert.equal(response.status, 405);
});

test('a valid new config is served after POST /-/reload, with the next generation', async () => {
  const firstGeneration = exporter.reloader.current.config.generation;
  writeFileSync(configFile, readFixture('config', 'srs-reference.yml') + EXTRA_MODULE);
  const response = await httpGet(`${base()}/-/reload`, { method: 'POST' });
  assert.equal(response.status, 200);
  assert.equal(response.text, `config reloaded, generation ${firstGeneration + 1}\n`);
  const probe = await httpGet(`${base()}/probe?module=counts&target=${encodeURIComponent(target.url)}`);
  assert.equal(probe.text, '# HELP srs_code srs_code\n# TYPE srs_code gauge\nsrs_code 0\n');
});

test('a broken config is refused with file, line and key, and the previous config keeps serving', async () => {
  const generation = exporter.reloader.current.config.generation;
  writeFileSync(configFile, 'modules:\n  default:\n    metrics:\n    - name: x\n      path: "{.a"\n');
  const response = await httpGet(`${base()}/-/reload`, { method: 'PUT' });
  assert.equal(response.status, 500);
  assert.match(response.text, /^failed to reload config: .*config\.yml:5:\d+: modules\.default\.metrics\[0\]\.path: /);
  assert.equal(exporter.reloader.current.config.generation, generation);
  const probe = await httpGet(`${base()}/probe?module=counts&target=${encodeURIComponent(target.url)}`);
  assert.equal(probe.status, 200);
  const metrics = await httpGet(`${base()}/metrics`);
  assert.match(metrics.text, /^fleet_json_exporter_config_last_reload_successful 0$/m);
  assert.match(metrics.text, /^fleet_json_exporter_config_reloads_total\{result="failure"\} 1$/m);
});

test('health, readiness and the landing page answer', async () => {
  assert.equal((await httpGet(`${base()}/-/healthy`)).status, 200);
  assert.equal((await httpGet(`${base()}/-/ready`)).status, 200);
  const landing = await httpGet(`${base()}/`);
  assert.equal(landing.status, 200);
  assert.match(landing.text, /<a href="\/metrics">/);
  assert.equal((await httpGet(`${base()}/nope`)).status, 404);
});

// Fleet mode: each malformed body kind marks its target down (target_up 0) with its own reason, never a healthy
// scrape with no samples; a body with a 1e999 value stays up and counts the skipped value.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { readFixture } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { within } from '../helpers/wait-for.js';

const BODIES: Record<string, Buffer> = {
  '/top-array': Buffer.from('[{"name":"a","clients":1}]'),
  '/scalar': Buffer.from('"ok"'),
  '/deep': Buffer.from(`{"streams":${'['.repeat(200_000)}${']'.repeat(200_000)}}`),
  '/invalid-utf8': Buffer.concat([
    Buffer.from('{"server":"x","streams":[{"name":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('","clients":1}]}'),
  ]),
  '/overflow': Buffer.from('{"server":1,"streams":[{"name":"a","clients":1e999,"send_bytes":5}]}'),
};
const EXPECTED: Record<string, string> = {
  '/top-array': 'unexpected_shape',
  '/scalar': 'unexpected_shape',
  '/deep': 'too_deep',
  '/invalid-utf8': 'invalid_utf8',
};

let srs: TestServer;
let exporter: RunningExporter;
let dir: string;

before(async () => {
  srs = await startTestServer((req, res) => {
    const body = BODIES[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  dir = mkdtempSync(join(tmpdir(), 'fje-fleet-malformed-'));
  const configFile = join(dir, 'config.yml');
  const targets = Object.keys(BODIES)
    .map((path) => JSON.stringify(`${srs.url}${path}`))
    .join(', ');
  writeFileSync(
    configFile,
    readFixture('config', 'srs-reference.yml') +
      `fleet:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  jobs:\n` +
      `    - name: edge\n      module: default\n      static_targets: [${targets}]\n`,
  );
  exporter = await startExporter(
    {
      configFile,
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'error',
      maxBodyBytes: 1 << 20,
      timeoutOffsetMs: 500,
      workers: 1,
    },
    createLogger('error'),
  );
  const pending = new Set(exporter.fleet.scheduler.targets().map((target) => target.id));
  let unsubscribe: () => void = () => undefined;
  const scraped = new Promise<void>((resolve) => {
    unsubscribe = exporter.fleet.scheduler.onScrape((target) => {
      pending.delete(target.id);
      if (pending.size === 0) resolve();
    });
  });
  // Bounded: a target whose scrape never ends fails the hook by name instead of holding the file.
  await within('a first scrape of every target', scraped, 60_000).finally(() => unsubscribe());
});

after(async () => {
  await exporter.stop();
  await srs.close();
  rmSync(dir, { recursive: true, force: true });
});

test('each malformed body kind is a down target with its own reason, in the store and on /metrics', async () => {
  const body = (await httpGet(`http://127.0.0.1:${exporter.port}/metrics`)).text;
  for (const [path, reason] of Object.entries(EXPECTED)) {
    const entry = exporter.fleet.store.get(`edge|${srs.url}${path}`);
    assert.equal(entry?.meta.state, 'down', path);
    assert.equal(entry?.meta.lastError?.reason, reason, path);
    assert.match(
      body,
      new RegExp(`^fleet_json_exporter_target_scrape_errors_total\\{[^}]*reason="${reason}"\\} [1-9]`, 'm'),
    );
  }
});

test('a 1e999 value is skipped and counted; the target stays up with its other series', async () => {
  const entry = exporter.fleet.store.get(`edge|${srs.url}/overflow`);
  assert.equal(entry?.meta.state, 'up');
  const body = (await httpGet(`http://127.0.0.1:${exporter.port}/metrics`)).text;
  assert.match(body, /^stream_clients_send_bytes\{[^}]*name="a"\} 5$/m);
  assert.doesNotMatch(body, /^stream_clients_clients\{[^}]*name="a"\}/m);
  assert.match(
    body,
    /^fleet_json_exporter_extract_problems_total\{module="default",reason="number_out_of_range"\} [1-9]/m,
  );
});

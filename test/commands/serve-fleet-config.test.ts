// A config with `fleet:` starts the exporter, and /probe keeps working beside it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { fixturePath } from '../helpers/fixtures.js';
import { quietLogger } from '../helpers/discovery.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';

let target: TestServer;
let exporter: RunningExporter;

before(async () => {
  target = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"streams":[{"name":"live","clients":3}]}');
  });
  exporter = await startExporter(
    {
      configFile: fixturePath('config', 'fleet-example.yml'),
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'error',
      maxBodyBytes: 64 * 1024,
      timeoutOffsetMs: 500,
    },
    quietLogger(),
  );
});

after(async () => {
  await exporter.stop();
  await target.close();
});

test('the fleet example config serves /probe with its modules', async () => {
  assert.ok(exporter.reloader.current.config.fleet, 'the fleet section was loaded');
  const response = await httpGet(`http://127.0.0.1:${exporter.port}/probe?target=${encodeURIComponent(target.url)}`);
  assert.equal(response.status, 200);
  assert.match(response.text, /^srs_stream_clients_current\{stream="live"\} 3$/m);
});

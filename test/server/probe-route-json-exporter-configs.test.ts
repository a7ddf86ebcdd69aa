// /probe with json_exporter configs that used to stop us at load: modules without metrics probe like json_exporter.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PassThrough } from 'node:stream';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';

let scratch: string;
let target: TestServer;
let exporter: RunningExporter;
let logText = '';

function logStream(): PassThrough {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    logText += chunk.toString('utf8');
  });
  return stream;
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'fje-probe-empty-'));
  const configFile = join(scratch, 'config.yml');
  writeFileSync(configFile, 'modules:\n  default: {}\n  auth:\n    headers: { X-Token: abc }\n');
  target = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"clients": 4}');
  });
  exporter = await startExporter(
    {
      configFile,
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'info',
      maxBodyBytes: 64 * 1024,
      timeoutOffsetMs: 500,
      workers: 0,
    },
    createLogger('info', logStream()),
  );
});

after(async () => {
  await exporter.stop();
  await target.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('a module without metrics fetches the target and answers 200 with no samples, as json_exporter', async () => {
  const before = target.requests.length;
  const response = await httpGet(
    `http://127.0.0.1:${exporter.port}/probe?module=auth&target=${encodeURIComponent(target.url + '/')}`,
  );
  assert.equal(response.status, 200, response.text);
  assert.equal(response.text, '');
  assert.equal(target.requests.length, before + 1, 'the target was fetched');
  assert.equal(target.requests[before]?.headers['x-token'], 'abc');
  const empty = await httpGet(`http://127.0.0.1:${exporter.port}/probe?target=${encodeURIComponent(target.url)}`);
  assert.equal(empty.status, 200, empty.text);
  assert.equal(empty.text, '');
});

test('a failed probe leaves a warn line at the default level: target (redacted), module and reason', async () => {
  const closed = await startTestServer((_req, res) => res.end());
  const deadUrl = closed.url.replace('http://', 'http://user:secret@');
  await closed.close();
  const response = await httpGet(`http://127.0.0.1:${exporter.port}/probe?target=${encodeURIComponent(deadUrl)}`);
  assert.equal(response.status, 503);
  const warnings = logText
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.level === 'warn' && String(entry.msg).startsWith('scrape failed'));
  assert.equal(warnings.length, 1, logText);
  assert.equal(warnings[0]?.module, 'default');
  assert.equal(warnings[0]?.reason, 'connection_refused');
  assert.equal(warnings[0]?.target, `${deadUrl.replace('secret', 'xxxxx')}/`);
  assert.doesNotMatch(logText, /secret/);
});

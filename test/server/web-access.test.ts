// --web.config.file over plain HTTP: basic auth guards every route (401 + WWW-Authenticate), extra headers on all answers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { httpGet } from '../helpers/http.js';

const dir = mkdtempSync(join(tmpdir(), 'fje-web-access-'));
let exporter: RunningExporter;
const logLines = new PassThrough();
let logText = '';
logLines.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

before(async () => {
  // A real hash made here, cost 4 to keep the test quick.
  const hash = await bcrypt.hash('s3cret', 4);
  const webConfigFile = join(dir, 'web.yml');
  writeFileSync(
    webConfigFile,
    `http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\nbasic_auth_users:\n  prometheus: ${hash}\n`,
  );
  exporter = await startExporter(
    {
      configFile: undefined,
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      webConfigFile,
      telemetryPath: '/metrics',
      logLevel: 'warn',
      maxBodyBytes: 1024,
      timeoutOffsetMs: 500,
      workers: 0,
    },
    createLogger('warn', logLines),
  );
});

after(async () => {
  await exporter.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('keys accepted without effect are named in a warning at start', () => {
  const warning = logText
    .split('\n')
    .filter((line) => line.includes('no effect'))
    .map((line) => JSON.parse(line) as { keys?: unknown });
  assert.deepEqual(
    warning.map((line) => line.keys),
    [['http_server_config.http2']],
  );
});

describe('basic auth from the web config', () => {
  for (const path of ['/', '/metrics', '/-/healthy', '/probe?target=http://127.0.0.1:1/', '/nothing-here']) {
    test(`${path} without credentials answers 401 with WWW-Authenticate: Basic`, async () => {
      const response = await httpGet(`http://127.0.0.1:${exporter.port}${path}`);
      assert.equal(response.status, 401);
      assert.equal(response.headers['www-authenticate'], 'Basic');
      assert.equal(response.headers['x-frame-options'], 'deny');
    });
  }

  test('the right user and password get 200 and the extra header', async () => {
    const response = await httpGet(`http://127.0.0.1:${exporter.port}/-/healthy`, {
      headers: basic('prometheus', 's3cret'),
    });
    assert.equal(response.status, 200);
    assert.equal(response.text, 'Healthy.\n');
    assert.equal(response.headers['x-frame-options'], 'deny');
  });

  test('a wrong password or an unknown user gets 401', async () => {
    for (const headers of [
      basic('prometheus', 'S3cret'),
      basic('admin', 's3cret'),
      { authorization: 'Bearer s3cret' },
    ]) {
      const response = await httpGet(`http://127.0.0.1:${exporter.port}/metrics`, { headers });
      assert.equal(response.status, 401, headers.authorization);
    }
  });

  test('/-/reload is guarded too', async () => {
    const response = await httpGet(`http://127.0.0.1:${exporter.port}/-/reload`, { method: 'POST' });
    assert.equal(response.status, 401);
  });
});

test('an invalid web config fails the start naming the file, line, column and key', async () => {
  const bad = join(dir, 'bad.yml');
  writeFileSync(
    bad,
    'tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n  client_auth_tpye: RequireAndVerifyClientCert\n',
  );
  await assert.rejects(
    startExporter(
      {
        configFile: undefined,
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        webConfigFile: bad,
        telemetryPath: '/metrics',
        logLevel: 'error',
        maxBodyBytes: 1024,
        timeoutOffsetMs: 500,
        workers: 0,
      },
      createLogger('error', new PassThrough()),
    ),
    {
      code: 'FJE_CONFIG_UNKNOWN_KEY',
      message: `${bad}:4:3: tls_server_config.client_auth_tpye: unknown key "client_auth_tpye"; did you mean "client_auth_type"?`,
    },
  );
});

describe('a flood of wrong passwords (cost-8 hashes: a quarter of the deployed cost 10)', () => {
  let flooded: RunningExporter;
  const floodDir = mkdtempSync(join(tmpdir(), 'fje-auth-flood-'));

  before(async () => {
    const webConfigFile = join(floodDir, 'web.yml');
    writeFileSync(webConfigFile, `basic_auth_users:\n  prometheus: ${await bcrypt.hash('s3cret', 8)}\n`);
    flooded = await startExporter(
      {
        configFile: undefined,
        configCheck: false,
        listenAddress: '127.0.0.1:0',
        webConfigFile,
        telemetryPath: '/metrics',
        logLevel: 'warn',
        maxBodyBytes: 1024,
        timeoutOffsetMs: 500,
        workers: 0,
      },
      createLogger('warn', new PassThrough()),
    );
  });

  after(async () => {
    await flooded.stop();
    rmSync(floodDir, { recursive: true, force: true });
  });

  test('300 wrong passwords are 401 or 429, and verified credentials are served while they are checked', async () => {
    const base = `http://127.0.0.1:${flooded.port}`;
    // Prometheus's credentials, verified once before the flood.
    assert.equal((await httpGet(`${base}/-/healthy`, { headers: basic('prometheus', 's3cret') })).status, 200);
    let answered = 0;
    const flood = Array.from({ length: 300 }, (_, i) =>
      httpGet(`${base}/-/healthy`, { headers: basic('prometheus', `wrong-${i}`) }).then((response) => {
        answered++;
        return response;
      }),
    );
    const metrics = await httpGet(`${base}/metrics`, { headers: basic('prometheus', 's3cret') });
    assert.equal(metrics.status, 200);
    const statuses = (await Promise.all(flood)).map((response) => response.status);
    assert.equal(answered, 300);
    assert.ok(
      statuses.every((status) => status === 401 || status === 429),
      `statuses: ${[...new Set(statuses)]}`,
    );
    const refusedAtOnce = statuses.filter((status) => status === 429).length;
    assert.ok(refusedAtOnce > 0, 'checks beyond the bound were refused with 429 instead of queued');
    const after = await httpGet(`${base}/metrics`, { headers: basic('prometheus', 's3cret') });
    assert.match(after.text, /^fleet_json_exporter_http_auth_refusals_total\{reason="overloaded"\} [1-9]\d*$/m);
    assert.match(after.text, /^fleet_json_exporter_http_auth_refusals_total\{reason="denied"\} [1-9]\d*$/m);
  });
});

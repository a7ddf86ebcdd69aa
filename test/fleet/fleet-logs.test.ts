// What fleet mode logs about a failing target: one warning carrying the job, the module and the redacted target URL,
// through the per-target child logger fleet mode makes when the target first writes a line (that laziness is tested
// on the recorder: test/scrape/record-outcome.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { readFixture } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { makeStreamsBody } from '../helpers/srs-body.js';
import { waitFor } from '../helpers/wait-for.js';

let srs: TestServer;
let exporter: RunningExporter;
let dir: string;
const lines: Array<Record<string, unknown>> = [];

before(async () => {
  srs = await startTestServer((req, res) => {
    if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end(makeStreamsBody(2));
    else res.writeHead(500).end('broken');
  });
  dir = mkdtempSync(join(tmpdir(), 'fje-fleet-logs-'));
  const configFile = join(dir, 'config.yml');
  const broken = new URL(`${srs.url}/broken`);
  broken.username = 'admin';
  broken.password = 'secret';
  writeFileSync(
    configFile,
    readFixture('config', 'srs-reference.yml') +
      `fleet:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  jobs:\n` +
      `    - name: srs-edge\n      module: default\n      static_targets: [${JSON.stringify(`${srs.url}/ok`)}, ${JSON.stringify(broken.href)}]\n`,
  );
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
  });
  exporter = await startExporter(
    {
      configFile,
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'warn',
      maxBodyBytes: 1 << 20,
      timeoutOffsetMs: 500,
    },
    createLogger('warn', sink),
  );
});

after(async () => {
  await exporter.stop();
  await srs.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a failing fleet target is logged with its job, module and redacted URL', async () => {
  const failure = await waitFor(
    'the failing target to be logged',
    async () => lines.find((line) => typeof line.target === 'string' && line.target.includes('/broken')),
    20_000,
  );
  assert.equal(failure.level, 'warn');
  assert.equal(failure.job, 'srs-edge');
  assert.equal(failure.module, 'default');
  assert.doesNotMatch(String(failure.target), /secret/);
  assert.match(String(failure.target), /\/broken$/);
});

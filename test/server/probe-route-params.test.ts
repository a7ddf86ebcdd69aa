// /probe's query parameters as the data of a templated request body (json_exporter's `templatize: true`), and a
// module with a static body, which reads none of them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';

const CONFIG = `modules:
  templated:
    metrics:
    - name: asked
      path: '{.n}'
    body:
      content: '{"n": {{ .n | first }}}'
      templatize: true
  fixed:
    metrics:
    - name: asked
      path: '{.n}'
    body:
      content: '{"n": 5}'
`;

let target: TestServer;
let exporter: RunningExporter;
const dir = mkdtempSync(join(tmpdir(), 'fje-probe-params-'));

before(async () => {
  // Answers the request body it was sent: the sample shows what the exporter posted.
  target = await startTestServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.concat(chunks)));
  });
  writeFileSync(join(dir, 'config.yml'), CONFIG);
  exporter = await startExporter(
    {
      configFile: join(dir, 'config.yml'),
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'warn',
      maxBodyBytes: 64 * 1024,
      timeoutOffsetMs: 500,
    },
    createLogger('warn', new PassThrough()),
  );
});

after(async () => {
  await exporter.stop();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

const probe = (module: string, extra: string): Promise<{ status: number; text: string }> =>
  httpGet(
    `http://127.0.0.1:${exporter.port}/probe?module=${module}&target=${encodeURIComponent(`${target.url}/`)}${extra}`,
  );

test('a templated body is rendered from the probe URL’s query parameters (the first value of each)', async () => {
  const answer = await probe('templated', '&n=7&n=8');
  assert.equal(answer.status, 200);
  assert.match(answer.text, /^asked 7$/m);
});

test('a static body is sent as written, whatever the query parameters', async () => {
  const answer = await probe('fixed', '&n=7');
  assert.equal(answer.status, 200);
  assert.match(answer.text, /^asked 5$/m);
});

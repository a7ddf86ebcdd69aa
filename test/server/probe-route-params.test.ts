// /probe's query parameters as the data of a templated request body (json_exporter's `templatize: true`), and a
// module with a static body, which reads none of them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ConfiguredExporter, startConfiguredExporter } from '../helpers/exporter.js';
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
let running: ConfiguredExporter;

before(async () => {
  // Answers the request body it was sent: the sample shows what the exporter posted.
  target = await startTestServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.concat(chunks)));
  });
  running = await startConfiguredExporter(CONFIG, { logLevel: 'warn', maxBodyBytes: 64 * 1024 });
});

after(async () => {
  await running.stop();
  await target.close();
});

const probe = (module: string, extra: string): Promise<{ status: number; text: string }> =>
  httpGet(
    `http://127.0.0.1:${running.exporter.port}/probe?module=${module}&target=${encodeURIComponent(`${target.url}/`)}${extra}`,
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

// Accept-Encoding negotiation for gzip, including refusals with q=0; bodies sent as encoded pieces.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip, sendBody, sendBytes } from '../../src/server/respond.js';

function requestWith(acceptEncoding: string | undefined): IncomingMessage {
  return { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } } as IncomingMessage;
}

const cases: Array<[string | undefined, boolean]> = [
  [undefined, false],
  ['', false],
  ['gzip', true],
  ['GZIP', true],
  ['deflate, gzip;q=1.0, *;q=0.5', true],
  ['gzip;q=0', false],
  ['gzip;q=0.0, identity', false],
  ['identity', false],
  ['br, deflate', false],
  ['*', true],
];

for (const [header, expected] of cases) {
  test(`Accept-Encoding ${JSON.stringify(header)} ${expected ? 'gets' : 'does not get'} gzip`, () => {
    assert.equal(acceptsGzip(requestWith(header)), expected);
  });
}

describe('sendBytes', () => {
  const pieces = [Buffer.from('# HELP a a\n'), Buffer.from('a{x="é"} 1\n'.repeat(200)), new Uint8Array(0)];
  const whole = Buffer.concat(pieces);
  const server = createServer((request, response) => {
    void sendBytes(request, response, 'text/plain; version=0.0.4', pieces);
  });
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const fetchRaw = (method: string, headers: Record<string, string>): Promise<IncomingMessage & { body: Buffer }> =>
    new Promise((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      request({ host: '127.0.0.1', port, method, headers, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Object.assign(response, { body: Buffer.concat(chunks) })));
      })
        .on('error', reject)
        .end();
    });

  test('the pieces are the body, in order, with their total as Content-Length', async () => {
    const response = await fetchRaw('GET', {});
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-length'], String(whole.byteLength));
    assert.deepEqual(response.body, whole);
  });

  test('gzip when asked for: the pieces joined, compressed', async () => {
    const response = await fetchRaw('GET', { 'accept-encoding': 'gzip' });
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(response.body), whole);
  });

  test('HEAD gets the headers and no body', async () => {
    const response = await fetchRaw('HEAD', {});
    assert.equal(response.headers['content-length'], String(whole.byteLength));
    assert.equal(response.body.byteLength, 0);
  });
});

describe('sendBody', () => {
  const text = '# HELP a a\na{x="é"} 1\n'.repeat(100);
  // What each answer's sendBody settled with: headers sent once it resolved, or what it rejected with.
  const settled: Array<{ headersSent: boolean } | { error: string }> = [];
  const server = createServer((request, response) => {
    if (request.url === '/sent-already') {
      // Headers already out: sendBody's write throws, which its promise reports (the route's 500 path reads it).
      response.writeHead(204).end();
    }
    sendBody(request, response, 'text/plain; version=0.0.4', text).then(
      () => settled.push({ headersSent: response.headersSent }),
      (err: unknown) => settled.push({ error: (err as { code?: string }).code ?? String(err) }),
    );
  });
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string): Promise<{ status: number | undefined; body: string }> =>
    new Promise((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      request({ host: '127.0.0.1', port, path, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
      })
        .on('error', reject)
        .end();
    });

  test('answers written at the end of the turn arrive whole, and the promise settles once they are written', async () => {
    settled.length = 0;
    const answers = await Promise.all([get('/a'), get('/b'), get('/c')]);
    for (const answer of answers) assert.deepEqual(answer, { status: 200, body: text });
    assert.deepEqual(settled, [{ headersSent: true }, { headersSent: true }, { headersSent: true }]);
  });

  test('a write that throws rejects the promise instead of escaping the turn', async () => {
    settled.length = 0;
    const answer = await get('/sent-already');
    assert.equal(answer.status, 204);
    for (let i = 0; i < 100 && settled.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(settled, [{ error: 'ERR_HTTP_HEADERS_SENT' }]);
  });
});

// Content-Encoding against a real server on 127.0.0.1: gzip, deflate (zlib and raw), br decoded; the body limit
// applies to the decoded size, so a gzip bomb is refused at the limit; corrupt and unknown codings have a reason.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import type { HttpClientConfig } from '../../src/config/types.js';
import { createHttpClient, fetchTarget, type FetchResult, type HttpClient } from '../../src/fetch/http-client.js';
import { startTestServer, type TestServer } from '../helpers/http.js';
import { clientConfig } from '../helpers/fetch.js';

const JSON_BODY = JSON.stringify({ streams: Array.from({ length: 200 }, (_, i) => ({ name: `s${i}`, clients: i })) });
/** 64 MiB of zeros: ~64 KiB gzipped, 1000× its size when decoded. */
const BOMB = gzipSync(Buffer.alloc(64 << 20), { level: 9 });

const config: HttpClientConfig = clientConfig();

let server: TestServer;
let client: HttpClient;

before(async () => {
  server = await startTestServer((req, res) => {
    const send = (encoding: string, body: Buffer): void => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding }).end(body);
    };
    switch (req.url) {
      case '/gzip':
        return send('gzip', gzipSync(JSON_BODY));
      case '/deflate':
        return send('deflate', deflateSync(JSON_BODY));
      case '/deflate-raw':
        return send('deflate', deflateRawSync(JSON_BODY));
      case '/br':
        return send('br', brotliCompressSync(JSON_BODY));
      case '/gzip-br':
        return send('gzip, br', brotliCompressSync(gzipSync(JSON_BODY)));
      case '/deflate-gzip':
        // zlib deflate inside gzip: the deflate decoder's input starts with zlib's header, not the body's gzip one.
        return send('deflate, gzip', gzipSync(deflateSync(JSON_BODY)));
      case '/bomb':
        return send('gzip', BOMB);
      case '/corrupt':
        return send('gzip', Buffer.concat([gzipSync(JSON_BODY).subarray(0, 20), Buffer.from('not gzip at all')]));
      case '/truncated':
        return send('gzip', gzipSync(JSON_BODY).subarray(0, 40));
      case '/zstd':
        return send('zstd', Buffer.from(JSON_BODY));
      case '/identity':
        return send('identity', Buffer.from(JSON_BODY));
      default:
        res.writeHead(404).end();
    }
  });
  client = createHttpClient(config);
});

after(async () => {
  await client.close();
  await server.close();
});

function get(path: string, maxBodyBytes = 1 << 20): Promise<FetchResult> {
  return fetchTarget(client, {
    url: `${server.url}${path}`,
    method: 'GET',
    headers: {},
    validStatusCodes: [],
    timeoutMs: 5000,
    maxBodyBytes,
  });
}

describe('response decoding', () => {
  test('Accept-Encoding asks for gzip, deflate and br', async () => {
    const before = server.requests.length;
    await get('/identity');
    assert.equal(server.requests[before]?.headers['accept-encoding'], 'gzip, deflate, br');
  });

  for (const path of ['/gzip', '/deflate', '/deflate-raw', '/br', '/gzip-br', '/deflate-gzip', '/identity']) {
    test(`a ${path.slice(1)} body is decoded to the JSON sent`, async () => {
      const result = await get(path);
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.equal(Buffer.from(result.body).toString('utf8'), JSON_BODY);
      assert.equal(result.body.buffer.byteLength, result.body.byteLength, 'the body owns its buffer');
    });
  }

  test('a gzip bomb is refused at the limit on its decoded size, with a reason saying so', async () => {
    const limit = 4 << 20;
    const rssBefore = process.memoryUsage().rss;
    const result = await get('/bomb', limit);
    assert.ok(!result.ok);
    assert.equal(result.reason, 'body_too_large');
    assert.match(result.message, /body decoded from gzip exceeds the limit of 4194304 bytes/);
    // Decoding stopped at the limit: far less than the 64 MiB the bomb inflates to was ever held.
    assert.ok(process.memoryUsage().rss - rssBefore < 48 << 20);
  });

  test('a body under the compressed limit but over it decoded is too large', async () => {
    const result = await get('/gzip', 1000);
    assert.ok(!result.ok && result.reason === 'body_too_large', JSON.stringify(result));
  });

  test('corrupt and truncated gzip fail with invalid_encoding', async () => {
    for (const path of ['/corrupt', '/truncated']) {
      const result = await get(path);
      assert.ok(!result.ok, path);
      assert.equal(result.reason, 'invalid_encoding', path);
      assert.match(result.message, /cannot decode the gzip body/);
    }
  });

  test('an unsupported coding fails with invalid_encoding naming it', async () => {
    const result = await get('/zstd');
    assert.ok(!result.ok);
    assert.equal(result.reason, 'invalid_encoding');
    assert.match(result.message, /unsupported Content-Encoding "zstd"/);
  });

  test('the client still answers after a refused bomb (the connection was not left half read)', async () => {
    await get('/bomb', 1 << 20);
    const result = await get('/gzip');
    assert.ok(result.ok);
  });
});

// fetchTarget against real servers on 127.0.0.1: headers, auth, status codes, keep-alive, redirects, limits, TLS, proxy.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { HttpClientConfig } from '../../src/config/types.js';
import { compileBodyTemplate } from '../../src/body-template/index.js';
import { FETCH_FAILURE_REASONS, HttpClientConfigError } from '../../src/fetch/errors.js';
import { createHttpClient, fetchTarget, type FetchResult, type HttpClient } from '../../src/fetch/http-client.js';
import { prepareRequestBody } from '../../src/fetch/request-body.js';
import { fixturePath } from '../helpers/fixtures.js';
import { clientConfig, fetchRequest as request } from '../helpers/fetch.js';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function echoOf(result: FetchResult): Echo {
  if (!result.ok) assert.fail(`fetch failed: ${result.reason}: ${result.message}`);
  return JSON.parse(Buffer.from(result.body).toString('utf8')) as Echo;
}

function failureOf(result: FetchResult): Extract<FetchResult, { ok: false }> {
  if (result.ok) assert.fail(`expected a failure, got status ${result.status}`);
  assert.ok(FETCH_FAILURE_REASONS.includes(result.reason));
  return result;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shutdown(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  if (path.startsWith('/status/')) {
    res.writeHead(Number(path.slice('/status/'.length)), { 'content-type': 'application/json' }).end('{"status":true}');
  } else if (path === '/redirect') {
    res.writeHead(302, { location: '/echo?redirected=1' }).end();
  } else if (path.startsWith('/hop/')) {
    res.writeHead(302, { location: `/hop/${Number(path.slice('/hop/'.length)) + 1}` }).end();
  } else if (path === '/big') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 10_000 }).end(Buffer.alloc(10_000, 32));
  } else if (path === '/big-chunked') {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000, 32));
    res.end();
  } else if (path === '/endless') {
    res.writeHead(200, { 'content-type': 'application/json' });
    const stream = new Readable({
      read() {
        this.push(Buffer.alloc(16_384, 32));
      },
    });
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  } else if (path === '/stall') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":'); // then nothing, until the client gives up
  } else {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const echo: Echo = { method: req.method ?? '', url: path, headers: req.headers, body };
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(echo));
    });
  }
}

describe('fetchTarget over HTTP', () => {
  const server = createServer(route);
  let base = '';
  let connections = 0;
  let client: HttpClient;
  const scratch = mkdtempSync(join(tmpdir(), 'fje-scrape-'));

  before(async () => {
    server.on('connection', () => {
      connections += 1;
    });
    base = `http://${await listen(server)}`;
    client = createHttpClient(clientConfig());
  });
  after(async () => {
    await client.close();
    await shutdown(server);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('GET sends the module headers and a default Accept: application/json', async () => {
    const result = await fetchTarget(client, request(`${base}/echo?x=1`, { headers: { 'X-Module': 'srs' } }));
    const echo = echoOf(result);
    assert.equal(echo.method, 'GET');
    assert.equal(echo.url, '/echo?x=1');
    assert.equal(echo.headers['x-module'], 'srs');
    assert.equal(echo.headers['accept'], 'application/json');
    assert.ok(result.ok && result.status === 200 && result.contentType === 'application/json; charset=utf-8');
  });

  test('a module Accept header replaces the default, whatever its case', async () => {
    const echo = echoOf(await fetchTarget(client, request(`${base}/echo`, { headers: { ACCEPT: 'text/plain' } })));
    assert.equal(echo.headers['accept'], 'text/plain');
  });

  test('POST sends the configured body', async () => {
    const echo = echoOf(
      await fetchTarget(client, request(`${base}/echo`, { method: 'POST', body: '{"static":true}' })),
    );
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, '{"static":true}');
  });

  test('a templated body is rendered from the probe parameters and POSTed', async () => {
    const config = { content: '{"since": "{{ duration `95` }}", "stream": "{{ .stream | first }}"}', templatize: true };
    const prepared = prepareRequestBody(config, compileBodyTemplate(config.content), {
      stream: ['live/cam1'],
      target: ['x'],
    });
    assert.equal(prepared.method, 'POST');
    const echo = echoOf(
      await fetchTarget(client, request(`${base}/echo`, { method: prepared.method, body: prepared.body })),
    );
    assert.equal(echo.body, '{"since": "1m35s", "stream": "live/cam1"}');
  });

  test('valid_status_codes accepts a listed 404', async () => {
    const result = await fetchTarget(client, request(`${base}/status/404`, { validStatusCodes: [200, 404] }));
    assert.ok(result.ok);
    assert.equal(result.status, 404);
  });

  test('a 500 fails with invalid_status, the status and the valid set in the message', async () => {
    const failure = failureOf(await fetchTarget(client, request(`${base}/status/500`)));
    assert.equal(failure.reason, 'invalid_status');
    assert.equal(failure.status, 500);
    assert.equal(failure.message, `GET ${base}/status/500: unexpected status 500 Internal Server Error (valid: 2xx)`);
    const listed = failureOf(
      await fetchTarget(client, request(`${base}/status/200`, { validStatusCodes: [201, 202] })),
    );
    assert.equal(listed.message, `GET ${base}/status/200: unexpected status 200 OK (valid: 201, 202)`);
  });

  test('basic_auth with a password reaches the server', async () => {
    const auth = createHttpClient(clientConfig({ basicAuth: { username: 'user', password: 'p@ss' } }));
    try {
      const echo = echoOf(await fetchTarget(auth, request(`${base}/echo`)));
      assert.equal(echo.headers['authorization'], `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    } finally {
      await auth.close();
    }
  });

  test('basic_auth username_file and password_file are re-read when they change', async () => {
    const file = join(scratch, 'password');
    const userFile = join(scratch, 'username');
    writeFileSync(file, 'first\n');
    writeFileSync(userFile, 'u\n');
    const auth = createHttpClient(
      clientConfig({ basicAuth: { username: '', usernameFile: userFile, passwordFile: file } }),
    );
    try {
      const first = echoOf(await fetchTarget(auth, request(`${base}/echo`)));
      assert.equal(first.headers['authorization'], `Basic ${Buffer.from('u:first').toString('base64')}`);
      writeFileSync(file, 'second-longer\n');
      const second = echoOf(await fetchTarget(auth, request(`${base}/echo`)));
      assert.equal(second.headers['authorization'], `Basic ${Buffer.from('u:second-longer').toString('base64')}`);
    } finally {
      await auth.close();
    }
  });

  test('authorization credentials and credentials_file send a Bearer token; a missing file is a credentials failure', async () => {
    const file = join(scratch, 'token');
    writeFileSync(file, ' file-token \n');
    const inline = createHttpClient(clientConfig({ authorization: { type: 'Bearer', credentials: 'inline-token' } }));
    const fromFile = createHttpClient(clientConfig({ authorization: { type: 'Bearer', credentialsFile: file } }));
    const missing = createHttpClient(
      clientConfig({ authorization: { type: 'Bearer', credentialsFile: join(scratch, 'absent') } }),
    );
    try {
      assert.equal(
        echoOf(await fetchTarget(inline, request(`${base}/echo`))).headers['authorization'],
        'Bearer inline-token',
      );
      assert.equal(
        echoOf(await fetchTarget(fromFile, request(`${base}/echo`))).headers['authorization'],
        'Bearer file-token',
      );
      const failure = failureOf(await fetchTarget(missing, request(`${base}/echo`)));
      assert.equal(failure.reason, 'credentials');
      assert.match(failure.message, /cannot read credentials: ENOENT/);
    } finally {
      await Promise.all([inline.close(), fromFile.close(), missing.close()]);
    }
  });

  test('close() while a fetch still reads its credentials file lets that fetch finish (a reload closes the old clients)', async () => {
    const file = join(scratch, 'token-close');
    writeFileSync(file, 'file-token\n');
    const client = createHttpClient(clientConfig({ authorization: { type: 'Bearer', credentialsFile: file } }));
    // Started, then closed before it reaches the connection pool: the file read is still under way.
    const fetched = fetchTarget(client, request(`${base}/echo`));
    const closed = client.close();
    assert.equal(echoOf(await fetched).headers['authorization'], 'Bearer file-token');
    await closed;
    const late = failureOf(await fetchTarget(client, request(`${base}/echo`)));
    assert.notEqual(late.reason, 'credentials');
  });

  test('a module Authorization header wins over configured auth, as in json_exporter', async () => {
    const auth = createHttpClient(clientConfig({ authorization: { type: 'Bearer', credentials: 'configured' } }));
    try {
      const echo = echoOf(await fetchTarget(auth, request(`${base}/echo`, { headers: { Authorization: 'Custom x' } })));
      assert.equal(echo.headers['authorization'], 'Custom x');
    } finally {
      await auth.close();
    }
  });

  test('two fetches reuse one kept-alive connection', async () => {
    const reused = createHttpClient(clientConfig());
    try {
      const before = connections;
      echoOf(await fetchTarget(reused, request(`${base}/echo`)));
      echoOf(await fetchTarget(reused, request(`${base}/echo`)));
      assert.equal(connections - before, 1);
    } finally {
      await reused.close();
    }
  });

  test('redirects are followed by default', async () => {
    const echo = echoOf(await fetchTarget(client, request(`${base}/redirect`)));
    assert.equal(echo.url, '/echo?redirected=1');
  });

  test('follow_redirects: false returns the 302, which is not a valid status', async () => {
    const noFollow = createHttpClient(clientConfig({ followRedirects: false }));
    try {
      const failure = failureOf(await fetchTarget(noFollow, request(`${base}/redirect`)));
      assert.equal(failure.reason, 'invalid_status');
      assert.equal(failure.status, 302);
    } finally {
      await noFollow.close();
    }
  });

  test('a redirect chain longer than 10 fails with too_many_redirects', async () => {
    const failure = failureOf(await fetchTarget(client, request(`${base}/hop/0`)));
    assert.equal(failure.reason, 'too_many_redirects');
  });

  test('a body over maxBodyBytes fails with body_too_large (declared length, chunked, endless)', async () => {
    for (const path of ['/big', '/big-chunked', '/endless']) {
      const failure = failureOf(await fetchTarget(client, request(`${base}${path}`, { maxBodyBytes: 4096 })));
      assert.equal(failure.reason, 'body_too_large', path);
      assert.match(failure.message, /exceeds the limit of 4096 bytes/);
    }
    const exact = await fetchTarget(client, request(`${base}/big`, { maxBodyBytes: 10_000 }));
    assert.ok(exact.ok && exact.body.byteLength === 10_000 && exact.body.buffer.byteLength === 10_000);
  });

  test('a body that stalls after the headers times out', async () => {
    // 1 s, not less: the headers must arrive before the deadline for it to end while reading the body, and a busy
    // machine can hold this process's loop (server and client both) for a few hundred milliseconds.
    const failure = failureOf(await fetchTarget(client, request(`${base}/stall`, { timeoutMs: 1000 })));
    assert.equal(failure.reason, 'timeout');
    assert.equal(failure.status, 200);
    assert.equal(failure.message, `GET ${base}/stall: timed out after 1000 ms reading the body`);
  });

  test('an aborted caller signal gives aborted', async () => {
    const controller = new AbortController();
    const pending = fetchTarget(client, request(`${base}/stall`, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50).unref();
    assert.equal(failureOf(await pending).reason, 'aborted');
  });

  test('one caller signal over many fetches: no listener is left on it, and it still aborts the next', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 12; i++) {
      const done = await fetchTarget(client, request(`${base}/status/200`, { signal: controller.signal }));
      assert.ok(done.ok, `fetch ${i}`);
    }
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    const pending = fetchTarget(client, request(`${base}/stall`, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50).unref();
    const failure = failureOf(await pending);
    assert.equal(failure.reason, 'aborted');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  test('a closed port gives connection_refused', async () => {
    const closed = createServer();
    const address = await listen(closed);
    await shutdown(closed);
    const failure = failureOf(await fetchTarget(client, request(`http://${address}/x`)));
    assert.equal(failure.reason, 'connection_refused');
    assert.equal(failure.message, `GET http://${address}/x: connection refused`);
  });

  test('only http and https URLs are fetched', async () => {
    const scheme = failureOf(await fetchTarget(client, request('ftp://127.0.0.1/x')));
    assert.equal(scheme.reason, 'invalid_url');
    assert.equal(scheme.message, 'GET ftp://127.0.0.1/x: unsupported scheme "ftp" (only http and https)');
    assert.equal(failureOf(await fetchTarget(client, request('not a url'))).reason, 'invalid_url');
  });

  test('URL credentials become basic auth and are redacted from messages', async () => {
    const address = base.slice('http://'.length);
    const echo = echoOf(await fetchTarget(client, request(`http://ann:secret@${address}/echo`)));
    assert.equal(echo.headers['authorization'], `Basic ${Buffer.from('ann:secret').toString('base64')}`);
    const failure = failureOf(await fetchTarget(client, request(`http://ann:secret@${address}/status/500`)));
    assert.ok(!failure.message.includes('secret') && failure.message.includes('ann:xxxxx@'));
  });

  test('proxy_url tunnels through the proxy with proxy_connect_header', async () => {
    const connects: Array<IncomingMessage['headers']> = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, socket, head: Buffer) => {
      connects.push(req.headers);
      const [host = '', port = ''] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    const proxied = createHttpClient(
      clientConfig({ proxyUrl: `http://${await listen(proxy)}`, proxyConnectHeader: { 'X-Proxy-Token': 't0k' } }),
    );
    try {
      echoOf(await fetchTarget(proxied, request(`${base}/echo`)));
      assert.equal(connects.length, 1);
      assert.equal(connects[0]?.['x-proxy-token'], 't0k');
    } finally {
      await proxied.close();
      await shutdown(proxy);
    }
  });
});

describe('fetchTarget over HTTPS with a private CA', () => {
  const server = createHttpsServer(
    { key: readFileSync(fixturePath('tls', 'server.key')), cert: readFileSync(fixturePath('tls', 'server.crt')) },
    route,
  );
  let base = '';

  before(async () => {
    base = `https://${await listen(server)}`;
  });
  after(() => shutdown(server));

  async function fetchWith(tlsConfig: HttpClientConfig['tlsConfig'], url = `${base}/echo`): Promise<FetchResult> {
    const client = createHttpClient(clientConfig({ tlsConfig }));
    try {
      return await fetchTarget(client, request(url));
    } finally {
      await client.close();
    }
  }

  test('ca_file makes the server certificate trusted', async () => {
    assert.equal(
      echoOf(await fetchWith({ caFile: fixturePath('tls', 'ca.crt'), insecureSkipVerify: false })).method,
      'GET',
    );
  });

  test('an inline ca and a server_name work too', async () => {
    const ca = readFileSync(fixturePath('tls', 'ca.crt'), 'utf8');
    assert.ok((await fetchWith({ ca, serverName: 'localhost', insecureSkipVerify: false })).ok);
  });

  test('without the CA the handshake fails with tls', async () => {
    const failure = failureOf(await fetchWith({ insecureSkipVerify: false }));
    assert.equal(failure.reason, 'tls');
    assert.match(failure.message, /^GET https:\/\/127\.0\.0\.1:\d+\/echo: TLS handshake failed: /);
  });

  test('insecure_skip_verify accepts the unknown CA', async () => {
    assert.ok((await fetchWith({ insecureSkipVerify: true })).ok);
  });

  test('min_version above the server maximum fails with tls', async () => {
    const capped = createHttpsServer(
      {
        key: readFileSync(fixturePath('tls', 'server.key')),
        cert: readFileSync(fixturePath('tls', 'server.crt')),
        maxVersion: 'TLSv1.2',
      },
      route,
    );
    const address = await listen(capped);
    try {
      const failure = failureOf(
        await fetchWith({ insecureSkipVerify: true, minVersion: 'TLS13' }, `https://${address}/echo`),
      );
      assert.equal(failure.reason, 'tls');
    } finally {
      await shutdown(capped);
    }
  });
});

describe('createHttpClient validates tls_config up front', () => {
  const cases: Array<[HttpClientConfig['tlsConfig'], RegExp]> = [
    [
      { caFile: '/nonexistent/ca.crt', insecureSkipVerify: false },
      /^tls_config: cannot read ca_file \/nonexistent\/ca\.crt: ENOENT/,
    ],
    [{ ca: 'x', caFile: 'y', insecureSkipVerify: false }, /^tls_config: at most one of ca and ca_file may be set$/],
    [
      { cert: 'x', insecureSkipVerify: false },
      /^tls_config: a client certificate needs both cert \(or cert_file\) and key \(or key_file\)$/,
    ],
    [
      { minVersion: 'TLS14', insecureSkipVerify: false },
      /^tls_config: min_version "TLS14" is not one of TLS10, TLS11, TLS12, TLS13$/,
    ],
  ];
  for (const [tlsConfig, message] of cases) {
    test(message.source, () => {
      assert.throws(
        () => createHttpClient(clientConfig({ tlsConfig })),
        (error: unknown) => {
          assert.ok(error instanceof HttpClientConfigError);
          assert.equal(error.code, 'FJE_HTTP_CLIENT_CONFIG');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

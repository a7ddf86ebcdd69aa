// The lean HTTP/1.1 fleet client against real servers on 127.0.0.1: node:http for well-formed answers, raw net
// servers for framing details and malformed ones; its results beside undici's fetchTarget on the same responses.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createAuthorizationSource, NO_AUTHORIZATION } from '../../src/fetch/credentials.js';
import { FETCH_FAILURE_REASONS } from '../../src/fetch/errors.js';
import { createHttpClient, fetchTarget, type FetchResult } from '../../src/fetch/http-client.js';
import {
  canUseLean,
  createLeanHttp1Client,
  isLeanFallback,
  type LeanFetchResult,
  type LeanHttp1Client,
  type LeanHttp1Options,
} from '../../src/fetch/lean-http1.js';
import { clientConfig, fetchRequest as request } from '../helpers/fetch.js';
import { within } from '../helpers/wait-for.js';

const clients: LeanHttp1Client[] = [];
function leanClient(options: LeanHttp1Options = {}, config = clientConfig()): LeanHttp1Client {
  const client = createLeanHttp1Client(config, async () => undefined, options);
  clients.push(client);
  return client;
}

function okOf(result: LeanFetchResult): Extract<FetchResult, { ok: true }> {
  if (isLeanFallback(result)) return assert.fail(`unexpected fallback ${result.fallback}`);
  if (!result.ok) return assert.fail(`fetch failed: ${result.reason}: ${result.message}`);
  return result;
}

function failureOf(result: LeanFetchResult): Extract<FetchResult, { ok: false }> {
  if (isLeanFallback(result)) return assert.fail(`unexpected fallback ${result.fallback}`);
  if (result.ok) return assert.fail(`expected a failure, got status ${result.status}`);
  assert.ok(FETCH_FAILURE_REASONS.includes(result.reason));
  return result;
}

const text = (result: LeanFetchResult): string => Buffer.from(okOf(result).body).toString('utf8');

async function listen(server: Server | NetServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const client of clients) await client.close();
  for (const close of closers) await close();
});

/** A node:http server with the routes below; counts the connections it accepted. */
async function httpServer(): Promise<{ base: string; connections: () => number; sockets: Set<Socket> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => route(req, res));
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const base = await listen(server);
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { base, connections: () => connections, sockets };
}

const JSON_BODY = JSON.stringify({ code: 0, streams: [{ id: 1, name: 'livestream', clients: 3 }] });
/** 8 MiB of zeros in ~8 KiB: over any limit the tests set once decoded. */
const GZIP_BOMB = gzipSync(Buffer.alloc(8 << 20), { level: 9 });

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  if (path === '/length')
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON_BODY) })
      .end(JSON_BODY);
  else if (path === '/chunked') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.write(JSON_BODY.slice(0, 10));
    setImmediate(() => res.end(JSON_BODY.slice(10)));
  } else if (path === '/gzip')
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(JSON_BODY));
  else if (path.startsWith('/status/'))
    res.writeHead(Number(path.slice(8))).end(path.endsWith('204') ? undefined : 'no');
  else if (path === '/304') res.writeHead(304).end();
  else if (path === '/close') res.writeHead(200, { connection: 'close' }).end('bye');
  else if (path === '/redirect') res.writeHead(302, { location: '/length' }).end();
  else if (path === '/slow') setTimeout(() => res.end('slow'), 30);
  // /hang is never answered: the client's abort or the server's close ends it.
  else if (path === '/hang') return;
  else if (path === '/gzip-bomb')
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(GZIP_BOMB);
  else if (path === '/echo') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const echo = { method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
    });
  } else res.writeHead(404).end();
}

/** A raw TCP server: `answer` gets each request head (bodies are not expected) and the socket, and its index on it. */
async function rawServer(
  answer: (socket: Socket, head: string, index: number) => void,
): Promise<{ base: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let index = 0;
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        answer(socket, head, index++);
      }
    });
  });
  const base = await listen(server);
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { base, connections: () => connections };
}

describe('lean HTTP/1.1 client', () => {
  let web: Awaited<ReturnType<typeof httpServer>>;
  before(async () => {
    web = await httpServer();
  });

  test('gives the same status, content type and bytes as undici fetchTarget', async () => {
    const undici = createHttpClient(clientConfig());
    const lean = leanClient();
    try {
      for (const path of ['/length', '/chunked', '/gzip', '/status/204']) {
        const reference = await fetchTarget(undici, request(`${web.base}${path}`));
        const ours = okOf(await lean.fetch(request(`${web.base}${path}`)));
        assert.ok(reference.ok, path);
        assert.equal(ours.status, reference.status, path);
        assert.equal(ours.contentType, reference.contentType, path);
        assert.deepEqual(Buffer.from(ours.body), Buffer.from(reference.body), path);
        assert.equal(ours.body.byteOffset, 0, 'the body owns its ArrayBuffer');
        assert.equal(ours.body.buffer.byteLength, ours.body.byteLength, 'the body owns its ArrayBuffer');
      }
      const post = request(`${web.base}/echo`, { method: 'POST', body: '{"q":"ä"}', headers: { 'x-module': 'srs' } });
      const reference = await fetchTarget(undici, post);
      const ours = okOf(await lean.fetch(post));
      assert.ok(reference.ok);
      const echoed = (result: {
        body: Uint8Array;
      }): { method: string; body: string; headers: Record<string, string> } =>
        JSON.parse(Buffer.from(result.body).toString('utf8'));
      const [a, b] = [echoed(ours), echoed(reference)];
      assert.equal(a.method, b.method);
      assert.equal(a.body, b.body);
      for (const name of ['accept', 'accept-encoding', 'content-length', 'x-module', 'host'])
        assert.equal(a.headers[name], b.headers[name], name);
      const failed = failureOf(await lean.fetch(request(`${web.base}/status/503`)));
      const referenceFailure = await fetchTarget(undici, request(`${web.base}/status/503`));
      assert.ok(!referenceFailure.ok);
      assert.equal(failed.message, referenceFailure.message);
      assert.equal(failed.status, referenceFailure.status);
    } finally {
      await undici.close();
    }
  });

  test('reads a body by Content-Length, chunked and gzip-encoded', async () => {
    const lean = leanClient();
    assert.equal(text(await lean.fetch(request(`${web.base}/length`))), JSON_BODY);
    assert.equal(text(await lean.fetch(request(`${web.base}/chunked`))), JSON_BODY);
    assert.equal(text(await lean.fetch(request(`${web.base}/gzip`))), JSON_BODY);
  });

  test('reads chunk extensions and trailers, and a body delimited by the close', async () => {
    const raw = await rawServer((socket, head) => {
      if (head.startsWith('GET /chunked'))
        socket.write(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
            '5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-checksum: 1\r\nx-other: 2\r\n\r\n',
        );
      else socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the close');
    });
    const lean = leanClient();
    assert.equal(text(await lean.fetch(request(`${raw.base}/chunked`))), 'hello world');
    assert.equal(text(await lean.fetch(request(`${raw.base}/chunked`))), 'hello world');
    assert.equal(raw.connections(), 1, 'the chunked response with trailers left the connection reusable');
    const closed = okOf(await lean.fetch(request(`${raw.base}/close-delimited`)));
    assert.equal(Buffer.from(closed.body).toString(), 'until the close');
    assert.equal(closed.contentType, 'text/plain');
  });

  test('skips a 1xx response and reads the final one', async () => {
    const raw = await rawServer((socket) =>
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
    );
    assert.equal(text(await leanClient().fetch(request(`${raw.base}/`))), 'ok');
  });

  test('reuses one connection for sequential requests to one origin', async () => {
    const server = await httpServer();
    const lean = leanClient();
    for (let i = 0; i < 5; i++) assert.equal(text(await lean.fetch(request(`${server.base}/length`))), JSON_BODY);
    okOf(await lean.fetch(request(`${server.base}/status/204`)));
    failureOf(await lean.fetch(request(`${server.base}/status/503`)));
    okOf(await lean.fetch(request(`${server.base}/length`)));
    assert.equal(server.connections(), 1);
  });

  test('a URL asked again is sent as asked the first time; each URL keeps its own path and query', async () => {
    const { base } = await rawServer((socket, head) => {
      const lines = head.split('\r\n');
      const body = `${lines[0]} | ${lines.find((line) => line.toLowerCase().startsWith('host:'))}`;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    });
    const port = new URL(base).port;
    const lean = leanClient();
    const urls = [`${base}/a?x=1`, `${base}/a?x=2`, `${base}/b`, `${base}/a?x=1`];
    const seen: string[] = [];
    for (const url of urls) seen.push(text(await lean.fetch(request(url))));
    assert.deepEqual(seen, [
      `GET /a?x=1 HTTP/1.1 | host: 127.0.0.1:${port}`,
      `GET /a?x=2 HTTP/1.1 | host: 127.0.0.1:${port}`,
      `GET /b HTTP/1.1 | host: 127.0.0.1:${port}`,
      `GET /a?x=1 HTTP/1.1 | host: 127.0.0.1:${port}`,
    ]);
    const invalid = failureOf(await lean.fetch(request('http://[::1')));
    assert.equal(invalid.reason, 'invalid_url', 'a URL that does not parse is refused every time');
    assert.equal(failureOf(await lean.fetch(request('http://[::1'))).reason, 'invalid_url');
  });

  test('a kept GET head follows the module headers: a new headers object (a reload) is sent as it is, a module with auth asks its source each time', async () => {
    const { base } = await rawServer((socket, head) => {
      const body = head
        .split('\r\n')
        .filter((line) => /^(x-tenant|authorization):/i.test(line))
        .join(' | ');
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    });
    const url = `${base}/api/v1/streams/`;
    const generation1 = { 'X-Tenant': 'a' };
    const generation2 = { 'X-Tenant': 'b' };
    // A module without auth has the shared NO_AUTHORIZATION source (createAuthorizationSource).
    const lean = createLeanHttp1Client(clientConfig(), createAuthorizationSource(clientConfig()));
    clients.push(lean);
    assert.equal(createAuthorizationSource(clientConfig()), NO_AUTHORIZATION);
    const seen: string[] = [];
    for (const headers of [generation1, generation1, generation2, generation1])
      seen.push(text(await lean.fetch(request(url, { headers }))));
    assert.deepEqual(seen, ['X-Tenant: a', 'X-Tenant: a', 'X-Tenant: b', 'X-Tenant: a']);
    // Headers that cannot be sent are refused every time: a refused head is never kept.
    const injected = { 'X-Tenant': 'a\r\nx-evil: 1' };
    for (let i = 0; i < 2; i++) {
      const refused = failureOf(await lean.fetch(request(url, { headers: injected })));
      assert.match(refused.message, /invalid request header "X-Tenant"/);
    }
    assert.equal(text(await lean.fetch(request(url, { headers: generation1 }))), 'X-Tenant: a');
    // A module with auth asks its source for every request (a credentials file may change): never a kept head.
    let token = 0;
    const withAuth = createLeanHttp1Client(clientConfig(), async () => `Bearer t${++token}`);
    clients.push(withAuth);
    const authed = [text(await withAuth.fetch(request(url, { headers: generation1 })))];
    authed.push(text(await withAuth.fetch(request(url, { headers: generation1 }))));
    assert.deepEqual(authed, ['X-Tenant: a | authorization: Bearer t1', 'X-Tenant: a | authorization: Bearer t2']);
  });

  test('requests started in one turn leave together at its end: each on its own socket, with its own answer', async () => {
    const server = await httpServer();
    const lean = leanClient();
    const paths = ['/length', '/gzip', '/chunked', '/status/204', '/echo', '/length'];
    const results = await Promise.all(paths.map((path) => lean.fetch(request(`${server.base}${path}`))));
    assert.equal(text(results[0] as LeanFetchResult), JSON_BODY);
    assert.equal(text(results[1] as LeanFetchResult), JSON_BODY);
    assert.equal(text(results[2] as LeanFetchResult), JSON_BODY);
    assert.equal(okOf(results[3] as LeanFetchResult).status, 204);
    assert.equal((JSON.parse(text(results[4] as LeanFetchResult)) as { method: string }).method, 'GET');
    assert.equal(text(results[5] as LeanFetchResult), JSON_BODY);
    assert.equal(server.connections(), paths.length);
    // The sockets are kept and carry the next turn's requests, again all at once.
    const again = await Promise.all(paths.map(() => lean.fetch(request(`${server.base}/length`))));
    for (const result of again) assert.equal(text(result), JSON_BODY);
    assert.equal(server.connections(), paths.length);
  });

  test('retries a GET once on a new socket when a reused one was closed by the server', async () => {
    // The server answers the first request of each connection and drops the connection on the second one, as a
    // server closing an idle socket just as the next request arrives.
    const raw = await rawServer((socket, _head, index) => {
      if (index === 0) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst');
      else socket.destroy();
    });
    const lean = leanClient();
    assert.equal(text(await lean.fetch(request(`${raw.base}/`))), 'first');
    assert.equal(text(await lean.fetch(request(`${raw.base}/`))), 'first');
    assert.equal(raw.connections(), 2);
    // A POST is not retried: the server may have acted on it.
    const post = failureOf(await lean.fetch(request(`${raw.base}/`, { method: 'POST', body: 'x' })));
    assert.equal(post.reason, 'network');
  });

  test('a server that resets the connection mid-body fails the fetch as network', async () => {
    const raw = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{"partial":');
      setImmediate(() => socket.resetAndDestroy());
    });
    const failure = failureOf(await leanClient().fetch(request(`${raw.base}/`)));
    assert.equal(failure.reason, 'network');
    assert.equal(failure.status, 200);
    assert.match(failure.message, /^GET http:\/\/127\.0\.0\.1:\d+\/: /);
  });

  test('a body cut off by the close before its Content-Length fails as network', async () => {
    const raw = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort'));
    const failure = failureOf(await leanClient().fetch(request(`${raw.base}/`)));
    assert.equal(failure.reason, 'network');
    assert.match(failure.message, /other side closed/);
  });

  /** 5 MiB (over the client's large-body size) of a repeating pattern, so a misplaced read shows. */
  const LARGE = Buffer.alloc(5 * 1024 * 1024 + 123, 'abcdefghijklmnopqrstuvwxyz0123456789');

  test('a large body arrives whole, by Content-Length in many reads and chunked', async () => {
    const raw = await rawServer((socket, head) => {
      if (head.startsWith('GET /length')) {
        // Written in pieces, a turn apart: the client copies read by read and frees the reads it copied.
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${LARGE.byteLength}\r\n\r\n`);
        const pieces = 40;
        const size = Math.ceil(LARGE.byteLength / pieces);
        for (let i = 0; i < pieces; i++) {
          setTimeout(() => socket.write(LARGE.subarray(i * size, (i + 1) * size)), i);
        }
      } else {
        socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
        const half = LARGE.byteLength >> 1;
        socket.write(`${half.toString(16)}\r\n`);
        socket.write(LARGE.subarray(0, half));
        socket.write(`\r\n${(LARGE.byteLength - half).toString(16)}\r\n`);
        socket.write(LARGE.subarray(half));
        socket.write('\r\n0\r\n\r\n');
      }
    });
    const client = leanClient();
    for (const path of ['/length', '/chunked', '/length']) {
      const ok = okOf(await client.fetch(request(`${raw.base}${path}`, { maxBodyBytes: 32 << 20 })));
      assert.equal(ok.body.byteLength, LARGE.byteLength, path);
      assert.ok(Buffer.from(ok.body).equals(LARGE), `${path}: the bytes differ`);
      // The body owns its buffer whole, so a pool can transfer it.
      assert.equal(ok.body.buffer.byteLength, LARGE.byteLength, path);
    }
  });

  test('responses whose reads interleave across sockets arrive intact: heads split mid-line, sized and chunked bodies', async () => {
    // Every socket reads into one shared buffer: bytes kept past a read (a partial head, a chunk of a body without a
    // Content-Length) must be copies, or the next read on another socket overwrites them.
    const bodyOf = (index: number): Buffer => Buffer.alloc(3000 + 1000 * index, String.fromCharCode(0x61 + index));
    const raw = await rawServer((socket, head) => {
      const index = Number(/GET \/(\d+)/.exec(head)?.[1]);
      const body = bodyOf(index);
      const pieces =
        index % 2 === 0
          ? [
              `HTTP/1.1 200 OK\r\ncontent-le`,
              `ngth: ${body.byteLength}\r\n\r\n`,
              body.subarray(0, 1000),
              body.subarray(1000),
            ]
          : [
              'HTTP/1.1 200 OK\r\ntransfer-enc',
              'oding: chunked\r\n\r\n',
              `${(1000).toString(16)}\r\n`,
              body.subarray(0, 1000),
              `\r\n${(body.byteLength - 1000).toString(16)}\r\n`,
              body.subarray(1000),
              '\r\n0\r\n\r\n',
            ];
      // One piece per turn of the server's loop, so the client reads each alone, between the other sockets' reads.
      const next = (): void => {
        const piece = pieces.shift();
        if (piece === undefined || socket.destroyed) return;
        socket.write(piece);
        setTimeout(next, 2);
      };
      next();
    });
    const lean = leanClient();
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => lean.fetch(request(`${raw.base}/${i}`))));
    for (const [i, result] of results.entries()) {
      const body = Buffer.from(okOf(result).body);
      assert.equal(body.byteLength, bodyOf(i).byteLength, `response ${i}: length`);
      assert.ok(body.equals(bodyOf(i)), `response ${i}: its bytes are its own`);
    }
  });

  test('a large body cut off before its Content-Length fails as network, not as a body of stale bytes', async () => {
    const raw = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${LARGE.byteLength}\r\n\r\n`);
      socket.end(LARGE.subarray(0, LARGE.byteLength - 1000));
    });
    const failure = failureOf(await leanClient().fetch(request(`${raw.base}/`, { maxBodyBytes: 32 << 20 })));
    assert.equal(failure.reason, 'network');
  });

  test('refuses an invalid status line and an oversized head', async () => {
    const raw = await rawServer((socket, head) => {
      if (head.startsWith('GET /bad-status')) socket.write('HTTP/1.1 2OO OK\r\ncontent-length: 0\r\n\r\n');
      else if (head.startsWith('GET /bad-header')) socket.write('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n');
      else socket.write(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    });
    const lean = leanClient();
    const status = failureOf(await lean.fetch(request(`${raw.base}/bad-status`)));
    assert.equal(status.reason, 'network');
    assert.match(status.message, /invalid HTTP\/1\.1 response: invalid status line "HTTP\/1\.1 2OO OK"/);
    const header = failureOf(await lean.fetch(request(`${raw.base}/bad-header`)));
    assert.match(header.message, /invalid header line "no colon here"/);
    const big = failureOf(await lean.fetch(request(`${raw.base}/big`)));
    assert.equal(big.reason, 'network');
    assert.match(big.message, /response head over 65536 bytes/);
  });

  test('a body over the limit fails as body_too_large, declared or chunked or decoded', async () => {
    const lean = leanClient();
    const limit = { maxBodyBytes: 20 };
    const declared = failureOf(await lean.fetch(request(`${web.base}/length`, limit)));
    assert.equal(declared.reason, 'body_too_large');
    assert.match(declared.message, /body of \d+ bytes exceeds the limit of 20 bytes/);
    const chunked = failureOf(await lean.fetch(request(`${web.base}/chunked`, limit)));
    assert.equal(chunked.reason, 'body_too_large');
    assert.match(chunked.message, /body exceeds the limit of 20 bytes$/);
    const decoded = failureOf(await lean.fetch(request(`${web.base}/gzip`, limit)));
    assert.equal(decoded.reason, 'body_too_large');
    assert.match(decoded.message, /decoded from gzip exceeds the limit of 20 bytes/);
  });

  test('a chunked body refused past the limit frees its reads at once, not at the next collection', async () => {
    const piece = Buffer.alloc(256 * 1024, 0x20);
    const raw = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
      // 16 MiB in chunks, against a limit of 8 MiB; the writes stop once the client has gone.
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 && !socket.destroyed) {
          sent++;
          socket.write(`${piece.byteLength.toString(16)}\r\n`);
          socket.write(piece);
          if (!socket.write('\r\n')) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    const before = process.memoryUsage().arrayBuffers;
    const failure = failureOf(await leanClient().fetch(request(`${raw.base}/`, { maxBodyBytes: 8 << 20 })));
    assert.equal(failure.reason, 'body_too_large');
    // The 8 MiB of reads the refused body had kept are freed within a few turns, with no collection needed.
    let kept = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 50 && kept > 2 << 20; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      kept = process.memoryUsage().arrayBuffers - before;
    }
    assert.ok(kept <= 2 << 20, `${kept} bytes of reads still allocated after the refusal`);
  });

  test('a server that never answers times out; an abort signal aborts', async () => {
    let received: () => void = () => undefined;
    const raw = await rawServer(() => received());
    const lean = leanClient();
    const timeout = failureOf(await lean.fetch(request(`${raw.base}/`, { timeoutMs: 50 })));
    assert.equal(timeout.reason, 'timeout');
    assert.match(timeout.message, /timed out after 50 ms$/);
    const controller = new AbortController();
    received = () => controller.abort();
    const aborted = failureOf(await lean.fetch(request(`${raw.base}/`, { signal: controller.signal })));
    assert.equal(aborted.reason, 'aborted');
    const before = failureOf(await lean.fetch(request(`${raw.base}/`, { signal: AbortSignal.abort() })));
    assert.equal(before.reason, 'aborted');
    assert.match(before.message, /aborted before the request$/);
  });

  test('a signal aborted while the request headers are built aborts the request, without waiting for its timeout', async () => {
    const raw = await rawServer(() => undefined);
    const controller = new AbortController();
    const lean = createLeanHttp1Client(clientConfig(), async () => {
      controller.abort();
      return undefined;
    });
    clients.push(lean);
    // The server never answers: without the abort this ends by its timeout, as `timeout`.
    const failure = failureOf(
      await lean.fetch(request(`${raw.base}/`, { signal: controller.signal, timeoutMs: 5_000 })),
    );
    assert.equal(failure.reason, 'aborted');
  });

  test('an invalid status fails as invalid_status with the status; 204 and 304 have no body', async () => {
    const lean = leanClient();
    const invalid = failureOf(await lean.fetch(request(`${web.base}/status/503`)));
    assert.equal(invalid.reason, 'invalid_status');
    assert.equal(invalid.status, 503);
    assert.match(invalid.message, /unexpected status 503 Service Unavailable \(valid: 2xx\)$/);
    const listed = failureOf(await lean.fetch(request(`${web.base}/length`, { validStatusCodes: [201] })));
    assert.match(listed.message, /unexpected status 200 OK \(valid: 201\)$/);
    const noContent = okOf(await lean.fetch(request(`${web.base}/status/204`)));
    assert.equal(noContent.body.byteLength, 0);
    const notModified = okOf(await lean.fetch(request(`${web.base}/304`, { validStatusCodes: [304] })));
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body.byteLength, 0);
  });

  test('sends a POST body with its Content-Length and the module headers', async () => {
    const lean = leanClient();
    const body = '{"action":"streams","ä":1}';
    const result = okOf(
      await lean.fetch(request(`${web.base}/echo`, { method: 'POST', body, headers: { Accept: 'text/json' } })),
    );
    const echo = JSON.parse(Buffer.from(result.body).toString('utf8'));
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, body);
    assert.equal(echo.headers['content-length'], String(Buffer.byteLength(body)));
    assert.equal(echo.headers.accept, 'text/json');
    assert.equal(echo.headers['accept-encoding'], 'gzip, deflate, br');
  });

  test('a header value with a line break is refused before anything is sent', async () => {
    const failure = failureOf(
      await leanClient().fetch(request(`${web.base}/length`, { headers: { 'x-a': 'b\r\nx-injected: 1' } })),
    );
    assert.equal(failure.reason, 'network');
    assert.match(failure.message, /invalid request header "x-a"/);
  });

  test('Connection: close is honoured: the next request opens a new connection', async () => {
    const server = await httpServer();
    const lean = leanClient();
    assert.equal(text(await lean.fetch(request(`${server.base}/close`))), 'bye');
    assert.equal(text(await lean.fetch(request(`${server.base}/length`))), JSON_BODY);
    assert.equal(server.connections(), 2);
  });

  test('keeps at most maxSocketsPerOrigin connections to one origin; the others wait', async () => {
    const raw = await rawServer((socket) =>
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'), 5),
    );
    const lean = leanClient({ maxSocketsPerOrigin: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, () => lean.fetch(request(`${raw.base}/`))));
    for (const result of results) assert.equal(text(result), 'ok');
    assert.equal(raw.connections(), 2);
  });

  test('requests held by a hung target do not hold up others to the same origin: a gzip bomb still fails as body_too_large', async () => {
    // The soak's failure: /hang and /trickle (from /probe and the fleet) held every socket of a capped pool to their
    // host:port, so a /probe of the gzip bomb on the same host:port waited for a socket until its timeout ran out.
    const lean = leanClient();
    const hung = new AbortController();
    const held = Array.from({ length: 8 }, () => lean.fetch(request(`${web.base}/hang`, { signal: hung.signal })));
    const bomb = failureOf(await lean.fetch(request(`${web.base}/gzip-bomb`, { timeoutMs: 3000 })));
    assert.equal(bomb.reason, 'body_too_large', bomb.message);
    assert.match(bomb.message, /decoded from gzip exceeds the limit of 1048576 bytes/);
    assert.equal(okOf(await lean.fetch(request(`${web.base}/length`, { timeoutMs: 3000 }))).status, 200);
    hung.abort();
    for (const result of await Promise.all(held)) assert.equal(failureOf(result).reason, 'aborted');
  });

  test('an idle socket is closed after the keep-alive timeout, and at once under a 1 s server hint', async () => {
    let closed: () => void = () => undefined;
    const raw = await rawServer((socket, head) => {
      socket.once('close', () => closed());
      const hint = head.startsWith('GET /hint') ? 'keep-alive: timeout=1\r\n' : '';
      socket.write(`HTTP/1.1 200 OK\r\n${hint}content-length: 2\r\n\r\nok`);
    });
    const lean = leanClient({ keepAliveTimeoutMs: 20 });
    const idleClosed = new Promise<void>((resolve) => (closed = resolve));
    assert.equal(text(await lean.fetch(request(`${raw.base}/`))), 'ok');
    // The client closed it (the server does not close idle sockets); bounded, so a client that keeps it fails here.
    await within('the client to close its idle socket after 20 ms', idleClosed, 30_000);
    assert.equal(text(await lean.fetch(request(`${raw.base}/hint`))), 'ok');
    assert.equal(text(await lean.fetch(request(`${raw.base}/hint`))), 'ok');
    assert.equal(raw.connections(), 3, 'a socket whose server allows 1 s idle is not kept');
  });

  test('close() closes the idle sockets', async () => {
    const server = await httpServer();
    const lean = createLeanHttp1Client(clientConfig(), async () => undefined);
    okOf(await lean.fetch(request(`${server.base}/length`)));
    assert.equal(server.sockets.size, 1);
    const [socket] = [...server.sockets];
    const closed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));
    await lean.close();
    await within('the idle socket to close after close()', closed, 30_000);
    assert.equal(server.sockets.size, 0);
    const after = failureOf(await lean.fetch(request(`${server.base}/length`)));
    assert.match(after.message, /the client is closed/);
  });

  test('close() called twice while a request runs: both calls resolve once it ends', { timeout: 10_000 }, async () => {
    let received: () => void = () => undefined;
    const raw = await rawServer(() => received());
    const lean = createLeanHttp1Client(clientConfig(), async () => undefined);
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const running = lean.fetch(request(`${raw.base}/`, { timeoutMs: 200 }));
    await arrived;
    const first = lean.close();
    const second = lean.close();
    assert.equal(failureOf(await running).reason, 'timeout');
    await Promise.all([first, second]);
  });

  test('a redirect or an unknown transfer-coding comes back as a fallback to undici', async () => {
    const raw = await rawServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n'),
    );
    const lean = leanClient();
    const redirect = await lean.fetch(request(`${web.base}/redirect`));
    assert.ok(isLeanFallback(redirect) && redirect.fallback === 'redirect' && redirect.status === 302);
    const coding = await lean.fetch(request(`${raw.base}/`));
    assert.ok(isLeanFallback(coding) && coding.fallback === 'transfer_coding');
    const notFollowed = leanClient({}, clientConfig({ followRedirects: false }));
    const status = failureOf(await notFollowed.fetch(request(`${web.base}/redirect`)));
    assert.equal(status.reason, 'invalid_status');
    assert.equal(status.status, 302);
  });

  test('a refused connection fails as connection_refused', async () => {
    const server = createNetServer();
    const base = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const failure = failureOf(await leanClient().fetch(request(`${base}/`)));
    assert.equal(failure.reason, 'connection_refused');
  });

  test('options out of range are refused when the client is made', () => {
    assert.throws(() => createLeanHttp1Client(clientConfig(), async () => undefined, { maxSocketsPerOrigin: 0 }), {
      code: 'FJE_HTTP_CLIENT_CONFIG',
    });
    assert.throws(() => createLeanHttp1Client(clientConfig(), async () => undefined, { maxSocketsPerOrigin: 1.5 }), {
      code: 'FJE_HTTP_CLIENT_CONFIG',
    });
    assert.throws(() => createLeanHttp1Client(clientConfig(), async () => undefined, { keepAliveTimeoutMs: -1 }), {
      code: 'FJE_HTTP_CLIENT_CONFIG',
    });
  });

  test('canUseLean takes plain http: URLs only; a module with a proxy gets no lean client at all', async () => {
    assert.equal(canUseLean('http://srs-1:1985/api/v1/streams/'), true);
    assert.equal(canUseLean(new URL('http://srs-1/')), true);
    assert.equal(canUseLean('https://srs-1/'), false);
    for (const proxied of [
      clientConfig({ proxyUrl: 'http://proxy:3128' }),
      clientConfig({ proxyFromEnvironment: true }),
    ]) {
      const client = createHttpClient(proxied);
      assert.equal(client.lean, undefined);
      await client.close();
    }
    const plain = createHttpClient(clientConfig());
    assert.notEqual(plain.lean, undefined);
    await plain.close();
  });
});

// Real HTTP servers on 127.0.0.1 for tests, and a small client that returns status, headers and body.
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  readonly url: string;
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1, port 0; every request is recorded before the handler runs. */
export async function startTestServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

/** How long httpGet waits with no byte from the server before it fails (a server on 127.0.0.1 that never answers). */
const SILENCE_TIMEOUT_MS = 60_000;

/**
 * One HTTP request with node:http (no pooling, no decompression: tests see the bytes as sent). A server that stays
 * silent for SILENCE_TIMEOUT_MS fails the request with an error naming the URL instead of holding the test.
 */
export function httpGet(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const method = options.method ?? 'GET';
    const req = httpRequest(url, { method, headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(SILENCE_TIMEOUT_MS, () =>
      req.destroy(new Error(`${method} ${url}: no answer from the server within ${SILENCE_TIMEOUT_MS} ms`)),
    );
    req.end();
  });
}

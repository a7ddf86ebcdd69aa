// Answers SRS's HTTP API for one virtual server: routes, SRS paging, the 302 without a slash, basic auth, and faults.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SrsEnvelope } from './srs-shapes.js';
import type { VirtualSrsServer } from './virtual-server.js';

/** How a server misbehaves: answer late, HTTP 500, a truncated body, or SRS's own error envelope. */
export type SimulatedFault = 'slow' | 'http_500' | 'invalid_json' | 'code_2048';

export const SIMULATED_FAULTS: readonly SimulatedFault[] = ['slow', 'http_500', 'invalid_json', 'code_2048'];

/** SRS's error codes the simulator answers with (srs_kernel_error.hpp). */
const ERROR_STREAM_NOT_FOUND = 2048;
const ERROR_CLIENT_NOT_FOUND = 2049;
const SERVER_HEADER = 'SRS/6.0.157(Hang)';

export interface HandlerContext {
  readonly server: VirtualSrsServer;
  readonly fault: SimulatedFault | undefined;
  readonly slowDelayMs: number;
  /** `Authorization` header value expected on /api/ paths; undefined: no auth. */
  readonly expectedAuthorization: string | undefined;
  /** Delayed answers, so close() can cancel them. */
  readonly timers: Set<NodeJS.Timeout>;
}

/** SRS: `start = max(0, atoi(start))`, `count = max(10, atoi(count))` — at least 10 items, no upper bound. */
export function srsPage<T>(items: readonly T[], query: URLSearchParams): T[] {
  const start = Math.max(0, atoi(query.get('start')));
  const count = Math.max(10, atoi(query.get('count')));
  return items.slice(start, start + count);
}

/** C's atoi: leading digits (with a sign), anything else is 0. */
function atoi(text: string | null): number {
  const match = /^\s*([+-]?\d+)/.exec(text ?? '');
  return match === null ? 0 : Number.parseInt(match[1] as string, 10);
}

function envelope(server: VirtualSrsServer): SrsEnvelope {
  return { code: 0, server: server.name, service: server.service, pid: server.pid };
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    Server: SERVER_HEADER,
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(value));
}

/** The JSON answer of an API path, or undefined for a path SRS does not serve. */
function route(server: VirtualSrsServer, path: string, query: URLSearchParams): unknown {
  const base = envelope(server);
  if (path === '/api/v1/streams/') return { ...base, streams: srsPage(server.streamsJson(), query) };
  if (path === '/api/v1/clients/') return { ...base, clients: srsPage(server.clientsJson(), query) };
  if (path === '/api/v1/vhosts/') return { ...base, vhosts: [server.vhostJson()] };
  if (path === '/api/v1/summaries') return { ...base, data: server.summariesData() };
  if (path === '/api/v1/versions') return { ...base, data: server.versionsData() };
  if (path.startsWith('/api/v1/streams/')) {
    const stream = server.streamById(path.slice('/api/v1/streams/'.length));
    return stream === undefined ? { code: ERROR_STREAM_NOT_FOUND } : { ...base, stream };
  }
  if (path.startsWith('/api/v1/clients/')) {
    const id = path.slice('/api/v1/clients/'.length);
    const client = server.clientsJson().find((c) => c.id === id);
    return client === undefined ? { code: ERROR_CLIENT_NOT_FOUND } : { ...base, client };
  }
  if (path.startsWith('/api/v1/vhosts/')) {
    const vhost = server.vhostJson();
    return path.slice('/api/v1/vhosts/'.length) === vhost.id ? { ...base, vhost } : undefined;
  }
  return undefined;
}

function answer(context: HandlerContext, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname;
  if (path === '/api/v1/streams' || path === '/api/v1/clients' || path === '/api/v1/vhosts') {
    // SRS's mux redirects a handler pattern without its trailing slash, keeping the query.
    const location = path + '/' + url.search;
    send(res, 302, 'text/plain; charset=utf-8', `Redirect to ${location}`, { Location: location });
    return;
  }
  if (!path.startsWith('/api/')) {
    send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
    return;
  }
  if (context.expectedAuthorization !== undefined && req.headers.authorization !== context.expectedAuthorization) {
    send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="SRS"' });
    return;
  }
  switch (context.fault) {
    case 'http_500':
      send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error');
      return;
    case 'code_2048':
      sendJson(res, { code: ERROR_STREAM_NOT_FOUND });
      return;
    case 'invalid_json':
      send(res, 200, 'application/json', `{"code":0,"server":"${context.server.name}","streams":[{"id":`);
      return;
    default:
      break;
  }
  const body = route(context.server, path, url.searchParams);
  if (body === undefined) send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
  else sendJson(res, body);
}

/** Handles one request; a `slow` server answers correctly, but only after `slowDelayMs`. */
export function handleSrsRequest(context: HandlerContext, req: IncomingMessage, res: ServerResponse): void {
  if (context.fault !== 'slow') {
    answer(context, req, res);
    return;
  }
  const timer = setTimeout(() => {
    context.timers.delete(timer);
    if (!res.destroyed) answer(context, req, res);
  }, context.slowDelayMs);
  timer.unref();
  context.timers.add(timer);
  res.on('close', () => {
    clearTimeout(timer);
    context.timers.delete(timer);
  });
}

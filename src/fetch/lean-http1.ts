// A lean HTTP/1.1 client for fleet scrapes of plain `http:` targets: per-origin pools of keep-alive sockets and a
// strict response parser (http1-response-parser.ts), with fetchTarget's contract (FetchRequest in, FetchResult out,
// every failure a value with the same reasons and message form).
//
// Why a hand-written client beside undici (the guide allows one only when a benchmark says so): at 10,000 SRS
// targets every 15 s (~667 GETs/s of ~5 KB JSON), process CPU per request including JSON.parse was, on the 2-core
// machine: undici request() + body 303–368 µs, undici Agent.dispatch with a raw handler 234–335 µs, node:http
// 282 µs, a raw net.Socket keep-alive client 111–190 µs (about 2× cheaper in every paired run). The fleet's CPU
// target (issue 15: ≤ 10 % of 2 cores for everything) is below what undici alone costs at that rate.
// `npm run bench:fetch-client` (bench/README.md) measures this client beside fetchTarget in one run, interleaved:
// 156–165 µs vs 305–374 µs per request (lean/undici 0.44–0.51); 0.62 with both held to the same keep-alive.
//
// Sockets and pooling: lean-http1-pool.ts; the response parser: http1-response-parser.ts; bodies are decoded and
// limited by read-body.ts (Content-Encoding) or here (identity, with read-body.ts's message), as fetchTarget does.
//
// What it does not do, by design: https, proxies, HEAD, pipelining, HTTP/1.0 keep-alive, transfer-codings other
// than `chunked`, following redirects, a target policy (fleet mode has none). canUseLean() decides the static part
// before a request. After one, a result with `fallback` set (isLeanFallback) means "fetch this again through undici":
// a redirect (a 301/302/303/307/308 with a Location, when the module follows redirects: undici follows it and checks
// each hop) or a transfer-coding this client cannot read. The target has then seen the request once already; that
// first response is dropped unread and its connection closed.
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { HttpClientConfig } from '../config/types.js';
import { offAbort, onAbort } from './abort-hooks.js';
import { classifyFetchError } from './classify-fetch-error.js';
import { freeArrayBuffers } from './free-buffers.js';
import { type AuthorizationSource, NO_AUTHORIZATION } from './credentials.js';
import { HttpClientConfigError } from './errors.js';
import type { FetchRequest, FetchResult } from './http-client.js';
import { ResponseParser, type ResponseHead, type ResponseParserEvents } from './http1-response-parser.js';
import {
  type Connection,
  type Origin,
  OriginPools,
  originOf,
  type Pool,
  type PoolLimits,
  type PooledRequest,
} from './lean-http1-pool.js';
import { bodyTooLarge, readBodyWithLimit } from './read-body.js';
import { redactUrl } from './redact-url.js';
import { buildRequestHeaders } from './request-headers.js';
import { ERROR_BODY_DRAIN_BYTES, invalidStatusDetail, isValidStatus } from './status.js';

export interface LeanHttp1Options {
  /**
   * Sockets (busy, idle or connecting) per host:port; more requests wait for one. Default: no cap, as undici's Agent
   * and Go's http.Transport (json_exporter). A cap lets requests that hold their socket (a hung or trickling target)
   * make every other request to that host:port wait, and the wait counts against each one's timeout: under the soak,
   * with a cap of 4, /hang and /trickle (from /probe and the fleet) held all four sockets of the misbehaving targets'
   * host:port and a /probe of the gzip bomb there waited ~2.9 s of its 3 s for a socket, then timed out.
   */
  readonly maxSocketsPerOrigin?: number;
  /** How long a socket may stay idle; a server's `Keep-Alive: timeout=N` lowers it to N − 1 s. Default 4,000 ms. */
  readonly keepAliveTimeoutMs?: number;
}

/** "Fetch this again through undici" (see the file header); the request was sent once. */
export interface LeanFallback {
  readonly fallback: 'redirect' | 'transfer_coding';
  readonly status: number;
  readonly durationMs: number;
}

export type LeanFetchResult = FetchResult | LeanFallback;

export interface LeanHttp1Client {
  fetch(request: FetchRequest): Promise<LeanFetchResult>;
  /** Closes idle sockets now and the others once their requests are done; resolves when none is in flight. */
  close(): Promise<void>;
}

export function isLeanFallback(result: LeanFetchResult): result is LeanFallback {
  return 'fallback' in result;
}

/**
 * The static part per URL: a plain http: URL. Everything else goes through undici's fetchTarget; so does every URL
 * of a module with a proxy or a target policy, whose HttpClient has no lean client (createHttpClient).
 */
export function canUseLean(url: URL | string): boolean {
  const protocol = typeof url === 'string' ? url.slice(0, url.indexOf(':') + 1).toLowerCase() : url.protocol;
  return protocol === 'http:';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A target URL as the client uses it, parsed once. The URL object is shared: nothing here may change it. */
interface ParsedTarget {
  readonly url: URL;
  readonly origin: Origin;
  /**
   * The head of the last GET sent to it, and the module headers it was built from: the same for every scrape of a
   * fleet target while its module has no auth (one headers object per config generation), so it is built once.
   */
  head?: { readonly headers: Readonly<Record<string, string>>; readonly text: string };
}

/**
 * Parsed targets kept per client, by URL string. A fleet asks the same URLs every interval: at 10,000 targets every
 * 15 s, `new URL` and the pool key built from it for every request were ~1.4 % of the exporter's CPU samples (perf,
 * bench:fleet 10,000 × 10, bench/README.md). Past this many URLs the cache starts over (a fleet beyond it parses
 * some URLs twice; nothing grows without bound).
 */
const PARSED_TARGETS_MAX = 100_000;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

/** Throws HttpClientConfigError for an option out of range. */
export function createLeanHttp1Client(
  config: HttpClientConfig,
  authorization: AuthorizationSource,
  options: LeanHttp1Options = {},
): LeanHttp1Client {
  const client = new Client(config, authorization, options);
  return { fetch: (request) => client.fetch(request), close: () => client.close() };
}

class Client implements PoolLimits {
  readonly pools = new OriginPools(this);
  private readonly parsed = new Map<string, ParsedTarget>();
  readonly maxSockets: number;
  readonly keepAliveMs: number;
  inFlight = 0;
  closed = false;
  private idle: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly config: HttpClientConfig,
    private readonly authorization: AuthorizationSource,
    options: LeanHttp1Options,
  ) {
    this.maxSockets = options.maxSocketsPerOrigin ?? Number.POSITIVE_INFINITY;
    this.keepAliveMs = options.keepAliveTimeoutMs ?? 4000;
    if (!(Number.isInteger(this.maxSockets) || this.maxSockets === Number.POSITIVE_INFINITY) || this.maxSockets < 1)
      throw new HttpClientConfigError(
        `maxSocketsPerOrigin must be a whole number ≥ 1 or Infinity (got ${this.maxSockets})`,
      );
    if (!Number.isFinite(this.keepAliveMs) || this.keepAliveMs < 0)
      throw new HttpClientConfigError(`keepAliveTimeoutMs must be a number ≥ 0 (got ${this.keepAliveMs})`);
  }

  /**
   * Not async on the common path: a target whose request head is built already goes straight to its exchange, one
   * promise per request (an async function awaiting the exchange's promise made two, and a microtask).
   */
  fetch(request: FetchRequest): Promise<LeanFetchResult> {
    const started = performance.now();
    const target = this.parse(request.url);
    if (target === undefined)
      return Promise.resolve(failure(started, 'invalid_url', `${where(request, request.url)}: invalid URL`));
    const { url } = target;
    if (url.protocol !== 'http:')
      return Promise.resolve(failure(started, 'invalid_url', `${where(request, url)}: not an http: URL (lean client)`));
    if (this.closed)
      return Promise.resolve(failure(started, 'network', `${where(request, url)}: the client is closed`));
    if (request.signal?.aborted === true)
      return Promise.resolve(failure(started, 'aborted', `${where(request, url)}: aborted before the request`));
    // Headers that cannot change between requests: no URL credentials, no auth source to ask, no body.
    const constant = request.method === 'GET' && this.authorization === NO_AUTHORIZATION && url.username === '';
    const head = constant && target.head?.headers === request.headers ? target.head.text : undefined;
    if (head !== undefined) return this.exchange(request, target, head, started);
    return this.fetchWithNewHead(request, target, constant, started);
  }

  /** Builds the request head (asking the auth source), keeps it when it cannot change, then sends the request. */
  private async fetchWithNewHead(
    request: FetchRequest,
    target: ParsedTarget,
    constant: boolean,
    started: number,
  ): Promise<LeanFetchResult> {
    const { url } = target;
    // Counted from here: close() waits for a request still reading its credentials too.
    this.inFlight++;
    let headers: Record<string, string>;
    try {
      headers = await buildRequestHeaders(request.headers, url, this.authorization);
    } catch (error) {
      this.exchangeDone();
      return failure(
        started,
        'credentials',
        `${where(request, url)}: cannot read credentials: ${(error as Error).message}`,
      );
    }
    const unsendable = unsendableHeader(headers);
    if (unsendable !== undefined) {
      this.exchangeDone();
      return failure(started, 'network', `${where(request, url)}: invalid request header "${unsendable}"`);
    }
    const head = serializeHead(request, url, headers);
    if (constant) target.head = { headers: request.headers, text: head };
    return this.send(request, target, head, started);
  }

  /** One request on a pooled socket; counted in flight until its exchange settles (close() waits for it). */
  private exchange(
    request: FetchRequest,
    target: ParsedTarget,
    requestHead: string,
    started: number,
  ): Promise<LeanFetchResult> {
    this.inFlight++;
    return this.send(request, target, requestHead, started);
  }

  /** exchange() for a request counted in flight already (fetchWithNewHead counts it while it reads credentials). */
  private send(
    request: FetchRequest,
    target: ParsedTarget,
    requestHead: string,
    started: number,
  ): Promise<LeanFetchResult> {
    return new Promise<LeanFetchResult>((resolve, reject) => {
      const exchange = new Exchange(this, request, target, requestHead, started, resolve);
      try {
        exchange.start();
      } catch (error) {
        // net.connect refusing its options (not seen with the hosts and ports a parsed URL gives): not left in
        // flight, and its timer and abort hook undone.
        exchange.release();
        reject(error);
      }
    });
  }

  /** An exchange settled (Exchange.settle, once). */
  exchangeDone(): void {
    if (--this.inFlight === 0) this.idle?.();
  }

  /** The URL parsed (once per URL string), or undefined when it is not one. */
  private parse(text: string): ParsedTarget | undefined {
    let target = this.parsed.get(text);
    if (target !== undefined) return target;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    if (this.parsed.size >= PARSED_TARGETS_MAX) this.parsed.clear();
    target = { url, origin: originOf(url) };
    this.parsed.set(text, target);
    return target;
  }

  get connectTimeoutMs(): number {
    return this.config.connectTimeoutMs;
  }

  close(): Promise<void> {
    // Once: a second call while requests run must not replace the first call's resolver.
    this.closing ??= new Promise((resolve) => {
      this.closed = true;
      this.pools.closeIdle();
      if (this.inFlight === 0) resolve();
      else this.idle = resolve;
    });
    return this.closing;
  }
}

/** "GET http://host/path" (credentials redacted), the start of every failure message. */
function where(request: FetchRequest, url: URL | string): string {
  return `${request.method} ${redactUrl(url)}`;
}

function failure(
  started: number,
  reason: Extract<FetchResult, { ok: false }>['reason'],
  message: string,
  status?: number,
): FetchResult {
  const durationMs = performance.now() - started;
  return status === undefined
    ? { ok: false, reason, message, durationMs }
    : { ok: false, reason, message, status, durationMs };
}

/** The first header that cannot be sent as it is (a bad name, or a line break that would inject a header). */
function unsendableHeader(headers: Readonly<Record<string, string>>): string | undefined {
  for (const name in headers)
    if (!HEADER_NAME.test(name) || HEADER_VALUE_FORBIDDEN.test(headers[name] as string)) return name;
  return undefined;
}

/** The request line and headers as sent. */
function serializeHead(request: FetchRequest, url: URL, headers: Readonly<Record<string, string>>): string {
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  let host = false;
  for (const name in headers) {
    if (name.length === 4 && name.toLowerCase() === 'host') host = true;
    head += `${name}: ${headers[name] as string}\r\n`;
  }
  if (!host) head += `host: ${url.host}\r\n`;
  if (request.method === 'POST') head += `content-length: ${Buffer.byteLength(request.body ?? '', 'utf8')}\r\n`;
  return `${head}\r\n`;
}

/**
 * A body without a Content-Length is copied into blocks of its own, the first this large, each next one twice the
 * last up to MAX_BLOCK_BYTES, and joined once at its end. Not one buffer grown by doubling: that copies what it holds
 * at every step and holds old and new at once. On a 300 MB body refused at the 32 MiB limit (bench:large-body, three
 * probes) doubling peaked at 145–193 MB RSS and took 262–427 ms, where keeping each read had peaked at 131–132 MB.
 */
const FIRST_BLOCK_BYTES = 16 * 1024;
const MAX_BLOCK_BYTES = 1024 * 1024;

/** One request and its response, possibly over two sockets (the one retry). */
class Exchange implements ResponseParserEvents, PooledRequest {
  private connection: Connection | undefined;
  private pool: Pool | undefined;
  private parser: ResponseParser | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private received = false;
  private retried = false;
  private status: number | undefined;
  private responseHead: ResponseHead | undefined;
  private mode: 'identity' | 'decode' | 'drain' = 'identity';
  private total = 0;
  /**
   * The body's bytes are copied read by read (a read's own bytes live only until it returns): into `body`, sized by
   * the Content-Length, or into `blocks` without one (FIRST_BLOCK_BYTES; the last block holds `blockUsed` bytes). All
   * own their ArrayBuffers: a refused or failed body's memory is freed at once (freeArrayBuffers), not at the main
   * thread's next collection.
   */
  private body: Uint8Array | undefined;
  private blocks: Uint8Array[] = [];
  private blockUsed = 0;
  private encoded: Readable | undefined;
  private readonly onAbort = (): void => this.abort('aborted');

  constructor(
    private readonly client: Client,
    private readonly request: FetchRequest,
    private readonly target: ParsedTarget,
    readonly requestHead: string,
    private readonly started: number,
    private readonly resolve: (result: LeanFetchResult) => void,
  ) {}

  get requestBody(): string | undefined {
    return this.request.body;
  }

  start(): void {
    this.timer = setTimeout(() => this.abort('timeout'), this.request.timeoutMs);
    this.timer.unref();
    if (this.request.signal !== undefined) onAbort(this.request.signal, this.onAbort);
    // Aborted while the headers were built (fetch checked it before): a listener added now would never fire.
    if (this.request.signal?.aborted === true) {
      this.abort('aborted');
      return;
    }
    this.acquire(false);
  }

  /** `fresh`: a new socket, not an idle one (the retry). */
  private acquire(fresh: boolean): void {
    this.pool = this.client.pools.poolFor(this.target.origin);
    this.pool.acquire(this, fresh);
  }

  attach(connection: Connection): void {
    this.connection = connection;
    this.parser = new ResponseParser(this);
  }

  /** A read, valid only during this call (the pool's shared read buffer): the parser copies what it keeps. */
  onData(data: Buffer): void {
    this.received = true;
    this.parser?.execute(data);
  }

  onEnd(): void {
    if (!this.retry()) this.parser?.endOfInput();
  }

  onSocketError(error: Error): void {
    if (this.retry()) return;
    if (this.settled) return;
    const { reason, detail } = classifyFetchError(error);
    this.fail(reason, detail);
  }

  /** A reused socket that failed before any byte of the response was most likely closed idle by the server. */
  private retry(): boolean {
    const connection = this.connection;
    if (this.settled || this.received || this.retried || connection?.reused !== true || this.request.method !== 'GET')
      return false;
    this.retried = true;
    this.connection = undefined;
    connection.exchange = undefined;
    connection.destroy();
    this.acquire(true);
    return true;
  }

  head(head: ResponseHead): void {
    if (this.settled) return;
    this.status = head.status;
    this.responseHead = head;
    this.connection?.applyKeepAliveHint(head.keepAliveHintSeconds);
    const { request } = this;
    if (
      head.unsupportedTransferCoding !== undefined ||
      (REDIRECTS.has(head.status) && head.hasLocation && this.client.config.followRedirects)
    ) {
      const fallback = head.unsupportedTransferCoding === undefined ? 'redirect' : 'transfer_coding';
      this.settle({ fallback, status: head.status, durationMs: performance.now() - this.started });
      return;
    }
    if (!isValidStatus(head.status, request.validStatusCodes)) {
      this.mode = 'drain';
      if (head.contentLength > ERROR_BODY_DRAIN_BYTES) this.invalidStatus();
      return;
    }
    if (head.contentLength > request.maxBodyBytes) {
      const message = `body of ${head.contentLength} bytes exceeds the limit of ${request.maxBodyBytes} bytes`;
      this.fail('body_too_large', message);
      return;
    }
    if (head.contentEncoding === undefined && head.contentLength > 0) {
      // Every byte is written before the body is used: no zero-filling.
      this.body = Buffer.allocUnsafeSlow(head.contentLength);
    }
    if (head.contentEncoding !== undefined) {
      this.mode = 'decode';
      const encoded = new Readable({ read() {} });
      this.encoded = encoded;
      readBodyWithLimit(encoded, head.contentEncoding, request.maxBodyBytes).then(
        (read) => (read.ok ? this.succeed(read.body) : this.fail(read.reason, read.message)),
        () => undefined, // the socket's own failure settles first
      );
    }
  }

  data(chunk: Buffer): void {
    if (this.settled) return;
    this.total += chunk.length;
    if (this.mode === 'decode') this.encoded?.push(Buffer.from(chunk));
    else if (this.mode === 'drain') {
      if (this.total > ERROR_BODY_DRAIN_BYTES) this.invalidStatus();
    } else if (this.total > this.request.maxBodyBytes) {
      const read = bodyTooLarge(this.request.maxBodyBytes);
      if (!read.ok) this.fail(read.reason, read.message);
    } else if (this.body !== undefined) this.body.set(chunk, this.total - chunk.length);
    else this.addToBlocks(chunk);
  }

  /** Copies a read of a body without a Content-Length into its blocks, adding blocks as they fill. */
  private addToBlocks(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      let block = this.blocks.at(-1);
      if (block === undefined || this.blockUsed === block.byteLength) {
        const size = block === undefined ? FIRST_BLOCK_BYTES : Math.min(2 * block.byteLength, MAX_BLOCK_BYTES);
        block = Buffer.allocUnsafeSlow(size);
        this.blocks.push(block);
        this.blockUsed = 0;
      }
      const take = Math.min(chunk.length - from, block.byteLength - this.blockUsed);
      block.set(chunk.subarray(from, from + take), this.blockUsed);
      this.blockUsed += take;
      from += take;
    }
  }

  /** The blocks joined into one body that owns its whole ArrayBuffer (a worker may take it); the blocks are freed. */
  private joinBlocks(): Uint8Array {
    const body = new Uint8Array(this.total);
    let at = 0;
    for (const block of this.blocks) {
      const length = Math.min(block.byteLength, this.total - at);
      body.set(block.subarray(0, length), at);
      at += length;
    }
    this.freeBody();
    return body;
  }

  /** Frees the body's buffers: nothing else views them (a body handed out is never freed). */
  private freeBody(): void {
    const buffers = this.blocks.map((block) => block.buffer as ArrayBuffer);
    if (this.body !== undefined) buffers.push(this.body.buffer as ArrayBuffer);
    freeArrayBuffers(buffers);
    this.blocks = [];
    this.body = undefined;
  }

  end(extra: boolean): void {
    if (this.settled) return;
    const connection = this.connection;
    this.connection = undefined;
    connection?.done(!extra && this.responseHead?.keepAlive === true);
    if (this.mode === 'drain') this.invalidStatus();
    else if (this.mode === 'decode') this.encoded?.push(null);
    else this.succeed(this.body ?? this.joinBlocks());
  }

  error(error: Error): void {
    this.fail('network', error.message);
  }

  private succeed(body: Uint8Array): void {
    const head = this.responseHead as ResponseHead;
    this.settle({
      ok: true,
      status: head.status,
      contentType: head.contentType,
      body,
      durationMs: performance.now() - this.started,
    });
  }

  private invalidStatus(): void {
    const status = this.status as number;
    this.fail(
      'invalid_status',
      invalidStatusDetail(status, this.responseHead?.statusText, this.request.validStatusCodes),
    );
  }

  private abort(why: 'timeout' | 'aborted'): void {
    const phase = this.status === undefined ? '' : ' reading the body';
    if (why === 'timeout') this.fail('timeout', `timed out after ${this.request.timeoutMs} ms${phase}`);
    else this.fail('aborted', `aborted${phase}`);
  }

  private fail(reason: Extract<FetchResult, { ok: false }>['reason'], detail: string): void {
    if (this.settled) return;
    // A refused body (up to the body limit) is freed now.
    this.freeBody();
    this.settle(failure(this.started, reason, `${where(this.request, this.target.url)}: ${detail}`, this.status));
  }

  /** Settles once; a socket still carrying this response is closed (its rest will not be read). */
  private settle(result: LeanFetchResult): void {
    if (this.release()) this.resolve(result);
  }

  /**
   * Everything settling does but answering, once: false when it was done already. Client.send calls it when start()
   * throws (its timer and abort hook would otherwise settle it again later and count it out of flight twice).
   */
  release(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.request.signal !== undefined) offAbort(this.request.signal, this.onAbort);
    this.encoded?.destroy();
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) {
      connection.exchange = undefined;
      connection.destroy();
    } else this.pool?.forget(this);
    this.client.exchangeDone();
    return true;
  }
}

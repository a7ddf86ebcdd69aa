// One undici dispatcher per module (keep-alive reuse, TLS, proxy, redirects; a second one, probeClient, when a /probe
// target policy is set) and fetchTarget, which gets a target's body as bytes under a size and time limit and
// reports every failure as a value.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { Agent, EnvHttpProxyAgent, ProxyAgent, interceptors, type Dispatcher } from 'undici';
import type { HttpClientConfig } from '../config/types.js';
import { classifyFetchError } from './classify-fetch-error.js';
import { createAuthorizationSource, type AuthorizationSource } from './credentials.js';
import { TargetForbiddenError, type FetchFailureReason } from './errors.js';
import type { TargetPolicy } from './target-policy.js';
import { buildTlsOptions } from './tls-options.js';
import { redactUrl } from './redact-url.js';
import { canUseLean, createLeanHttp1Client, isLeanFallback, type LeanHttp1Client } from './lean-http1.js';
import { discard, readBodyWithLimit } from './read-body.js';
import { buildRequestHeaders } from './request-headers.js';
import { ERROR_BODY_DRAIN_BYTES, invalidStatusDetail, isValidStatus } from './status.js';

/** Prometheus's common http client follows at most 10 redirects (Go's net/http default). */
const MAX_REDIRECTS = 10;

export interface HttpClient {
  readonly dispatcher: Dispatcher;
  /**
   * The lean HTTP/1.1 client (lean-http1.ts) for plain http: targets, when no proxy and no target policy apply:
   * fetchTarget tries it first for requests that ask for it (fleet scrapes and /probe) and falls back to the
   * dispatcher for what it hands back (redirects, other transfer-codings).
   */
  readonly lean: LeanHttp1Client | undefined;
  readonly authorization: AuthorizationSource;
  /** fetchTarget brackets each fetch with these, so close() does not cut one off before it is dispatched. */
  begin(): void;
  end(): void;
  /** Closes the connection pool once the fetches in flight are done. */
  close(): Promise<void>;
}

export interface FetchRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** The module's `headers`; they win over Accept and auth the client would add. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Empty means any 2xx, as json_exporter's valid_status_codes. */
  readonly validStatusCodes: readonly number[];
  readonly signal?: AbortSignal;
  /** Covers connect, headers and the whole body. */
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /**
   * Try the client's lean HTTP/1.1 client first (fleet scrapes and /probe: about half undici's CPU per GET). Without
   * it, undici alone (what bench:fetch-client measures the lean client against).
   */
  readonly lean?: boolean;
}

export type FetchResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly contentType: string | undefined;
      readonly body: Uint8Array;
      readonly durationMs: number;
    }
  | {
      readonly ok: false;
      readonly reason: FetchFailureReason;
      readonly message: string;
      readonly status?: number;
      readonly durationMs: number;
    };

/**
 * Builds the module's client. Unlike json_exporter, which makes a client per probe with keep-alive off,
 * one dispatcher per module config reuses connections across probes. Throws HttpClientConfigError when
 * a TLS file cannot be read or a TLS version is unknown (config load time).
 */
export function createHttpClient(config: HttpClientConfig, policy?: TargetPolicy): HttpClient {
  const tls = buildTlsOptions(config.tlsConfig);
  const viaProxy = (config.proxyUrl !== undefined && config.proxyUrl !== '') || config.proxyFromEnvironment;
  // Through a proxy the proxy resolves names: address rules then hold for IP-literal targets only (README).
  const lookup = policy?.checksAddresses === true && !viaProxy ? { lookup: policy.lookup } : {};
  const connect = { ...tls, ...lookup, timeout: config.connectTimeoutMs };
  const common = { connect, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs };
  const proxy = {
    ...common,
    requestTls: connect,
    proxyTls: { timeout: config.connectTimeoutMs },
    headers: { ...config.proxyConnectHeader },
  };
  let base: Dispatcher;
  if (config.proxyUrl !== undefined && config.proxyUrl !== '') {
    base =
      config.noProxy === undefined || config.noProxy === ''
        ? new ProxyAgent({ ...proxy, uri: config.proxyUrl })
        : new EnvHttpProxyAgent({
            ...proxy,
            httpProxy: config.proxyUrl,
            httpsProxy: config.proxyUrl,
            noProxy: config.noProxy,
          });
  } else if (config.proxyFromEnvironment) {
    base = new EnvHttpProxyAgent(proxy); // HTTP_PROXY / HTTPS_PROXY / NO_PROXY, read when the client is created
  } else {
    base = new Agent(common); // environment proxies are ignored unless asked for, as in Prometheus
  }
  // The policy's check sits inside the redirect interceptor, so each hop of a redirect chain is checked too.
  const guarded = policy === undefined || policy.isOpen ? [] : [targetPolicyInterceptor(policy)];
  const redirects = config.followRedirects ? [interceptors.redirect({ maxRedirections: MAX_REDIRECTS })] : [];
  const chain = [...guarded, ...redirects];
  const dispatcher = chain.length === 0 ? base : base.compose(chain);
  // Fetches started and not yet settled. undici's close lets requests already dispatched finish, but one still
  // reading its credentials file dispatches after a reload closed the client: close waits for those first.
  let inFlight = 0;
  let idle: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  const authorization = createAuthorizationSource(config);
  // A target policy checks every hop and resolved address inside undici's dispatch: with one, undici does it all.
  const lean =
    !viaProxy && (policy === undefined || policy.isOpen) ? createLeanHttp1Client(config, authorization) : undefined;
  return {
    dispatcher,
    lean,
    authorization,
    begin: () => {
      inFlight++;
    },
    end: () => {
      if (--inFlight === 0) idle?.();
    },
    close: () =>
      (closing ??= (async () => {
        if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
        await Promise.all([base.close(), lean?.close()]);
      })()),
  };
}

/** Refuses a request (the first or a redirect's) whose URL the policy refuses, before any connection is made. */
function targetPolicyInterceptor(policy: TargetPolicy): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    const url = new URL(options.path, options.origin);
    const refusal = policy.checkUrl(url);
    if (refusal === undefined) return dispatch(options, handler);
    handler.onResponseError?.(null as never, new TargetForbiddenError(refusal));
    return true;
  };
}

class TimeoutSignal extends Error {}

export async function fetchTarget(client: HttpClient, request: FetchRequest): Promise<FetchResult> {
  client.begin();
  try {
    if (request.lean === true && client.lean !== undefined && canUseLean(request.url)) {
      const result = await client.lean.fetch(request);
      if (!isLeanFallback(result)) return result;
      // A redirect or a coding the lean client hands back: undici gets what is left of the same timeout.
      return await fetchOnce(client, { ...request, timeoutMs: Math.max(1, request.timeoutMs - result.durationMs) });
    }
    return await fetchOnce(client, request);
  } finally {
    client.end();
  }
}

async function fetchOnce(client: HttpClient, request: FetchRequest): Promise<FetchResult> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return {
      ok: false,
      reason: 'invalid_url',
      message: `${request.method} ${redactUrl(request.url)}: invalid URL`,
      durationMs: elapsed(),
    };
  }
  const where = `${request.method} ${redactUrl(url)}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      reason: 'invalid_url',
      message: `${where}: unsupported scheme "${url.protocol.slice(0, -1)}" (only http and https)`,
      durationMs: elapsed(),
    };
  }
  if (isAborted(request.signal))
    return { ok: false, reason: 'aborted', message: `${where}: aborted before the request`, durationMs: elapsed() };

  let headers: Record<string, string>;
  try {
    headers = await buildRequestHeaders(request.headers, url, client.authorization);
  } catch (error) {
    return {
      ok: false,
      reason: 'credentials',
      message: `${where}: cannot read credentials: ${(error as Error).message}`,
      durationMs: elapsed(),
    };
  }

  // One signal for undici: the timeout's, which the caller's signal also aborts. A listener removed at the end, not
  // AbortSignal.any: on Node 20 each composite stays linked to its source signal for good, and a fleet target's
  // scheduler signal lives across its scrapes (scheduler.ts).
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new TimeoutSignal()), request.timeoutMs);
  timer.unref();
  const onAbort = (): void => timeout.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  // Aborted while the headers were built: a listener added now would never fire.
  if (request.signal?.aborted === true) onAbort();
  const signal = timeout.signal;
  let status: number | undefined;
  try {
    const options = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers,
      body: request.body ?? null,
      signal,
      throwOnMaxRedirect: true, // read by undici's redirect handler: a redirect chain past the limit is an error, as in Go
    } as Dispatcher.RequestOptions;
    const response = await client.dispatcher.request(options);
    status = response.statusCode;
    if (!isValidStatus(status, request.validStatusCodes)) {
      // Drain a small error body so the connection stays reusable; a large or slow one is cut off.
      await response.body.dump({ limit: ERROR_BODY_DRAIN_BYTES, signal }).catch(() => undefined);
      const statusText = (response as { statusText?: string }).statusText;
      return {
        ok: false,
        reason: 'invalid_status',
        status,
        message: `${where}: ${invalidStatusDetail(status, statusText, request.validStatusCodes)}`,
        durationMs: elapsed(),
      };
    }
    const declaredLength = Number(response.headers['content-length'] ?? Number.NaN);
    if (declaredLength > request.maxBodyBytes) {
      discard(response.body);
      return {
        ok: false,
        reason: 'body_too_large',
        status,
        message: `${where}: body of ${declaredLength} bytes exceeds the limit of ${request.maxBodyBytes} bytes`,
        durationMs: elapsed(),
      };
    }
    const read = await readBodyWithLimit(response.body, response.headers['content-encoding'], request.maxBodyBytes);
    if (!read.ok) {
      const { reason, message } = read;
      return { ok: false, reason, status, message: `${where}: ${message}`, durationMs: elapsed() };
    }
    const body = read.body;
    // undici marks the connection idle one loop turn after the body ends; without this yield a caller's
    // next request to the same origin opens a second connection (measured: 2 connections for 4 back-to-back
    // requests without it, 1 with it).
    await nextLoopTurn();
    const contentType = response.headers['content-type'];
    return {
      ok: true,
      status,
      contentType: Array.isArray(contentType) ? contentType[0] : contentType,
      body,
      durationMs: elapsed(),
    };
  } catch (error) {
    const phase = status === undefined ? '' : ' reading the body';
    if (timeout.signal.reason instanceof TimeoutSignal) {
      return withStatus(
        {
          ok: false,
          reason: 'timeout',
          message: `${where}: timed out after ${request.timeoutMs} ms${phase}`,
          durationMs: elapsed(),
        },
        status,
      );
    }
    if (isAborted(request.signal)) {
      return withStatus(
        { ok: false, reason: 'aborted', message: `${where}: aborted${phase}`, durationMs: elapsed() },
        status,
      );
    }
    const { reason, detail } = classifyFetchError(error);
    return withStatus({ ok: false, reason, message: `${where}: ${detail}`, durationMs: elapsed() }, status);
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function withStatus(result: Extract<FetchResult, { ok: false }>, status: number | undefined): FetchResult {
  return status === undefined ? result : { ...result, status };
}

// Errors of the fetch area: HTTP client construction, and the stable reasons a target fetch fails for
// (fetch failures are values, not exceptions; see http-client.ts).
import { FjeError } from '../errors.js';

/** An `http_client_config` that cannot become a client (an unreadable ca_file, a bad TLS version …). */
export class HttpClientConfigError extends FjeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FJE_HTTP_CLIENT_CONFIG', message, options);
  }
}

/** Why a target fetch failed: a stable code for metrics labels and logs. */
export const FETCH_FAILURE_REASONS = [
  'invalid_url',
  'credentials',
  'dns',
  'connection_refused',
  'tls',
  'timeout',
  'aborted',
  'network',
  'too_many_redirects',
  'invalid_status',
  'body_too_large',
  'invalid_encoding',
  'forbidden',
] as const;

export type FetchFailureReason = (typeof FETCH_FAILURE_REASONS)[number];

/** The FJE_TARGET_* error code of each fetch failure reason, for callers that raise or log by code. */
export const TARGET_ERROR_CODES: Readonly<Record<FetchFailureReason, string>> = Object.freeze({
  invalid_url: 'FJE_TARGET_INVALID_URL',
  credentials: 'FJE_TARGET_CREDENTIALS',
  dns: 'FJE_TARGET_DNS',
  connection_refused: 'FJE_TARGET_CONNECTION_REFUSED',
  tls: 'FJE_TARGET_TLS',
  timeout: 'FJE_TARGET_TIMEOUT',
  aborted: 'FJE_TARGET_ABORTED',
  network: 'FJE_TARGET_NETWORK',
  too_many_redirects: 'FJE_TARGET_TOO_MANY_REDIRECTS',
  invalid_status: 'FJE_TARGET_INVALID_STATUS',
  body_too_large: 'FJE_TARGET_BODY_TOO_LARGE',
  invalid_encoding: 'FJE_TARGET_INVALID_ENCODING',
  forbidden: 'FJE_TARGET_FORBIDDEN',
});

/** Every code of the fetch area: the client config's, and one per fetch failure reason. */
export const FETCH_ERROR_CODES: readonly string[] = ['FJE_HTTP_CLIENT_CONFIG', ...Object.values(TARGET_ERROR_CODES)];

/** A target /probe may not fetch (the target policy): thrown inside the dispatcher, reported as reason `forbidden`. */
export class TargetForbiddenError extends FjeError {
  constructor(message: string) {
    super('FJE_TARGET_FORBIDDEN', message);
  }
}

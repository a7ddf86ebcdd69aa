// Errors of the scrape area: body template compilation, HTTP client construction, and the stable reasons
// a target fetch fails for (fetch failures are values, not exceptions; see http-client.ts).
import { FjeError } from '../errors.js';

export type BodyTemplateErrorCode = 'FJE_BODY_TEMPLATE_SYNTAX' | 'FJE_BODY_TEMPLATE_UNSUPPORTED';

/** A `body.content` template that cannot be compiled; raised at config load. */
export class BodyTemplateError extends FjeError {
  declare readonly code: BodyTemplateErrorCode;
  /** 1-based line and column in the template text. */
  readonly line: number;
  readonly column: number;

  constructor(code: BodyTemplateErrorCode, message: string, line: number, column: number) {
    super(code, `body template ${line}:${column}: ${message}`);
    this.line = line;
    this.column = column;
  }
}

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
});

// Maps what undici and Node throw while fetching a target to a stable FetchFailureReason and a short text.
import type { FetchFailureReason } from './errors.js';

const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|EPROTO$)/;
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_FAIL', 'EAI_NONAME']);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

export interface ClassifiedError {
  readonly reason: FetchFailureReason;
  readonly detail: string;
}

/** Walks the error and its causes; the first recognised code decides. */
export function classifyFetchError(error: unknown): ClassifiedError {
  for (
    let current: unknown = error, depth = 0;
    current instanceof Error && depth < 8;
    current = current.cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    const message = current.message;
    if (typeof code === 'string') {
      if (code === 'FJE_TARGET_FORBIDDEN') return { reason: 'forbidden', detail: message };
      if (code === 'ECONNREFUSED') return { reason: 'connection_refused', detail: 'connection refused' };
      if (DNS_CODES.has(code)) return { reason: 'dns', detail: `DNS lookup failed (${code})` };
      if (TIMEOUT_CODES.has(code)) return { reason: 'timeout', detail: `${message} (${code})` };
      if (TLS_CODE.test(code)) return { reason: 'tls', detail: `TLS handshake failed: ${message} (${code})` };
    }
    if (message === 'max redirects' || message.startsWith('Redirect loop detected')) {
      return {
        reason: 'too_many_redirects',
        detail: message === 'max redirects' ? 'stopped after too many redirects' : 'redirect loop',
      };
    }
  }
  const top = error instanceof Error ? error : new Error(String(error));
  const code = (top as { code?: unknown }).code;
  return { reason: 'network', detail: typeof code === 'string' ? `${top.message} (${code})` : top.message };
}

// What the fetch tests build for each request: the module defaults with 5 s timeouts, and a plain GET.
import { DEFAULT_HTTP_CLIENT_CONFIG } from '../../src/config/http-client-config.js';
import type { HttpClientConfig } from '../../src/config/types.js';
import type { FetchRequest } from '../../src/fetch/http-client.js';

/** The defaults a module without http_client_config gets, with 5 s timeouts, and `overrides`. */
export function clientConfig(overrides: Partial<HttpClientConfig> = {}): HttpClientConfig {
  return { ...DEFAULT_HTTP_CLIENT_CONFIG, connectTimeoutMs: 5000, timeoutMs: 5000, ...overrides };
}

/** A GET of `url` with no headers, any status accepted by default rules, a 5 s timeout and a 1 MiB body limit. */
export function fetchRequest(url: string, overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url,
    method: 'GET',
    headers: {},
    validStatusCodes: [],
    timeoutMs: 5000,
    maxBodyBytes: 1 << 20,
    ...overrides,
  };
}

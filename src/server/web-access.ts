// Applies a web config to each request before routing: extra response headers, then basic auth on every path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { BasicAuthVerifier, parseBasicAuth } from './basic-auth.js';
import { sendText } from './respond.js';
import type { WebConfig } from './web-config.js';

export class WebAccess {
  private readonly verifier: BasicAuthVerifier | undefined;
  private readonly headers: readonly (readonly [string, string])[];

  constructor(
    config: WebConfig,
    private readonly refusals?: Counter<'reason'>,
  ) {
    this.headers = Object.entries(config.headers);
    this.verifier = Object.keys(config.users).length === 0 ? undefined : new BasicAuthVerifier(config.users);
  }

  /**
   * True when the request may go on to the routes. Otherwise it has been answered with 401 and
   * `WWW-Authenticate: Basic` (exporter-toolkit guards every path, /-/healthy and the landing page included), or
   * 429 when too many unverified credentials are being checked already (a flood of wrong passwords).
   */
  async admit(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    for (const [name, value] of this.headers) response.setHeader(name, value);
    if (this.verifier === undefined) return true;
    const credentials = parseBasicAuth(request.headers.authorization);
    const verdict = credentials === undefined ? 'denied' : await this.verifier.verify(credentials);
    if (verdict === 'ok') return true;
    this.refusals?.inc({ reason: verdict });
    if (verdict === 'overloaded') {
      response.setHeader('retry-after', '1');
      sendText(response, 429, 'Too many authentication checks in progress; retry later\n');
      return false;
    }
    response.setHeader('www-authenticate', 'Basic');
    sendText(response, 401, 'Unauthorized\n');
    return false;
  }

  close(): Promise<void> {
    return this.verifier?.close() ?? Promise.resolve();
  }
}

// Applies a web config to each request before routing: extra response headers, then basic auth on every path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BasicAuthVerifier, parseBasicAuth } from './basic-auth.js';
import { sendText } from './respond.js';
import type { WebConfig } from './web-config.js';

export class WebAccess {
  private readonly verifier: BasicAuthVerifier | undefined;
  private readonly headers: readonly (readonly [string, string])[];

  constructor(config: WebConfig) {
    this.headers = Object.entries(config.headers);
    this.verifier = Object.keys(config.users).length === 0 ? undefined : new BasicAuthVerifier(config.users);
  }

  /**
   * True when the request may go on to the routes. Otherwise it has been answered with 401 and
   * `WWW-Authenticate: Basic`: exporter-toolkit guards every path, /-/healthy and the landing page included.
   */
  async admit(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    for (const [name, value] of this.headers) response.setHeader(name, value);
    if (this.verifier === undefined) return true;
    const credentials = parseBasicAuth(request.headers.authorization);
    if (credentials !== undefined && (await this.verifier.verify(credentials))) return true;
    response.setHeader('www-authenticate', 'Basic');
    sendText(response, 401, 'Unauthorized\n');
    return false;
  }
}

// The request headers of a target fetch, shared by both clients (undici's fetchTarget and the lean HTTP/1.1 one).
import type { AuthorizationSource } from './credentials.js';
import { ACCEPT_ENCODING } from './read-body.js';

/** Module headers first; then Accept, URL userinfo and configured auth only where not already set (Go's order). */
export async function buildRequestHeaders(
  moduleHeaders: Readonly<Record<string, string>>,
  url: URL,
  authorization: AuthorizationSource,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  const present = new Set<string>();
  for (const [name, value] of Object.entries(moduleHeaders)) {
    headers[name] = value;
    present.add(name.toLowerCase());
  }
  if (!present.has('accept')) headers['accept'] = 'application/json';
  // Go's transport asks for gzip and decodes it (json_exporter relies on that); we also take deflate and br.
  if (!present.has('accept-encoding')) headers['accept-encoding'] = ACCEPT_ENCODING;
  if (!present.has('authorization')) {
    const fromUrl =
      url.username === ''
        ? undefined
        : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`, 'utf8').toString('base64')}`;
    const value = fromUrl ?? (await authorization());
    if (value !== undefined) headers['authorization'] = value;
  }
  return headers;
}

// The Authorization header of a module's http_client_config: basic_auth or authorization (type + credentials),
// with username_file / password_file / credentials_file re-read when they change, as Prometheus re-reads them per request.
import { readFile, stat } from 'node:fs/promises';
import type { HttpClientConfig } from '../config/types.js';

/** A secret file, re-read only when its inode, size or mtime changed: one stat() per request, not a read. */
class SecretFile {
  private cached: { readonly stamp: string; readonly value: string } | undefined;

  constructor(readonly path: string) {}

  async read(): Promise<string> {
    const info = await stat(this.path);
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (this.cached?.stamp === stamp) return this.cached.value;
    const value = (await readFile(this.path, 'utf8')).trim(); // Prometheus trims the file's whitespace too
    this.cached = { stamp, value };
    return value;
  }
}

/** Produces the Authorization header value for each request, or undefined when the module sets no auth. */
export type AuthorizationSource = () => Promise<string | undefined>;

/** The source of a module without auth: a client may take its headers as the same for every request. */
export const NO_AUTHORIZATION: AuthorizationSource = async () => undefined;

export function createAuthorizationSource(config: HttpClientConfig): AuthorizationSource {
  const { basicAuth, authorization } = config;
  if (basicAuth !== undefined) {
    const usernameFile = basicAuth.usernameFile === undefined ? undefined : new SecretFile(basicAuth.usernameFile);
    const passwordFile = basicAuth.passwordFile === undefined ? undefined : new SecretFile(basicAuth.passwordFile);
    return async () => {
      const username = usernameFile === undefined ? basicAuth.username : await usernameFile.read();
      const password = passwordFile === undefined ? (basicAuth.password ?? '') : await passwordFile.read();
      return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    };
  }
  if (authorization !== undefined) {
    const type = authorization.type === '' ? 'Bearer' : authorization.type;
    const credentialsFile =
      authorization.credentialsFile === undefined ? undefined : new SecretFile(authorization.credentialsFile);
    return async () =>
      `${type} ${credentialsFile === undefined ? (authorization.credentials ?? '') : await credentialsFile.read()}`;
  }
  return NO_AUTHORIZATION;
}

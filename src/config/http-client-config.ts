// Prometheus common `http_client_config` (the keys json_exporter users set), checked and normalised like Prometheus does.
import type { Node } from 'yaml';
import type { AuthorizationConfig, BasicAuthConfig, HttpClientConfig, TlsConfig } from './types.js';
import { entryNode, keyNodeOf, objectOf, optional, withDefault } from './object-schema.js';
import {
  boolean,
  defaultsOf,
  durationMs,
  INVALID,
  listOf,
  mapOf,
  oneOf,
  text,
  type Invalid,
  type Schema,
  type ValidationContext,
} from './validate.js';
import type { KeyPath } from './yaml-source.js';

/** Reports `a` and `b` both being set (Prometheus allows one of each such pair). */
function exclusive(
  value: object,
  pairs: ReadonlyArray<readonly [string, string, string, string]>,
  node: Node,
  path: KeyPath,
  context: ValidationContext,
): boolean {
  let valid = true;
  for (const [a, b, keyA, keyB] of pairs) {
    if (a in value && b in value) {
      valid = false;
      context.report(
        'FJE_CONFIG_INVALID_VALUE',
        keyNodeOf(context, node, keyB) ?? node,
        [...path, keyB],
        `set only one of ${keyA} and ${keyB}`,
      );
    }
  }
  return valid;
}

const basicAuth = objectOf(
  {
    username: optional('username', text()),
    usernameFile: optional('username_file', text()),
    password: optional('password', text()),
    passwordFile: optional('password_file', text()),
  },
  {
    refine: (value, node, path, context): BasicAuthConfig | Invalid => {
      const pairs = [
        ['username', 'usernameFile', 'username', 'username_file'],
        ['password', 'passwordFile', 'password', 'password_file'],
      ] as const;
      if (!exclusive(value, pairs, node, path, context)) return INVALID;
      // `username` stays a string (empty when read from username_file) so callers need not branch.
      return { ...value, username: value.username ?? '' };
    },
  },
);

const authorization = objectOf(
  {
    type: withDefault('type', text(), 'Bearer'),
    credentials: optional('credentials', text()),
    credentialsFile: optional('credentials_file', text()),
  },
  {
    refine: (value, node, path, context): AuthorizationConfig | Invalid => {
      if (value.type.toLowerCase() === 'basic') {
        return context.report(
          'FJE_CONFIG_INVALID_VALUE',
          entryNode(context, node, 'type'),
          [...path, 'type'],
          'cannot be "Basic"; use basic_auth instead',
        );
      }
      if (
        !exclusive(value, [['credentials', 'credentialsFile', 'credentials', 'credentials_file']], node, path, context)
      )
        return INVALID;
      return value;
    },
  },
);

const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;

const tlsConfig = objectOf(
  {
    caFile: optional('ca_file', text()),
    ca: optional('ca', text()),
    certFile: optional('cert_file', text()),
    cert: optional('cert', text()),
    keyFile: optional('key_file', text()),
    key: optional('key', text()),
    serverName: optional('server_name', text()),
    insecureSkipVerify: withDefault('insecure_skip_verify', boolean(), false),
    minVersion: optional('min_version', oneOf(TLS_VERSIONS)),
    maxVersion: optional('max_version', oneOf(TLS_VERSIONS)),
  },
  {
    refine: (value, node, path, context): TlsConfig | Invalid => {
      const pairs = [
        ['ca', 'caFile', 'ca', 'ca_file'],
        ['cert', 'certFile', 'cert', 'cert_file'],
        ['key', 'keyFile', 'key', 'key_file'],
      ] as const;
      if (!exclusive(value, pairs, node, path, context)) return INVALID;
      const hasCert = 'cert' in value || 'certFile' in value;
      const hasKey = 'key' in value || 'keyFile' in value;
      if (hasCert !== hasKey) {
        const [missing, present] = hasCert
          ? ['key or key_file', 'a client certificate']
          : ['cert or cert_file', 'a client key'];
        return context.report('FJE_CONFIG_REQUIRED', node, path, `${present} is set, so ${missing} is required too`);
      }
      return value;
    },
  },
);

/** Prometheus takes a list of values per header; we also accept a single string. Lists are joined as HTTP does. */
const headerValue: Schema<string> = {
  expected: 'a string or a list of strings',
  read(node, path, context) {
    if ('items' in node) {
      const list = listOf(text()).read(node, path, context);
      return list === INVALID ? INVALID : list.join(', ');
    }
    return text().read(node, path, context);
  },
};

const proxyUrl = text((value, node, path, context) => {
  try {
    new URL(value);
    return value;
  } catch {
    return context.report(
      'FJE_CONFIG_INVALID_VALUE',
      node,
      path,
      `must be a URL such as http://proxy.example:3128 (got ${JSON.stringify(value)})`,
    );
  }
});

export const httpClientConfigSchema = objectOf(
  {
    basicAuth: optional('basic_auth', basicAuth),
    authorization: optional('authorization', authorization),
    bearerToken: optional('bearer_token', text()),
    bearerTokenFile: optional('bearer_token_file', text()),
    tlsConfig: withDefault('tls_config', tlsConfig, defaultsOf(tlsConfig)),
    proxyUrl: optional('proxy_url', proxyUrl),
    noProxy: optional('no_proxy', text()),
    proxyFromEnvironment: withDefault('proxy_from_environment', boolean(), false),
    proxyConnectHeader: withDefault('proxy_connect_header', mapOf(headerValue), {}),
    followRedirects: withDefault('follow_redirects', boolean(), true),
    // Accepted for compatibility; undici negotiates the protocol itself.
    enableHttp2: withDefault('enable_http2', boolean(), true),
    // Extensions (not in Prometheus's common config): connect and whole-request timeouts.
    connectTimeoutMs: withDefault('connect_timeout', durationMs({ positive: true }), 10_000),
    timeoutMs: withDefault('timeout', durationMs({ positive: true }), 10_000),
  },
  {
    unsupported: {
      oauth2:
        '`oauth2` is not supported yet; fetch the token outside the exporter and use authorization.credentials_file',
      http_headers: "`http_headers` is not supported yet; set request headers with the module's `headers` map",
    },
    refine: (value, node, path, context): HttpClientConfig | Invalid => {
      const { bearerToken, bearerTokenFile, enableHttp2: _ignored, ...rest } = value;
      const report = (key: string, message: string): Invalid =>
        context.report('FJE_CONFIG_INVALID_VALUE', keyNodeOf(context, node, key) ?? node, [...path, key], message);
      let valid = exclusive(
        value,
        [['bearerToken', 'bearerTokenFile', 'bearer_token', 'bearer_token_file']],
        node,
        path,
        context,
      );
      const hasBearer = bearerToken !== undefined || bearerTokenFile !== undefined;
      const bearerKey = bearerToken !== undefined ? 'bearer_token' : 'bearer_token_file';
      if (hasBearer && value.basicAuth !== undefined)
        valid = report(bearerKey, 'set only one of basic_auth, bearer_token and bearer_token_file') !== INVALID;
      if (hasBearer && value.authorization !== undefined)
        valid =
          report(bearerKey, 'cannot be combined with authorization; put the token in authorization.credentials') !==
          INVALID;
      if (value.basicAuth !== undefined && value.authorization !== undefined)
        valid = report('authorization', 'set only one of basic_auth and authorization') !== INVALID;
      if (value.proxyFromEnvironment && value.proxyUrl !== undefined)
        valid = report('proxy_url', 'cannot be combined with proxy_from_environment') !== INVALID;
      if (value.noProxy !== undefined && value.proxyUrl === undefined)
        valid = report('no_proxy', 'needs proxy_url') !== INVALID;
      if (
        Object.keys(value.proxyConnectHeader).length > 0 &&
        value.proxyUrl === undefined &&
        !value.proxyFromEnvironment
      ) {
        valid = report('proxy_connect_header', 'needs proxy_url or proxy_from_environment') !== INVALID;
      }
      if (!valid) return INVALID;
      // Prometheus treats bearer_token(_file) as the old spelling of `authorization: { type: Bearer }`.
      const bearer: AuthorizationConfig | undefined =
        bearerToken !== undefined
          ? { type: 'Bearer', credentials: bearerToken }
          : bearerTokenFile !== undefined
            ? { type: 'Bearer', credentialsFile: bearerTokenFile }
            : undefined;
      return bearer === undefined ? rest : { ...rest, authorization: bearer };
    },
  },
);

/** What a module without `http_client_config` gets. */
export const DEFAULT_HTTP_CLIENT_CONFIG: HttpClientConfig = defaultsOf(httpClientConfigSchema);

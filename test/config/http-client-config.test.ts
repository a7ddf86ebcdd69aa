import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import type { HttpClientConfig } from '../../src/config/types.js';

function httpClientConfig(yaml: string): HttpClientConfig {
  const indented = yaml
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  const text = `modules:\n  m:\n    metrics:\n    - { name: up, path: '{.up}' }\n    http_client_config:\n${indented}\n`;
  const module = parseConfig(text, 'http.yml').modules['m'];
  assert.ok(module);
  return module.httpClientConfig;
}

test('defaults: follow_redirects true, timeouts 10 s, no auth, TLS verified', () => {
  const config = parseConfig("modules:\n  m:\n    metrics:\n    - { name: up, path: '{.up}' }\n", 'http.yml');
  assert.deepStrictEqual(config.modules['m']?.httpClientConfig, {
    tlsConfig: { insecureSkipVerify: false },
    proxyFromEnvironment: false,
    proxyConnectHeader: {},
    followRedirects: true,
    connectTimeoutMs: 10_000,
    timeoutMs: 10_000,
  });
});

test('bearer_token becomes authorization with type Bearer', () => {
  const config = httpClientConfig('bearer_token: s3cret');
  assert.deepStrictEqual(config.authorization, { type: 'Bearer', credentials: 's3cret' });
  assert.ok(!('bearerToken' in config));
});

test('bearer_token_file becomes authorization with type Bearer and a credentials file', () => {
  assert.deepStrictEqual(httpClientConfig('bearer_token_file: /run/token').authorization, {
    type: 'Bearer',
    credentialsFile: '/run/token',
  });
});

test('authorization type defaults to Bearer and keeps a custom scheme', () => {
  assert.deepStrictEqual(httpClientConfig('authorization: { credentials_file: /run/t }').authorization, {
    type: 'Bearer',
    credentialsFile: '/run/t',
  });
  assert.deepStrictEqual(httpClientConfig('authorization: { type: Token, credentials: abc }').authorization, {
    type: 'Token',
    credentials: 'abc',
  });
});

test('basic_auth, TLS, proxy and the timeout extensions are read', () => {
  const config = httpClientConfig(
    [
      'basic_auth: { username: admin, password_file: /run/pw }',
      'tls_config: { ca_file: /etc/ca.pem, server_name: srs.local, insecure_skip_verify: true, min_version: TLS12 }',
      'proxy_url: http://proxy.local:3128',
      'no_proxy: localhost',
      'proxy_connect_header: { Proxy-Authorization: [Basic abc] }',
      'follow_redirects: false',
      'enable_http2: false',
      'connect_timeout: 500ms',
      'timeout: 1m30s',
    ].join('\n'),
  );
  assert.deepStrictEqual(config, {
    basicAuth: { username: 'admin', passwordFile: '/run/pw' },
    tlsConfig: { caFile: '/etc/ca.pem', serverName: 'srs.local', insecureSkipVerify: true, minVersion: 'TLS12' },
    proxyUrl: 'http://proxy.local:3128',
    noProxy: 'localhost',
    proxyFromEnvironment: false,
    proxyConnectHeader: { 'Proxy-Authorization': 'Basic abc' },
    followRedirects: false,
    connectTimeoutMs: 500,
    timeoutMs: 90_000,
  });
});

const CONFLICTS: ReadonlyArray<readonly [string, string, string]> = [
  [
    'bearer_token: a\nbearer_token_file: /b',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:7:7: modules.m.http_client_config.bearer_token_file: set only one of bearer_token and bearer_token_file',
  ],
  [
    'basic_auth: { username: u }\nbearer_token: a',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:7:7: modules.m.http_client_config.bearer_token: set only one of basic_auth, bearer_token and bearer_token_file',
  ],
  [
    'basic_auth: { username: u, password: p, password_file: /p }',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:6:47: modules.m.http_client_config.basic_auth.password_file: set only one of password and password_file',
  ],
  [
    'basic_auth: { username: u }\nauthorization: { credentials: x }',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:7:7: modules.m.http_client_config.authorization: set only one of basic_auth and authorization',
  ],
  [
    'authorization: { type: basic, credentials: x }',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:6:30: modules.m.http_client_config.authorization.type: cannot be "Basic"; use basic_auth instead',
  ],
  [
    'tls_config: { cert_file: /c.pem }',
    'FJE_CONFIG_REQUIRED',
    'http.yml:6:19: modules.m.http_client_config.tls_config: a client certificate is set, so key or key_file is required too',
  ],
  [
    'no_proxy: localhost',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:6:7: modules.m.http_client_config.no_proxy: needs proxy_url',
  ],
  [
    'proxy_url: not a url',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:6:18: modules.m.http_client_config.proxy_url: must be a URL such as http://proxy.example:3128 (got "not a url")',
  ],
  [
    'proxy_from_environment: true\nproxy_url: http://p:1',
    'FJE_CONFIG_INVALID_VALUE',
    'http.yml:7:7: modules.m.http_client_config.proxy_url: cannot be combined with proxy_from_environment',
  ],
  [
    'timeout: 0s',
    'FJE_CONFIG_DURATION',
    'http.yml:6:16: modules.m.http_client_config.timeout: must be longer than 0 (got "0s")',
  ],
  [
    'http_headers: { X-A: { values: [b] } }',
    'FJE_CONFIG_UNSUPPORTED',
    "http.yml:6:7: modules.m.http_client_config.http_headers: `http_headers` is not supported yet; set request headers with the module's `headers` map",
  ],
  [
    'tls_config: { insecure_skip_verfy: true }',
    'FJE_CONFIG_UNKNOWN_KEY',
    'http.yml:6:21: modules.m.http_client_config.tls_config.insecure_skip_verfy: unknown key "insecure_skip_verfy"; did you mean "insecure_skip_verify"?',
  ],
];

for (const [yaml, code, message] of CONFLICTS) {
  test(`http_client_config rejects ${yaml.replace(/\n/g, ' + ')}`, () => {
    assert.throws(() => httpClientConfig(yaml), { code, message });
  });
}

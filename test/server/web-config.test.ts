// Web config (--web.config.file) loading: exporter-toolkit's keys, defaults, and each invalid file's exact message.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadWebConfigFile, parseWebConfig } from '../../src/server/web-config.js';
import { fixturePath } from '../helpers/fixtures.js';

const TLS_DIR = fixturePath('tls');
const HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';

function messageOf(text: string): string {
  try {
    parseWebConfig(text, 'web.yml', TLS_DIR);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the web config loaded, but it is invalid');
}

test('an empty web config means plain HTTP and no authentication, as in exporter-toolkit', () => {
  assert.deepEqual(parseWebConfig('# nothing\n', 'web.yml', TLS_DIR), {
    source: 'web.yml',
    headers: {},
    users: {},
    ignoredKeys: [],
  });
});

test('cert_file and key_file are read relative to the web config directory, with exporter-toolkit defaults', () => {
  const config = parseWebConfig(
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n',
    'web.yml',
    TLS_DIR,
  );
  assert.equal(config.tls?.cert, readFileSync(fixturePath('tls', 'server.crt'), 'utf8'));
  assert.equal(config.tls?.key, readFileSync(fixturePath('tls', 'server.key'), 'utf8'));
  assert.equal(config.tls?.clientAuthType, 'NoClientCert');
  assert.equal(config.tls?.minVersion, 'TLSv1.2');
  assert.equal(config.tls?.maxVersion, 'TLSv1.3');
  assert.equal(config.tls?.honorCipherOrder, true);
  assert.equal(config.tls?.clientCa, undefined);
  assert.deepEqual(config.ignoredKeys, []);
});

test('a full exporter-toolkit web config loads: client CA, versions, curves, ignored cipher_suites, headers, users', () => {
  const config = parseWebConfig(
    [
      'tls_server_config:',
      '  cert_file: server.crt',
      '  key_file: server.key',
      '  client_auth_type: RequireClientCert',
      '  client_ca_file: client-ca.crt',
      '  min_version: TLS13',
      '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]',
      '  curve_preferences: [X25519, CurveP256]',
      '  prefer_server_cipher_suites: false',
      'http_server_config:',
      '  http2: false',
      '  headers:',
      '    X-Frame-Options: deny',
      '    Strict-Transport-Security: max-age=31536000',
      'basic_auth_users:',
      `  prometheus: ${HASH}`,
    ].join('\n'),
    'web.yml',
    TLS_DIR,
  );
  assert.equal(config.tls?.clientAuthType, 'RequireAnyClientCert');
  assert.equal(config.tls?.clientCa, readFileSync(fixturePath('tls', 'client-ca.crt'), 'utf8'));
  assert.equal(config.tls?.minVersion, 'TLSv1.3');
  assert.equal(config.tls?.ecdhCurve, 'X25519:P-256');
  assert.equal(config.tls?.honorCipherOrder, false);
  assert.deepEqual(config.headers, { 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' });
  assert.deepEqual(config.users, { prometheus: HASH });
  assert.deepEqual(config.ignoredKeys, ['tls_server_config.cipher_suites', 'http_server_config.http2']);
  assert.ok(Object.isFrozen(config));
});

const INVALID: readonly (readonly [string, string, string])[] = [
  [
    'unknown top-level key, with a suggestion',
    'basic_auth_user:\n  a: b\n',
    'web.yml:1:1: basic_auth_user: unknown key "basic_auth_user"; did you mean "basic_auth_users"?',
  ],
  [
    'unknown TLS key',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cert_fil: x\n',
    'web.yml:4:3: tls_server_config.cert_fil: unknown key "cert_fil"; did you mean "cert_file"?',
  ],
  [
    'rate_limit is named as unsupported',
    'rate_limit:\n  burst: 1\n',
    'web.yml:1:1: rate_limit: `rate_limit` is not supported yet; put a rate-limiting proxy in front of the exporter',
  ],
  [
    'a plain password instead of a bcrypt hash',
    'basic_auth_users:\n  alice: secret\n',
    'web.yml:2:10: basic_auth_users.alice: must be a bcrypt hash ($2y$10$…, 60 characters), not a plain password; make one with `htpasswd -nBC 10 "" | tr -d \':\\n\'`',
  ],
  [
    'an unknown client_auth_type',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Always\n',
    'web.yml:4:21: tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, RequireClientCert (got "Always")',
  ],
  [
    'a cert without a key',
    'tls_server_config:\n  cert_file: server.crt\n',
    'web.yml:2:3: tls_server_config: missing one of key or key_file (TLS is on because other TLS keys are set)',
  ],
  [
    'a missing cert file',
    'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n',
    `web.yml:2:14: tls_server_config.cert_file: cannot read ${TLS_DIR}/nope.crt (ENOENT: no such file or directory, open '${TLS_DIR}/nope.crt'); paths are relative to the web config file's directory`,
  ],
  [
    'a key that does not match the cert',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n',
    'web.yml:2:3: tls_server_config: cert, key and client CA do not load as a TLS identity (error:05800074:x509 certificate routines::key values mismatch); check they are PEM and that the key matches the certificate',
  ],
  [
    'client CAs without client auth',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: client-ca.crt\n',
    'web.yml:4:3: tls_server_config.client_ca_file: client CAs are set but client_auth_type is NoClientCert; set client_auth_type (e.g. RequireAndVerifyClientCert)',
  ],
  [
    'min_version above max_version',
    'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n  max_version: TLS12\n',
    'web.yml:4:3: tls_server_config.min_version: must not be newer than max_version (TLS13 > TLS12)',
  ],
  [
    'both cert and cert_file',
    'tls_server_config:\n  cert: abc\n  cert_file: server.crt\n  key_file: server.key\n',
    'web.yml:3:3: tls_server_config.cert_file: set only one of cert and cert_file',
  ],
  [
    'a header exporter-toolkit does not allow',
    'http_server_config:\n  headers:\n    X-Powered-By: us\n',
    'web.yml:3:5: http_server_config.headers.X-Powered-By: header "X-Powered-By" cannot be configured; allowed: Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy',
  ],
  [
    'a header value outside its allowed set',
    'http_server_config:\n  headers:\n    X-Frame-Options: allow\n',
    'web.yml:3:22: http_server_config.headers.X-Frame-Options: must be one of deny, sameorigin (got "allow")',
  ],
  [
    'client_allowed_sans is named as unsupported',
    'tls_server_config:\n  client_allowed_sans: [a]\n',
    'web.yml:2:3: tls_server_config.client_allowed_sans: `client_allowed_sans` is not supported yet; restrict clients with client_ca_file and a CA that signs only them',
  ],
  [
    'a list at the top',
    '- tls_server_config\n',
    'web.yml:1:1: the web config must be a map with tls_server_config, http_server_config or basic_auth_users (got a list)',
  ],
];

for (const [name, text, message] of INVALID) {
  test(`invalid web config: ${name}`, () => {
    assert.equal(messageOf(text), message);
  });
}

test('every problem of a file is reported at once, in file order', () => {
  assert.equal(
    messageOf('basic_auth_users:\n  alice: secret\nhttp_server_config:\n  http3: true\n'),
    [
      '2 problems in the config:',
      'web.yml:2:10: basic_auth_users.alice: must be a bcrypt hash ($2y$10$…, 60 characters), not a plain password; make one with `htpasswd -nBC 10 "" | tr -d \':\\n\'`',
      'web.yml:4:3: http_server_config.http3: unknown key "http3"; did you mean "http2"?',
    ].join('\n'),
  );
});

test('loadWebConfigFile on a missing file names it and the flag', () => {
  assert.throws(
    () => loadWebConfigFile('/nonexistent/web.yml'),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'FJE_CONFIG_READ');
      assert.equal(
        error.message,
        "/nonexistent/web.yml: cannot read the web config file (ENOENT: no such file or directory, open '/nonexistent/web.yml'); check the path given to --web.config.file",
      );
      return true;
    },
  );
});

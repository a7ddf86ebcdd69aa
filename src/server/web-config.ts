// --web.config.file: exporter-toolkit's web config (TLS, extra response headers, basic auth users), validated at start.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Node } from 'yaml';
import { ConfigError } from '../config/errors.js';
import { validateDocument } from '../config/load.js';
import { entryNode, keyNodeOf, objectOf, optional, withDefault } from '../config/object-schema.js';
import {
  boolean,
  INVALID,
  listOf,
  mapOf,
  oneOf,
  text,
  type Invalid,
  type ValidationContext,
} from '../config/validate.js';
import type { KeyPath } from '../config/yaml-source.js';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;
const TLS_VERSION_NAMES = Object.keys(TLS_VERSIONS) as TlsVersionName[];

// Go's curve names → OpenSSL's, for node:tls `ecdhCurve`.
const CURVES = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' } as const;
const CURVE_NAMES = Object.keys(CURVES) as (keyof typeof CURVES)[];

/**
 * The only headers exporter-toolkit lets a web config set, with the values it allows (empty: any value).
 * Kept identical so a web config valid there is valid here and the other way round.
 */
const EXTRA_HEADERS: Readonly<Record<string, readonly string[]>> = {
  'Strict-Transport-Security': [],
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': [],
  'Content-Security-Policy': [],
};

/** TLS settings with every file already read: what node:https needs, nothing left to fail later. */
export interface TlsServerSettings {
  readonly cert: string;
  readonly key: string;
  /** PEM of the CAs that sign client certificates, when client_ca_file or client_ca is set. */
  readonly clientCa?: string;
  readonly clientAuthType: ClientAuthType;
  readonly minVersion: (typeof TLS_VERSIONS)[TlsVersionName];
  readonly maxVersion: (typeof TLS_VERSIONS)[TlsVersionName];
  /** OpenSSL curve list (`P-256:X25519`), when curve_preferences is set. */
  readonly ecdhCurve?: string;
  readonly honorCipherOrder: boolean;
  /** cipher_suites as written (Go's names): accepted so the file loads, not applied (see the schema). */
  readonly cipherSuites?: readonly string[];
}

export interface WebConfig {
  /** The file it came from, for log lines. */
  readonly source: string;
  /** Absent: plain HTTP (exporter-toolkit too serves HTTP when tls_server_config sets nothing). */
  readonly tls?: TlsServerSettings;
  /** Set on every response, before authentication (a 401 carries them too). */
  readonly headers: Readonly<Record<string, string>>;
  /** Username → bcrypt hash; empty means no authentication. */
  readonly users: Readonly<Record<string, string>>;
  /** Keys set in the file that we accept for compatibility but do not act on, for a warning at start. */
  readonly ignoredKeys: readonly string[];
}

/** The PEM text of `inline`, or of the file `fileKey` names (relative to the web config's directory, as exporter-toolkit's SetDirectory does). */
function pemOf(
  inline: string | undefined,
  fileKey: string,
  fileName: string | undefined,
  baseDir: string,
  node: Node,
  path: KeyPath,
  context: ValidationContext,
): string | Invalid | undefined {
  if (fileName === undefined) return inline;
  const file = resolve(baseDir, fileName);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return context.report(
      'FJE_CONFIG_READ',
      entryNode(context, node, fileKey),
      [...path, fileKey],
      `cannot read ${file} (${reason}); paths are relative to the web config file's directory`,
    );
  }
}

function tlsServerConfigSchema(baseDir: string) {
  return objectOf(
    {
      certFile: optional('cert_file', text()),
      keyFile: optional('key_file', text()),
      cert: optional('cert', text()),
      key: optional('key', text()),
      clientCaFile: optional('client_ca_file', text()),
      clientCa: optional('client_ca', text()),
      // RequireClientCert: exporter-toolkit keeps the old spelling of RequireAnyClientCert working.
      clientAuthType: optional('client_auth_type', oneOf([...CLIENT_AUTH_TYPES, 'RequireClientCert'])),
      minVersion: withDefault('min_version', oneOf(TLS_VERSION_NAMES), 'TLS12'),
      maxVersion: withDefault('max_version', oneOf(TLS_VERSION_NAMES), 'TLS13'),
      // Accepted so exporter-toolkit files load; OpenSSL names its suites differently and picks good ones itself.
      cipherSuites: optional('cipher_suites', listOf(text())),
      curvePreferences: optional('curve_preferences', listOf(oneOf(CURVE_NAMES))),
      preferServerCipherSuites: withDefault('prefer_server_cipher_suites', boolean(), true),
    },
    {
      unsupported: {
        client_allowed_sans:
          '`client_allowed_sans` is not supported yet; restrict clients with client_ca_file and a CA that signs only them',
      },
      refine: (value, node, path, context): TlsServerSettings | undefined | Invalid => {
        const report = (key: string, message: string): Invalid =>
          context.report('FJE_CONFIG_INVALID_VALUE', keyNodeOf(context, node, key) ?? node, [...path, key], message);
        let valid = true;
        for (const [inline, file] of [
          ['cert', 'cert_file'],
          ['key', 'key_file'],
          ['client_ca', 'client_ca_file'],
        ] as const) {
          if (keyNodeOf(context, node, inline) !== null && keyNodeOf(context, node, file) !== null)
            valid = report(file, `set only one of ${inline} and ${file}`) !== INVALID;
        }
        const enabled = ['certFile', 'keyFile', 'cert', 'key', 'clientCaFile', 'clientCa', 'clientAuthType'].some(
          (name) => name in value,
        );
        if (!enabled) return valid ? undefined : INVALID;
        if (!('cert' in value) && !('certFile' in value))
          valid =
            context.report(
              'FJE_CONFIG_REQUIRED',
              node,
              path,
              'missing one of cert or cert_file (TLS is on because other TLS keys are set)',
            ) !== INVALID;
        if (!('key' in value) && !('keyFile' in value))
          valid =
            context.report(
              'FJE_CONFIG_REQUIRED',
              node,
              path,
              'missing one of key or key_file (TLS is on because other TLS keys are set)',
            ) !== INVALID;
        const clientAuthType: ClientAuthType =
          value.clientAuthType === 'RequireClientCert'
            ? 'RequireAnyClientCert'
            : (value.clientAuthType ?? 'NoClientCert');
        const hasClientCa = 'clientCa' in value || 'clientCaFile' in value;
        if (hasClientCa && clientAuthType === 'NoClientCert') {
          valid =
            report(
              'clientCaFile' in value ? 'client_ca_file' : 'client_ca',
              'client CAs are set but client_auth_type is NoClientCert; set client_auth_type (e.g. RequireAndVerifyClientCert)',
            ) !== INVALID;
        }
        if (TLS_VERSION_NAMES.indexOf(value.minVersion) > TLS_VERSION_NAMES.indexOf(value.maxVersion)) {
          valid =
            report('min_version', `must not be newer than max_version (${value.minVersion} > ${value.maxVersion})`) !==
            INVALID;
        }
        if (!valid) return INVALID;
        const cert = pemOf(value.cert, 'cert_file', value.certFile, baseDir, node, path, context);
        const key = pemOf(value.key, 'key_file', value.keyFile, baseDir, node, path, context);
        const clientCa = pemOf(value.clientCa, 'client_ca_file', value.clientCaFile, baseDir, node, path, context);
        if (cert === INVALID || key === INVALID || clientCa === INVALID || cert === undefined || key === undefined)
          return INVALID;
        try {
          // Fails here, with the file named, rather than at the first connection.
          createSecureContext({ cert, key, ...(clientCa === undefined ? {} : { ca: clientCa }) });
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return context.report(
            'FJE_CONFIG_INVALID_VALUE',
            node,
            path,
            `cert, key and client CA do not load as a TLS identity (${reason}); check they are PEM and that the key matches the certificate`,
          );
        }
        return {
          cert,
          key,
          ...(clientCa === undefined ? {} : { clientCa }),
          clientAuthType,
          minVersion: TLS_VERSIONS[value.minVersion],
          maxVersion: TLS_VERSIONS[value.maxVersion],
          ...(value.curvePreferences === undefined
            ? {}
            : { ecdhCurve: value.curvePreferences.map((curve) => CURVES[curve]).join(':') }),
          honorCipherOrder: value.preferServerCipherSuites,
          ...(value.cipherSuites === undefined ? {} : { cipherSuites: value.cipherSuites }),
        };
      },
    },
  );
}

const headerValue = text();

const httpServerConfig = objectOf(
  {
    // Accepted for compatibility: node:https serves HTTP/1.1 only, so `http2: true` changes nothing.
    http2: withDefault('http2', boolean(), true),
    headers: withDefault('headers', mapOf(headerValue, { key: checkHeaderName }), {}),
  },
  {
    refine: (value, node, path, context) => {
      let valid = true;
      for (const [name, headerText] of Object.entries(value.headers)) {
        const allowed = EXTRA_HEADERS[name] ?? [];
        if (allowed.length > 0 && !allowed.includes(headerText)) {
          const headers = entryNode(context, node, 'headers');
          const at = headers === null ? node : entryNode(context, headers, name);
          valid =
            context.report(
              'FJE_CONFIG_INVALID_VALUE',
              at,
              [...path, 'headers', name],
              `must be one of ${allowed.join(', ')} (got ${JSON.stringify(headerText)})`,
            ) !== INVALID;
        }
      }
      return valid ? value : INVALID;
    },
  },
);

function checkHeaderName(name: string, keyNode: Node | null, path: KeyPath, context: ValidationContext): boolean {
  if (Object.hasOwn(EXTRA_HEADERS, name)) return true;
  context.report(
    'FJE_CONFIG_INVALID_VALUE',
    keyNode,
    path,
    `header ${JSON.stringify(name)} cannot be configured; allowed: ${Object.keys(EXTRA_HEADERS).join(', ')}`,
  );
  return false;
}

// Go's bcrypt.Cost accepts versions 2, 2a, 2b, 2y and costs 4 to 31; the rest is 22 salt + 31 hash characters.
const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

const bcryptHash = text((value, node, path, context) => {
  const match = BCRYPT_HASH.exec(value);
  const cost = Number(match?.[1]);
  if (match !== null && cost >= 4 && cost <= 31) return value;
  return context.report(
    'FJE_CONFIG_INVALID_VALUE',
    node,
    path,
    'must be a bcrypt hash ($2y$10$…, 60 characters), not a plain password; make one with `htpasswd -nBC 10 "" | tr -d \':\\n\'`',
  );
});

function webConfigSchema(baseDir: string) {
  return objectOf(
    {
      tls: optional('tls_server_config', tlsServerConfigSchema(baseDir)),
      http: optional('http_server_config', httpServerConfig),
      users: withDefault('basic_auth_users', mapOf(bcryptHash), {}),
    },
    {
      unsupported: {
        rate_limit: '`rate_limit` is not supported yet; put a rate-limiting proxy in front of the exporter',
      },
    },
  );
}

/** Validates web config text; relative file paths in it are read from `baseDir`. */
export function parseWebConfig(text: string, source: string, baseDir: string): WebConfig {
  const value = validateDocument(text, source, {
    schema: webConfigSchema(baseDir),
    // An empty file is valid for exporter-toolkit: plain HTTP, no authentication.
    emptyMessage: '',
    empty: { users: {} },
    notMapMessage: 'the web config must be a map with tls_server_config, http_server_config or basic_auth_users',
  });
  const ignoredKeys = [
    ...(value.tls?.cipherSuites === undefined ? [] : ['tls_server_config.cipher_suites']),
    ...(value.http?.http2 === false ? ['http_server_config.http2'] : []),
  ];
  return Object.freeze({
    source,
    ...(value.tls === undefined ? {} : { tls: Object.freeze(value.tls) }),
    headers: Object.freeze(value.http?.headers ?? {}),
    users: Object.freeze(value.users),
    ignoredKeys: Object.freeze(ignoredKeys),
  });
}

/**
 * Reads and validates the file given to --web.config.file, including the certificate, key and CA files it names.
 * Read once at start: unlike exporter-toolkit, which re-reads it on every connection, a change needs a restart.
 */
export function loadWebConfigFile(path: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      [
        {
          code: 'FJE_CONFIG_READ',
          file: path,
          line: 0,
          column: 0,
          keyPath: '',
          message: `cannot read the web config file (${reason}); check the path given to --web.config.file`,
        },
      ],
      { cause: error },
    );
  }
  return parseWebConfig(text, path, dirname(resolve(path)));
}

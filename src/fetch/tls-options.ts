// Prometheus `tls_config` → Node TLS connect options, files read once when the client is created.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { TlsConfig } from '../config/types.js';
import { HttpClientConfigError } from './errors.js';

const TLS_VERSIONS: Readonly<Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

export function buildTlsOptions(tls: TlsConfig): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: !tls.insecureSkipVerify };
  const ca = inlineOrFile('ca', tls.ca, 'ca_file', tls.caFile);
  const cert = inlineOrFile('cert', tls.cert, 'cert_file', tls.certFile);
  const key = inlineOrFile('key', tls.key, 'key_file', tls.keyFile);
  if ((cert === undefined) !== (key === undefined)) {
    throw new HttpClientConfigError(
      'tls_config: a client certificate needs both cert (or cert_file) and key (or key_file)',
    );
  }
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  if (tls.serverName !== undefined && tls.serverName !== '') options.servername = tls.serverName;
  if (tls.minVersion !== undefined) options.minVersion = tlsVersion('min_version', tls.minVersion);
  if (tls.maxVersion !== undefined) options.maxVersion = tlsVersion('max_version', tls.maxVersion);
  return options;
}

function inlineOrFile(
  inlineKey: string,
  inline: string | undefined,
  fileKey: string,
  file: string | undefined,
): string | undefined {
  if (inline !== undefined && file !== undefined) {
    throw new HttpClientConfigError(`tls_config: at most one of ${inlineKey} and ${fileKey} may be set`);
  }
  if (file === undefined) return inline;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new HttpClientConfigError(`tls_config: cannot read ${fileKey} ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function tlsVersion(key: string, value: string): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' {
  const version = Object.hasOwn(TLS_VERSIONS, value) ? TLS_VERSIONS[value] : undefined;
  if (version === undefined) {
    throw new HttpClientConfigError(
      `tls_config: ${key} ${JSON.stringify(value)} is not one of ${Object.keys(TLS_VERSIONS).join(', ')}`,
    );
  }
  return version;
}

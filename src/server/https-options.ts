// tls_server_config → node:https server options, and the client-certificate rules OpenSSL's options cannot express.
import type { ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { TlsServerSettings } from './web-config.js';

export function httpsServerOptions(tls: TlsServerSettings): ServerOptions {
  const requestCert = tls.clientAuthType !== 'NoClientCert';
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }),
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    ...(tls.ecdhCurve === undefined ? {} : { ecdhCurve: tls.ecdhCurve }),
    honorCipherOrder: tls.honorCipherOrder,
    requestCert,
    // Only RequireAndVerifyClientCert maps onto OpenSSL's own check (a missing or unverified cert fails the
    // handshake); the other modes take any handshake and are judged by admitsClient once it is done.
    rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
  };
}

/**
 * Whether a finished handshake meets client_auth_type, with Go's crypto/tls meanings: RequireAnyClientCert
 * wants a certificate but does not verify it; VerifyClientCertIfGiven verifies one only when sent.
 */
export function admitsClient(tls: TlsServerSettings, socket: TLSSocket): boolean {
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  switch (tls.clientAuthType) {
    case 'RequireAnyClientCert':
      return presented;
    case 'VerifyClientCertIfGiven':
      return !presented || socket.authorized;
    default:
      return true;
  }
}

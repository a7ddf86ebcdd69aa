// --web.config.file with tls_server_config: the exporter serves HTTPS and enforces client_auth_type on 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { fixturePath } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'fje-https-'));
const CA = readFileSync(fixturePath('tls', 'ca.crt'));
const CLIENT = {
  cert: readFileSync(fixturePath('tls', 'client.crt')),
  key: readFileSync(fixturePath('tls', 'client.key')),
};
// The server's own cert: signed by ca.crt, not by client-ca.crt, so it is a client cert the server must not trust.
const UNTRUSTED_CLIENT = {
  cert: readFileSync(fixturePath('tls', 'server.crt')),
  key: readFileSync(fixturePath('tls', 'server.key')),
};

interface Outcome {
  readonly status?: number;
  readonly text?: string;
  readonly error?: string;
}

/** One HTTPS GET trusting the test CA; the outcome is a status or the error that ended the connection. */
function httpsGet(port: number, path: string, client: { cert?: Buffer; key?: Buffer } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca: CA, servername: 'localhost', agent: false, ...client },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => resolve({ error: error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    // Bounded: a server that neither answers nor closes gives an outcome naming the silence, not a hung test.
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer on ${path} within 60 s`)));
    req.end();
  });
}

async function startWith(name: string, tlsLines: readonly string[]): Promise<RunningExporter> {
  const webConfigFile = join(dir, `${name}.yml`);
  // Relative paths resolve against the web config's directory, so point at the fixtures by absolute path.
  const lines = [
    'tls_server_config:',
    `  cert_file: ${fixturePath('tls', 'server.crt')}`,
    `  key_file: ${fixturePath('tls', 'server.key')}`,
    ...tlsLines.map((line) => `  ${line}`),
  ];
  writeFileSync(webConfigFile, lines.join('\n') + '\n');
  return startExporter(
    {
      configFile: undefined,
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      webConfigFile,
      telemetryPath: '/metrics',
      logLevel: 'error',
      maxBodyBytes: 1024,
      timeoutOffsetMs: 500,
      workers: 0,
    },
    createLogger('error', new PassThrough()),
  );
}

const exporters: RunningExporter[] = [];
after(async () => {
  await Promise.all(exporters.map((exporter) => exporter.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('tls_server_config without client auth', () => {
  let exporter: RunningExporter;
  before(async () => {
    exporter = await startWith('plain-tls', []);
    exporters.push(exporter);
  });

  test('a client trusting the CA gets 200 over HTTPS', async () => {
    assert.deepEqual(await httpsGet(exporter.port, '/-/healthy'), { status: 200, text: 'Healthy.\n' });
  });

  test('a client without the CA refuses the server certificate', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: exporter.port, path: '/', agent: false }, () =>
        resolve('answered'),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    assert.equal(outcome, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('client_auth_type RequireAndVerifyClientCert', () => {
  let exporter: RunningExporter;
  before(async () => {
    exporter = await startWith('verify', [
      'client_auth_type: RequireAndVerifyClientCert',
      `client_ca_file: ${fixturePath('tls', 'client-ca.crt')}`,
    ]);
    exporters.push(exporter);
  });

  test('a client with a certificate from the client CA gets 200', async () => {
    assert.equal((await httpsGet(exporter.port, '/-/healthy', CLIENT)).status, 200);
  });

  test('a client without a certificate is refused', async () => {
    const outcome = await httpsGet(exporter.port, '/-/healthy');
    assert.equal(outcome.status, undefined);
    assert.ok(outcome.error !== undefined);
  });

  test('a client whose certificate another CA signed is refused', async () => {
    const outcome = await httpsGet(exporter.port, '/-/healthy', UNTRUSTED_CLIENT);
    assert.equal(outcome.status, undefined);
    assert.ok(outcome.error !== undefined);
  });
});

describe('client_auth_type RequireAnyClientCert and VerifyClientCertIfGiven', () => {
  let requireAny: RunningExporter;
  let verifyIfGiven: RunningExporter;
  before(async () => {
    requireAny = await startWith('require-any', ['client_auth_type: RequireAnyClientCert']);
    verifyIfGiven = await startWith('verify-if-given', [
      'client_auth_type: VerifyClientCertIfGiven',
      `client_ca_file: ${fixturePath('tls', 'client-ca.crt')}`,
    ]);
    exporters.push(requireAny, verifyIfGiven);
  });

  test('RequireAnyClientCert takes any certificate, verified or not, and refuses none', async () => {
    assert.equal((await httpsGet(requireAny.port, '/-/healthy', UNTRUSTED_CLIENT)).status, 200);
    assert.equal((await httpsGet(requireAny.port, '/-/healthy')).status, undefined);
  });

  test('VerifyClientCertIfGiven takes no certificate or a verified one, and refuses an unverified one', async () => {
    assert.equal((await httpsGet(verifyIfGiven.port, '/-/healthy')).status, 200);
    assert.equal((await httpsGet(verifyIfGiven.port, '/-/healthy', CLIENT)).status, 200);
    assert.equal((await httpsGet(verifyIfGiven.port, '/-/healthy', UNTRUSTED_CLIENT)).status, undefined);
  });
});

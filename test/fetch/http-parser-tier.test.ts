// undici's HTTP parser stays on V8's baseline WebAssembly compiler once the fetch code is loaded: its optimising
// recompile cost a fresh exporter 29 MB of RSS in the middle of its first large body (issue 17). Checked in a child
// process with V8's own compile trace, fetching 1 MB bodies from a real server on 127.0.0.1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Bodies fetched per child process. */
const FETCHES = 4;

/** Starts a server in the child, fetches `bytes` from it FETCHES times (through fetchTarget or undici alone), prints the sizes. */
function childScript(withFetchCode: boolean, bytes: number): string {
  const httpClient = fileURLToPath(new URL('../../src/fetch/http-client.js', import.meta.url));
  return `
    import { createServer } from 'node:http';
    const body = Buffer.alloc(${bytes}, 0x20);
    const server = createServer((req, res) => res.end(body));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = 'http://127.0.0.1:' + server.address().port + '/';
    // Several bodies: V8 starts the recompile during the first, so it has finished (and is traced) before the exit.
    const sizes = [];
    if (${withFetchCode}) {
      const { createHttpClient, fetchTarget } = await import(${JSON.stringify(httpClient)});
      // proxy_from_environment (no proxy variables are set) keeps the lean HTTP/1.1 client out: the fetch goes
      // through undici, as https, proxied and redirected fetches do.
      const client = createHttpClient({ tlsConfig: { insecureSkipVerify: false }, proxyConnectHeader: {},
        proxyFromEnvironment: true, followRedirects: false, connectTimeoutMs: 5000, timeoutMs: 5000 });
      for (let i = 0; i < ${FETCHES}; i++) {
        const result = await fetchTarget(client, { url, method: 'GET', headers: {}, validStatusCodes: [],
          timeoutMs: 5000, maxBodyBytes: 4 << 20 });
        sizes.push(result.ok ? result.body.byteLength : result.message);
      }
      await client.close();
    } else {
      const { request } = await import('undici');
      for (let i = 0; i < ${FETCHES}; i++) {
        const response = await request(url);
        sizes.push((await response.body.arrayBuffer()).byteLength);
      }
    }
    server.close();
    console.log('bodies ' + sizes.join(' '));
  `;
}

async function compileTrace(withFetchCode: boolean): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--trace-wasm-compilation-times', '--input-type=module', '-e', childScript(withFetchCode, 1 << 20)],
    {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      maxBuffer: 16 << 20,
      // Bounded: a child whose server or fetch never finishes is killed and fails the test instead of holding it.
      timeout: 120_000,
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !/_proxy$/i.test(name))),
    },
  );
  return stdout;
}

test('1 MB bodies make V8 recompile undici’s parser with TurboFan when the fetch code is not loaded', async () => {
  // The control: shows the trace reports the tier-up the fix prevents, on this Node and undici.
  const trace = await compileTrace(false);
  assert.match(trace, /bodies 1048576 1048576 1048576 1048576/);
  assert.match(trace, /using TurboFan/);
});

test('with the fetch code loaded, undici’s parser is compiled by Liftoff only, and the bodies are read whole', async () => {
  const trace = await compileTrace(true);
  assert.match(trace, /bodies 1048576 1048576 1048576 1048576/);
  assert.match(trace, /using Liftoff/);
  assert.doesNotMatch(trace, /using TurboFan/);
});

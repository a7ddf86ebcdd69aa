// `npm run demo` as a newcomer runs it: it prints where to look, serves the fleet's metrics there, and stops on Ctrl-C.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../../helpers/fixtures.js';
import { httpGet } from '../../helpers/http.js';
import { waitFor } from '../../helpers/wait-for.js';

let child: ChildProcess | undefined;

after(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

test('the demo serves the simulated fleet in fleet mode, shows failing servers, and exits 0 on SIGINT', async () => {
  child = spawn(process.execPath, [join(repoRoot, 'dist', 'bench', 'simulator', 'demo.js'), '--listen', '127.0.0.1:0', '--servers', '4', '--streams', '5'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  const base = await waitFor('the demo to print its URLs', async () => /(http:\/\/127\.0\.0\.1:\d+)\/targets/.exec(stdout)?.[1], 20_000, 50);
  assert.match(stdout, /\/metrics/);
  assert.match(stdout, /Ctrl-C to stop/);
  const metrics = await waitFor('stream series of the two healthy servers on /metrics', async () => {
    const response = await httpGet(`${base}/metrics`);
    const instances = new Set([...response.text.matchAll(/^srs_stream_clients\{[^}]*instance="([^"]+)"/gm)].map((m) => m[1]));
    return instances.size === 2 ? response.text : undefined;
  }, 30_000);
  assert.match(metrics, /^fleet_json_exporter_target_up\{job="srs-edge",instance="[^"]+",pod="srs-edge-3",server="srs-edge-3",cluster="demo"\} 0$/m);
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

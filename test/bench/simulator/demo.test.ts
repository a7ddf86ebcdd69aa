// `npm run demo` as a newcomer runs it: it prints where to look, serves the fleet's metrics there, and stops on Ctrl-C.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../../helpers/fixtures.js';
import { httpGet } from '../../helpers/http.js';
import { waitFor, within } from '../../helpers/wait-for.js';

let child: ChildProcess | undefined;

after(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

test('the demo serves the simulated fleet in fleet mode, shows failing servers, and exits 0 on SIGINT', async () => {
  child = spawn(
    process.execPath,
    [
      join(repoRoot, 'dist', 'bench', 'simulator', 'demo.js'),
      '--listen',
      '127.0.0.1:0',
      '--servers',
      '4',
      '--streams',
      '5',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  const base = await waitFor(
    'the demo to print its URLs',
    async () => /(http:\/\/127\.0\.0\.1:\d+)\/targets/.exec(stdout)?.[1],
    60_000,
    50,
  );
  assert.match(stdout, /\/metrics/);
  assert.match(stdout, /Ctrl-C to stop/);
  // Scrapes are spread over the 5 s interval: wait until every server of the job was scraped once.
  const metrics = await waitFor(
    'every srs-edge target scraped once',
    async () => {
      const response = await httpGet(`${base}/metrics`);
      const scraped = response.text.match(/^fleet_json_exporter_target_up\{job="srs-edge",/gm) ?? [];
      return scraped.length === 4 ? response.text : undefined;
    },
    60_000,
  );
  const instances = new Set([...metrics.matchAll(/^srs_stream_clients\{[^}]*instance="([^"]+)"/gm)].map((m) => m[1]));
  assert.equal(instances.size, 2, 'the two healthy servers have streams');
  assert.match(
    metrics,
    /^fleet_json_exporter_target_up\{job="srs-edge",instance="[^"]+",pod="srs-edge-3",server="srs-edge-3",cluster="demo"\} 0$/m,
  );
  assert.match(
    metrics,
    /^fleet_json_exporter_target_up\{job="srs-edge",instance="[^"]+",pod="srs-edge-2",server="srs-edge-2",cluster="demo"\} 0$/m,
  );
  assert.match(
    metrics,
    /^fleet_json_exporter_target_up\{job="srs-edge",instance="[^"]+",pod="srs-edge-0",server="srs-edge-0",cluster="demo"\} 1$/m,
  );
  child.kill('SIGINT');
  assert.equal(await within('the demo to exit after SIGINT', exited, 60_000), 0);
});

// Question: what do 2,000 concurrent /probe requests of a hung target hold? (Before --probe.max-concurrent: 4,000
// file descriptors, one inbound and one upstream socket per probe.) Counts the exporter's open fds from /proc, the
// connections the hung target sees, the probes answered at once and how, and /metrics meanwhile.
// `npm run bench:probe-flood -- [--probes 2000] [--json] [--exporter-args="--probe.max-concurrent=64"]`
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const USAGE = `usage: npm run bench:probe-flood -- [--probes 2000] [--json] [--exporter-args="<flags>"]

Fires --probes concurrent /probe requests at a target that never answers, on 127.0.0.1, and reports the
exporter's open file descriptors, the upstream connections, how the probes were answered, and /metrics latency.`;

let values: { probes: string; json: boolean; help: boolean; 'exporter-args': string };
try {
  values = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      probes: { type: 'string', default: '2000' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      'exporter-args': { type: 'string', default: '' },
    },
  }).values as typeof values;
} catch (err) {
  process.stderr.write(`bench:probe-flood: ${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const PROBES = Number(values.probes);
if (!Number.isInteger(PROBES) || PROBES < 1) {
  process.stderr.write(
    `bench:probe-flood: --probes must be a positive whole number (got "${values.probes}")\n\n${USAGE}\n`,
  );
  process.exit(2);
}

const dist = join(import.meta.dirname, '..');
const children: ChildProcess[] = [];
const log = (message: string): void => void process.stderr.write(`[bench:probe-flood] ${message}\n`);

async function main(): Promise<void> {
  const held: ServerResponse[] = [];
  const target = createServer((_req, res) => held.push(res));
  // Upstream connections open at once (not requests seen: a probe that timed out frees its slot for the next).
  let openUpstream = 0;
  let peakUpstream = 0;
  target.on('connection', (socket) => {
    peakUpstream = Math.max(peakUpstream, ++openUpstream);
    socket.once('close', () => openUpstream--);
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/hang`;
  const exporter = spawn(
    process.execPath,
    [
      join(dist, 'src/cli.js'),
      '--web.listen-address=127.0.0.1:0',
      ...values['exporter-args'].split(' ').filter((arg) => arg !== ''),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(exporter);
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    exporter.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /"address":"[^"]*:(\d+)"/.exec(seen);
      if (match !== null) resolve(Number(match[1]));
    });
    exporter.once('exit', (code) => reject(new Error(`the exporter exited with ${code}: ${seen}`)));
  });
  const fds = (): number => readdirSync(`/proc/${exporter.pid}/fd`).length;
  const idleFds = fds();
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: PROBES + 10, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const answered: Record<string, number> = {};
  log(`${PROBES} probes of a hung target`);
  for (let i = 0; i < PROBES; i++) {
    request(`${base}/probe?target=${encodeURIComponent(targetUrl)}`, {
      dispatcher: agent,
      headers: { 'x-prometheus-scrape-timeout-seconds': '30' },
    }).then(
      async (response) => {
        const text = await response.body.text();
        const key = `${response.statusCode} ${/\(reason: (\w+)\)/.exec(text)?.[1] ?? ''}`.trim();
        answered[key] = (answered[key] ?? 0) + 1;
      },
      (err: Error & { code?: string }) => {
        answered[err.code ?? err.message] = (answered[err.code ?? err.message] ?? 0) + 1;
      },
    );
  }
  // Six seconds of sampling: inside the module's 10 s timeout, so every admitted probe is still held.
  let peakFds = 0;
  for (let i = 0; i < 24; i++) {
    await sleep(250);
    peakFds = Math.max(peakFds, fds());
  }
  const t0 = performance.now();
  const metrics = await request(`${base}/metrics`);
  const text = await metrics.body.text();
  const metricsMs = performance.now() - t0;
  const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  const result = {
    probes: PROBES,
    exporterArgs: values['exporter-args'],
    idleFds,
    peakFds,
    peakUpstreamConnections: peakUpstream,
    requestsAtTarget: held.length,
    probesInFlight: gauge('fleet_json_exporter_probes_in_flight'),
    probesQueued: gauge('fleet_json_exporter_probes_queued'),
    answeredWithin6s: { ...answered },
    metricsStatus: metrics.statusCode,
    metricsMs: Math.round(metricsMs),
  };
  for (const res of held) res.destroy();
  await agent.destroy();
  target.close();
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    process.stdout.write(
      `| probes | idle fds | peak fds | peak upstream connections | in flight | queued | answered within 6 s | /metrics |\n| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |\n| ${PROBES} | ${idleFds} | ${peakFds} | ${peakUpstream} | ${result.probesInFlight} | ${result.probesQueued} | ${JSON.stringify(result.answeredWithin6s)} | ${result.metricsStatus} in ${result.metricsMs} ms |\n`,
    );
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:probe-flood: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGKILL');
  });

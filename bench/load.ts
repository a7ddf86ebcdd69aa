// bench:load — how many /probe requests per second does the real exporter answer, at what latency and CPU?
//
//   npm run bench:load [-- --seconds=5 --connections=8 --workers=0,2 --json]
//
// The exporter runs as a child process (dist/src/cli.js, the reference config), so its CPU from /proc is its own;
// autocannon drives /probe from this process against targets this process serves on 127.0.0.1: a small SRS body
// (5 streams, ~2 KB) and a ~1 MB one, from the deterministic generator. All traffic stays on 127.0.0.1.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { processUsage } from './process-usage.js';
import { generateStreamsBody, generateStreamsBodyOfCount } from './srs-body-generator.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    workers: { type: 'string', default: '0,2' },
    json: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(flags.seconds);
const CONNECTIONS = Number(flags.connections);
const dist = join(import.meta.dirname, '..');
const REFERENCE_CONFIG = join(dist, '..', 'test', 'fixtures', 'config', 'srs-reference.yml');
const children = new Set<ChildProcess>();

function log(message: string): void {
  if (!flags.json) process.stderr.write(`[bench:load] ${message}\n`);
}

const BODIES = { small: generateStreamsBodyOfCount(5), '1mb': generateStreamsBody(1024 * 1024) } as const;
type BodyName = keyof typeof BODIES;

/** The SRS stand-in: /small and /1mb answer the generator's bodies, the same bytes every time. */
async function startTargets(): Promise<Server> {
  const server = createServer((req, res) => {
    const name = (req.url ?? '').slice(1) as BodyName;
    const entry = BODIES[name];
    if (entry === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': entry.body.byteLength }).end(entry.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Starts the exporter on an ephemeral port and resolves with its port once it logs that it listens. */
async function startExporter(workers: number): Promise<{ child: ChildProcess; port: number }> {
  const args = [
    join(dist, 'src/cli.js'),
    `--config.file=${REFERENCE_CONFIG}`,
    '--web.listen-address=127.0.0.1:0',
    `--workers=${workers}`,
    '--log.level=info',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-8192);
      const port = /"address":"127\.0\.0\.1:(\d+)"[^\n]*listening/.exec(seen)?.[1];
      if (port !== undefined) resolve({ child, port: Number(port) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the exporter exited with ${code} before listening: ${seen}`)));
  });
}

async function stopExporter(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

interface CaseResult {
  readonly body: BodyName;
  readonly bodyBytes: number;
  readonly workers: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Connection errors and timeouts, plus answers that were not 200. */
  readonly errors: number;
  /** The exporter's CPU (all threads) during the run, in % of one core (200 % = both cores of this machine). */
  readonly exporterCpuPercent: number;
  /** This process's CPU (autocannon and the targets), which shares the machine's cores with the exporter. */
  readonly driverCpuPercent: number;
}

async function runCase(
  port: number,
  pid: number,
  workers: number,
  body: BodyName,
  targets: string,
): Promise<CaseResult> {
  const url = `http://127.0.0.1:${port}/probe?module=default&target=${encodeURIComponent(`${targets}/${body}`)}`;
  // One probe first: a wrong setup fails here with its message rather than as a column of errors.
  const check = await request(url);
  const text = await check.body.text();
  if (check.statusCode !== 200 || !text.includes('stream_clients'))
    throw new Error(`probe of ${body} answered ${check.statusCode}: ${text.slice(0, 300)}`);
  // A short warm-up so the JIT and the pool's workers are hot before the measured window.
  await autocannon({ url, connections: CONNECTIONS, duration: Math.max(1, SECONDS / 5) });
  const before = processUsage(pid);
  const driverBefore = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  const wallS = (performance.now() - started) / 1000;
  const cpuS = processUsage(pid).cpuSeconds - before.cpuSeconds;
  const driver = process.cpuUsage(driverBefore);
  return {
    body,
    bodyBytes: BODIES[body].body.byteLength,
    workers,
    requestsPerSecond: Number((result.requests.total / result.duration).toFixed(1)),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    exporterCpuPercent: Number(((cpuS / wallS) * 100).toFixed(1)),
    driverCpuPercent: Number((((driver.user + driver.system) / 1e6 / wallS) * 100).toFixed(1)),
  };
}

async function main(): Promise<CaseResult[]> {
  const targets = await startTargets();
  const results: CaseResult[] = [];
  try {
    const base = `http://127.0.0.1:${(targets.address() as AddressInfo).port}`;
    for (const workers of flags.workers.split(',').map(Number)) {
      const { child, port } = await startExporter(workers);
      try {
        for (const body of Object.keys(BODIES) as BodyName[]) {
          log(`--workers=${workers}, ${body} body: ${SECONDS} s, ${CONNECTIONS} connections`);
          results.push(await runCase(port, child.pid as number, workers, body, base));
        }
      } finally {
        await stopExporter(child);
      }
    }
  } finally {
    targets.closeAllConnections();
    targets.close();
  }
  return results;
}

try {
  const results = await main();
  const machine = {
    node: process.version,
    cpus: availableParallelism(),
    date: new Date().toISOString(),
    seconds: SECONDS,
    connections: CONNECTIONS,
  };
  if (flags.json) process.stdout.write(JSON.stringify({ machine, results }, null, 2) + '\n');
  else {
    process.stdout.write(
      `node ${machine.node}, ${machine.cpus} CPUs, ${SECONDS} s per case, ${CONNECTIONS} connections, reference config\n`,
    );
    console.table(results);
  }
} finally {
  // Even when a case throws: no exporter outlives the bench.
  for (const child of children) child.kill('SIGKILL');
}

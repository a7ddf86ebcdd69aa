// bench:load — how many /probe requests per second does the real exporter answer, at what latency and CPU, with and
// without the worker pool?
//
//   npm run bench:load -- [--seconds=5 --connections=8 --workers=0,2] [--url=<your exporter> --target=<JSON API>]
//
// The exporter runs as a child process (dist/src/cli.js, the reference config), so its CPU from /proc is its own;
// autocannon drives /probe from this process against targets this process serves on 127.0.0.1: a small SRS body
// (5 streams, ~2 KB) and a ~1 MB one, from the deterministic generator. All traffic stays on 127.0.0.1 unless
// --url / --target point elsewhere. For the matrix beside the Node floor and json_exporter: bench:probe.
import autocannon from 'autocannon';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { parseBenchCli, parseHttpUrl, runBench, UsageError, type BenchSpec } from './bench-cli.js';
import { REFERENCE_CONFIG, startExporter, whileMeasuring } from './server-process.js';
import { generateStreamsBody, generateStreamsBodyOfCount } from './srs-body-generator.js';
import { renderLineChart } from './svg-chart.js';

const spec: BenchSpec = {
  name: 'load',
  question: 'Requests/s, latency and CPU of /probe (reference config) with --workers=0 and 2, small and 1 MB bodies.',
  flags: {
    seconds: { type: 'string', default: '5', help: 'measured seconds per case (after a warm-up of a fifth of it)' },
    connections: { type: 'string', default: '8', help: 'autocannon connections' },
    workers: { type: 'string', default: '0,2', help: 'exporter --workers values, one exporter each' },
    url: { type: 'string', help: 'load an exporter already running there (your deployment) instead of starting ours' },
    module: { type: 'string', default: 'default', help: 'module= of the probes' },
    target: { type: 'string', help: 'probe this JSON API instead of the generated small and 1 MB bodies' },
  },
};

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

interface CaseResult {
  readonly body: string;
  readonly bodyBytes: number | undefined;
  /** The exporter's --workers; undefined for --url. */
  readonly workers: number | undefined;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Connection errors and timeouts, plus answers that were not 200. */
  readonly errors: number;
  /** The exporter's CPU (all threads) during the run, in % of one core (200 % = both cores of this machine). */
  readonly exporterCpuPercent: number | undefined;
  /** This process's CPU (autocannon and the targets), which shares the machine's cores with the exporter. */
  readonly driverCpuPercent: number;
}

async function runCase(
  url: string,
  pid: number | undefined,
  connections: number,
  seconds: number,
): Promise<Omit<CaseResult, 'body' | 'bodyBytes' | 'workers'>> {
  // One probe first: a wrong setup fails here with its message rather than as a column of errors.
  const check = await request(url);
  const text = await check.body.text();
  if (check.statusCode !== 200) throw new Error(`${url} answered ${check.statusCode}: ${text.slice(0, 300)}`);
  // A short warm-up so the JIT and the pool's workers are hot before the measured window.
  await autocannon({ url, connections, duration: Math.max(1, seconds / 5) });
  const driverBefore = process.cpuUsage();
  const started = performance.now();
  const measured = await whileMeasuring(pid, () => autocannon({ url, connections, duration: seconds }));
  const wallS = (performance.now() - started) / 1000;
  const driver = process.cpuUsage(driverBefore);
  const result = measured.result;
  return {
    requestsPerSecond: Number((result.requests.total / result.duration).toFixed(1)),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    exporterCpuPercent: measured.cpuPercent === undefined ? undefined : Number(measured.cpuPercent.toFixed(1)),
    driverCpuPercent: Number((((driver.user + driver.system) / 1e6 / wallS) * 100).toFixed(1)),
  };
}

async function main(): Promise<void> {
  const cli = parseBenchCli(spec);
  const seconds = cli.number('seconds');
  const connections = cli.number('connections', { integer: true });
  const deployment = cli.optional('url');
  const targetUrl = cli.optional('target');
  if (deployment !== undefined) parseHttpUrl(deployment);
  if (targetUrl !== undefined) parseHttpUrl(targetUrl);
  const workersList: Array<number | undefined> =
    deployment === undefined
      ? cli.list('workers', (item) => {
          const n = Number(item);
          if (!Number.isInteger(n) || n < 0) throw new UsageError(`not a worker count: ${item}`);
          return n;
        })
      : [undefined];
  const bodyNames: string[] = targetUrl === undefined ? (Object.keys(BODIES) as BodyName[]) : ['target'];
  const targets = targetUrl === undefined ? await startTargets() : undefined;
  const results: CaseResult[] = [];
  try {
    const targetOf = (body: string): string =>
      targetUrl ?? `http://127.0.0.1:${(targets?.address() as AddressInfo).port}/${body}`;
    for (const workers of workersList) {
      const exporter =
        workers === undefined
          ? undefined
          : await startExporter([`--config.file=${REFERENCE_CONFIG}`, `--workers=${workers}`, '--log.level=info']);
      const base = exporter?.baseUrl ?? (deployment as string).replace(/\/$/, '');
      try {
        for (const body of bodyNames) {
          cli.progress(
            `--workers=${workers ?? '(deployment)'}, ${body} body: ${seconds} s, ${connections} connections`,
          );
          const url = `${base}/probe?module=${encodeURIComponent(cli.string('module'))}&target=${encodeURIComponent(targetOf(body))}`;
          results.push({
            body,
            bodyBytes: body in BODIES ? BODIES[body as BodyName].body.byteLength : undefined,
            workers,
            ...(await runCase(url, exporter?.child.pid, connections, seconds)),
          });
        }
      } finally {
        await exporter?.stop();
      }
    }
  } finally {
    targets?.closeAllConnections();
    targets?.close();
  }

  const series = (pick: (r: CaseResult) => number) =>
    workersList.map((workers) => ({
      name: workers === undefined ? 'deployment' : `--workers=${workers}`,
      values: bodyNames.map((body) => {
        const r = results.find((x) => x.workers === workers && x.body === body);
        return r === undefined ? undefined : pick(r);
      }),
    }));
  const subtitle = `${connections} connections, ${seconds} s per case, ${new Date().toISOString().slice(0, 16)}Z`;
  const written = cli.writeResults({ seconds, connections, results }, [
    {
      file: 'load-throughput.svg',
      svg: renderLineChart({
        title: '/probe requests/s',
        subtitle,
        categories: bodyNames,
        xLabel: 'body',
        yLabel: 'requests/s',
        logY: true,
        series: series((r) => r.requestsPerSecond),
      }),
    },
    {
      file: 'load-p99.svg',
      svg: renderLineChart({
        title: '/probe latency p99',
        subtitle,
        categories: bodyNames,
        xLabel: 'body',
        yLabel: 'p99 ms',
        logY: true,
        series: series((r) => r.latencyP99Ms),
      }),
    },
  ]);
  if (cli.boolean('json')) process.stdout.write(`${JSON.stringify({ seconds, connections, results }, null, 2)}\n`);
  else {
    process.stdout.write(`${seconds} s per case, ${connections} connections, reference config\n`);
    console.table(results);
  }
  cli.progress(`wrote ${written.join(', ')}`);
}

await runBench(spec, main);

// Question: can one exporter scrape 2,000 SRS servers × 50 streams every 15 s and serve them on /metrics?
// `npm run bench:fleet -- [--targets 2000] [--streams 50] [--interval 15] [--window 60] [--json]`
// The simulator and the exporter each run in a child process, so CPU and memory are the exporter's alone
// (read from /proc); scrape lag comes from the exporter's own histogram, /metrics times from this driver.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { processUsage } from './process-usage.js';
import { gunzipSync } from 'node:zlib';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: '2000' },
    streams: { type: 'string', default: '50' },
    interval: { type: 'string', default: '15' },
    window: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '256' },
    /**
     * `srs_streams` (the embedded preset, which pages through all streams) or `reference` (json_exporter's SRS
     * example, test/fixtures/config; asked with ?count=1000, since SRS answers 10 streams by default).
     */
    module: { type: 'string', default: 'srs_streams' },
    /** Extra node arguments for the exporter, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it. */
    'exporter-node-args': { type: 'string', default: '' },
    /** Extra exporter flags, e.g. "--workers=1". */
    'exporter-args': { type: 'string', default: '' },
    json: { type: 'boolean', default: false },
  },
});
const TARGETS = Number(values.targets);
const STREAMS = Number(values.streams);
const INTERVAL_S = Number(values.interval);
const WINDOW_S = Number(values.window);
const dist = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'fje-bench-fleet-'));
const children: ChildProcess[] = [];

function log(message: string): void {
  if (!values.json) process.stderr.write(`[bench:fleet] ${message}\n`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a node child and resolves once its output matches `ready` (at once without one). */
function startChild(args: string[], ready?: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (ready?.test(seen)) resolve(child);
    };
    if (ready === undefined) resolve(child);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}: ${seen}`)));
  });
}

interface Fetched {
  readonly ms: number;
  readonly bytes: number;
  readonly text: string;
}

async function fetchMetrics(base: string, gzip: boolean): Promise<Fetched> {
  const started = performance.now();
  const response = await request(`${base}/metrics`, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} });
  const body = Buffer.from(await response.body.arrayBuffer());
  const ms = performance.now() - started;
  return { ms, bytes: body.byteLength, text: gzip ? gunzipSync(body).toString('utf8') : body.toString('utf8') };
}

/** Cumulative buckets of the lag histogram (le → count). */
function lagBuckets(text: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const match of text.matchAll(/^fleet_json_exporter_fleet_scrape_lag_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** histogram_quantile over the difference of two snapshots (linear inside a bucket, as Prometheus does). */
function quantile(q: number, before: Map<number, number>, after: Map<number, number>): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if ((counts[i] ?? 0) >= rank) {
      const upper = bounds[i] as number;
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const below = i === 0 ? 0 : (counts[i - 1] as number);
      if (upper === Infinity) return lower;
      return lower + ((upper - lower) * (rank - below)) / ((counts[i] as number) - below || 1);
    }
  }
  return NaN;
}

function countSeries(text: string): { fleet: number; scrapes: number } {
  let fleet = 0;
  for (const line of text.split('\n'))
    if (
      line !== '' &&
      !line.startsWith('#') &&
      !line.startsWith('fleet_json_exporter_fleet_') &&
      /\{job="srs-edge"/.test(line)
    )
      fleet++;
  const scrapes = [...text.matchAll(/^fleet_json_exporter_fleet_scrapes_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  return { fleet, scrapes };
}

/** A gauge's values across targets (e.g. each target's last scrape duration). */
function gaugeValues(text: string, name: string): number[] {
  const values: number[] = [];
  for (const match of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))) values.push(Number(match[1]));
  return values.sort((a, b) => a - b);
}

function selfGauge(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

const percentile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

function modulesYaml(): string {
  if (values.module === 'srs_streams') return 'modules:\n  default: { preset: srs_streams }\n';
  if (values.module === 'reference')
    return readFileSync(join(dist, '..', 'test', 'fixtures', 'config', 'srs-reference.yml'), 'utf8');
  throw new Error(`--module must be srs_streams or reference (got ${values.module})`);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  log(`starting the simulator: ${TARGETS} SRS servers × ${STREAMS} streams`);
  const fileSd = join(dir, 'targets.json');
  const simulator = await startChild(
    [
      join(dist, 'bench/simulator/cli.js'),
      '--servers',
      String(TARGETS),
      '--streams',
      String(STREAMS),
      '--seed',
      '1',
      '--file-sd',
      fileSd,
    ],
    /file_sd written/,
  );
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    modulesYaml() +
      `fleet:\n  scrape_interval: ${INTERVAL_S}s\n  scrape_timeout: ${Math.min(10, INTERVAL_S)}s\n` +
      `  concurrency: ${values.concurrency}\n  jobs:\n    - name: srs-edge\n      module: default\n      labels: { cluster: bench }\n` +
      `      target_url: "http://{{address}}/api/v1/streams/${values.module === 'reference' ? '?count=1000' : ''}"\n      file_sd: [targets.json]\n`,
  );
  log('starting the exporter');
  const nodeArgs = (values['exporter-node-args'] ?? '').split(' ').filter((arg) => arg !== '');
  const exporter = await startChild([
    ...nodeArgs,
    join(dist, 'src/cli.js'),
    `--config.file=${config}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    ...(values['exporter-args'] ?? '').split(' ').filter((arg) => arg !== ''),
  ]);
  const pid = exporter.pid as number;
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await request(`${base}/-/ready`)).statusCode === 200) break;
    } catch {
      await sleep(100);
    }
  }
  const idle = processUsage(pid);
  log(`warming up for one interval (${INTERVAL_S + 5} s): every target scraped at least once`);
  await sleep((INTERVAL_S + 5) * 1000);
  // The first gzip request compresses every fragment; from then on scrapes compress ahead (as with a real Prometheus).
  const firstGzip = await fetchMetrics(base, true);
  log(`first gzip /metrics: ${firstGzip.ms.toFixed(0)} ms; one more interval for scrapes to compress ahead`);
  await sleep(INTERVAL_S * 1000);

  const first = await fetchMetrics(base, false);
  const simulatorStart = processUsage(simulator.pid as number);
  const start = {
    usage: processUsage(pid),
    at: performance.now(),
    lag: lagBuckets(first.text),
    scrapes: countSeries(first.text).scrapes,
  };
  const plain: number[] = [];
  const zipped: number[] = [];
  const zippedBytes: number[] = [];
  let last = first;
  let peakRss = start.usage.rssBytes;
  log(`measuring for ${WINDOW_S} s: /metrics fetched twice per interval, alternating gzip and plain`);
  const endAt = start.at + WINDOW_S * 1000;
  for (let turn = 0; performance.now() < endAt; turn++) {
    await sleep((INTERVAL_S * 1000) / 2);
    if (turn % 2 === 0) {
      const fetched = await fetchMetrics(base, true);
      zipped.push(fetched.ms);
      zippedBytes.push(fetched.bytes);
    } else {
      last = await fetchMetrics(base, false);
      plain.push(last.ms);
    }
    peakRss = Math.max(peakRss, processUsage(pid).rssBytes);
  }
  last = await fetchMetrics(base, false);
  plain.push(last.ms);
  const end = {
    usage: processUsage(pid),
    at: performance.now(),
    lag: lagBuckets(last.text),
    counts: countSeries(last.text),
  };
  const wallS = (end.at - start.at) / 1000;
  const simulatorCpuS = processUsage(simulator.pid as number).cpuSeconds - simulatorStart.cpuSeconds;
  const durations = gaugeValues(last.text, 'fleet_json_exporter_target_scrape_duration_seconds');
  const cpuS = end.usage.cpuSeconds - start.usage.cpuSeconds;
  const series = end.counts.fleet;
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    module: values.module,
    targets: TARGETS,
    streams: STREAMS,
    intervalS: INTERVAL_S,
    windowS: Number(wallS.toFixed(1)),
    scrapes: end.counts.scrapes - start.scrapes,
    scrapesExpected: Math.round((TARGETS * wallS) / INTERVAL_S),
    seriesServed: series,
    cpuPercentOfOneCore: Number(((cpuS / wallS) * 100).toFixed(1)),
    cpuPercentOfTwoCores: Number(((cpuS / wallS / 2) * 100).toFixed(1)),
    lagP50Ms: Number((quantile(0.5, start.lag, end.lag) * 1000).toFixed(1)),
    lagP99Ms: Number((quantile(0.99, start.lag, end.lag) * 1000).toFixed(1)),
    metricsPlainMsMedian: Number(median(plain).toFixed(0)),
    metricsPlainMsMax: Number(Math.max(...plain).toFixed(0)),
    metricsGzipMsMedian: Number(median(zipped).toFixed(0)),
    metricsGzipMsMax: Number(Math.max(...zipped).toFixed(0)),
    metricsPlainBytes: Buffer.byteLength(last.text),
    metricsGzipBytes: median(zippedBytes),
    rssIdleMb: Number((idle.rssBytes / 2 ** 20).toFixed(0)),
    rssEndMb: Number((end.usage.rssBytes / 2 ** 20).toFixed(0)),
    rssPeakMb: Number((peakRss / 2 ** 20).toFixed(0)),
    bytesPerSeries: Math.round((end.usage.rssBytes - idle.rssBytes) / Math.max(1, series)),
    targetsUp: gaugeValues(last.text, 'fleet_json_exporter_target_up').filter((v) => v === 1).length,
    scrapeDurationP50Ms: Number((percentile(durations, 0.5) * 1000).toFixed(1)),
    scrapeDurationP99Ms: Number((percentile(durations, 0.99) * 1000).toFixed(1)),
    eventLoopLagP99Ms: Number((selfGauge(last.text, 'nodejs_eventloop_lag_p99_seconds') * 1000).toFixed(1)),
    eventLoopLagMaxMs: Number((selfGauge(last.text, 'nodejs_eventloop_lag_max_seconds') * 1000).toFixed(1)),
    metricsGzipFirstMs: Number(firstGzip.ms.toFixed(0)),
    heapUsedMb: Number((selfGauge(last.text, 'nodejs_heap_size_used_bytes') / 2 ** 20).toFixed(0)),
    heapTotalMb: Number((selfGauge(last.text, 'nodejs_heap_size_total_bytes') / 2 ** 20).toFixed(0)),
    externalMb: Number((selfGauge(last.text, 'nodejs_external_memory_bytes') / 2 ** 20).toFixed(0)),
    simulatorCpuPercentOfOneCore: Number(((simulatorCpuS / wallS) * 100).toFixed(1)),
  };
  if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
  else console.table(Object.entries(result).map(([measure, value]) => ({ measure, value })));
}

try {
  await main();
} finally {
  for (const child of children) child.kill('SIGTERM');
  // The exporter writes its profile (when asked) on a clean exit: give it the moment it needs.
  await Promise.all(
    children.map((child) =>
      child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined,
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}

// Question: at 10,000 SRS targets × 10 streams (and 2,000 × 50), what does fleet mode cost next to a naive
// aggregator scraping the same simulated fleet, measured in the same run?
// `npm run bench:fleet -- --help` for the flags. The simulator, the exporter and the naive aggregator each run in
// their own child process (one after the other on the same fleet), so CPU and memory are each one's alone (/proc);
// lag is measured where it happens: the gaps between requests each simulated server sees.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { processUsage } from './process-usage.js';

// ---- arguments (kept in this one section) ------------------------------------------------------------------------
/** The environment the Dockerfile and `npm start` give the exporter (see the Dockerfile's runtime stage). */
const EXPORTER_ENV = 'MALLOC_ARENA_MAX=2';
const USAGE = `usage: npm run bench:fleet -- [flags]
  --shapes LIST        targets×streams shapes, e.g. 10000x10,2000x50 (default both)
  --interval S         scrape and pull interval in seconds (default 15)
  --window S           measured seconds per shape and contender, after one interval of warm-up (default 90)
  --ports N            listening ports of the simulated fleet (default 1000; targets share ports by path)
  --concurrency N      fleet.concurrency (default 1000; the naive aggregator has no bound)
  --module M           reference (json_exporter's SRS example: five values per stream; default) or srs_streams
  --no-naive           measure fleet mode alone
  --floor              also measure two floors (fleet-floor.ts): fetch and JSON.parse only, with fleet mode's client,
                       then with undici's request (issue 15's own floor)
  --exporter-args=A    extra exporter flags, e.g. --exporter-args=--workers=1 (with "=": the value starts with a dash)
  --exporter-node-args=A  extra node flags for the exporter, e.g. "--exporter-node-args=--cpu-prof --cpu-prof-dir=/tmp/prof"
  --exporter-env=K=V,…  the exporter's own environment variables (default ${EXPORTER_ENV}, as the image and npm
                       start run it; --exporter-env= for none: glibc's default arenas)
  --simulator-node-args=A extra node flags for the simulated fleet, e.g. --simulator-node-args=--max-semi-space-size=64
  --out FILE           JSON result file (default bench/results/fleet.json); an SVG chart is written beside it
  --url URL            measure a running exporter instead (its /metrics, gzip and plain, for --window seconds)
  --help               this text
Progress goes to stderr; the table to stdout.`;

function parseFlags() {
  try {
    const { values } = parseArgs({
      strict: true,
      options: {
        shapes: { type: 'string', default: '10000x10,2000x50' },
        interval: { type: 'string', default: '15' },
        window: { type: 'string', default: '90' },
        ports: { type: 'string', default: '1000' },
        concurrency: { type: 'string', default: '1000' },
        module: { type: 'string', default: 'reference' },
        'no-naive': { type: 'boolean', default: false },
        floor: { type: 'boolean', default: false },
        'exporter-args': { type: 'string', default: '' },
        'exporter-node-args': { type: 'string', default: '' },
        'exporter-env': { type: 'string', default: EXPORTER_ENV },
        'simulator-node-args': { type: 'string', default: '' },
        out: { type: 'string', default: join(import.meta.dirname, '..', '..', 'bench', 'results', 'fleet.json') },
        url: { type: 'string' },
        target: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
    const number = (name: string, text: string): number => {
      const value = Number(text);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number (got ${text})`);
      return value;
    };
    const shapes = values.shapes.split(',').map((shape) => {
      const match = /^(\d+)x(\d+)$/.exec(shape.trim());
      if (match === null) throw new Error(`--shapes: ${shape} is not TARGETSxSTREAMS (e.g. 10000x10)`);
      return { targets: Number(match[1]), streams: Number(match[2]) };
    });
    if (values.module !== 'reference' && values.module !== 'srs_streams')
      throw new Error(`--module must be reference or srs_streams (got ${values.module})`);
    return {
      help: values.help,
      shapes,
      intervalS: number('interval', values.interval),
      windowS: number('window', values.window),
      ports: number('ports', values.ports),
      concurrency: number('concurrency', values.concurrency),
      module: values.module,
      naive: !values['no-naive'],
      floor: values.floor,
      exporterArgs: values['exporter-args'].split(' ').filter((arg) => arg !== ''),
      exporterNodeArgs: values['exporter-node-args'].split(' ').filter((arg) => arg !== ''),
      exporterEnv: Object.fromEntries(
        values['exporter-env']
          .split(',')
          .filter((pair) => pair !== '')
          .map((pair) => {
            const at = pair.indexOf('=');
            if (at <= 0) throw new Error(`--exporter-env takes NAME=value pairs separated by commas (got ${pair})`);
            return [pair.slice(0, at), pair.slice(at + 1)];
          }),
      ),
      simulatorNodeArgs: values['simulator-node-args'].split(' ').filter((arg) => arg !== ''),
      out: values.out,
      url: values.url ?? values.target,
    };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}
const flags = parseFlags();
if (flags.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
// ------------------------------------------------------------------------------------------------------------------

const dist = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'fje-bench-fleet-'));
const children = new Set<ChildProcess>();
const progress = (message: string): void => void process.stderr.write(`[bench:fleet] ${message}\n`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a node child; resolves once its output matches `ready` (at once without one). */
function startChild(
  args: string[],
  ready: RegExp | undefined,
  ipc = false,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc' as const] : [])],
    env: { ...process.env, ...env },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (ready?.test(seen)) resolve(child);
    };
    if (ready === undefined) resolve(child);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      if (!stopping.has(child))
        progress(`${args.join(' ').slice(0, 120)} exited (${code ?? signal}): ${seen.slice(-600)}`);
      reject(new Error(`${args.at(-1)} exited with ${code ?? signal}: ${seen}`));
    });
  });
}

const stopping = new Set<ChildProcess>();

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  stopping.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * One pull: its time and size, and the body as sent (gzip or not). Nothing is decoded here: until 5 Dec 2026 every
 * pull was gunzipped and searched as a 60–80 MB string, ~1 s of the harness's CPU per interval on the 2 cores the
 * simulated targets share. Measured (bench/README.md): the simulator's worst stalls hardly moved without it
 * (148 → 130 ms), so they come from elsewhere; the harness is lighter all the same.
 */
async function fetchMetrics(base: string, gzip: boolean): Promise<{ ms: number; bytes: number; body: Buffer }> {
  const started = performance.now();
  const response = await request(`${base}/metrics`, {
    headers: gzip ? { 'accept-encoding': 'gzip' } : {},
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  const ms = performance.now() - started;
  if (gzip !== (response.headers['content-encoding'] === 'gzip')) throw new Error('unexpected content-encoding');
  return { ms, bytes: body.byteLength, body };
}

/** The exporter's own metrics come last in its body: the last 2 MB hold them, whatever the fleet's size. */
const SELF_METRICS_TAIL_BYTES = 2 * 1024 * 1024;
const tailText = (body: Buffer): string =>
  body.subarray(Math.max(0, body.byteLength - SELF_METRICS_TAIL_BYTES)).toString();

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const selfGauge = (text: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

/** A histogram's cumulative buckets (le in seconds → count) from an exposition; empty when absent. */
function histogramBuckets(text: string, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const match of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm'))) {
    buckets.set(match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** The upper bound (ms) of the bucket where the window's observations (end − start) reach quantile q. */
function bucketQuantileMs(start: Map<number, number>, end: Map<number, number>, q: number): number | undefined {
  const bounds = [...end.keys()].sort((a, b) => a - b);
  const total = (end.get(Number.POSITIVE_INFINITY) ?? 0) - (start.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return undefined;
  for (const bound of bounds) {
    if ((end.get(bound) ?? 0) - (start.get(bound) ?? 0) >= q * total) return bound * 1000;
  }
  return undefined;
}

/** Series lines of stream families (stream_clients_* or srs_stream*), what both contenders must serve. */
function countStreamSeries(body: Buffer): number {
  let count = 0;
  for (const prefix of ['stream_clients_', 'srs_stream']) {
    const needle = Buffer.from(`\n${prefix}`);
    if (body.subarray(0, prefix.length).toString() === prefix) count++;
    for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) count++;
  }
  return count;
}

interface Row {
  readonly contender: 'fleet-json-exporter' | 'naive' | 'floor' | 'floor-undici';
  readonly cpuPercentOfTwoCores: number;
  readonly maxRssMb: number;
  readonly gzipP50Ms: number;
  readonly gzipP99Ms: number;
  readonly gzipMaxMs: number;
  readonly plainP50Ms: number;
  readonly plainP99Ms: number;
  readonly gzipBytes: number;
  readonly plainBytes: number;
  /** The first gzip body's size once decompressed (checked once per contender): about plainBytes. */
  readonly gzipPlainBytes: number | undefined;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly missedScrapes: number;
  /** /metrics requests that failed (connection reset, timeout): not in the percentiles. */
  readonly failedPulls: number;
  /** The exporter's V8 heap and Buffer memory at its last plain pull (diagnostics; the naive one has none). */
  readonly heapUsedMb: number | undefined;
  readonly externalMb: number | undefined;
  readonly streamSeries: number;
  readonly eventLoopDelayP99MaxMs: number | undefined;
  /**
   * The exporter's own view of lag: the bucket bound (ms) under which 99 % of its scrapes started after their slot
   * in the window (fleet_json_exporter_fleet_scrape_lag_seconds). Beside the targets' lag, it tells the exporter's
   * delays from the simulator's (which shares the cores and stamps arrivals on its own event loop).
   */
  readonly schedulerLagP99BucketMs: number | undefined;
  /**
   * The simulator's own event-loop delay over the window (p99 and max, ms): the targets' lag is stamped on that
   * loop, so lag at or below it is the simulator's, not the scheduler's.
   */
  readonly simulatorLoopDelayP99Ms: number | undefined;
  readonly simulatorLoopDelayMaxMs: number | undefined;
}

/** One contender for the window: an HA pair of gzip pullers and one plain client, each once per interval. */
async function measure(
  contender: Row['contender'],
  pid: number,
  base: string,
  simulator: ChildProcess | undefined,
): Promise<Row> {
  const intervalMs = flags.intervalS * 1000;
  progress(`${contender}: warming up for ${flags.intervalS + 5} s`);
  await sleep(intervalMs + 5000);
  await fetchMetrics(base, true).catch(() => undefined);
  if (simulator !== undefined) await takeGaps(simulator);
  const before = processUsage(pid);
  const startedAt = performance.now();
  const gzip: number[] = [];
  const plain: number[] = [];
  let gzipBytes = 0;
  let plainBytes = 0;
  let streamSeries = 0;
  let gzipPlainBytes: number | undefined;
  let loopDelay: number | undefined;
  let failedPulls = 0;
  let heapMb: number | undefined;
  let externalMb: number | undefined;
  let lagBucketsFirst: Map<number, number> | undefined;
  let lagBucketsLast: Map<number, number> | undefined;
  progress(`${contender}: measuring for ${flags.windowS} s`);
  const puller = async (phase: number, zipped: boolean): Promise<void> => {
    await sleep(phase * intervalMs);
    while (performance.now() - startedAt < flags.windowS * 1000) {
      const due = performance.now() + intervalMs;
      const fetched = await fetchMetrics(base, zipped).catch((err: unknown) => {
        progress(`${contender}: /metrics failed: ${(err as Error).message}`);
        failedPulls++;
        return undefined;
      });
      if (fetched === undefined) {
        await sleep(Math.max(0, due - performance.now()));
        continue;
      }
      (zipped ? gzip : plain).push(fetched.ms);
      if (zipped) {
        gzipBytes = fetched.bytes;
        // The gzip body is checked once per contender (whole, valid, the plain body's size), not decoded every pull.
        if (gzipPlainBytes === undefined) gzipPlainBytes = gunzipSync(fetched.body).byteLength;
      } else {
        plainBytes = fetched.bytes;
        streamSeries = countStreamSeries(fetched.body);
        const tail = tailText(fetched.body);
        // Ours since this change; before it, prom-client's (10 ms resolution) was the only one.
        const own = selfGauge(tail, 'fleet_json_exporter_event_loop_delay_p99_seconds');
        const delay = (Number.isFinite(own) ? own : selfGauge(tail, 'nodejs_eventloop_lag_p99_seconds')) * 1000;
        heapMb = Math.round(selfGauge(tail, 'nodejs_heap_size_used_bytes') / 2 ** 20);
        externalMb = Math.round(selfGauge(tail, 'nodejs_external_memory_bytes') / 2 ** 20);
        if (Number.isFinite(delay)) loopDelay = Math.max(loopDelay ?? 0, delay);
        const lagBuckets = histogramBuckets(tail, 'fleet_json_exporter_fleet_scrape_lag_seconds');
        if (lagBuckets.size > 0) {
          lagBucketsFirst ??= lagBuckets;
          lagBucketsLast = lagBuckets;
        }
      }
      await sleep(Math.max(0, due - performance.now()));
    }
  };
  await Promise.all([puller(0, true), puller(1 / 3, true), puller(2 / 3, false)]);
  const after = processUsage(pid);
  const wallS = (performance.now() - startedAt) / 1000;
  const report = simulator === undefined ? { gaps: [] } : await takeGaps(simulator);
  const gaps = report.gaps;
  const lags = gaps.map((gap) => Math.abs(gap - intervalMs));
  const missed = gaps.reduce((sum, gap) => sum + (gap > 1.5 * intervalMs ? Math.round(gap / intervalMs) - 1 : 0), 0);
  return {
    contender,
    cpuPercentOfTwoCores: round(((after.cpuSeconds - before.cpuSeconds) / wallS / 2) * 100),
    maxRssMb: Math.round(after.peakRssBytes / 2 ** 20),
    gzipP50Ms: Math.round(quantile(gzip, 0.5)),
    gzipP99Ms: Math.round(quantile(gzip, 0.99)),
    gzipMaxMs: Math.round(Math.max(...gzip)),
    plainP50Ms: Math.round(quantile(plain, 0.5)),
    plainP99Ms: Math.round(quantile(plain, 0.99)),
    gzipBytes,
    plainBytes,
    gzipPlainBytes,
    lagP50Ms: round(quantile(lags, 0.5)),
    lagP99Ms: round(quantile(lags, 0.99)),
    missedScrapes: missed,
    failedPulls,
    heapUsedMb: heapMb,
    externalMb,
    streamSeries,
    eventLoopDelayP99MaxMs: loopDelay === undefined ? undefined : round(loopDelay),
    simulatorLoopDelayP99Ms: report.loopDelayP99Ms === undefined ? undefined : round(report.loopDelayP99Ms),
    simulatorLoopDelayMaxMs: report.loopDelayMaxMs === undefined ? undefined : round(report.loopDelayMaxMs),
    schedulerLagP99BucketMs:
      lagBucketsFirst === undefined || lagBucketsLast === undefined
        ? undefined
        : bucketQuantileMs(lagBucketsFirst, lagBucketsLast, 0.99),
  };
}

interface SimulatorReport {
  readonly gaps: number[];
  /** The simulator's own event-loop delay since the last report (ms): it stamps requests on that loop. */
  readonly loopDelayP99Ms?: number;
  readonly loopDelayMaxMs?: number;
}

/** The simulator's request gaps; none (and a word on stderr) if it does not answer within 30 s. */
function takeGaps(simulator: ChildProcess): Promise<SimulatorReport> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      progress('the simulator did not report its request gaps: lag unknown');
      resolve({ gaps: [] });
    }, 30_000);
    simulator.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as SimulatorReport);
    });
    if (simulator.connected) simulator.send('take-request-gaps');
  });
}

function configYaml(): string {
  const modules =
    flags.module === 'srs_streams'
      ? 'modules:\n  default: { preset: srs_streams }\n'
      : readFileSync(join(dist, '..', 'test', 'fixtures', 'config', 'srs-reference.yml'), 'utf8');
  return (
    modules +
    `fleet:\n  scrape_interval: ${flags.intervalS}s\n  scrape_timeout: ${Math.min(10, flags.intervalS)}s\n` +
    `  concurrency: ${flags.concurrency}\n  jobs:\n    - name: srs-edge\n      module: default\n` +
    `      labels: { cluster: bench }\n      file_sd: [targets.json]\n`
  );
}

/** The floors `--floor` measures: fleet mode's own client, then undici's request as the naive aggregator uses it. */
const FLOORS: ReadonlyArray<readonly [Row['contender'], 'lean' | 'undici']> = [
  ['floor', 'lean'],
  ['floor-undici', 'undici'],
];

async function runShape(targets: number, streams: number): Promise<{ rows: Row[]; shape: string }> {
  const shape = `${targets}x${streams}`;
  progress(`${shape}: starting the simulator (${targets} SRS servers on ${Math.min(targets, flags.ports)} ports)`);
  const fileSd = join(dir, 'targets.json');
  const simulator = await startChild(
    [
      ...flags.simulatorNodeArgs,
      join(dist, 'bench/simulator/cli.js'),
      ...['--servers', String(targets), '--streams', String(streams), '--seed', '1'],
      ...['--ports', String(flags.ports), '--file-sd', fileSd],
      // SRS answers 10 streams by default; the reference config does not page, so it asks for them all.
      ...(flags.module === 'reference' ? ['--api-path', '/api/v1/streams/?count=1000'] : []),
    ],
    /file_sd written/,
    true,
  );
  const rows: Row[] = [];
  try {
    const port = await freePort();
    const config = join(dir, 'config.yml');
    writeFileSync(config, configYaml());
    progress(`${shape}: starting the exporter`);
    const exporter = await startChild(
      [
        ...flags.exporterNodeArgs,
        join(dist, 'src/cli.js'),
        `--config.file=${config}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
        ...flags.exporterArgs,
      ],
      undefined,
      false,
      flags.exporterEnv,
    );
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      try {
        const ready = await request(`${base}/-/ready`);
        // Consumed: an unread body left on a socket the exporter later resets is an unhandled error here.
        await ready.body.dump();
        if (ready.statusCode === 200) break;
      } catch {
        await sleep(100);
      }
    }
    rows.push(await measure('fleet-json-exporter', exporter.pid as number, base, simulator));
    await stopChild(exporter);
    if (flags.naive) {
      const naivePort = await freePort();
      progress(`${shape}: starting the naive aggregator`);
      const naive = await startChild(
        [join(dist, 'bench/naive-aggregator.js'), fileSd, String(flags.intervalS), String(naivePort)],
        /listening/,
      );
      rows.push(await measure('naive', naive.pid as number, `http://127.0.0.1:${naivePort}`, simulator));
      await stopChild(naive);
    }
    for (const [contender, client] of flags.floor ? FLOORS : []) {
      const floorPort = await freePort();
      progress(`${shape}: starting the floor (fetch and JSON.parse only, ${client} client)`);
      const floor = await startChild(
        [join(dist, 'bench/fleet-floor.js'), fileSd, String(flags.intervalS), String(floorPort), client],
        /listening/,
      );
      rows.push(await measure(contender, floor.pid as number, `http://127.0.0.1:${floorPort}`, simulator));
      await stopChild(floor);
    }
  } finally {
    await stopChild(simulator);
  }
  return { rows, shape };
}

/** A bar chart per measure: ours beside the naive aggregator, per shape. */
function svgChart(results: Array<{ shape: string; rows: Row[] }>): string {
  const measures: Array<[keyof Row, string]> = [
    ['cpuPercentOfTwoCores', 'CPU % of 2 cores'],
    ['maxRssMb', 'max RSS MB'],
    ['gzipP99Ms', 'gzip /metrics p99 ms'],
    ['plainP99Ms', 'plain /metrics p99 ms'],
    ['lagP99Ms', 'target lag p99 ms'],
  ];
  const width = 220;
  let x = 10;
  let body = '';
  for (const [key, title] of measures) {
    const values = results.flatMap((r) => r.rows.map((row) => Number(row[key]) || 0));
    const max = Math.max(1, ...values);
    body += `<text x="${x}" y="16" font-size="12">${title}</text>`;
    let bx = x;
    for (const result of results) {
      for (const row of result.rows) {
        const value = Number(row[key]) || 0;
        const h = (value / max) * 160;
        const colour = row.contender === 'naive' ? '#999' : row.contender.startsWith('floor') ? '#ccc' : '#2a7';
        body += `<rect x="${bx}" y="${190 - h}" width="20" height="${h}" fill="${colour}"/>`;
        body += `<text x="${bx}" y="${186 - h}" font-size="9">${value}</text>`;
        bx += 22;
      }
      body += `<text x="${bx - 44}" y="204" font-size="9">${result.shape}</text>`;
      bx += 12;
    }
    x += width;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="230" font-family="sans-serif">` +
    `${body}<text x="10" y="224" font-size="10">green: fleet-json-exporter, grey: naive aggregator, light grey: floors (fetch and parse only: our client, undici)</text></svg>\n`
  );
}

async function measureUrl(url: string): Promise<void> {
  const gzip: number[] = [];
  const plain: number[] = [];
  const endAt = performance.now() + flags.windowS * 1000;
  progress(`measuring ${url}/metrics for ${flags.windowS} s, gzip and plain alternately`);
  for (let turn = 0; performance.now() < endAt; turn++) {
    const fetched = await fetchMetrics(url, turn % 2 === 0);
    (turn % 2 === 0 ? gzip : plain).push(fetched.ms);
    await sleep(1000);
  }
  const result = {
    url,
    gzipP50Ms: quantile(gzip, 0.5),
    gzipP99Ms: quantile(gzip, 0.99),
    plainP50Ms: quantile(plain, 0.5),
    plainP99Ms: quantile(plain, 0.99),
  };
  console.table(result);
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, JSON.stringify(result, null, 2) + '\n');
}

async function main(): Promise<void> {
  if (flags.url !== undefined) return measureUrl(flags.url.replace(/\/$/, ''));
  const load = loadavg()[0] ?? 0;
  const results: Array<{ shape: string; rows: Row[] }> = [];
  for (const { targets, streams } of flags.shapes) results.push(await runShape(targets, streams));
  for (const { shape, rows } of results) {
    process.stdout.write(`\n${shape} (interval ${flags.intervalS} s, window ${flags.windowS} s, ${flags.module})\n`);
    const ours = rows.find((row) => row.contender === 'fleet-json-exporter');
    const naive = rows.find((row) => row.contender === 'naive');
    const table: Record<string, Record<string, number | string | undefined>> = {};
    for (const row of rows) {
      const { contender, ...rest } = row;
      table[contender] = rest;
    }
    if (ours !== undefined && naive !== undefined) {
      const ratios: Record<string, number | string | undefined> = {};
      for (const key of Object.keys(ours) as Array<keyof Row>) {
        const a = Number(ours[key]);
        const b = Number(naive[key]);
        if (key !== 'contender' && Number.isFinite(a) && Number.isFinite(b) && b !== 0) ratios[key] = round(a / b, 2);
      }
      table['ours / naive'] = ratios;
    }
    console.table(table);
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    loadAverageAtStart: round(load, 2),
    intervalS: flags.intervalS,
    windowS: flags.windowS,
    module: flags.module,
    ports: flags.ports,
    exporterEnv: flags.exporterEnv,
    results,
  };
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(flags.out.replace(/\.json$/, '') + '.svg', svgChart(results));
  progress(`results written to ${flags.out} and its .svg`);
}

try {
  await main();
} finally {
  await Promise.all([...children].map(stopChild));
  rmSync(dir, { recursive: true, force: true });
}

// Question: does the exporter stay up, answer correctly and keep its memory flat for N minutes of fleet mode and
// /probe at once, with healthy targets beside misbehaving ones (slow, HTTP 500, invalid JSON, SRS code 2048, a hang,
// a trickle, a huge body, a gzip bomb)? The exporter runs in a child process (its RSS and CPU are its own, from
// /proc); targets and load run here, all on 127.0.0.1. Progress on stderr, the result as JSON in --out.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { MISBEHAVIOURS, startMisbehavingServers } from './misbehaving-servers.js';
import { memoryMap, type MemoryMap } from './memory-map.js';
import { processUsage } from './process-usage.js';
import { startFleetSimulator, type SimulatedFault } from './simulator/fleet-simulator.js';

const USAGE = `usage: npm run soak -- [flags]

Fleet mode and /probe at once against healthy and misbehaving targets on 127.0.0.1, for a bounded time; reports
unexpected errors, p50/p99 latencies, and the exporter's RSS at the start (after warm-up), middle and end.

  --minutes=5            how long to run after start-up (fractions allowed: 0.5)
  --warmup=<seconds>     excluded from the RSS growth (default: 60, or a fifth of the run if shorter)
  --servers=40           healthy simulated SRS servers (4 more get the faults slow, http_500, invalid_json, code_2048)
  --streams=50           streams per simulated server
  --interval=5           fleet scrape interval in seconds (timeout: 3 s)
  --probe-lanes=8        /probe requests kept in flight by the driver
  --out=<file>           the JSON result (default: <tmpdir>/fje-soak-<time>.json)
  --exporter-env=K=V     repeatable: environment for the exporter (e.g. MALLOC_ARENA_MAX=2, to tell allocator
                         growth from a leak)
  --help                 this text

Done when: zero unexpected errors and RSS growth < 10 % between the end of the warm-up and the end.`;

function usageError(message: string): never {
  process.stderr.write(`soak: ${message}\n\nRun 'npm run soak -- --help' for usage.\n`);
  process.exit(2);
}

let values: ReturnType<typeof parseFlags>;
function parseFlags() {
  return parseArgs({
    args: process.argv.slice(2),
    strict: true,
    allowPositionals: false,
    options: {
      minutes: { type: 'string', default: '5' },
      warmup: { type: 'string' },
      servers: { type: 'string', default: '40' },
      streams: { type: 'string', default: '50' },
      interval: { type: 'string', default: '5' },
      'probe-lanes': { type: 'string', default: '8' },
      out: { type: 'string' },
      'exporter-env': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  }).values;
}
try {
  values = parseFlags();
} catch (err) {
  usageError((err as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

function positive(name: string, text: string | undefined, integer: boolean): number {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    usageError(`--${name} must be a positive ${integer ? 'whole ' : ''}number (got "${text}")`);
  return value;
}

const MINUTES = positive('minutes', values.minutes, false);
const RUN_S = MINUTES * 60;
const WARMUP_S = values.warmup === undefined ? Math.min(60, RUN_S / 5) : positive('warmup', values.warmup, false);
if (WARMUP_S >= RUN_S) usageError(`--warmup (${WARMUP_S} s) must be shorter than the run (${RUN_S} s)`);
const SERVERS = positive('servers', values.servers, true);
const STREAMS = positive('streams', values.streams, true);
const INTERVAL_S = positive('interval', values.interval, true);
const LANES = positive('probe-lanes', values['probe-lanes'], true);
const OUT = values.out ?? join(tmpdir(), `fje-soak-${new Date().toISOString().replaceAll(':', '-')}.json`);
const EXPORTER_ENV: Record<string, string> = {};
for (const pair of values['exporter-env'] ?? []) {
  const equals = pair.indexOf('=');
  if (equals <= 0) usageError(`--exporter-env must be NAME=value (got "${pair}")`);
  EXPORTER_ENV[pair.slice(0, equals)] = pair.slice(equals + 1);
}
const SCRAPE_TIMEOUT_S = 3;
/** The exporter's body limit: the huge body and the gzip bomb exceed it, a healthy body does not. */
const MAX_BODY_BYTES = 4 << 20;

const dist = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'fje-soak-'));
const children: ChildProcess[] = [];
const started = performance.now();
const elapsedS = (): number => (performance.now() - started) / 1000;

function log(message: string): void {
  process.stderr.write(`[soak ${elapsedS().toFixed(0).padStart(4)} s] ${message}\n`);
}

// Bounded whatever happens: the run, plus start-up and shutdown, plus a margin.
const backstop = setTimeout(
  () => {
    log('the soak ran past its bound: stopping');
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  },
  (RUN_S + 180) * 1000,
);
backstop.unref();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What a target of each kind must give: success, or a failure with one of these reasons. */
type Kind = 'healthy' | SimulatedFault | (typeof MISBEHAVIOURS)[number];
const EXPECTED: Readonly<Record<Kind, readonly string[]>> = {
  healthy: ['ok'],
  slow: ['ok'], // answers after 1.5 s, inside the 3 s timeout
  gzip_ok: ['ok'],
  http_500: ['invalid_status'],
  invalid_json: ['invalid_json'],
  code_2048: ['api_error'],
  hang: ['timeout'],
  trickle: ['timeout'],
  huge: ['body_too_large'],
  gzip_bomb: ['body_too_large'],
};

interface Target {
  readonly url: string;
  readonly kind: Kind;
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

interface Unexpected {
  readonly atS: number;
  readonly where: string;
  readonly detail: string;
}

async function main(): Promise<number> {
  log(`starting ${SERVERS + 4} simulated SRS servers × ${STREAMS} streams and the misbehaving targets`);
  const simulator = await startFleetSimulator({
    servers: SERVERS + 4,
    streamsPerServer: STREAMS,
    seed: 17,
    churnIntervalMs: 1000,
    slowDelayMs: 1500,
  });
  const faults: SimulatedFault[] = ['slow', 'http_500', 'invalid_json', 'code_2048'];
  for (const [index, fault] of faults.entries()) simulator.setFault(index, fault);
  const misbehaving = await startMisbehavingServers({ hugeBytes: 3 * MAX_BODY_BYTES, streams: STREAMS });
  const targets: Target[] = [
    ...simulator.urls.map((url, index) => ({ url, kind: (faults[index] ?? 'healthy') as Kind })),
    ...MISBEHAVIOURS.map((kind) => ({ url: misbehaving.urls[kind], kind })),
  ];
  const kindOf = new Map(targets.map((target) => [target.url, target.kind]));

  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `modules:\n  default: { preset: srs_streams }\nfleet:\n  scrape_interval: ${INTERVAL_S}s\n  scrape_timeout: ${SCRAPE_TIMEOUT_S}s\n` +
      `  max_body_bytes: ${MAX_BODY_BYTES}\n  jobs:\n    - name: soak\n      module: default\n      static_targets:\n` +
      targets.map((target) => `        - "${target.url}"\n`).join(''),
  );
  log('starting the exporter');
  const exporter = spawn(
    process.execPath,
    [
      join(dist, 'src/cli.js'),
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--scrape.max-body-bytes=${MAX_BODY_BYTES}`,
      '--log.level=warn',
      '--shutdown.timeout=5s',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...EXPORTER_ENV } },
  );
  children.push(exporter);
  let exporterStderr = '';
  exporter.stderr?.on('data', (chunk: Buffer) => {
    exporterStderr = (exporterStderr + chunk.toString()).slice(-20_000);
  });
  const unexpected: Unexpected[] = [];
  let unexpectedCount = 0;
  /** Unexpected errors seen before the end of the warm-up (start-up: JIT, workers spawning), counted in the total too. */
  let unexpectedInWarmup = 0;
  let runStart = Number.POSITIVE_INFINITY;
  const fail = (where: string, detail: string): void => {
    unexpectedCount++;
    if (elapsedS() - runStart < WARMUP_S) unexpectedInWarmup++;
    if (unexpected.length < 20)
      unexpected.push({ atS: round(elapsedS() - Math.min(runStart, elapsedS())), where, detail });
  };
  let exited = false;
  exporter.once('exit', (code, signal) => {
    exited = true;
    if (!stopping) fail('exporter', `exited during the soak: code ${code}, signal ${signal}`);
  });
  let stopping = false;

  const base = `http://127.0.0.1:${port}`;
  const dispatcher = new Agent({ connections: LANES + 4, headersTimeout: 30_000, bodyTimeout: 30_000 });
  for (let i = 0; ; i++) {
    try {
      if ((await request(`${base}/-/ready`, { dispatcher })).statusCode === 200) break;
    } catch {
      if (i >= 200 || exited) throw new Error(`the exporter did not start: ${exporterStderr}`);
      await sleep(50);
    }
  }
  const pid = exporter.pid as number;
  runStart = elapsedS();
  const endAt = runStart + RUN_S;
  log(`running ${MINUTES} min: ${targets.length} fleet targets every ${INTERVAL_S} s, ${LANES} /probe lanes`);

  // /probe: every lane walks the targets round-robin, each answer checked against its kind.
  const probeLatencies = new Map<Kind, number[]>();
  const probeCounts = new Map<Kind, Record<string, number>>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (elapsedS() < endAt && !exited) {
      const target = targets[next++ % targets.length] as Target;
      const t0 = performance.now();
      try {
        const response = await request(`${base}/probe?module=default&target=${encodeURIComponent(target.url)}`, {
          dispatcher,
          headers: { 'x-prometheus-scrape-timeout-seconds': String(SCRAPE_TIMEOUT_S + 0.5) },
        });
        const text = await response.body.text();
        const ms = performance.now() - t0;
        const outcome =
          response.statusCode === 200
            ? 'ok'
            : (/\(reason: (\w+)\)\n$/.exec(text)?.[1] ?? `status_${response.statusCode}`);
        const counts = probeCounts.get(target.kind) ?? {};
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        probeCounts.set(target.kind, counts);
        if (!EXPECTED[target.kind].includes(outcome)) {
          fail(`/probe ${target.kind}`, `status ${response.statusCode}: ${text.slice(0, 300)}`);
        }
        const latencies = probeLatencies.get(target.kind) ?? [];
        latencies.push(ms);
        probeLatencies.set(target.kind, latencies);
      } catch (err) {
        if (!exited) fail(`/probe ${target.kind}`, `request failed: ${(err as Error).message}`);
      }
    }
  };

  // /metrics (gzip, as Prometheus asks), RSS and the V8 heap every 5 s; /targets every 15 s (new fleet failures are
  // reported when they appear, so each is attributed to its time), and its up/down states at the middle and the end.
  const metricsLatencies: number[] = [];
  const rss: Array<
    {
      atS: number;
      rssMiB: number;
      heapUsedMiB: number;
      heapTotalMiB: number;
      externalMiB: number;
      cpuSeconds: number;
    } & Partial<MemoryMap>
  > = [];
  let lastHeap = { heapUsedMiB: Number.NaN, heapTotalMiB: Number.NaN, externalMiB: Number.NaN };
  const sample = (): void => {
    if (exited) return;
    const usage = processUsage(pid);
    let map: MemoryMap | undefined;
    try {
      map = memoryMap(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
    } catch {
      // Not Linux, or the exporter just exited: RSS alone.
    }
    rss.push({
      atS: round(elapsedS() - runStart),
      rssMiB: round(usage.rssBytes / 2 ** 20),
      ...lastHeap,
      cpuSeconds: usage.cpuSeconds,
      ...map,
    });
  };
  const readHeap = (gzipped: ArrayBuffer): void => {
    const text = gunzipSync(Buffer.from(gzipped)).toString('utf8');
    const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
    lastHeap = {
      heapUsedMiB: round(gauge('nodejs_heap_size_used_bytes')),
      heapTotalMiB: round(gauge('nodejs_heap_size_total_bytes')),
      externalMiB: round(gauge('nodejs_external_memory_bytes')),
    };
  };
  /** Fleet failures already reported, by target and reason: /targets counts since discovery, we report what is new. */
  const fleetFailuresSeen = new Map<string, number>();
  const checkTargets = async (when: string, checkStates: boolean): Promise<{ up: number; down: number }> => {
    const response = await request(`${base}/targets?format=json`, { dispatcher });
    const report = (await response.body.json()) as {
      targets: Array<{ url: string; state: string; errorsByReason: Record<string, number> }>;
    };
    let up = 0;
    let down = 0;
    for (const entry of report.targets) {
      const kind = kindOf.get(entry.url.split('?')[0] ?? entry.url) ?? kindOf.get(entry.url);
      if (kind === undefined) {
        fail(`/targets ${when}`, `unknown target ${entry.url}`);
        continue;
      }
      if (entry.state === 'up') up++;
      if (entry.state === 'down') down++;
      for (const [reason, count] of Object.entries(entry.errorsByReason)) {
        const key = `${entry.url} ${reason}`;
        const fresh = count - (fleetFailuresSeen.get(key) ?? 0);
        fleetFailuresSeen.set(key, count);
        if (fresh > 0 && !EXPECTED[kind].includes(reason)) {
          for (let i = 0; i < fresh; i++) fail(`fleet ${kind}`, `${entry.url} failed with ${reason}`);
        }
      }
      const shouldBeUp = EXPECTED[kind].includes('ok');
      if (checkStates && entry.state !== 'unknown' && (entry.state === 'up') !== shouldBeUp) {
        fail(`fleet ${kind}`, `${entry.url} is ${entry.state} at the ${when}`);
      }
    }
    return { up, down };
  };
  const monitor = async (): Promise<{ middle: { up: number; down: number }; end: { up: number; down: number } }> => {
    let middle = { up: 0, down: 0 };
    let checkedMiddle = false;
    let lastProgress = 0;
    for (let tick = 0; elapsedS() < endAt && !exited; tick++) {
      const t0 = performance.now();
      try {
        const response = await request(`${base}/metrics`, { dispatcher, headers: { 'accept-encoding': 'gzip' } });
        const body = await response.body.arrayBuffer();
        if (response.statusCode !== 200) fail('/metrics', `status ${response.statusCode}`);
        metricsLatencies.push(performance.now() - t0);
        readHeap(body);
      } catch (err) {
        if (!exited) fail('/metrics', (err as Error).message);
      }
      sample();
      if (!checkedMiddle && elapsedS() >= runStart + RUN_S / 2) {
        checkedMiddle = true;
        middle = await checkTargets('middle', true);
      } else if (tick % 3 === 2) {
        await checkTargets('run', false);
      }
      if (elapsedS() - lastProgress >= 30) {
        lastProgress = elapsedS();
        const last = rss.at(-1);
        log(
          `RSS ${last?.rssMiB} MiB, ${[...probeLatencies.values()].reduce((n, xs) => n + xs.length, 0)} probes, ${unexpectedCount} unexpected`,
        );
      }
      await sleep(5000);
    }
    sample();
    return { middle, end: exited ? { up: 0, down: 0 } : await checkTargets('end', true) };
  };

  const [fleetStates] = await Promise.all([monitor(), ...Array.from({ length: LANES }, lane)]);
  stopping = true;
  log('stopping the exporter with SIGTERM');
  const stopStarted = performance.now();
  const exitCode = exited
    ? exporter.exitCode
    : await new Promise<number | null>((resolve) => {
        exporter.once('exit', (code) => resolve(code));
        exporter.kill('SIGTERM');
      });
  const shutdownMs = performance.now() - stopStarted;
  if (exitCode !== 0) fail('shutdown', `exit code ${exitCode} after SIGTERM`);
  await dispatcher.close();
  await Promise.all([simulator.close(), misbehaving.close()]);

  // RSS: the first sample after the warm-up, the one nearest the middle of what follows, and the last.
  const afterWarmup = rss.filter((s) => s.atS >= WARMUP_S);
  const startSample = afterWarmup[0];
  const endSample = afterWarmup.at(-1);
  const middleSample = afterWarmup[Math.floor(afterWarmup.length / 2)];
  const growthPct =
    startSample !== undefined && endSample !== undefined
      ? round(((endSample.rssMiB - startSample.rssMiB) / startSample.rssMiB) * 100)
      : Number.NaN;
  const maxRss = Math.max(...rss.map((s) => s.rssMiB));
  const cpuSeconds = (rss.at(-1)?.cpuSeconds ?? 0) - (rss[0]?.cpuSeconds ?? 0);
  const probes = Object.fromEntries(
    [...probeLatencies.entries()].map(([kind, latencies]) => {
      const sorted = [...latencies].sort((a, b) => a - b);
      return [
        kind,
        {
          count: sorted.length,
          p50Ms: round(quantile(sorted, 0.5)),
          p99Ms: round(quantile(sorted, 0.99)),
          outcomes: probeCounts.get(kind),
        },
      ];
    }),
  );
  const metricsSorted = [...metricsLatencies].sort((a, b) => a - b);
  const result = {
    question: 'fleet mode + /probe with healthy and misbehaving targets: unexpected errors, latency, RSS over time',
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: {
      minutes: MINUTES,
      warmupSeconds: WARMUP_S,
      fleetTargets: targets.length,
      healthyServers: SERVERS,
      streams: STREAMS,
      intervalSeconds: INTERVAL_S,
      scrapeTimeoutSeconds: SCRAPE_TIMEOUT_S,
      probeLanes: LANES,
      maxBodyBytes: MAX_BODY_BYTES,
      exporterEnv: EXPORTER_ENV,
    },
    unexpectedErrors: unexpectedCount,
    unexpectedErrorsInWarmup: unexpectedInWarmup,
    unexpectedExamples: unexpected,
    probes,
    probesTotal: [...probeLatencies.values()].reduce((n, xs) => n + xs.length, 0),
    metrics: {
      count: metricsSorted.length,
      p50Ms: round(quantile(metricsSorted, 0.5)),
      p99Ms: round(quantile(metricsSorted, 0.99)),
    },
    fleet: fleetStates,
    rss: {
      startMiB: startSample?.rssMiB,
      middleMiB: middleSample?.rssMiB,
      endMiB: endSample?.rssMiB,
      maxMiB: maxRss,
      growthPct,
      heapUsedMiB: { start: startSample?.heapUsedMiB, middle: middleSample?.heapUsedMiB, end: endSample?.heapUsedMiB },
      // Where the RSS lies (memory-map.ts): malloc arenas growing is the allocator; other anonymous memory, V8 heaps.
      byKind: Object.fromEntries(
        (
          ['mallocMainMiB', 'mallocThreadArenasMiB', 'mallocThreadArenas', 'otherAnonymousMiB', 'filesMiB'] as const
        ).map((key) => [key, { start: startSample?.[key], middle: middleSample?.[key], end: endSample?.[key] }]),
      ),
      samples: rss,
    },
    exporterCpuSeconds: round(cpuSeconds),
    shutdown: { exitCode, ms: round(shutdownMs) },
    pass: unexpectedCount === 0 && growthPct < 10,
  };
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  log(
    `done: ${result.probesTotal} probes, ${unexpectedCount} unexpected errors (${unexpectedInWarmup} in the warm-up); heap used ${startSample?.heapUsedMiB} → ${middleSample?.heapUsedMiB} → ${endSample?.heapUsedMiB} MiB; RSS ${startSample?.rssMiB} → ${middleSample?.rssMiB} → ${endSample?.rssMiB} MiB (${growthPct} %), max ${maxRss} MiB; /metrics p99 ${result.metrics.p99Ms} ms; shutdown exit ${exitCode} in ${round(shutdownMs)} ms`,
  );
  const kinds = (sample: (typeof rss)[number] | undefined): string =>
    `malloc main ${sample?.mallocMainMiB}, thread arenas ${sample?.mallocThreadArenasMiB} (${sample?.mallocThreadArenas}), other anonymous ${sample?.otherAnonymousMiB}, files ${sample?.filesMiB}`;
  log(`RSS by kind (MiB), start: ${kinds(startSample)}`);
  log(`RSS by kind (MiB), end:   ${kinds(endSample)}`);
  for (const example of unexpected.slice(0, 5))
    log(`unexpected at ${example.atS} s, ${example.where}: ${example.detail}`);
  log(`result: ${OUT}`);
  return result.pass ? 0 : 1;
}

main().then(
  (code) => {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = code;
  },
  (err: unknown) => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

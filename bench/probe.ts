// bench:probe — /probe under load beside its floors: our exporter (reference config and the srs_streams preset), a
// Node floor doing only fetch + JSON.parse + a fixed reply, and optionally the Go json_exporter, on the same bodies,
// connection counts and machine, in one run (ratios within a run are what the targets in bench/README.md compare).
//
//   npm run bench:probe -- [--seconds=5] [--connections=1,10,50,100] [--bodies=2k,50streams,50k,1m]
//                          [--configs=reference,srs_streams] [--json-exporter=PATH] [--url=… --target=…] [--rounds=N]
//
// --rounds=N measures every cell N times, the servers interleaved within each round, and reports each round and the
// medians: the per-round ratios to the floor (ours and the floor measured in the same minute) and their median, as
// bench:hotpath's --rounds does. On a shared 2-core machine one 5 s cell of the floor swung 2,519–5,463 req/s within
// an hour (bench/README.md, issue 16's sixth stop): a single round's ratio is one sample of that noise.
//
// Everything runs on 127.0.0.1: the exporters and the floor are child processes (their CPU and peak RSS are read
// from /proc), the target bodies are served from a worker thread, autocannon drives the load from the main thread.
// Latency percentiles come from every response's own time (autocannon's histogram rounds to whole milliseconds).
import autocannon from 'autocannon';
import { Worker } from 'node:worker_threads';
import { request } from 'undici';
import { parseBenchCli, parseHttpUrl, runBench, UsageError, type BenchSpec } from './bench-cli.js';
import { checkBodyName, bodyOf } from './probe-bodies.js';
import {
  DIST,
  freePort,
  REFERENCE_CONFIG,
  startExporter,
  startServer,
  whileMeasuring,
  type ServerProcess,
} from './server-process.js';
import { renderLineChart } from './svg-chart.js';
import { join } from 'node:path';

const CONFIGS = ['reference', 'srs_streams'] as const;
type ConfigName = (typeof CONFIGS)[number];

const spec: BenchSpec = {
  name: 'probe',
  question:
    'How many /probe requests per second, at what latency, CPU and memory, beside a Node floor (fetch + JSON.parse + fixed reply) and json_exporter?',
  flags: {
    seconds: { type: 'string', default: '5', help: 'measured seconds per cell (after --warmup)' },
    warmup: { type: 'string', default: '1', help: 'seconds of load before each measured cell' },
    connections: { type: 'string', default: '1,10,50,100', help: 'autocannon connections, one cell each' },
    rounds: {
      type: 'string',
      default: '1',
      help: 'measure every cell this many times, servers interleaved per round; the table adds the medians',
    },
    bodies: {
      type: 'string',
      default: '2k,50streams,50k,1m',
      help: 'SRS bodies: sizes (2k, 50k, 1m) or stream counts (50streams)',
    },
    configs: { type: 'string', default: 'reference,srs_streams', help: 'our exporter with: reference, srs_streams' },
    'json-exporter': { type: 'string', help: 'a json_exporter binary: adds its column (reference config)' },
    'no-floor': { type: 'boolean', default: false, help: 'leave out the Node floor' },
    url: { type: 'string', help: 'probe an exporter already running there (your deployment) instead of starting ours' },
    module: { type: 'string', default: 'default', help: 'the module= of --url probes' },
    target: { type: 'string', help: 'probe this JSON API instead of the generated bodies (--bodies is ignored)' },
    'exporter-args': { type: 'string', default: '', help: 'extra flags for our exporter, space-separated' },
    exporter: {
      type: 'string',
      help: "another build's dist/src/cli.js to run as our exporter (compare two commits in one run)",
    },
    'exporter-node-args': {
      type: 'string',
      default: '',
      help: 'node flags for our exporter, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"',
    },
  },
};

interface Cell {
  /** Which round of --rounds measured it (1-based). */
  readonly round: number;
  readonly server: string;
  readonly config: string;
  readonly body: string;
  readonly bodyBytes: number | undefined;
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Connection errors, timeouts and answers other than 200. */
  readonly errors: number;
  /** The server process's CPU (all threads), % of one core; absent for a server we did not start. */
  readonly cpuPercent: number | undefined;
  readonly peakRssMb: number | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** One autocannon run; latencies from each response's time, kept in a growing Float64Array. */
async function load(
  url: string,
  connections: number,
  seconds: number,
): Promise<
  Omit<Cell, 'round' | 'server' | 'config' | 'body' | 'bodyBytes' | 'connections' | 'cpuPercent' | 'peakRssMb'>
> {
  let times = new Float64Array(1 << 16);
  let count = 0;
  // Without a callback autocannon returns its tracker, an EventEmitter that is also the result's thenable.
  // A probe slower than the window counts as a timeout (an error), not as nothing.
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    timeout: Math.max(1, Math.ceil(seconds)),
  }) as unknown as Promise<autocannon.Result> & NodeJS.EventEmitter;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (count === times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      times = grown;
    }
    times[count++] = responseTime;
  });
  const result = await instance;
  const sorted = times.subarray(0, count).sort();
  return {
    requestsPerSecond: Number((result.requests.total / result.duration).toFixed(1)),
    latencyP50Ms: Number(percentile(sorted, 50).toFixed(3)),
    latencyP99Ms: Number(percentile(sorted, 99).toFixed(3)),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** One probe before the load: a wrong setup fails here with its message rather than as a column of errors. */
async function checkProbe(name: string, url: string): Promise<void> {
  const answer = await request(url);
  const text = await answer.body.text();
  if (answer.statusCode !== 200)
    throw new Error(`${name}: ${url} answered ${answer.statusCode}: ${text.slice(0, 300)}`);
}

async function main(): Promise<void> {
  const cli = parseBenchCli(spec);
  const seconds = cli.number('seconds');
  const rounds = cli.number('rounds', { integer: true });
  if (rounds > 20) throw new UsageError(`--rounds must be at most 20 (got ${rounds})`);
  const warmup = cli.number('warmup', { allowZero: true });
  const connections = cli.list('connections', (item) => {
    const n = Number(item);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`not a connection count: ${item}`);
    return n;
  });
  const deploymentUrl = cli.optional('url');
  const targetUrl = cli.optional('target');
  if (deploymentUrl !== undefined) parseHttpUrl(deploymentUrl);
  if (targetUrl !== undefined) parseHttpUrl(targetUrl);
  const bodies = targetUrl === undefined ? cli.list('bodies', checkBodyName) : ['target'];
  const configs: string[] =
    deploymentUrl === undefined
      ? cli.list('configs', (item) => {
          if (!(CONFIGS as readonly string[]).includes(item))
            throw new UsageError(`unknown config ${item} (known: ${CONFIGS.join(', ')})`);
          return item;
        })
      : ['deployment'];
  const jsonExporterPath = cli.optional('json-exporter');
  const split = (text: string): string[] => text.split(' ').filter((part) => part !== '');

  const servers: Array<{
    server: ServerProcess | undefined;
    name: string;
    config: string;
    probeUrl: (target: string) => string;
  }> = [];
  let targets: Worker | undefined;
  try {
    let targetBase = '';
    if (targetUrl === undefined) {
      cli.progress(`generating and serving bodies ${bodies.join(', ')}`);
      targets = new Worker(join(DIST, 'bench', 'probe-targets.js'), { workerData: bodies });
      const port = await new Promise<number>((resolve, reject) => {
        targets?.once('message', resolve);
        targets?.once('error', reject);
      });
      targetBase = `http://127.0.0.1:${port}/`;
    }
    const targetOf = (body: string): string => (targetUrl === undefined ? targetBase + body : targetUrl);
    const probePath = (module: string) => (target: string) =>
      `/probe?module=${encodeURIComponent(module)}&target=${encodeURIComponent(target)}`;

    for (const config of configs) {
      if (deploymentUrl !== undefined) {
        const base = deploymentUrl.replace(/\/$/, '');
        const path = probePath(cli.string('module'));
        servers.push({ server: undefined, name: 'deployment', config, probeUrl: (t) => base + path(t) });
        continue;
      }
      cli.progress(`starting our exporter with the ${config} config`);
      const args = config === 'reference' ? [`--config.file=${REFERENCE_CONFIG}`] : [];
      const server = await startExporter(
        [...args, ...split(cli.string('exporter-args'))],
        split(cli.string('exporter-node-args')),
        cli.optional('exporter'),
      );
      const path = probePath('default');
      servers.push({ server, name: 'ours', config: config as ConfigName, probeUrl: (t) => server.baseUrl + path(t) });
    }
    if (!cli.boolean('no-floor')) {
      const floor = await startServer(
        'node-floor',
        process.execPath,
        [join(DIST, 'bench', 'probe-floor.js')],
        (out) => {
          const port = /listening (\d+)/.exec(out)?.[1];
          return port === undefined ? undefined : Number(port);
        },
      );
      servers.push({
        server: floor,
        name: 'node-floor',
        config: '-',
        probeUrl: (t) => `${floor.baseUrl}/probe?target=${encodeURIComponent(t)}`,
      });
    }
    if (jsonExporterPath !== undefined) {
      const port = await freePort();
      const je = await startServer(
        'json_exporter',
        jsonExporterPath,
        [`--config.file=${REFERENCE_CONFIG}`, `--web.listen-address=127.0.0.1:${port}`],
        (out) => (/Listening on/i.test(out) ? port : undefined),
      );
      const path = probePath('default');
      servers.push({ server: je, name: 'json_exporter', config: 'reference', probeUrl: (t) => je.baseUrl + path(t) });
    }

    const cells: Cell[] = [];
    const total = bodies.length * connections.length * servers.length * rounds;
    const bodyBytes = new Map(bodies.map((b) => [b, targetUrl === undefined ? bodyOf(b).body.byteLength : undefined]));
    for (const body of bodies) {
      for (const s of servers) await checkProbe(`${s.name} (${s.config})`, s.probeUrl(targetOf(body)));
      for (let round = 1; round <= rounds; round++) {
        for (const c of connections) {
          // Servers interleaved per cell, so a change in the machine's load hits every column alike.
          for (const s of servers) {
            const of = rounds > 1 ? `, round ${round}/${rounds}` : '';
            cli.progress(
              `cell ${cells.length + 1}/${total}: ${s.name} ${s.config}, body ${body}, c=${c}, ${seconds} s${of}`,
            );
            const url = s.probeUrl(targetOf(body));
            if (warmup > 0) await load(url, c, warmup);
            const measured = await whileMeasuring(s.server?.child.pid, () => load(url, c, seconds));
            cells.push({
              round,
              server: s.name,
              config: s.config,
              body,
              bodyBytes: bodyBytes.get(body),
              connections: c,
              ...measured.result,
              cpuPercent: measured.cpuPercent === undefined ? undefined : Number(measured.cpuPercent.toFixed(1)),
              peakRssMb:
                measured.peakRssBytes === undefined ? undefined : Number((measured.peakRssBytes / 2 ** 20).toFixed(1)),
            });
          }
        }
      }
    }
    report(cli, cells, bodies, connections, rounds);
  } finally {
    for (const s of servers) await s.server?.stop();
    targets?.postMessage('close');
    await targets?.terminate();
  }
}

function report(
  cli: ReturnType<typeof parseBenchCli>,
  cells: readonly Cell[],
  bodies: readonly string[],
  connections: readonly number[],
  rounds: number,
): void {
  // The floor of the same round: ratios are taken within a round, then their median across rounds.
  const floorOf = (cell: Cell): Cell | undefined =>
    cells.find(
      (f) =>
        f.server === 'node-floor' &&
        f.body === cell.body &&
        f.connections === cell.connections &&
        f.round === cell.round,
    );
  const perRound = cells.map((cell) => {
    const floor = floorOf(cell);
    return {
      ...cell,
      reqPerSecVsFloor:
        floor === undefined ? undefined : Number((cell.requestsPerSecond / floor.requestsPerSecond).toFixed(3)),
      p99VsFloor: floor === undefined ? undefined : Number((cell.latencyP99Ms / floor.latencyP99Ms).toFixed(2)),
    };
  });
  type Row = (typeof perRound)[number];
  const medianRows: Row[] = [];
  if (rounds > 1) {
    const groups = new Map<string, Row[]>();
    for (const row of perRound) {
      const key = `${row.server}|${row.config}|${row.body}|${row.connections}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) {
      const first = group[0] as Row;
      const pick = (read: (row: Row) => number | undefined, digits: number): number | undefined => {
        const values = group.map(read).filter((value): value is number => value !== undefined);
        return values.length === 0 ? undefined : Number(median(values).toFixed(digits));
      };
      medianRows.push({
        ...first,
        round: 0,
        requestsPerSecond: pick((row) => row.requestsPerSecond, 1) as number,
        latencyP50Ms: pick((row) => row.latencyP50Ms, 3) as number,
        latencyP99Ms: pick((row) => row.latencyP99Ms, 3) as number,
        errors: group.reduce((sum, row) => sum + row.errors, 0),
        cpuPercent: pick((row) => row.cpuPercent, 1),
        peakRssMb: group.reduce<number | undefined>(
          (max, row) => (row.peakRssMb === undefined ? max : Math.max(max ?? 0, row.peakRssMb)),
          undefined,
        ),
        reqPerSecVsFloor: pick((row) => row.reqPerSecVsFloor, 3),
        p99VsFloor: pick((row) => row.p99VsFloor, 2),
      });
    }
  }
  // With rounds, the charts and the summary are the medians (round 0 in the result file); without, the one round.
  const rows = [...perRound, ...medianRows];
  const summary: readonly Cell[] = rounds > 1 ? medianRows : perRound;
  const columns = new Map<string, string>();
  for (const cell of cells)
    columns.set(`${cell.server}|${cell.config}`, cell.server === 'ours' ? `ours (${cell.config})` : cell.server);
  const charts = bodies.flatMap((body) => {
    const bytes = summary.find((c) => c.body === body)?.bodyBytes;
    const perCell =
      rounds > 1 ? `medians of ${rounds} rounds of ${cli.string('seconds')} s` : `${cli.string('seconds')} s per cell`;
    const subtitle = `body ${body}${bytes === undefined ? '' : ` (${bytes} B)`}, ${perCell}, ${new Date().toISOString().slice(0, 16)}Z`;
    const series = (pick: (cell: Cell) => number) =>
      [...columns].map(([key, name]) => ({
        name,
        values: connections.map((c) => {
          const cell = summary.find((x) => `${x.server}|${x.config}` === key && x.body === body && x.connections === c);
          return cell === undefined ? undefined : pick(cell);
        }),
      }));
    const categories = connections.map(String);
    return [
      {
        file: `probe-${body}-throughput.svg`,
        svg: renderLineChart({
          title: '/probe throughput',
          subtitle,
          categories,
          xLabel: 'connections',
          yLabel: 'requests/s',
          logY: true,
          series: series((c) => c.requestsPerSecond),
        }),
      },
      {
        file: `probe-${body}-p99.svg`,
        svg: renderLineChart({
          title: '/probe latency p99',
          subtitle,
          categories,
          xLabel: 'connections',
          yLabel: 'p99 ms',
          logY: true,
          series: series((c) => c.latencyP99Ms),
        }),
      },
    ];
  });
  const written = cli.writeResults({ cells: rows }, charts);
  if (cli.boolean('json')) {
    process.stdout.write(`${JSON.stringify({ cells: rows }, null, 2)}\n`);
  } else {
    const header = [
      'round',
      'server',
      'config',
      'body',
      'bytes',
      'c',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'CPU %',
      'peak RSS MB',
      'req/s ÷ floor',
      'p99 ÷ floor',
    ];
    const lines = rows.map((r) =>
      [
        r.round === 0 ? 'median' : String(r.round),
        r.server,
        r.config,
        r.body,
        r.bodyBytes ?? '',
        r.connections,
        r.requestsPerSecond,
        r.latencyP50Ms,
        r.latencyP99Ms,
        r.errors,
        r.cpuPercent ?? '',
        r.peakRssMb ?? '',
        r.reqPerSecVsFloor ?? '',
        r.p99VsFloor ?? '',
      ].map(String),
    );
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
    const format = (cols: readonly string[]): string =>
      cols.map((col, i) => (i < 4 ? col.padEnd(widths[i] ?? 0) : col.padStart(widths[i] ?? 0))).join('  ');
    process.stdout.write(`${format(header)}\n${lines.map(format).join('\n')}\n`);
  }
  cli.progress(`wrote ${written.join(', ')}`);
}

await runBench(spec, main);

// bench:fetch-client — issue 15: what does one fleet scrape's GET cost in CPU, undici's fetchTarget beside the lean
// HTTP/1.1 client (src/fetch/lean-http1.ts)? The simulator (N SRS servers) runs in one child; each variant runs in
// its own child process (bench/fetch-client-child.ts) fetching every target once per interval, spread over it, and
// JSON.parse-ing each body; the variants are interleaved (A B A B …) so drift hits both. Reports µs of process CPU
// per request (user/sys), requests, failures, connects, RSS, and the lean/undici ratio of each pair.
//
//   npm run bench:fetch-client [-- --targets=10000 --streams=10 --ports=1000 --interval=15 --warmup=20 --window=30]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchCli, runBench, type BenchSpec } from './bench-cli.js';
import { renderLineChart } from './svg-chart.js';

const spec: BenchSpec = {
  name: 'fetch-client',
  question:
    'CPU per fleet GET (incl. JSON.parse) at N targets per interval: undici fetchTarget vs the lean HTTP/1.1 client.',
  flags: {
    targets: {
      type: 'string',
      default: '10000',
      help: 'simulated SRS servers (targets), each fetched once per interval',
    },
    streams: { type: 'string', default: '10', help: 'streams per SRS server (10 → ~5 KB bodies)' },
    ports: { type: 'string', default: '1000', help: 'ports the simulator spreads the servers over' },
    interval: { type: 'string', default: '15', help: 'scrape interval in seconds' },
    warmup: { type: 'string', default: '20', help: 'seconds each client runs before the window' },
    window: { type: 'string', default: '30', help: 'seconds measured per client run' },
    pairs: { type: 'string', default: '2', help: 'how many times the pair (undici, lean) runs, interleaved' },
    'lean-keep-alive': {
      type: 'string',
      default: '4000',
      help: "the lean client's idle keep-alive in ms (undici's works out at 3,000 against Node's 5 s servers)",
    },
  },
};

interface ChildResult {
  readonly variant: string;
  readonly requests: number;
  readonly failures: number;
  readonly reasons: Record<string, number>;
  readonly connects: number;
  readonly userUsPerRequest: number;
  readonly sysUsPerRequest: number;
  readonly cpuUsPerRequest: number;
  readonly cpuPercentOfOneCore: number;
  readonly rssMb: number;
  readonly maxRssMb: number;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A node child; resolves with its stdout once it exits 0, or once its output matches `ready` (then it keeps running). */
function run(args: string[], ready?: RegExp): Promise<{ child: ChildProcess; stdout: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready?.test(stdout)) resolve({ child, stdout });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code === 0) resolve({ child, stdout });
      else reject(new Error(`${args[0]} exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

await runBench(spec, async () => {
  const cli = parseBenchCli(spec);
  const targets = cli.number('targets', { integer: true });
  const streams = cli.number('streams', { integer: true });
  const ports = cli.number('ports', { integer: true });
  const interval = cli.number('interval');
  const warmup = cli.number('warmup', { allowZero: true });
  const window = cli.number('window');
  const pairs = cli.number('pairs', { integer: true });
  const leanKeepAliveMs = cli.number('lean-keep-alive', { integer: true });
  const dist = join(import.meta.dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'fje-fetch-client-'));
  const fileSd = join(dir, 'targets.json');
  cli.progress(
    `starting the simulator: ${targets} SRS servers × ${streams} streams on ${Math.min(ports, targets)} ports`,
  );
  const simulator = await run(
    [
      join(dist, 'bench/simulator/cli.js'),
      ...['--servers', String(targets), '--streams', String(streams), '--seed', '1'],
      ...['--ports', String(ports), '--file-sd', fileSd],
    ],
    /file_sd written/,
  );
  const runs: ChildResult[] = [];
  try {
    for (let pair = 0; pair < pairs; pair++) {
      for (const variant of ['undici', 'lean']) {
        cli.progress(`pair ${pair + 1}/${pairs}: ${variant} (${warmup} s warm-up, ${window} s window)`);
        const { stdout } = await run([
          join(dist, 'bench/fetch-client-child.js'),
          ...[variant, fileSd, String(interval), String(warmup), String(window), String(leanKeepAliveMs)],
        ]);
        const result = JSON.parse(stdout.trim().split('\n').at(-1) as string) as ChildResult;
        cli.progress(
          `  ${result.cpuUsPerRequest.toFixed(0)} µs CPU/request, ${result.requests} requests, ${result.failures} failures, ${result.connects} connects`,
        );
        runs.push(result);
      }
    }
  } finally {
    simulator.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  const of = (variant: string): ChildResult[] => runs.filter((r) => r.variant === variant);
  const ratios = of('lean').map((lean, i) => lean.cpuUsPerRequest / (of('undici')[i] as ChildResult).cpuUsPerRequest);
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const summary = {
    targets,
    streams,
    ports,
    intervalS: interval,
    warmupS: warmup,
    windowS: window,
    leanKeepAliveMs,
    requestsPerSecond: targets / interval,
    runs,
    leanToUndiciRatios: ratios,
    meanRatio: mean(ratios),
  };
  const categories = runs.filter((r) => r.variant === 'undici').map((_, i) => `pair ${i + 1}`);
  const written = cli.writeResults(summary, [
    {
      file: 'fetch-client.svg',
      svg: renderLineChart({
        title: 'Process CPU per fleet GET (incl. JSON.parse)',
        subtitle: `${targets} targets × ${streams} streams every ${interval} s, ${new Date().toISOString().slice(0, 16)}Z`,
        categories,
        xLabel: 'interleaved pair',
        yLabel: 'µs CPU / request',
        series: ['undici', 'lean'].map((variant) => ({
          name: variant === 'undici' ? 'undici fetchTarget' : 'lean HTTP/1.1',
          values: of(variant).map((r) => Number(r.cpuUsPerRequest.toFixed(1))),
        })),
      }),
    },
  ]);
  cli.progress(`wrote ${written.join(', ')}`);
  if (cli.boolean('json')) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    console.table(
      runs.map((r) => ({
        variant: r.variant,
        'µs CPU/req': r.cpuUsPerRequest.toFixed(0),
        'user µs': r.userUsPerRequest.toFixed(0),
        'sys µs': r.sysUsPerRequest.toFixed(0),
        '% of one core': r.cpuPercentOfOneCore.toFixed(1),
        requests: r.requests,
        failures: r.failures,
        connects: r.connects,
        'RSS MB': r.rssMb.toFixed(0),
      })),
    );
    process.stdout.write(`lean/undici per pair: ${ratios.map((r) => r.toFixed(2)).join(', ')}\n`);
  }
});

// bench:hotpath — per body size: JSON.parse alone (the floor), the full pipeline inline, and through a 2-worker pool.
//
//   npm run bench:hotpath -- [--sizes=2k,50k,1m,10m --seconds=1 --workers=2 --config=<file> --module=<name>]
//                            [--target=<url of your JSON API>] [--json] [--out-dir=bench-results]
//
// The full pipeline is bytes → rendered text (parse, extract, render) with the config's module (default: the
// embedded SRS streams preset) on deterministic SRS-shaped bodies, or on what `--target` answers. The simdjson
// binding: `npm run bench:parse`.
import { basename } from 'node:path';
import { configLoader } from '../src/commands/load-config.js';
import { parseJsonBody } from '../src/extract/parse-json.js';
import { runHotPathInline, type HotPathTask } from '../src/pool/hot-path.js';
import { WorkerPool } from '../src/pool/worker-pool.js';
import { closePreparedConfig, prepareConfig } from '../src/scrape/prepared-config.js';
import { fetchTargetBody, machine, parseBenchCli, runBench, UsageError, type BenchSpec } from './bench-cli.js';
import { measureAsync, measureSync, type Measurement } from './measure.js';
import { generateStreamsBody, parseSize } from './srs-body-generator.js';
import { renderLineChart } from './svg-chart.js';

const spec: BenchSpec = {
  name: 'hotpath',
  question:
    'Per body size: what does the whole pipeline (parse, extract, render) cost next to JSON.parse alone, inline and through the pool?',
  flags: {
    sizes: { type: 'string', default: '2k,50k,1m,10m', help: 'SRS body sizes (2k, 50k, 1m, …)' },
    seconds: { type: 'string', default: '1', help: 'measured seconds per case (after a quarter of it as warm-up)' },
    rounds: {
      type: 'string',
      default: '1',
      help: 'alternate JSON.parse and inline this many times per size (--seconds each); the ratio is the median',
    },
    workers: { type: 'string', default: '2', help: 'pool threads for the pool rows; 0 leaves them out' },
    config: { type: 'string', help: 'a config file (default: the embedded config, srs_streams as module default)' },
    module: { type: 'string', default: 'default', help: 'the module of --config to run' },
    target: {
      type: 'string',
      help: 'measure the body this JSON API answers instead of generated ones (--sizes ignored)',
    },
  },
};

interface Row {
  readonly case: string;
  readonly bytes: number;
  readonly streams: number | undefined;
  readonly mbPerSecond: number;
  readonly opsPerSecond: number;
  readonly msPerOp: number;
  /** Main-thread milliseconds per operation (pool rows: event-loop busy time; inline rows: the whole op). */
  readonly mainThreadMsPerOp: number;
}

function row(
  name: string,
  bytes: number,
  streams: number | undefined,
  m: Measurement,
  mainThreadMsPerOp = m.msPerOp,
): Row {
  return {
    case: name,
    bytes,
    streams,
    mbPerSecond: (bytes * m.opsPerSecond) / 1e6,
    opsPerSecond: m.opsPerSecond,
    msPerOp: m.msPerOp,
    mainThreadMsPerOp,
  };
}

async function main(): Promise<void> {
  const cli = parseBenchCli(spec);
  const seconds = cli.number('seconds');
  const rounds = cli.number('rounds', { integer: true });
  const workers = cli.number('workers', { integer: true, allowZero: true });
  const target = cli.optional('target');
  const sizes = target === undefined ? cli.list('sizes', parseSize) : [];
  const configFile = cli.optional('config');
  const moduleName = cli.string('module');

  const prepared = prepareConfig(configLoader(configFile)());
  const module = prepared.modules.get(moduleName);
  if (module === undefined) throw new UsageError(`no module "${moduleName}" in ${prepared.config.source}`);
  const pool = workers > 0 ? new WorkerPool({ threads: workers, maxQueue: 64 }) : undefined;
  const rows: Row[] = [];
  const ratios: { bytes: number; inlineOverParse: number; roundRatios?: number[]; poolOverInline?: number }[] = [];
  const bodies: Array<{ body: Uint8Array; streams: number | undefined }> =
    target === undefined
      ? sizes.map((size) => generateStreamsBody(size))
      : [{ body: await fetchTargetBody(target), streams: undefined }];

  try {
    for (const { body, streams } of bodies) {
      const bytes = body.byteLength;
      cli.progress(`${bytes} bytes: JSON.parse, inline${pool === undefined ? '' : ', pool'} (${seconds} s each)`);
      const task: Omit<HotPathTask, 'module'> = {
        body,
        targetLabels: { job: 'srs', instance: 'edge-0:1985' },
        formats: ['text'],
      };
      const sanity = runHotPathInline(module.compiled, task);
      if (!sanity.ok) throw new Error(`the ${bytes}-byte body fails: ${sanity.message}`);

      // On a shared machine the load moves between two measurements: alternating the two cases and taking the
      // median of the per-round ratios keeps the ratio honest where a single pair can be off by ±30 %.
      const pairs: Array<{ parse: Measurement; inline: Measurement }> = [];
      for (let round = 0; round < rounds; round++) {
        pairs.push({
          parse: measureSync(seconds, () => parseJsonBody(body)),
          inline: measureSync(seconds, () => runHotPathInline(module.compiled, task)),
        });
      }
      pairs.sort((a, b) => a.inline.msPerOp / a.parse.msPerOp - b.inline.msPerOp / b.parse.msPerOp);
      const { parse, inline } = pairs[Math.floor(pairs.length / 2)] as (typeof pairs)[number];
      rows.push(row('JSON.parse alone', bytes, streams, parse));
      rows.push(row('pipeline inline', bytes, streams, inline));
      const ratio: (typeof ratios)[number] = {
        bytes,
        inlineOverParse: inline.msPerOp / parse.msPerOp,
        ...(rounds > 1
          ? { roundRatios: pairs.map((p) => Number((p.inline.msPerOp / p.parse.msPerOp).toFixed(3))) }
          : {}),
      };

      if (pool !== undefined) {
        // Two bodies per worker in flight keep every worker busy; each run gets its own copy, since it is transferred.
        const pooled = await measureAsync(seconds, workers * 2, () =>
          pool.run({ ...task, module: module.hotPath, body: body.slice() }),
        );
        rows.push(row(`pipeline pool (${workers} workers)`, bytes, streams, pooled, pooled.mainThreadMsPerOp));
        // One body at a time: the latency of the hop, what a lone probe of a small body would pay.
        const single = await measureAsync(seconds, 1, () =>
          pool.run({ ...task, module: module.hotPath, body: body.slice() }),
        );
        rows.push(row('pipeline pool, 1 in flight', bytes, streams, single, single.mainThreadMsPerOp));
        ratio.poolOverInline = pooled.opsPerSecond / inline.opsPerSecond;
      }
      ratios.push(ratio);
    }
  } finally {
    await pool?.close();
    await closePreparedConfig(prepared);
  }

  const configName = configFile === undefined ? 'embedded' : basename(configFile).replace(/\.ya?ml$/, '');
  const stem = `hotpath-${configName}-${moduleName}`;
  const byteList = bodies.map((b) => b.body.byteLength);
  const caseNames = [...new Set(rows.map((r) => r.case))];
  const chart = renderLineChart({
    title: `Pipeline time per body: ${configName} config, module ${moduleName}`,
    subtitle: `${machine().date}, ${seconds} s per case; ms per body (log scale)`,
    categories: byteList.map((b) => (b >= 1e6 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`)),
    xLabel: 'body size',
    yLabel: 'ms per body',
    logY: true,
    series: caseNames.map((name) => ({
      name,
      values: byteList.map((b) => rows.find((r) => r.case === name && r.bytes === b)?.msPerOp),
    })),
  });
  const written = cli.writeResults(
    { config: prepared.config.source, module: moduleName, seconds, rows, ratios },
    [{ file: `${stem}.svg`, svg: chart }],
    stem,
  );
  if (cli.boolean('json')) {
    process.stdout.write(`${JSON.stringify({ machine: machine(), seconds, rows, ratios }, null, 2)}\n`);
  } else {
    const pad = (text: string, width: number): string => text.padStart(width);
    const m = machine();
    process.stdout.write(
      `node ${m.node}, ${m.cpus} CPUs, module ${moduleName} of ${prepared.config.source}, ${seconds}s per case\n`,
    );
    process.stdout.write(
      `${'case'.padEnd(30)}${pad('bytes', 10)}${pad('streams', 9)}${pad('MB/s', 9)}${pad('ops/s', 10)}${pad('ms/op', 10)}${pad('main ms/op', 12)}\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.case.padEnd(30)}${pad(String(r.bytes), 10)}${pad(String(r.streams ?? '-'), 9)}${pad(r.mbPerSecond.toFixed(1), 9)}${pad(r.opsPerSecond.toFixed(1), 10)}${pad(r.msPerOp.toFixed(3), 10)}${pad(r.mainThreadMsPerOp.toFixed(3), 12)}\n`,
      );
    }
    for (const r of ratios) {
      let extra = r.poolOverInline === undefined ? '' : `, pool/inline throughput ${r.poolOverInline.toFixed(2)}×`;
      if (r.roundRatios !== undefined) extra += ` (median of rounds ${r.roundRatios.join(', ')})`;
      process.stdout.write(
        `${String(r.bytes).padStart(10)} bytes: inline/JSON.parse time ${r.inlineOverParse.toFixed(2)}×${extra}\n`,
      );
    }
  }
  cli.progress(`wrote ${written.join(', ')}`);
}

await runBench(spec, main);

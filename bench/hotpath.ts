// bench:hotpath — per body size: JSON.parse alone (the floor), the full pipeline inline, and through a 2-worker pool.
//
//   npm run bench:hotpath [-- --sizes=2k,50k,1m,10m --seconds=1 --workers=2 --json --config=<file> --module=<name>]
//
// The full pipeline is bytes → rendered text (parse, extract, render) with the config's module (default: the
// embedded SRS streams preset) on deterministic SRS-shaped bodies. The simdjson binding: `npm run bench:parse`.
import { parseArgs } from 'node:util';
import { configLoader } from '../src/commands/load-config.js';
import { parseJsonBody } from '../src/extract/parse-json.js';
import { runHotPathInline, type HotPathTask } from '../src/pool/hot-path.js';
import { WorkerPool } from '../src/pool/worker-pool.js';
import { closePreparedConfig, prepareConfig } from '../src/scrape/prepared-config.js';
import { measureAsync, measureSync, type Measurement } from './measure.js';
import { generateStreamsBody, parseSize } from './srs-body-generator.js';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2k,50k,1m,10m' },
    seconds: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    config: { type: 'string' },
    module: { type: 'string', default: 'default' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(flags.seconds);
const workers = Number(flags.workers);

interface Row {
  readonly case: string;
  readonly bytes: number;
  readonly streams: number;
  readonly mbPerSecond: number;
  readonly opsPerSecond: number;
  readonly msPerOp: number;
  /** Main-thread milliseconds per operation (pool rows: event-loop busy time; inline rows: the whole op). */
  readonly mainThreadMsPerOp: number;
}

function row(name: string, bytes: number, streams: number, m: Measurement, mainThreadMsPerOp = m.msPerOp): Row {
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

const prepared = prepareConfig(configLoader(flags.config)());
const module = prepared.modules.get(flags.module);
if (module === undefined) throw new Error(`no module "${flags.module}" in ${prepared.config.source}`);
const pool = workers > 0 ? new WorkerPool({ threads: workers, maxQueue: 64 }) : undefined;
const rows: Row[] = [];
const ratios: { bytes: number; inlineOverParse: number; poolOverInline?: number }[] = [];

for (const size of flags.sizes.split(',').map(parseSize)) {
  const { body, streams } = generateStreamsBody(size);
  const bytes = body.byteLength;
  const task: Omit<HotPathTask, 'module'> = {
    body,
    targetLabels: { job: 'srs', instance: 'edge-0:1985' },
    formats: ['text'],
  };
  const sanity = runHotPathInline(module.compiled, task);
  if (!sanity.ok) throw new Error(`the generated ${bytes}-byte body fails: ${sanity.message}`);

  const parse = measureSync(seconds, () => parseJsonBody(body));
  rows.push(row('JSON.parse alone', bytes, streams, parse));
  const inline = measureSync(seconds, () => runHotPathInline(module.compiled, task));
  rows.push(row('pipeline inline', bytes, streams, inline));
  const ratio: (typeof ratios)[number] = { bytes, inlineOverParse: inline.msPerOp / parse.msPerOp };

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

await pool?.close();
await closePreparedConfig(prepared);

const machine = {
  node: process.version,
  cpus: (await import('node:os')).availableParallelism(),
  date: new Date().toISOString(),
  module: flags.module,
  config: prepared.config.source,
};
if (flags.json) {
  process.stdout.write(JSON.stringify({ machine, seconds, rows, ratios }, null, 2) + '\n');
} else {
  const pad = (text: string, width: number): string => text.padStart(width);
  process.stdout.write(
    `node ${machine.node}, ${machine.cpus} CPUs, module ${machine.module} of ${machine.config}, ${seconds}s per case\n`,
  );
  process.stdout.write(
    `${'case'.padEnd(30)}${pad('bytes', 10)}${pad('streams', 9)}${pad('MB/s', 9)}${pad('ops/s', 10)}${pad('ms/op', 10)}${pad('main ms/op', 12)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.case.padEnd(30)}${pad(String(r.bytes), 10)}${pad(String(r.streams), 9)}${pad(r.mbPerSecond.toFixed(1), 9)}${pad(r.opsPerSecond.toFixed(1), 10)}${pad(r.msPerOp.toFixed(3), 10)}${pad(r.mainThreadMsPerOp.toFixed(3), 12)}\n`,
    );
  }
  for (const r of ratios) {
    const extra = r.poolOverInline === undefined ? '' : `, pool/inline throughput ${r.poolOverInline.toFixed(2)}×`;
    process.stdout.write(
      `${String(r.bytes).padStart(10)} bytes: inline/JSON.parse time ${r.inlineOverParse.toFixed(2)}×${extra}\n`,
    );
  }
}

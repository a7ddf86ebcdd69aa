// bench:parse — JSON.parse, the native pruner before it, and the simdjson binding, behind the same parse(bytes) seam: the
// parse alone and the whole task.
//
//   npm run bench:parse -- [--sizes=2k,50k,1m,10m --seconds=1 --config=<file> --module=<name> --target=<url>]
//                          [--json --out-dir=…]
//
// The whole task is runHotPathInline (bytes → rendered text: parse, extract, render) with the reference config
// (test/fixtures/config/srs-reference.yml) on the generator's deterministic SRS bodies. simdjson is a
// devDependency loaded dynamically: when it is missing, the bench says why and still measures JSON.parse.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { configLoader } from '../src/commands/load-config.js';
import { parseJsonBody, type JsonBodyParser } from '../src/extract/parse-json.js';
import { nativePruner, parserWith } from '../src/extract/pruned-parse.js';
import { runHotPathInline, type HotPathTask } from '../src/pool/hot-path.js';
import { closePreparedConfig, prepareConfig } from '../src/scrape/prepared-config.js';
import { measureSync } from './measure.js';
import { loadSimdjsonParser } from './simdjson-parser.js';
import { fetchTargetBody, parseBenchCli, type BenchSpec } from './bench-cli.js';
import { generateStreamsBody, parseSize } from './srs-body-generator.js';
import { renderLineChart } from './svg-chart.js';

const REFERENCE_CONFIG = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'config', 'srs-reference.yml');

const spec: BenchSpec = {
  name: 'parse',
  question:
    'JSON.parse, the native pruner before it (the default) and the simdjson binding behind the same parse(bytes) seam: the parse alone and the whole task.',
  flags: {
    sizes: { type: 'string', default: '2k,50k,1m,10m', help: 'SRS body sizes (2k, 50k, 1m, …)' },
    seconds: { type: 'string', default: '1', help: 'measured seconds per case' },
    config: { type: 'string', default: REFERENCE_CONFIG, help: 'config of the whole-task rows' },
    module: { type: 'string', default: 'default', help: 'module of --config' },
    target: {
      type: 'string',
      help: 'measure the body this JSON API answers instead of generated ones (--sizes ignored)',
    },
  },
};
const cli = parseBenchCli(spec);
const seconds = cli.number('seconds');
const targetUrl = cli.optional('target');
const sizes = targetUrl === undefined ? cli.list('sizes', parseSize) : [];
const flags = { config: cli.string('config'), module: cli.string('module') };

interface Row {
  readonly bytes: number;
  readonly streams: number | undefined;
  /** Milliseconds per body for each parser: the parse alone, then the whole task inline. */
  readonly jsonParseMs: number;
  readonly jsonParseTaskMs: number;
  readonly simdjsonMs?: number;
  readonly simdjsonTaskMs?: number;
  /** The module's parser with the native pruner (src/extract/pruned-parse.ts), where it is built. */
  readonly prunedMs?: number;
  readonly prunedTaskMs?: number;
}

const prepared = prepareConfig(configLoader(flags.config)());
const module = prepared.modules.get(flags.module);
if (module === undefined) {
  process.stderr.write(`no module "${flags.module}" in ${prepared.config.source}\n`);
  process.exit(2);
}
const simdjson = await loadSimdjsonParser();
if (!simdjson.ok) process.stderr.write(`simdjson not available: ${simdjson.reason}\n`);
const pruned = parserWith(module.compiled, nativePruner);
if (pruned === parseJsonBody) {
  process.stderr.write(
    nativePruner === undefined
      ? 'the native pruner is not built (npm run build:native)\n'
      : `module ${flags.module} reads its bodies whole: nothing to prune\n`,
  );
}

const rows: Row[] = [];
const bodies: Array<{ body: Uint8Array; streams: number | undefined }> =
  targetUrl === undefined
    ? sizes.map((size) => generateStreamsBody(size))
    : [{ body: await fetchTargetBody(targetUrl), streams: undefined }];
for (const { body, streams } of bodies) {
  cli.progress(
    `${body.byteLength} bytes: JSON.parse${pruned === parseJsonBody ? '' : ', pruned'}${simdjson.ok ? ' and simdjson' : ''}, ${seconds} s per case`,
  );
  const task: Omit<HotPathTask, 'module'> = {
    body,
    targetLabels: { job: 'srs', instance: 'edge-0:1985' },
    formats: ['text'],
  };
  const measure = (parser: JsonBodyParser): { parse: number; task: number } => {
    const sanity = runHotPathInline(module.compiled, task, parser);
    if (!sanity.ok) throw new Error(`the generated ${body.byteLength}-byte body fails: ${sanity.message}`);
    return {
      parse: measureSync(seconds, () => parser(body)).msPerOp,
      task: measureSync(seconds, () => runHotPathInline(module.compiled, task, parser)).msPerOp,
    };
  };
  const native = measure(parseJsonBody);
  const simd = simdjson.ok ? measure(simdjson.parser) : undefined;
  const prune = pruned === parseJsonBody ? undefined : measure(pruned);
  rows.push({
    bytes: body.byteLength,
    streams,
    jsonParseMs: native.parse,
    jsonParseTaskMs: native.task,
    simdjsonMs: simd?.parse,
    simdjsonTaskMs: simd?.task,
    prunedMs: prune?.parse,
    prunedTaskMs: prune?.task,
  });
}
await closePreparedConfig(prepared);

const machine = {
  node: process.version,
  cpus: availableParallelism(),
  date: new Date().toISOString(),
  config: prepared.config.source,
  module: flags.module,
};
const written = cli.writeResults({ config: prepared.config.source, module: flags.module, seconds, rows }, [
  {
    file: 'parse.svg',
    svg: renderLineChart({
      title: 'JSON.parse vs pruned vs simdjson (ms per body)',
      subtitle: `${seconds} s per case, ${new Date().toISOString().slice(0, 16)}Z (log scale)`,
      categories: rows.map((r) => `${(r.bytes / 1024).toFixed(0)} KiB`),
      xLabel: 'body size',
      yLabel: 'ms per body',
      logY: true,
      series: [
        { name: 'JSON.parse', values: rows.map((r) => r.jsonParseMs) },
        { name: 'simdjson', values: rows.map((r) => r.simdjsonMs) },
        { name: 'task, JSON.parse', values: rows.map((r) => r.jsonParseTaskMs) },
        { name: 'task, simdjson', values: rows.map((r) => r.simdjsonTaskMs) },
        { name: 'pruned', values: rows.map((r) => r.prunedMs) },
        { name: 'task, pruned', values: rows.map((r) => r.prunedTaskMs) },
      ],
    }),
  },
]);
cli.progress(`wrote ${written.join(', ')}`);
if (cli.boolean('json')) {
  process.stdout.write(
    JSON.stringify(
      {
        machine,
        seconds,
        simdjson: simdjson.ok ? 'available' : simdjson.reason,
        pruner: pruned === parseJsonBody ? 'none' : 'native',
        rows,
      },
      null,
      2,
    ) + '\n',
  );
} else {
  const cell = (ms: number | undefined, width: number): string =>
    (ms === undefined ? '-' : ms.toFixed(3)).padStart(width);
  const ratio = (simd: number | undefined, native: number): string =>
    (simd === undefined ? '-' : `${(simd / native).toFixed(2)}×`).padStart(9);
  process.stdout.write(
    `node ${machine.node}, ${machine.cpus} CPUs, module ${machine.module} of ${machine.config}, ${seconds}s per case; ms per body\n`,
  );
  process.stdout.write(
    `${'bytes'.padStart(10)}${'streams'.padStart(9)}${'JSON.parse'.padStart(12)}${'pruned'.padStart(10)}${'ratio'.padStart(9)}${'simdjson'.padStart(10)}${'ratio'.padStart(9)}${'task JSON.parse'.padStart(17)}${'task pruned'.padStart(13)}${'ratio'.padStart(9)}${'task simdjson'.padStart(15)}${'ratio'.padStart(9)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${String(r.bytes).padStart(10)}${String(r.streams ?? '-').padStart(9)}${cell(r.jsonParseMs, 12)}${cell(r.prunedMs, 10)}${ratio(r.prunedMs, r.jsonParseMs)}${cell(r.simdjsonMs, 10)}${ratio(r.simdjsonMs, r.jsonParseMs)}` +
        `${cell(r.jsonParseTaskMs, 17)}${cell(r.prunedTaskMs, 13)}${ratio(r.prunedTaskMs, r.jsonParseTaskMs)}${cell(r.simdjsonTaskMs, 15)}${ratio(r.simdjsonTaskMs, r.jsonParseTaskMs)}\n`,
    );
  }
  process.stdout.write("ratio: that parser's time / JSON.parse time (above 1: slower than JSON.parse alone)\n");
}

// bench:parse — JSON.parse vs the simdjson binding behind the same parse(bytes) seam: the parse alone and the whole task.
//
//   npm run bench:parse [-- --sizes=2k,50k,1m,10m --seconds=1 --json --config=<file> --module=<name>]
//
// The whole task is runHotPathInline (bytes → rendered text: parse, extract, render) with the reference config
// (test/fixtures/config/srs-reference.yml) on the generator's deterministic SRS bodies. simdjson is a
// devDependency loaded dynamically: when it is missing, the bench says why and still measures JSON.parse.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configLoader } from '../src/commands/load-config.js';
import { parseJsonBody, type JsonBodyParser } from '../src/extract/parse-json.js';
import { runHotPathInline, type HotPathTask } from '../src/pool/hot-path.js';
import { closePreparedConfig, prepareConfig } from '../src/scrape/prepared-config.js';
import { measureSync } from './measure.js';
import { loadSimdjsonParser } from './simdjson-parser.js';
import { generateStreamsBody, parseSize } from './srs-body-generator.js';

const REFERENCE_CONFIG = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'config', 'srs-reference.yml');

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2k,50k,1m,10m' },
    seconds: { type: 'string', default: '1' },
    config: { type: 'string', default: REFERENCE_CONFIG },
    module: { type: 'string', default: 'default' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(flags.seconds);

interface Row {
  readonly bytes: number;
  readonly streams: number;
  /** Milliseconds per body for each parser: the parse alone, then the whole task inline. */
  readonly jsonParseMs: number;
  readonly jsonParseTaskMs: number;
  readonly simdjsonMs?: number;
  readonly simdjsonTaskMs?: number;
}

const prepared = prepareConfig(configLoader(flags.config)());
const module = prepared.modules.get(flags.module);
if (module === undefined) throw new Error(`no module "${flags.module}" in ${prepared.config.source}`);
const simdjson = await loadSimdjsonParser();
if (!simdjson.ok) process.stderr.write(`simdjson not available: ${simdjson.reason}\n`);

const rows: Row[] = [];
for (const size of flags.sizes.split(',').map(parseSize)) {
  const { body, streams } = generateStreamsBody(size);
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
  rows.push({
    bytes: body.byteLength,
    streams,
    jsonParseMs: native.parse,
    jsonParseTaskMs: native.task,
    simdjsonMs: simd?.parse,
    simdjsonTaskMs: simd?.task,
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
if (flags.json) {
  process.stdout.write(
    JSON.stringify({ machine, seconds, simdjson: simdjson.ok ? 'available' : simdjson.reason, rows }, null, 2) + '\n',
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
    `${'bytes'.padStart(10)}${'streams'.padStart(9)}${'JSON.parse'.padStart(12)}${'simdjson'.padStart(10)}${'ratio'.padStart(9)}${'task JSON.parse'.padStart(17)}${'task simdjson'.padStart(15)}${'ratio'.padStart(9)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${String(r.bytes).padStart(10)}${String(r.streams).padStart(9)}${cell(r.jsonParseMs, 12)}${cell(r.simdjsonMs, 10)}${ratio(r.simdjsonMs, r.jsonParseMs)}` +
        `${cell(r.jsonParseTaskMs, 17)}${cell(r.simdjsonTaskMs, 15)}${ratio(r.simdjsonTaskMs, r.jsonParseTaskMs)}\n`,
    );
  }
  process.stdout.write('ratio: simdjson time / JSON.parse time (above 1: simdjson is slower)\n');
}

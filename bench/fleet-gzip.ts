// Question: for fleet /metrics, is gzip cheaper as members pre-compressed once per scrape, or per request?
// `npm run bench:fleet-gzip -- [--targets=2000] [--streams=50] [--levels=1,6] [--target=<SRS streams URL>] [--json]`
import { performance } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseConfig } from '../src/config/index.js';
import { runHotPathInline } from '../src/pool/hot-path.js';
import { prepareConfig } from '../src/scrape/prepared-config.js';
import { fetchTargetBody, parseBenchCli, type BenchSpec } from './bench-cli.js';
import { startFleetSimulator } from './simulator/fleet-simulator.js';
import { renderLineChart } from './svg-chart.js';

const spec: BenchSpec = {
  name: 'fleet-gzip',
  question: 'For fleet /metrics, is gzip cheaper as members pre-compressed once per scrape, or per request?',
  flags: {
    targets: { type: 'string', default: '2000', help: 'targets in the fleet' },
    streams: { type: 'string', default: '50', help: 'streams per simulated SRS server' },
    levels: { type: 'string', default: '1,6', help: 'gzip levels to compare (the first one run pays warm-up)' },
    target: {
      type: 'string',
      help: 'use the body this SRS streams URL answers for every target instead of the simulator',
    },
  },
};
const cli = parseBenchCli(spec);
const targets = cli.number('targets', { integer: true });
const streams = cli.number('streams', { integer: true, allowZero: true });
const levels = cli.list('levels', (item) => {
  const level = Number(item);
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new Error(`not a gzip level (0-9): ${item}`);
  return level;
});
const targetUrl = cli.optional('target');

const prepared = prepareConfig(parseConfig('modules:\n  default: { preset: srs_streams }\n', '<bench>'));
const compiled = prepared.modules.get('default')!.compiled;

// Twenty distinct SRS bodies, reused round-robin: each target still gets its own instance label.
const bodies: Uint8Array[] = [];
if (targetUrl === undefined) {
  cli.progress(`simulating 20 SRS servers × ${streams} streams`);
  const simulator = await startFleetSimulator({ servers: 20, streamsPerServer: streams, seed: 7 });
  // count: SRS answers 10 streams by default; fleet mode asks for them all (the srs_streams preset pages).
  for (const url of simulator.urls) bodies.push(new Uint8Array(await (await fetch(`${url}?count=1000`)).arrayBuffer()));
  await simulator.close();
} else {
  bodies.push(await fetchTargetBody(targetUrl));
}
cli.progress(`rendering ${targets} targets`);

const fragments: string[] = [];
let series = 0;
for (let t = 0; t < targets; t++) {
  const result = runHotPathInline(compiled, {
    body: bodies[t % bodies.length]!,
    targetLabels: { job: 'srs-edge', instance: `10.0.${t >> 8}.${t & 255}:1985`, cluster: 'prod' },
    formats: ['text'],
  });
  if (!result.ok) throw new Error(result.message);
  series += result.sampleCount;
  for (const family of result.families.text ?? []) if (family.text !== '') fragments.push(family.text);
}
const plain = fragments.join('');
const plainBytes = Buffer.byteLength(plain);

function time<T>(run: () => T, repeat = 3): { ms: number; value: T } {
  let best = Infinity;
  let value: T | undefined;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    value = run();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, value: value as T };
}

const rows: Array<Record<string, string | number>> = [];
// The first strategy run pays allocation warm-up: swap the order (`--levels 6,1`) to see it.
for (const level of levels) {
  cli.progress(`gzip level ${level}: per request, then members`);
  const whole = time(() => gzipSync(Buffer.from(plain), { level }));
  rows.push({
    strategy: `per request, level ${level}`,
    'serve ms': whole.ms.toFixed(1),
    'per-scrape ms (all targets)': 0,
    'gzip bytes': whole.value.byteLength,
  });
  const members = time(() => fragments.map((text) => gzipSync(text, { level })), 1);
  const concat = time(() => Buffer.concat(members.value));
  if (gunzipSync(concat.value).toString() !== plain) throw new Error('members do not concatenate to the body');
  rows.push({
    strategy: `members, level ${level}`,
    'serve ms': concat.ms.toFixed(1),
    'per-scrape ms (all targets)': members.ms.toFixed(1),
    'gzip bytes': concat.value.byteLength,
  });
}

const summary = { targets, streams, series, fragments: fragments.length, plainBytes, node: process.version, rows };
const written = cli.writeResults(summary, [
  {
    file: 'fleet-gzip.svg',
    svg: renderLineChart({
      title: 'Fleet /metrics gzip: per request vs members',
      subtitle: `${targets} targets × ${streams} streams, ${new Date().toISOString().slice(0, 16)}Z`,
      categories: rows.map((r) => String(r.strategy)),
      xLabel: 'strategy',
      yLabel: 'ms',
      series: [
        { name: 'serve ms', values: rows.map((r) => Number(r['serve ms'])) },
        { name: 'per-scrape ms', values: rows.map((r) => Number(r['per-scrape ms (all targets)'])) },
      ],
    }),
  },
]);
cli.progress(`wrote ${written.join(', ')}`);
if (cli.boolean('json')) process.stdout.write(JSON.stringify(summary) + '\n');
else {
  process.stdout.write(
    `${targets} targets × ${streams} streams: ${series} series in ${fragments.length} fragments, ${(plainBytes / 1e6).toFixed(1)} MB of text\n`,
  );
  console.table(rows);
}

// bench:jsonpath — our compiled Kubernetes-style templates vs jsonpath-plus on the same templates and data.
//
//   npm run bench:jsonpath -- [--streams=50 --seconds=1 --target=<url of your JSON API> --json --out-dir=…]
//
// Data: a deterministic 50-stream SRS body. Templates: those of the reference config (json_exporter's SRS
// example, test/fixtures/config/srs-reference.yml), each spelled for jsonpath-plus (`{.a.b}` → `$.a.b`, same
// filter expression, its safe evaluator). The headline row is the reference config's object metric: select the
// streams, then per stream its label and its five values.
import { availableParallelism } from 'node:os';
import { JSONPath } from 'jsonpath-plus';
import { compileTemplate } from '../src/jsonpath/index.js';
import { measureSync } from './measure.js';
import { fetchTargetBody, parseBenchCli, UsageError, type BenchSpec } from './bench-cli.js';
import { generateStreamsBodyOfCount } from './srs-body-generator.js';
import { renderLineChart } from './svg-chart.js';

const spec: BenchSpec = {
  name: 'jsonpath',
  question: "Our compiled templates vs jsonpath-plus on the reference config's templates over an SRS body: ops/s.",
  flags: {
    streams: { type: 'string', default: '50', help: 'streams in the generated SRS body' },
    seconds: { type: 'string', default: '1', help: 'measured seconds per case and engine' },
    target: { type: 'string', help: 'run on the body this SRS API answers instead of a generated one' },
  },
};
const cli = parseBenchCli(spec);
const seconds = cli.number('seconds');
const streamCount = cli.number('streams', { integer: true });
const targetUrl = cli.optional('target');
let body: Uint8Array;
try {
  body = targetUrl === undefined ? generateStreamsBodyOfCount(streamCount).body : await fetchTargetBody(targetUrl);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const doc = JSON.parse(new TextDecoder().decode(body)) as { streams: unknown[] };
if (!Array.isArray(doc.streams)) {
  process.stderr.write('the body has no "streams" list: --target must be an SRS /api/v1/streams/ URL\n');
  process.exit(2);
}
const streams = doc.streams.length;

/** jsonpath-plus as json_exporter users would call it: a path string per query, results wrapped in an array. */
function plus(path: string, json: unknown): unknown[] {
  return JSONPath({ path, json: json as object, eval: 'safe', wrap: true }) as unknown[];
}

const OBJECT_ELEMENTS = { ours: '{.streams[?(@.name!="")]}', plus: '$.streams[?(@.name!="")]' };
const OBJECT_LABEL = { ours: '{.name}', plus: '$.name' };
const OBJECT_VALUES = ['clients', 'send_bytes', 'recv_bytes', 'frames', 'publish.active'].map((key) => ({
  ours: `{.${key}}`,
  plus: `$.${key}`,
}));

interface Case {
  readonly name: string;
  readonly ours: () => unknown;
  readonly plus: () => unknown;
}

const elements = compileTemplate(OBJECT_ELEMENTS.ours);
const label = compileTemplate(OBJECT_LABEL.ours);
const values = OBJECT_VALUES.map((value) => compileTemplate(value.ours));
const server = compileTemplate('{ .server}');
const firstStream = doc.streams[0];

const cases: Case[] = [
  {
    name: `object metric stream_clients (${streams} streams: filter, 1 label, 5 values each)`,
    ours: () => {
      const selected = elements.select(doc);
      let n = 0;
      for (const element of selected.ok ? selected.values : []) {
        if (label.print(element).ok) n++;
        for (const value of values) if (value.select(element).ok) n++;
      }
      return n;
    },
    plus: () => {
      let n = 0;
      for (const element of plus(OBJECT_ELEMENTS.plus, doc)) {
        if (plus(OBJECT_LABEL.plus, element).length > 0) n++;
        for (const value of OBJECT_VALUES) if (plus(value.plus, element).length > 0) n++;
      }
      return n;
    },
  },
  {
    name: `filter ${OBJECT_ELEMENTS.ours} alone`,
    ours: () => elements.select(doc),
    plus: () => plus(OBJECT_ELEMENTS.plus, doc),
  },
  { name: '{ .server} on the whole body', ours: () => server.select(doc), plus: () => plus('$.server', doc) },
  {
    name: '{.publish.active} on one stream',
    ours: () => values[4]?.select(firstStream),
    plus: () => plus('$.publish.active', firstStream),
  },
];

// Same work on both sides, or the comparison means nothing: the headline case counts what each side found.
const [headline] = cases;
if (headline === undefined || headline.ours() !== headline.plus()) {
  throw new Error(
    `the two engines disagree on the object metric: ${String(headline?.ours())} vs ${String(headline?.plus())} results`,
  );
}

interface Row {
  readonly case: string;
  readonly oursOpsPerSecond: number;
  readonly plusOpsPerSecond: number;
  readonly speedup: number;
}

const rows: Row[] = cases.map((c) => {
  cli.progress(`${c.name}: ${seconds} s per engine`);
  const ours = measureSync(seconds, c.ours);
  const other = measureSync(seconds, c.plus);
  return {
    case: c.name,
    oursOpsPerSecond: ours.opsPerSecond,
    plusOpsPerSecond: other.opsPerSecond,
    speedup: ours.opsPerSecond / other.opsPerSecond,
  };
});

const written = cli.writeResults({ streams, bytes: body.byteLength, seconds, rows }, [
  {
    file: 'jsonpath.svg',
    svg: renderLineChart({
      title: 'JSONPath: ours vs jsonpath-plus',
      subtitle: `${streams}-stream body, ${seconds} s per case, ${new Date().toISOString().slice(0, 16)}Z (log scale)`,
      categories: ['object metric', 'filter alone', '{ .server}', '{.publish.active}'],
      xLabel: 'case (see bench/README.md)',
      yLabel: 'ops/s',
      logY: true,
      series: [
        { name: 'ours', values: rows.map((r) => r.oursOpsPerSecond) },
        { name: 'jsonpath-plus', values: rows.map((r) => r.plusOpsPerSecond) },
      ],
    }),
  },
]);
cli.progress(`wrote ${written.join(', ')}`);
if (cli.boolean('json')) {
  process.stdout.write(
    JSON.stringify(
      {
        machine: { node: process.version, cpus: availableParallelism(), date: new Date().toISOString() },
        streams,
        seconds,
        rows,
      },
      null,
      2,
    ) + '\n',
  );
} else {
  process.stdout.write(
    `node ${process.version}, ${availableParallelism()} CPUs, ${streams}-stream body (${body.byteLength} bytes), ${seconds}s per case\n`,
  );
  process.stdout.write(
    `${'case'.padEnd(72)}${'ours ops/s'.padStart(13)}${'jsonpath-plus'.padStart(15)}${'speedup'.padStart(9)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.case.padEnd(72)}${r.oursOpsPerSecond.toFixed(0).padStart(13)}${r.plusOpsPerSecond.toFixed(0).padStart(15)}${(r.speedup.toFixed(1) + '×').padStart(9)}\n`,
    );
  }
}

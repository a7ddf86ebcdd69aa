// Question: which codec makes and reads fleet mode's gzip members at less CPU: libdeflate (native/gzip_member.cc) or
// Node's zlib? Both at level 1 on exposition text as fleet mode keeps it (the reference config's series of generated
// SRS bodies, each target with its own labels), cut into members of the sizes a slot group's archive has.
//   npm run bench:gzip-codec -- [--pieces=20k,100k,300k] [--mb=64] [--json]
// CPU is the whole process's (process.cpuUsage: the main thread and libuv's pool, where both codecs compress), per MB
// of plain text; compressions run two at a time, as fleet mode's background does.
import { zlibMember, EXPOSITION_GZIP_LEVEL, nativeGzip } from '../src/exposition/gzip-codec.js';
import { MemberInflater } from '../src/fleet/member-inflater.js';
import { configLoader } from '../src/commands/load-config.js';
import { FamilyMetaInterner } from '../src/exposition/encoded-families.js';
import { runBatchInline } from '../src/pool/hot-path-batch.js';
import { closePreparedConfig, prepareConfig } from '../src/scrape/prepared-config.js';
import { join } from 'node:path';
import { parseBenchCli, type BenchSpec } from './bench-cli.js';
import { generateStreamsBodyOfCount, parseSize } from './srs-body-generator.js';
import { renderLineChart } from './svg-chart.js';

const spec: BenchSpec = {
  name: 'gzip-codec',
  question: "Which codec makes and reads fleet mode's gzip members at less CPU: libdeflate or Node's zlib?",
  flags: {
    pieces: { type: 'string', default: '20k,100k,300k', help: 'member sizes (plain text) to compare' },
    mb: { type: 'string', default: '64', help: 'plain megabytes compressed and inflated per case' },
  },
};
const cli = parseBenchCli(spec);
const pieces = cli.list('pieces', parseSize);
const megabytes = cli.number('mb');
if (nativeGzip === undefined) {
  process.stderr.write('the libdeflate addon is not built (npm run build:native; needs libdeflate-dev)\n');
  process.exit(2);
}
const native = nativeGzip;

const REFERENCE_CONFIG = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'config', 'srs-reference.yml');
const prepared = prepareConfig(configLoader(REFERENCE_CONFIG)());
const module = prepared.modules.get('default');
if (module === undefined) throw new Error('the reference config has no module default');
cli.progress('rendering 400 targets × 10 streams of the reference config');
const interner = new FamilyMetaInterner();
const parts: Buffer[] = [];
for (let t = 0; t < 400; t++) {
  const { body } = generateStreamsBodyOfCount(10, 1000 + t);
  const [result] = runBatchInline(
    {
      module: module.hotPath,
      formats: ['text'],
      items: [{ body, targetLabels: { job: 'srs', instance: `10.0.${t >> 8}.${t & 255}:1985` } }],
    },
    interner,
  );
  if (result === undefined || !result.ok || result.encoded.text === undefined) throw new Error('a body failed');
  parts.push(Buffer.from(result.encoded.text.bytes));
}
const text = Buffer.concat(parts);
await closePreparedConfig(prepared);

interface Row {
  readonly pieceBytes: number;
  readonly codec: 'libdeflate' | 'zlib';
  readonly compressCpuMsPerMb: number;
  readonly ratio: number;
  readonly inflateCpuMsPerMb: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const rows: Row[] = [];
for (const pieceBytes of pieces) {
  const members = Math.ceil(text.byteLength / pieceBytes);
  const rounds = Math.max(1, Math.round((megabytes * 1e6) / text.byteLength));
  const inputs = Array.from({ length: members }, (_, i) => text.subarray(i * pieceBytes, (i + 1) * pieceBytes));
  // Alternated, twice each: the first pass of either pays its warm-up.
  for (const pass of [0, 1]) {
    for (const codec of ['libdeflate', 'zlib'] as const) {
      cli.progress(`${pieceBytes}-byte members, ${codec}${pass === 0 ? ' (warm-up)' : ''}`);
      const compress =
        codec === 'zlib' ? zlibMember : (bytes: Uint8Array) => native.compress(bytes, EXPOSITION_GZIP_LEVEL);
      let made: Buffer[] = [];
      let plain = 0;
      let packed = 0;
      const before = cpuMs();
      for (let round = 0; round < rounds; round++) {
        made = [];
        for (let i = 0; i < inputs.length; i += 2) {
          const pair = inputs.slice(i, i + 2);
          made.push(...(await Promise.all(pair.map((input) => compress(input)))));
        }
        for (const input of inputs) plain += input.byteLength;
        for (const member of made) packed += member.byteLength;
      }
      const compressMs = cpuMs() - before;
      const inflater = new MemberInflater(codec === 'zlib' ? undefined : native);
      const beforeInflate = cpuMs();
      let inflated = 0;
      for (let round = 0; round < rounds; round++) {
        for (const member of made) inflated += inflater.inflate(member).byteLength;
      }
      const inflateMs = cpuMs() - beforeInflate;
      inflater.close();
      if (inflated !== plain) throw new Error(`${codec}: inflated ${inflated} bytes of ${plain}`);
      if (pass === 1) {
        rows.push({
          pieceBytes,
          codec,
          compressCpuMsPerMb: compressMs / (plain / 1e6),
          ratio: plain / packed,
          inflateCpuMsPerMb: inflateMs / (plain / 1e6),
        });
      }
    }
  }
}

const written = cli.writeResults({ textBytes: text.byteLength, megabytes, rows }, [
  {
    file: 'gzip-codec.svg',
    svg: renderLineChart({
      title: 'gzip members: CPU ms per MB of exposition text, level 1',
      subtitle: `${megabytes} MB per case, ${new Date().toISOString().slice(0, 16)}Z`,
      categories: pieces.map((bytes) => `${Math.round(bytes / 1024)} KiB`),
      xLabel: 'member size (plain)',
      yLabel: 'CPU ms per MB',
      series: (['libdeflate', 'zlib'] as const).flatMap((codec) => [
        {
          name: `compress, ${codec}`,
          values: rows.filter((r) => r.codec === codec).map((r) => r.compressCpuMsPerMb),
        },
        { name: `inflate, ${codec}`, values: rows.filter((r) => r.codec === codec).map((r) => r.inflateCpuMsPerMb) },
      ]),
    }),
  },
]);
cli.progress(`wrote ${written.join(', ')}`);
if (cli.boolean('json')) {
  process.stdout.write(`${JSON.stringify({ textBytes: text.byteLength, megabytes, rows }, null, 2)}\n`);
} else {
  process.stdout.write(
    `${megabytes} MB of exposition text per case, level ${EXPOSITION_GZIP_LEVEL}; CPU of the whole process\n`,
  );
  process.stdout.write(
    `${'member'.padStart(9)}${'codec'.padStart(12)}${'compress ms/MB'.padStart(16)}${'ratio'.padStart(8)}${'inflate ms/MB'.padStart(15)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${String(r.pieceBytes).padStart(9)}${r.codec.padStart(12)}${r.compressCpuMsPerMb.toFixed(2).padStart(16)}` +
        `${r.ratio.toFixed(2).padStart(8)}${r.inflateCpuMsPerMb.toFixed(2).padStart(15)}\n`,
    );
  }
  for (const pieceBytes of pieces) {
    const [a, b] = (['libdeflate', 'zlib'] as const).map((codec) =>
      rows.find((r) => r.codec === codec && r.pieceBytes === pieceBytes),
    );
    if (a !== undefined && b !== undefined) {
      process.stdout.write(
        `${pieceBytes}-byte members: libdeflate / zlib CPU ${(a.compressCpuMsPerMb / b.compressCpuMsPerMb).toFixed(2)}× to compress, ${(a.inflateCpuMsPerMb / b.inflateCpuMsPerMb).toFixed(2)}× to inflate\n`,
      );
    }
  }
}

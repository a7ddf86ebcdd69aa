// bench:large-body — one /probe of a large body against the exporter as a child process: the answer's time and the
// exporter's peak RSS (VmHWM from /proc, every thread included), one child per case so peaks do not mix.
//
//   npm run bench:large-body [-- --cases=array-7.7mb,body-30mb,body-300mb --workers=2 --repeat=1 --gap=0 --json]
//                               [--node-args='--cpu-prof --cpu-prof-dir=/tmp/prof']   (-- --help: every flag)
//
// --repeat=N probes each case N times in the same child, one after another: the first answer is a fresh exporter's
// (its workers' code not yet optimised), the later ones a running exporter's; peak RSS covers them all. --gap=S
// waits S seconds between them, as a scrape interval spaces a target's scrapes. --concurrency=C sends C probes of
// the case at once each time (several large targets scraped together); `ms` is then the slowest answer's.
//
// array-7.7mb: a top-level array of 200,000 small objects, one object metric (200,000 series);
// body-30mb: the same shape, 30 MB (800,000 objects), under the 32 MiB default body limit;
// body-300mb: 300 MB streamed without Content-Length: refused at the limit (body_too_large).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchSpec, exitWithUsage, parseBenchCli } from './bench-cli.js';

const SPEC: BenchSpec = {
  name: 'large-body',
  question:
    'One /probe of a large body against the exporter as a child process: how long the answer takes, and its peak RSS?',
  flags: {
    cases: { type: 'string', default: 'array-7.7mb,body-30mb,body-300mb', help: 'the bodies, one child each' },
    workers: { type: 'string', default: '2', help: "the exporter's --workers" },
    repeat: { type: 'string', default: '1', help: 'probes per case in the same child (1 to 20)' },
    gap: { type: 'string', default: '0', help: 'seconds between repeated probes (0 to 120; 0: back to back)' },
    concurrency: { type: 'string', default: '1', help: 'probes of the case sent at once each time (1 to 8)' },
    'node-args': {
      type: 'string',
      default: '',
      help: "node flags for the exporter child, e.g. '--cpu-prof --cpu-prof-dir=DIR' (its workers inherit them)",
    },
  },
};
const cli = parseBenchCli(SPEC);
const WORKERS = cli.number('workers', { integer: true, allowZero: true });
const REPEAT = cli.number('repeat', { integer: true });
if (REPEAT > 20) exitWithUsage(SPEC, `--repeat must be at most 20 (got ${REPEAT})`);
const CONCURRENCY = cli.number('concurrency', { integer: true });
if (CONCURRENCY > 8) exitWithUsage(SPEC, `--concurrency must be at most 8 (got ${CONCURRENCY})`);
/** Seconds between repeated probes (a scrape interval's spacing; 0: back to back). */
const GAP_S = cli.number('gap', { allowZero: true });
if (GAP_S > 120) exitWithUsage(SPEC, `--gap must be at most 120 seconds (got ${GAP_S})`);
const CASE_NAMES = cli.list('cases', (name) => {
  if (name === '') throw new Error('an empty case name');
  return name;
});

const CONFIG = `modules:
  items:
    metrics:
    - name: item
      type: object
      path: '{[*]}'
      labels: { name: '{.name}' }
      values: { value: '{.value}' }
`;

/** `count` objects of ~38 bytes: [{"name":"item-000001","value":1},…]. */
function arrayBody(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`{"name":"item-${String(i).padStart(6, '0')}","value":${i}}`);
  return Buffer.from(`[${parts.join(',')}]`);
}

interface BodyCase {
  readonly bytes: number;
  readonly serve: (res: import('node:http').ServerResponse) => void;
  /** The body, when it is held whole: the reference JSON.parse runs on it in this process, in the same run. */
  readonly body?: Buffer;
}
const CASES: Record<string, BodyCase> = {};
const array77 = arrayBody(200_000);
CASES['array-7.7mb'] = {
  bytes: array77.byteLength,
  body: array77,
  serve: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(array77),
};
const array30 = arrayBody(800_000);
CASES['body-30mb'] = {
  bytes: array30.byteLength,
  body: array30,
  serve: (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(array30),
};
const chunk = Buffer.alloc(1 << 20, 0x20);
CASES['body-300mb'] = {
  bytes: 300 << 20,
  serve: (res) => {
    // Streamed without Content-Length, so only counting the bytes as they come can refuse it.
    res.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    const pump = (): void => {
      while (sent < 300 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => {});
    pump();
  },
};

const dist = join(import.meta.dirname, '..');
const folder = mkdtempSync(join(tmpdir(), 'fje-large-body-'));
const configFile = join(folder, 'config.yml');
writeFileSync(configFile, CONFIG);

async function startTarget(): Promise<Server> {
  const server = createServer((req, res) => {
    const found = CASES[(req.url ?? '/').slice(1)];
    if (found === undefined) res.writeHead(404).end();
    else found.serve(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function startExporter(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      ...cli
        .string('node-args')
        .split(' ')
        .filter((arg) => arg !== ''),
      join(dist, 'src/cli.js'),
      `--config.file=${configFile}`,
      '--web.listen-address=127.0.0.1:0',
      `--workers=${WORKERS}`,
      '--log.level=info',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (data: Buffer): void => {
      seen = (seen + data.toString()).slice(-8192);
      const port = /"address":"127\.0\.0\.1:(\d+)"[^\n]*listening/.exec(seen)?.[1];
      if (port !== undefined) resolve({ child, port: Number(port) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the exporter exited with ${code}: ${seen}`)));
  });
}

function get(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (data: Buffer) => (bytes += data.byteLength));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    })
      .on('error', reject)
      .end();
  });
}

const peakRssMb = (pid: number): number =>
  Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

const target = await startTarget();
const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
const rows: Array<Record<string, unknown>> = [];
for (const name of CASE_NAMES) {
  const found = CASES[name];
  if (found === undefined) {
    exitWithUsage(SPEC, `unknown case ${name}; known: ${Object.keys(CASES).join(', ')}`);
  }
  // The floor in the same run: decoding and JSON.parse of the same bytes here (median of 3), beside the answer time.
  let parseMs: number | undefined;
  if (found.body !== undefined) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      JSON.parse(found.body.toString('utf8'));
      times.push(performance.now() - t);
    }
    parseMs = times.sort((a, b) => a - b)[1];
  }
  const { child, port } = await startExporter();
  const pid = child.pid as number;
  const idleRssMb = peakRssMb(pid);
  for (let probe = 1; probe <= REPEAT; probe++) {
    if (probe > 1 && GAP_S > 0) await new Promise((resolve) => setTimeout(resolve, GAP_S * 1000));
    const started = performance.now();
    const url = `http://127.0.0.1:${port}/probe?module=items&target=${encodeURIComponent(`${targetUrl}/${name}`)}`;
    const answers = await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const got = await get(url);
        return { ...got, ms: performance.now() - started };
      }),
    );
    const answer = answers[0] as { status: number; bytes: number };
    const ms = Math.max(...answers.map((one) => one.ms));
    rows.push({
      case: name,
      ...(REPEAT > 1 ? { probe } : {}),
      ...(CONCURRENCY > 1
        ? { concurrency: CONCURRENCY, eachMs: answers.map((one) => Math.round(one.ms)).join(' / ') }
        : {}),
      bodyMB: +(found.bytes / 1e6).toFixed(1),
      status: CONCURRENCY > 1 ? answers.map((one) => one.status).join(' / ') : answer.status,
      answerMB: +(answer.bytes / 1e6).toFixed(1),
      ms: Math.round(ms),
      jsonParseMs: parseMs === undefined ? null : Math.round(parseMs),
      timesJsonParse: parseMs === undefined ? null : +(ms / parseMs).toFixed(1),
      idlePeakRssMB: Math.round(idleRssMb),
      peakRssMB: Math.round(peakRssMb(pid)),
    });
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
target.close();
target.closeAllConnections();
rmSync(folder, { recursive: true, force: true });
const written = cli.writeResults(rows);
if (cli.boolean('json')) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
else console.table(rows);
cli.progress(`result written to ${written.join(', ')}`);

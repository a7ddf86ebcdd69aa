// Question: while 300 requests with distinct wrong passwords arrive at once, how long does an authorised request
// (credentials already verified, as Prometheus's are after its first scrape) wait? Ours (bcrypt on a worker thread,
// verified credentials cached apart, at most 16 checks pending) beside the reference: the previous design, bcryptjs
// on the main thread with one shared 100-entry cache, in a child process of its own. Cost-10 hashes, as deployed.
// `npm run bench:auth-flood -- [--flood 300] [--rounds 3] [--json]`
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import bcrypt from 'bcryptjs';
import { Agent, request } from 'undici';

const USAGE = `usage: npm run bench:auth-flood -- [--flood 300] [--rounds 3] [--json]

Authorised /metrics latency while --flood requests with distinct wrong passwords arrive at once: ours vs the
previous design (bcrypt on the main thread), each in its own child process, cost-10 hashes, on 127.0.0.1.`;

let values: { flood: string; rounds: string; json: boolean; help: boolean };
try {
  values = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      flood: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values as typeof values;
} catch (err) {
  process.stderr.write(`bench:auth-flood: ${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const FLOOD = Number(values.flood);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(FLOOD) || FLOOD < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  process.stderr.write(`bench:auth-flood: --flood and --rounds must be positive whole numbers\n\n${USAGE}\n`);
  process.exit(2);
}

const dist = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'fje-auth-flood-'));
const children: ChildProcess[] = [];
const log = (message: string): void => void process.stderr.write(`[bench:auth-flood] ${message}\n`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startChild(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: join(dist, '..') });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      if (ready.test(seen)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}: ${seen}`)));
  });
}

const basic = (password: string): string => `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}`;

interface RoundResult {
  readonly authorisedMaxMs: number;
  readonly authorisedP50Ms: number;
  readonly floodDoneMs: number;
  readonly statuses: Record<string, number>;
}

/** One round: the flood at once, and authorised requests one after another until the flood is answered. */
async function round(base: string, path: string, roundIndex: number): Promise<RoundResult> {
  const dispatcher = new Agent({ connections: FLOOD + 8 });
  const statuses: Record<string, number> = {};
  const started = performance.now();
  let done = false;
  const flood = Promise.all(
    Array.from({ length: FLOOD }, async (_, i) => {
      try {
        const response = await request(`${base}${path}`, {
          dispatcher,
          headers: { authorization: basic(`wrong-${roundIndex}-${i}`) },
        });
        await response.body.dump();
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      } catch (err) {
        statuses[(err as Error).message] = (statuses[(err as Error).message] ?? 0) + 1;
      }
    }),
  ).then(() => {
    done = true;
    return performance.now() - started;
  });
  const latencies: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const response = await request(`${base}${path}`, { dispatcher, headers: { authorization: basic('s3cret') } });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`authorised request answered ${response.statusCode}`);
    latencies.push(performance.now() - t0);
  }
  const floodDoneMs = await flood;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return {
    authorisedMaxMs: latencies.at(-1) ?? Number.NaN,
    authorisedP50Ms: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
    floodDoneMs,
    statuses,
  };
}

async function measure(name: string, base: string, path: string): Promise<RoundResult[]> {
  // Verify the authorised credentials once, as Prometheus's first scrape does.
  const first = await request(`${base}${path}`, { headers: { authorization: basic('s3cret') } });
  await first.body.dump();
  const results: RoundResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    results.push(await round(base, path, i));
    log(`${name} round ${i + 1}: authorised max ${results.at(-1)?.authorisedMaxMs.toFixed(0)} ms`);
    await sleep(500);
  }
  return results;
}

async function main(): Promise<void> {
  const hash = await bcrypt.hash('s3cret', 10);
  const webConfig = join(dir, 'web.yml');
  writeFileSync(webConfig, `basic_auth_users:\n  prometheus: ${hash}\n`);
  const oursPort = await freePort();
  const referencePort = await freePort();
  await startChild(
    [join(dist, 'src/cli.js'), `--web.listen-address=127.0.0.1:${oursPort}`, `--web.config.file=${webConfig}`],
    /fleet-json-exporter listening/,
  );
  await startChild([join(dist, 'bench/auth-flood-reference.js'), hash, String(referencePort)], /listening/);
  const reference = await measure('reference (bcrypt on the main thread)', `http://127.0.0.1:${referencePort}`, '/');
  const ours = await measure('ours', `http://127.0.0.1:${oursPort}`, '/metrics');
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const summary = {
    flood: FLOOD,
    rounds: ROUNDS,
    reference: { authorisedMaxMs: median(reference.map((r) => r.authorisedMaxMs)), rounds: reference },
    ours: { authorisedMaxMs: median(ours.map((r) => r.authorisedMaxMs)), rounds: ours },
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const row = (name: string, results: RoundResult[]): string =>
    `| ${name} | ${median(results.map((r) => r.authorisedMaxMs)).toFixed(0)} | ${median(results.map((r) => r.authorisedP50Ms)).toFixed(1)} | ${median(results.map((r) => r.floodDoneMs)).toFixed(0)} | ${JSON.stringify(results[0]?.statuses)} |`;
  process.stdout.write(
    `| server | authorised max ms | authorised p50 ms | flood answered in ms | flood statuses (round 1) |\n| --- | --- | --- | --- | --- |\n${row('reference: bcrypt on the main thread', reference)}\n${row('ours: worker thread, caches apart, 16 pending', ours)}\n`,
  );
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:auth-flood: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

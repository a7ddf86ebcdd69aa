// Child processes the load benches measure (our exporter, the Node floor, json_exporter): started on a free loopback
// port, their CPU and peak memory read from /proc while a load runs, always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { processUsage } from './process-usage.js';

export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Whatever happens to the bench, no server it started outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The compiled tree (dist/): bench scripts run from dist/bench/. */
export const DIST = join(import.meta.dirname, '..');
export const REFERENCE_CONFIG = join(DIST, '..', 'test', 'fixtures', 'config', 'srs-reference.yml');

/**
 * Starts `command args` and resolves once `portFrom` finds the listening port in its output. Rejects with the output when it exits first or takes over 30 s.
 */
export async function startServer(
  name: string,
  command: string,
  args: readonly string[],
  portFrom: (output: string) => number | undefined,
): Promise<ServerProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within 30 s: ${seen.slice(-2000)}`)),
      30_000,
    );
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-16384);
      const found = portFrom(seen);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening: ${seen.slice(-2000)}`));
    });
  });
  // Keep draining its output so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    name,
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A free loopback port, for a server (json_exporter) that cannot be told to pick one itself. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Our exporter (dist/src/cli.js) on an ephemeral port, read from its "listening" log line. */
export function startExporter(
  exporterArgs: readonly string[],
  nodeArgs: readonly string[] = [],
  cliPath = join(DIST, 'src/cli.js'),
): Promise<ServerProcess> {
  return startServer(
    'fleet-json-exporter',
    process.execPath,
    [...nodeArgs, cliPath, '--web.listen-address=127.0.0.1:0', ...exporterArgs],
    (output) => {
      const port = /"address":"127\.0\.0\.1:(\d+)"[^\n]*listening/.exec(output)?.[1];
      return port === undefined ? undefined : Number(port);
    },
  );
}

/** CPU seconds and peak resident memory of a process while something runs (sampled every 100 ms). */
export async function whileMeasuring<T>(
  pid: number | undefined,
  run: () => Promise<T>,
): Promise<{ result: T; cpuPercent: number | undefined; peakRssBytes: number | undefined }> {
  if (pid === undefined) return { result: await run(), cpuPercent: undefined, peakRssBytes: undefined };
  const before = processUsage(pid);
  let peak = before.rssBytes;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, processUsage(pid).rssBytes);
    } catch {
      // The process went away; the run itself reports that.
    }
  }, 100);
  const started = performance.now();
  try {
    const result = await run();
    const after = processUsage(pid);
    peak = Math.max(peak, after.rssBytes);
    const wallSeconds = (performance.now() - started) / 1000;
    return { result, cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / wallSeconds) * 100, peakRssBytes: peak };
  } finally {
    clearInterval(sampler);
  }
}

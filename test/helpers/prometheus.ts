// A real Prometheus server for end-to-end tests: config written by the test, temp storage, 127.0.0.1, stopped by PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet } from './http.js';
import { waitFor } from './wait-for.js';

export { waitFor } from './wait-for.js';

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface PromTarget {
  readonly labels: Record<string, string>;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly pid: number;
  /** Instant query through /api/v1/query. */
  query(expr: string): Promise<PromSample[]>;
  /** Active targets through /api/v1/targets. */
  targets(): Promise<PromTarget[]>;
  stop(): Promise<void>;
}

function prometheusPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  // Missing Prometheus fails the test, never skips it: .ci/run installs the Debian package.
  if (found.status !== 0 || path === '')
    throw new Error('prometheus is not installed; install the Debian package `prometheus` (as .ci/run does)');
  return path;
}

/** A port free right now on 127.0.0.1 (Prometheus cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function getApi<T>(url: string): Promise<T> {
  const response = await httpGet(url);
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${response.text.slice(0, 300)}`);
  const body = JSON.parse(response.text) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.text}`);
  return body.data;
}

/** Starts Prometheus on `configYaml` (files in `extraFiles` are written beside it first) and waits until it is ready. */
export async function startPrometheus(
  configYaml: string,
  extraFiles: Record<string, string> = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'fje-prometheus-'));
  for (const [name, content] of Object.entries(extraFiles)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'prometheus.yml'), configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    prometheusPath(),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
        const response = await httpGet(`${url}/-/ready`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      },
      60_000,
      100,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    pid: child.pid ?? 0,
    query: async (expr) => {
      const data = await getApi<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    targets: async () => {
      const data = await getApi<{ activeTargets: PromTarget[] }>(`${url}/api/v1/targets?state=active`);
      return data.activeTargets;
    },
    stop,
  };
}

// The real process: `fleet-json-exporter` on its embedded config, SIGHUP reload, graceful SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { readFixture, repoRoot } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { waitFor, within } from '../helpers/wait-for.js';

const cli = join(repoRoot, 'dist', 'src', 'cli.js');
const children: ChildProcess[] = [];
/** The bound on each wait for the exporter (its start, its exit): generous for a busy CI machine, never a hang. */
const STEP_TIMEOUT_MS = 60_000;

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts the CLI on 127.0.0.1:0 and resolves with its port and its log lines as they come. */
async function startCli(
  args: string[],
): Promise<{ child: ChildProcess; port: number; logs: Array<Record<string, unknown>> }> {
  const child = spawn(process.execPath, [cli, '--web.listen-address=127.0.0.1:0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const logs: Array<Record<string, unknown>> = [];
  const lines = createInterface({ input: child.stderr! });
  const listening = new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exporter exited with ${code}: ${JSON.stringify(logs)}`)));
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (entry.msg === 'fleet-json-exporter listening') resolve(Number(String(entry.address).split(':').pop()));
    });
  });
  const port = await within('the exporter\'s "listening" log line', listening, STEP_TIMEOUT_MS).catch((err: Error) => {
    throw new Error(`${err.message}; logs: ${JSON.stringify(logs)}`);
  });
  return { child, port, logs };
}

test('with no --config.file the embedded config serves the reference body with the srs_streams preset', async () => {
  const target = await startTestServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
  });
  try {
    const { child, port, logs } = await startCli([]);
    assert.equal(logs.at(-1)?.config, '<embedded>');
    const probe = await httpGet(
      `http://127.0.0.1:${port}/probe?target=${encodeURIComponent(target.url + '/api/v1/streams/')}`,
    );
    assert.equal(probe.status, 200);
    assert.match(probe.text, /^srs_stream_clients\{app="live",stream="livestream",vhost="vid-y000397"\} 4$/m);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await within('the exporter to exit after SIGTERM', exited, STEP_TIMEOUT_MS), 0);
  } finally {
    await target.close();
  }
});

test('SIGHUP reloads the config file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fje-sighup-'));
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, readFixture('config', 'srs-reference.yml'));
  try {
    const { child, port, logs } = await startCli([`--config.file=${configFile}`]);
    writeFileSync(configFile, readFixture('config', 'srs-reference.yml').replace('  default:', '  renamed:'));
    // Bounded wait for the child's own log line (at most 500 checks), not a sleep.
    const reloaded = new Promise<void>((resolve, reject) => {
      let checks = 0;
      const timer = setInterval(() => {
        if (logs.some((entry) => entry.msg === 'config reloaded')) {
          clearInterval(timer);
          resolve();
        } else if (++checks >= 500 || child.exitCode !== null) {
          clearInterval(timer);
          reject(
            new Error(`no "config reloaded" log line; child exit ${child.exitCode}; logs: ${JSON.stringify(logs)}`),
          );
        }
      }, 20);
    });
    child.kill('SIGHUP');
    await reloaded;
    const probe = await httpGet(`http://127.0.0.1:${port}/probe?module=renamed&target=http://127.0.0.1:1/`);
    assert.equal(probe.status, 503, 'module "renamed" exists after the reload (the target itself is refused)');
    const old = await httpGet(`http://127.0.0.1:${port}/probe?module=default&target=http://127.0.0.1:1/`);
    assert.equal(old.status, 400);
    child.kill('SIGTERM');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config that does not load stops the process with exit 1 and a message naming file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fje-bad-'));
  const configFile = join(dir, 'bad.yml');
  writeFileSync(configFile, 'modules:\n  default:\n    metrics:\n    - name: x\n      pth: "{.a}"\n');
  try {
    const child = spawn(process.execPath, [cli, `--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await within(
      'the exporter to exit on a bad config',
      new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
      STEP_TIMEOUT_MS,
    );
    assert.equal(code, 1);
    assert.match(stderr, /bad\.yml:5:7: modules\.default\.metrics\[0\]\.pth: unknown key "pth"; did you mean "path"\?/);
    assert.doesNotMatch(stderr, /^\s+at /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('graceful shutdown', () => {
  const held: ServerResponse[] = [];
  let target: TestServer;
  before(async () => {
    target = await startTestServer((req, res) => {
      if (req.url?.startsWith('/hang')) held.push(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
    });
  });
  after(async () => {
    for (const res of held) res.destroy();
    await target.close();
  });

  async function probeHung(port: number): Promise<{ pending: Promise<number>; res: ServerResponse }> {
    const before = held.length;
    const pending = httpGet(
      `http://127.0.0.1:${port}/probe?module=srs_streams&target=${encodeURIComponent(`${target.url}/hang`)}`,
    ).then((response) => response.status);
    pending.catch(() => undefined);
    const res = await waitFor(
      'the probe at the target',
      async () => (held.length > before ? held[before] : undefined),
      STEP_TIMEOUT_MS,
      20,
    );
    return { pending, res };
  }

  test('SIGTERM refuses new connections, lets the probe in flight finish, and exits 0', async () => {
    const { child, port, logs } = await startCli(['--shutdown.timeout=30s']);
    const { pending, res } = await probeHung(port);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await waitFor(
      'the shutdown log line',
      async () => (logs.some((entry) => entry.msg?.toString().startsWith('shutting down')) ? true : undefined),
      STEP_TIMEOUT_MS,
      20,
    );
    // Refused, or reset when the kernel had accepted it into the backlog just before the listener closed.
    await assert.rejects(httpGet(`http://127.0.0.1:${port}/-/healthy`), /ECONNREFUSED|ECONNRESET/);
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
    assert.equal(await pending, 200, 'the probe in flight was answered');
    assert.equal(await within('the exporter to exit after SIGTERM', exited, STEP_TIMEOUT_MS), 0);
  });

  test('a probe still running at --shutdown.timeout is cut off and the process exits 0', async () => {
    const { child, port } = await startCli(['--shutdown.timeout=300ms']);
    const { pending } = await probeHung(port);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await within('the exporter to exit at --shutdown.timeout', exited, STEP_TIMEOUT_MS), 0);
    await assert.rejects(pending, /socket hang up|ECONNRESET/);
  });
});

// json_exporter 0.6/0.7 flags an existing Deployment passes: --log.format, repeated --web.listen-address,
// --web.systemd-socket, kingpin's negations; kingpin-only built-ins are refused naming the alternative.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { parseServeFlags } from '../../src/commands/flags.js';
import { repoRoot } from '../helpers/fixtures.js';
import { httpGet } from '../helpers/http.js';
import { within } from '../helpers/wait-for.js';

const CLI = join(repoRoot, 'dist', 'src', 'cli.js');
const children: ChildProcess[] = [];
/** The bound on each wait for a started process (its ready line, its exit): generous for a busy CI machine. */
const STEP_TIMEOUT_MS = 60_000;

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts a process and resolves with its stderr lines once one matches `ready`. */
function startUntil(command: string, args: string[], ready: RegExp, stdio: Array<'ignore' | 'pipe' | number>) {
  const child = spawn(command, args, { stdio: stdio as never });
  children.push(child);
  const lines: string[] = [];
  const reader = createInterface({ input: child.stderr as NodeJS.ReadableStream });
  const readyLine = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${lines.join('\n')}`)));
    reader.on('line', (line) => {
      lines.push(line);
      if (ready.test(line)) resolve(line);
    });
  });
  const started = within(`a stderr line matching ${ready}`, readyLine, STEP_TIMEOUT_MS).catch((err: Error) => {
    throw new Error(`${err.message}; stderr so far: ${lines.join('\n')}`);
  });
  return { child, lines, started };
}

/** SIGTERM, then a bounded wait for the exit (SIGKILL if the process outlives it, and the test fails). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  try {
    await within(`process ${child.pid} to exit after SIGTERM`, exited, STEP_TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

test('--log.format is read (json default, logfmt), and a bad value is refused naming both', () => {
  assert.equal(parseServeFlags([]).logFormat, undefined);
  assert.equal(parseServeFlags(['--log.format=logfmt']).logFormat, 'logfmt');
  assert.equal(parseServeFlags(['--log.format', 'json']).logFormat, undefined);
  assert.throws(
    () => parseServeFlags(['--log.format=text']),
    /--log\.format must be one of json, logfmt \(got "text"\)/,
  );
});

test('--web.listen-address repeats: every address is kept; once, it replaces the default', () => {
  assert.equal(parseServeFlags(['--web.listen-address=:9']).listenAddress, ':9');
  const repeated = parseServeFlags(['--web.listen-address=:9', '--web.listen-address', '[::1]:10']);
  assert.equal(repeated.listenAddress, ':9');
  assert.deepEqual(repeated.moreListenAddresses, ['[::1]:10']);
  assert.equal('moreListenAddresses' in parseServeFlags([]), false);
});

test("kingpin's --no-config.check and --no-web.systemd-socket are accepted; its other built-ins name --help", () => {
  assert.equal(parseServeFlags(['--no-config.check', '--no-web.systemd-socket']).configCheck, false);
  assert.equal(parseServeFlags(['--web.systemd-socket']).systemdSocket, true);
  const run = spawnSync(process.execPath, [CLI, '--help-long'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--help-long \(a kingpin built-in of json_exporter\) is not supported; use --help/);
});

test('--log.format=logfmt writes logfmt lines, as json_exporter does by default', async () => {
  const { child, started } = startUntil(
    process.execPath,
    [CLI, '--log.format=logfmt', '--web.listen-address=127.0.0.1:0', '--workers=0'],
    /msg="fleet-json-exporter listening"/,
    ['ignore', 'ignore', 'pipe'],
  );
  const line = await started;
  await stop(child);
  assert.match(line, /^time=\S+ level=info msg="fleet-json-exporter listening" /);
  assert.match(line, / address=127\.0\.0\.1:\d+ /);
  assert.doesNotMatch(line, /^\{/);
});

test('--runtime.heap-growing-percent reaches V8 at start: the start line names the flag set', async () => {
  const { child, started } = startUntil(
    process.execPath,
    [CLI, '--runtime.heap-growing-percent=50', '--web.listen-address=127.0.0.1:0', '--workers=0'],
    /fleet-json-exporter listening/,
    ['ignore', 'ignore', 'pipe'],
  );
  const line = await started;
  await stop(child);
  assert.deepEqual(JSON.parse(line).v8Flags, ['--heap-growing-percent=50']);
});

test('two --web.listen-address flags: the exporter answers on both', async () => {
  const { child, started } = startUntil(
    process.execPath,
    [CLI, '--web.listen-address=127.0.0.1:0', '--web.listen-address=127.0.0.1:0', '--workers=0'],
    /fleet-json-exporter listening/,
    ['ignore', 'ignore', 'pipe'],
  );
  const entry = JSON.parse(await started) as { addresses?: string[] };
  try {
    assert.equal(entry.addresses?.length, 2);
    for (const address of entry.addresses ?? []) {
      const response = await httpGet(`http://${address}/-/healthy`);
      assert.equal(response.status, 200, address);
    }
  } finally {
    await stop(child);
  }
});

test('--web.systemd-socket serves the socket systemd passes as fd 3 (LISTEN_PID, LISTEN_FDS)', async () => {
  const socket = createServer();
  await new Promise<void>((resolve) => socket.listen(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
  assert.ok(fd > 0, 'the listening socket has an fd');
  // `exec` keeps the shell's pid, so LISTEN_PID=$$ names the exporter, as systemd does after its fork.
  const { child, started } = startUntil(
    'sh',
    ['-c', `LISTEN_PID=$$ LISTEN_FDS=1 exec "${process.execPath}" "${CLI}" --web.systemd-socket --workers=0`],
    /fleet-json-exporter listening/,
    ['ignore', 'ignore', 'pipe', fd],
  );
  try {
    await started;
    // The child holds its own copy of the socket; ours stops accepting, so only the exporter can answer.
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const response = await httpGet(`http://127.0.0.1:${port}/-/healthy`);
    assert.equal(response.status, 200);
    assert.equal(response.text, 'Healthy.\n');
  } finally {
    await stop(child);
    if (socket.listening) socket.close();
  }
});

test('--web.systemd-socket without sockets from systemd stops with a message naming --web.listen-address', () => {
  const env = { ...process.env };
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  const run = spawnSync(process.execPath, [CLI, '--web.systemd-socket', '--workers=0'], {
    encoding: 'utf8',
    env,
    timeout: 30_000,
  });
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    /--web\.systemd-socket: systemd passed no sockets \(LISTEN_PID and LISTEN_FDS are not set\); start the exporter from a systemd \.socket unit, or use --web\.listen-address/,
  );
});

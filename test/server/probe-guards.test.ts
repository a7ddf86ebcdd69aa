// /probe's guards against misbehaving targets and callers, with real servers on 127.0.0.1: the concurrency bound
// (probes and upstream sockets) with its queue and 503, the target policy (URL rules, CIDRs, loopback and link-local
// refused, redirects and resolved names re-checked), and passwords of unparsable targets kept out of 503s and logs.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startExporter, type RunningExporter } from '../../src/commands/serve.js';
import type { ServeFlags } from '../../src/commands/flags.js';
import type { TargetPolicySettings } from '../../src/fetch/target-policy.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { waitFor } from '../helpers/wait-for.js';

const OPEN: TargetPolicySettings = { allowPrefixes: [], allowRegexes: [], allowCidrs: [], denyLocal: false };

let target: TestServer;
/** Responses of /hang, answered when a test releases them. */
const hanging: ServerResponse[] = [];
const exporters: RunningExporter[] = [];

function reference(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(readFixture('srs', 'reference-streams.json'));
}

before(async () => {
  target = await startTestServer((req, res) => {
    const path = req.url ?? '/';
    if (path.endsWith('/hang')) hanging.push(res);
    else if (path.endsWith('/redirect-out')) res.writeHead(302, { location: '/other/reference' }).end();
    else if (path.endsWith('/reference')) reference(res);
    else res.writeHead(404).end();
  });
});

after(async () => {
  for (const res of hanging) res.destroy();
  await Promise.all(exporters.map((exporter) => exporter.stop()));
  await target.close();
});

async function start(
  probeAndShutdown: Partial<NonNullable<ServeFlags['probeAndShutdown']>>,
  logs = new PassThrough(),
): Promise<RunningExporter> {
  const exporter = await startExporter(
    {
      configFile: fixturePath('config', 'srs-reference.yml'),
      configCheck: false,
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      logLevel: 'debug',
      maxBodyBytes: 1 << 20,
      timeoutOffsetMs: 500,
      workers: 0,
      probeAndShutdown: {
        probeLimits: { maxConcurrent: 256, maxQueue: 1024 },
        targetPolicy: OPEN,
        shutdownTimeoutMs: 1000,
        ...probeAndShutdown,
      },
    },
    createLogger('debug', logs),
  );
  exporters.push(exporter);
  return exporter;
}

function probe(exporter: RunningExporter, targetUrl: string): ReturnType<typeof httpGet> {
  return httpGet(`http://127.0.0.1:${exporter.port}/probe?target=${encodeURIComponent(targetUrl)}`);
}

async function selfMetric(exporter: RunningExporter, name: string): Promise<number | undefined> {
  const text = (await httpGet(`http://127.0.0.1:${exporter.port}/metrics`)).text;
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match === null ? undefined : Number(match[1]);
}

describe('probe concurrency bound', () => {
  test('beyond max-concurrent probes wait, beyond max-queue they get 503 probe_overloaded at once', async () => {
    const exporter = await start({ probeLimits: { maxConcurrent: 2, maxQueue: 1 } });
    const before = hanging.length;
    const held = [probe(exporter, `${target.url}/hang`), probe(exporter, `${target.url}/hang`)];
    await waitFor('two probes at the hung target', async () => (hanging.length === before + 2 ? true : undefined));
    const queued = probe(exporter, `${target.url}/reference`);
    await waitFor('one probe queued', async () =>
      (await selfMetric(exporter, 'fleet_json_exporter_probes_queued')) === 1 ? true : undefined,
    );
    assert.equal(await selfMetric(exporter, 'fleet_json_exporter_probes_in_flight'), 2);

    const refused = await probe(exporter, `${target.url}/reference`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '1');
    assert.match(
      refused.text,
      /too many probes: 2 running and 1 waiting \(--probe\.max-concurrent, --probe\.max-queue\) \(reason: probe_overloaded\)\n$/,
    );

    for (const res of hanging.splice(before)) reference(res);
    assert.deepEqual(
      (await Promise.all(held)).map((response) => response.status),
      [200, 200],
    );
    assert.equal((await queued).status, 200, 'the queued probe ran once a slot came free');
    const metrics = (await httpGet(`http://127.0.0.1:${exporter.port}/metrics`)).text;
    assert.match(metrics, /^fleet_json_exporter_target_errors_total\{module="default",reason="probe_overloaded"\} 1$/m);
    assert.match(metrics, /^fleet_json_exporter_probes_in_flight 0$/m);
  });

  test('30 probes at once never hold more than max-concurrent upstream connections', async () => {
    const exporter = await start({ probeLimits: { maxConcurrent: 3, maxQueue: 100 } });
    const counting = await startTestServer((_req, res) => reference(res));
    // Counted from the target's side: the distinct sockets its 30 requests came on (kept alive and reused).
    const responses = await Promise.all(Array.from({ length: 30 }, () => probe(exporter, `${counting.url}/reference`)));
    const sockets = new Set(counting.requests.map((req) => req.socket));
    await counting.close();
    assert.ok(responses.every((response) => response.status === 200));
    assert.equal(counting.requests.length, 30);
    assert.ok(sockets.size <= 3, `${sockets.size} upstream connections for 30 probes with --probe.max-concurrent=3`);
  });
});

describe('probe target policy', () => {
  test('--probe.deny-local-targets refuses loopback and link-local targets, by address and by name, with 403', async () => {
    const exporter = await start({ targetPolicy: { ...OPEN, denyLocal: true } });
    const port = new URL(target.url).port;
    const before = target.requests.length;
    for (const url of [
      `${target.url}/reference`,
      `http://[::1]:${port}/reference`,
      `http://[::ffff:127.0.0.1]:${port}/reference`,
      'http://169.254.169.254/latest/meta-data/',
      `http://0.0.0.0:${port}/reference`,
    ]) {
      const response = await probe(exporter, url);
      assert.equal(response.status, 403, url);
      assert.match(
        response.text,
        /is a loopback or link-local address \(--probe\.deny-local-targets\) \(reason: forbidden\)\n$/,
        url,
      );
    }
    const byName = await probe(exporter, `http://localhost:${port}/reference`);
    assert.equal(byName.status, 403);
    assert.match(byName.text, /localhost resolves to (127\.0\.0\.1|::1), which is a loopback or link-local address/);
    assert.equal(target.requests.length, before, 'no refused probe reached the target');
    const metrics = (await httpGet(`http://127.0.0.1:${exporter.port}/metrics`)).text;
    assert.match(metrics, /^fleet_json_exporter_target_errors_total\{module="default",reason="forbidden"\} 6$/m);
  });

  test('an allowlist of URL prefixes and regexes: others are 403, and so is a redirect that leaves it', async () => {
    const exporter = await start({
      targetPolicy: { ...OPEN, allowPrefixes: [`${target.url}/allowed/`], allowRegexes: [`${target.url}/re-\\d+/.*`] },
    });
    assert.equal((await probe(exporter, `${target.url}/allowed/reference`)).status, 200);
    assert.equal((await probe(exporter, `${target.url}/re-7/reference`)).status, 200);
    const other = await probe(exporter, `${target.url}/other/reference`);
    assert.equal(other.status, 403);
    assert.match(
      other.text,
      /\/other\/reference is not an allowed target \(--probe\.allow-target-prefix, --probe\.allow-target-regex\)/,
    );
    assert.equal((await probe(exporter, `${target.url}/re-x/reference`)).status, 403, 'the regex is anchored');
    const before = target.requests.length;
    const redirected = await probe(exporter, `${target.url}/allowed/redirect-out`);
    assert.equal(redirected.status, 403);
    assert.match(redirected.text, /\/other\/reference is not an allowed target.*\(reason: forbidden\)\n$/);
    assert.equal(target.requests.length, before + 1, 'the redirect was not followed');
  });

  test('an allowlist of networks checks the address a name resolves to, at connect time', async () => {
    const port = new URL(target.url).port;
    const outside = await start({ targetPolicy: { ...OPEN, allowCidrs: ['10.0.0.0/8'] } });
    const byName = await probe(outside, `http://localhost:${port}/reference`);
    assert.equal(byName.status, 403);
    assert.match(
      byName.text,
      /localhost resolves to \S+, which is not in the allowed networks \(--probe\.allow-target-cidr\)/,
    );
    assert.equal((await probe(outside, `${target.url}/reference`)).status, 403);
    const inside = await start({ targetPolicy: { ...OPEN, allowCidrs: ['127.0.0.0/8', '::1/128'] } });
    assert.equal((await probe(inside, `http://localhost:${port}/reference`)).status, 200);
  });

  test('the open default is logged as a warning at start', async () => {
    const logs = new PassThrough();
    let text = '';
    logs.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    await start({}, logs);
    assert.match(text, /"level":"warn".*\/probe fetches any target it is asked for/);
    const guarded = new PassThrough();
    let guardedText = '';
    guarded.on('data', (chunk: Buffer) => (guardedText += chunk.toString('utf8')));
    await start({ targetPolicy: { ...OPEN, denyLocal: true } }, guarded);
    assert.doesNotMatch(guardedText, /fetches any target/);
  });
});

describe('passwords in targets that do not parse', () => {
  test('are hidden in the 503 and in the log', async () => {
    const logs = new PassThrough();
    let text = '';
    logs.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const exporter = await start({}, logs);
    for (const url of [
      'http://srs:s3cret@127.0.0.1:99999/api/',
      'http://srs:s3cret@bad host/',
      'srs:s3cret@127.0.0.1:1985',
    ]) {
      const response = await probe(exporter, url);
      assert.equal(response.status, 503, url);
      assert.match(response.text, /srs:xxxxx@/, url);
      assert.doesNotMatch(response.text, /s3cret/, url);
    }
    await waitFor('the probes logged', async () => (text.includes('scrape failed') ? true : undefined));
    assert.doesNotMatch(text, /s3cret/);
  });
});

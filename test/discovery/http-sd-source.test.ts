// http_sd: Prometheus HTTP SD JSON from a real 127.0.0.1 server, polled; failures keep the last good list.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHttpSdSource } from '../../src/discovery/http-sd-source.js';
import { createDiscovery } from '../../src/discovery/manager.js';
import { fleetConfig, quietLogger, urlsOf, waitForTargets } from '../helpers/discovery.js';
import { startTestServer, type TestServer } from '../helpers/http.js';

/** What the SD server answers next: status and body. */
let answer: { status: number; body: string } = { status: 200, body: '[]' };
let server: TestServer;

before(async () => {
  server = await startTestServer((_req, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
});
after(() => server.close());

function groups(...list: Array<{ targets: string[]; labels?: Record<string, string> }>): {
  status: number;
  body: string;
} {
  return { status: 200, body: JSON.stringify(list) };
}

function jobWith(refresh: string) {
  const job = fleetConfig(
    `fleet:\n  jobs:\n  - name: edge\n    module: default\n    http_sd: { url: "${server.url}/sd", refresh_interval: ${refresh} }\n`,
  ).fleet?.jobs[0];
  assert.ok(job?.httpSd);
  return { job, httpSd: job.httpSd };
}

test('the answer’s target groups become targets; __meta labels are dropped; Prometheus’s headers are sent', async () => {
  answer = groups({ targets: ['10.0.0.1:1985', '10.0.0.2:1985'], labels: { __meta_datacenter: 'x', zone: 'a' } });
  const { job, httpSd } = jobWith('1h');
  const source = createHttpSdSource(job, httpSd, quietLogger());
  await source.start(() => {});
  assert.deepStrictEqual(source.targets(), [
    { address: '10.0.0.1:1985', labels: { zone: 'a' }, source: `http_sd:${server.url}/sd` },
    { address: '10.0.0.2:1985', labels: { zone: 'a' }, source: `http_sd:${server.url}/sd` },
  ]);
  const request = server.requests.at(-1);
  assert.equal(request?.headers.accept, 'application/json');
  assert.equal(request?.headers['x-prometheus-refresh-interval-seconds'], '3600');
  await source.stop();
});

test('an error status, a non-JSON body or a malformed group keeps the last good list and says why', async () => {
  answer = groups({ targets: ['10.0.0.1:1985'] });
  const { job, httpSd } = jobWith('1h');
  const source = createHttpSdSource(job, httpSd, quietLogger());
  await source.start(() => {});
  const cases: Array<[{ status: number; body: string }, RegExp]> = [
    [{ status: 503, body: 'down' }, /answered HTTP 503; http_sd needs 200/],
    [{ status: 200, body: '<html>' }, /did not answer JSON/],
    [{ status: 200, body: '{"targets":[]}' }, /must be a list of target groups/],
    [
      { status: 200, body: '[{"targets":["a"]}]' },
      /target group 0: "a" is neither an absolute http\(s\) URL nor host:port/,
    ],
  ];
  for (const [next, message] of cases) {
    answer = next;
    await source.refreshNow();
    assert.match(source.status().lastError ?? '', message);
    assert.deepStrictEqual(
      source.targets().map((t) => t.address),
      ['10.0.0.1:1985'],
    );
  }
  answer = groups();
  await source.refreshNow();
  assert.equal(source.status().lastError, undefined);
  assert.deepStrictEqual(source.targets(), []);
  await source.stop();
});

test('an unreachable SD server is a recorded error, not a throw from start', async () => {
  const discovery = createDiscovery(
    fleetConfig(
      'fleet:\n  jobs:\n  - { name: e, module: default, static_targets: ["10.0.0.1:1985"], http_sd: { url: "http://127.0.0.1:1/sd" } }\n',
    ),
    { logger: quietLogger(), shard: { total: 1, index: 0 }, configDir: '.' },
  );
  await discovery.start();
  assert.deepStrictEqual(urlsOf(discovery.targets()), ['http://10.0.0.1:1985/']);
  const status = discovery.sources()[1];
  assert.equal(status?.source, 'http_sd:http://127.0.0.1:1/sd');
  assert.match(status?.lastError ?? '', /^GET http:\/\/127\.0\.0\.1:1\/sd failed: .*ECONNREFUSED/);
  await discovery.stop();
});

test('polled: when the server’s answer changes, onChange gets the new list', async () => {
  // The refresh interval is also http_sd's request timeout (as in Prometheus): 1 s leaves a loaded machine room.
  answer = groups({ targets: ['10.0.0.1:1985'] });
  const config = fleetConfig(
    `fleet:\n  jobs:\n  - name: edge\n    module: default\n    http_sd: { url: "${server.url}/sd", refresh_interval: 1s }\n`,
  );
  const discovery = createDiscovery(config, { logger: quietLogger(), shard: { total: 1, index: 0 }, configDir: '.' });
  await discovery.start();
  assert.deepStrictEqual(urlsOf(discovery.targets()), ['http://10.0.0.1:1985/']);
  const changed = waitForTargets(discovery, (targets) => targets.length === 2);
  answer = groups({ targets: ['10.0.0.1:1985'] }, { targets: ['http://10.0.0.2:8080/api'], labels: { zone: 'b' } });
  const targets = await changed;
  assert.deepStrictEqual(urlsOf(targets), ['http://10.0.0.1:1985/', 'http://10.0.0.2:8080/api']);
  assert.deepStrictEqual(targets[1]?.labels, { job: 'edge', instance: '10.0.0.2:8080', zone: 'b' });
  await discovery.stop();
});

// Two targets of one job on one host:port: detected at discovery, resolved (instance = URL), reported, never a
// duplicate series on /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveLabelCollisions } from '../../src/discovery/label-collisions.js';
import { createDiscovery } from '../../src/discovery/manager.js';
import { fleetConfig, quietLogger } from '../helpers/discovery.js';
import { type ConfiguredExporter, startConfiguredExporter } from '../helpers/exporter.js';
import { parseExposition } from '../helpers/exposition-parser.js';
import { readFixture } from '../helpers/fixtures.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';
import { makeStreamsBody } from '../helpers/srs-body.js';
import { waitFor } from '../helpers/wait-for.js';

test('targets of one job on one host:port get their URL as instance; others keep theirs', async () => {
  const discovery = createDiscovery(
    fleetConfig(`fleet:
  jobs:
  - name: srs-edge
    module: default
    static_targets:
    - "http://10.0.0.1:1985/api/v1/streams/?vhost=a"
    - "http://10.0.0.1:1985/api/v1/streams/?vhost=b"
    - "http://user:pw@10.0.0.1:1985/api/v1/vhosts/"
    - "http://10.0.0.2:1985/api/v1/streams/"
  - name: srs-origin
    module: default
    static_targets: ["http://10.0.0.1:1985/api/v1/streams/?vhost=a"]
`),
    { logger: quietLogger(), shard: { total: 1, index: 0 }, configDir: '.' },
  );
  await discovery.start();
  assert.deepStrictEqual(
    discovery.targets().map((target) => [target.job, target.labels.instance, target.labelCollision?.sharedBy]),
    [
      ['srs-edge', 'http://10.0.0.1:1985/api/v1/streams/?vhost=a', 3],
      ['srs-edge', 'http://10.0.0.1:1985/api/v1/streams/?vhost=b', 3],
      ['srs-edge', '10.0.0.2:1985', undefined],
      // Credentials never become a label value.
      ['srs-edge', 'http://user:xxxxx@10.0.0.1:1985/api/v1/vhosts/', 3],
      // Another job: another label set, no collision.
      ['srs-origin', '10.0.0.1:1985', undefined],
    ],
  );
  assert.equal(discovery.targets()[0]?.labelCollision?.instance, '10.0.0.1:1985');
  await discovery.stop();
});

test('URLs that redact alike still end with distinct label sets (numbered in target order)', () => {
  const base = { job: 'j', module: 'm', intervalMs: 1, timeoutMs: 1, source: 'static' };
  const resolved = resolveLabelCollisions([
    { ...base, id: 'j|http://u:a@h:1/', url: 'http://u:a@h:1/', labels: { job: 'j', instance: 'h:1' } },
    { ...base, id: 'j|http://u:b@h:1/', url: 'http://u:b@h:1/', labels: { job: 'j', instance: 'h:1' } },
  ]);
  assert.deepStrictEqual(
    resolved.map((target) => target.labels.instance),
    ['http://u:xxxxx@h:1/', 'http://u:xxxxx@h:1/#2'],
  );
});

describe('fleet /metrics with two targets of one job on one host:port, one up and one down', () => {
  let srs: TestServer;
  let running: ConfiguredExporter;

  before(async () => {
    srs = await startTestServer((req, res) => {
      if (req.url === '/up') res.writeHead(200, { 'content-type': 'application/json' }).end(makeStreamsBody(2));
      else res.writeHead(500).end('{}');
    });
    running = await startConfiguredExporter(
      readFixture('config', 'srs-reference.yml') +
        `fleet:\n  scrape_interval: 1s\n  jobs:\n  - name: srs-edge\n    module: default\n    static_targets: ["${srs.url}/up", "${srs.url}/down"]\n`,
      { workers: 0 },
    );
  });

  after(async () => {
    await running.stop();
    await srs.close();
  });

  test('no series appears twice; target_up 1 and 0 carry distinct instances; a self metric and /targets say so', async () => {
    const base = `http://127.0.0.1:${running.exporter.port}`;
    const body = await waitFor('both targets scraped', async () => {
      const text = (await httpGet(`${base}/metrics`)).text;
      return (text.match(/^fleet_json_exporter_target_up\{/gm) ?? []).length === 2 ? text : undefined;
    });
    const seen = new Set<string>();
    // prom-client separates its own families with blank lines, which the strict reader refuses.
    const lines = body.split('\n').filter((line) => line !== '');
    for (const family of parseExposition(`${lines.join('\n')}\n`, 'text')) {
      for (const sample of family.samples) {
        const key = `${sample.name}${JSON.stringify(sample.labels)}`;
        assert.ok(!seen.has(key), `duplicate series ${key}`);
        seen.add(key);
      }
    }
    assert.match(
      body,
      new RegExp(`^fleet_json_exporter_target_up\\{job="srs-edge",instance="${srs.url}/up"\\} 1$`, 'm'),
    );
    assert.match(
      body,
      new RegExp(`^fleet_json_exporter_target_up\\{job="srs-edge",instance="${srs.url}/down"\\} 0$`, 'm'),
    );
    assert.match(body, /^fleet_json_exporter_fleet_label_collisions\{job="srs-edge"\} 2$/m);
    const report = JSON.parse((await httpGet(`${base}/targets?format=json`)).text) as {
      targets: Array<{ url: string; labelCollision: { instance: string; sharedBy: number } | null }>;
    };
    assert.deepStrictEqual(
      report.targets.map((target) => target.labelCollision),
      [
        { instance: new URL(srs.url).host, sharedBy: 2 },
        { instance: new URL(srs.url).host, sharedBy: 2 },
      ],
    );
    const html = (await httpGet(`${base}/targets`)).text;
    assert.match(
      html,
      /label collision: 2 targets had instance="127\.0\.0\.1:\d+" and the same labels; instance is the URL/,
    );
  });
});

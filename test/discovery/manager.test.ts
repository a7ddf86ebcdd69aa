// The discovery manager: labels in order, dedup across sources, sorting, the shard filter, churn, status and lifecycle.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDiscovery, type Discovery } from '../../src/discovery/manager.js';
import { ownsTarget } from '../../src/discovery/shard.js';
import type { ScrapeTarget } from '../../src/discovery/target.js';
import { fleetConfig, quietLogger, urlsOf, waitForTargets } from '../helpers/discovery.js';
import { waitFor } from '../helpers/wait-for.js';

const TWO_JOBS = `fleet:
  scrape_interval: 20s
  jobs:
  - name: srs-edge
    module: default
    labels: { cluster: prod }
    target_url: "http://{{address}}/api/v1/streams/?count=1000"
    static_targets: ["10.0.0.2:1985", "http://10.0.0.1:1985/api/v1/streams/", "10.0.0.2:1985"]
  - name: srs-origin
    module: default
    scrape_interval: 5s
    static_targets: ["[::1]:1985"]
`;

function discoveryOf(yaml: string, shard = { total: 1, index: 0 }) {
  return createDiscovery(fleetConfig(yaml), { logger: quietLogger(), shard, configDir: '/nonexistent' });
}

test('static targets become ScrapeTargets: URL from target_url, labels job, instance, job labels', async () => {
  const discovery = discoveryOf(TWO_JOBS);
  await discovery.start();
  const expected: ScrapeTarget[] = [
    {
      id: 'srs-edge|http://10.0.0.1:1985/api/v1/streams/',
      job: 'srs-edge',
      url: 'http://10.0.0.1:1985/api/v1/streams/',
      module: 'default',
      labels: { job: 'srs-edge', instance: '10.0.0.1:1985', cluster: 'prod' },
      intervalMs: 20_000,
      timeoutMs: 10_000,
      source: 'static',
    },
    {
      id: 'srs-edge|http://10.0.0.2:1985/api/v1/streams/?count=1000',
      job: 'srs-edge',
      url: 'http://10.0.0.2:1985/api/v1/streams/?count=1000',
      module: 'default',
      labels: { job: 'srs-edge', instance: '10.0.0.2:1985', cluster: 'prod' },
      intervalMs: 20_000,
      timeoutMs: 10_000,
      source: 'static',
    },
    {
      id: 'srs-origin|http://[::1]:1985/',
      job: 'srs-origin',
      url: 'http://[::1]:1985/',
      module: 'default',
      labels: { job: 'srs-origin', instance: '[::1]:1985' },
      intervalMs: 5_000,
      timeoutMs: 5_000,
      source: 'static',
    },
  ];
  assert.deepStrictEqual(discovery.targets(), expected);
  // Output order of labels is part of the contract: job, instance, then the job's.
  assert.deepStrictEqual(Object.keys(discovery.targets()[0]?.labels ?? {}), ['job', 'instance', 'cluster']);
  assert.deepStrictEqual(discovery.sources(), [
    { job: 'srs-edge', source: 'static', lastRefresh: discovery.sources()[0]?.lastRefresh, targetCount: 3 },
    { job: 'srs-origin', source: 'static', lastRefresh: discovery.sources()[1]?.lastRefresh, targetCount: 1 },
  ]);
  assert.ok((discovery.sources()[0]?.lastRefresh ?? 0) > 0);
  await discovery.stop();
});

test('onChange hears the first round’s list; stop is idempotent and silences listeners', async () => {
  const discovery = discoveryOf(TWO_JOBS);
  const heard: string[][] = [];
  discovery.onChange((targets) => heard.push(urlsOf(targets)));
  await discovery.start();
  assert.deepStrictEqual(heard, [urlsOf(discovery.targets())]);
  await discovery.stop();
  await discovery.stop();
  assert.equal(heard.length, 1);
});

test('start called twice starts the sources once; stop before start leaves nothing running', async () => {
  const discovery = discoveryOf(TWO_JOBS);
  let calls = 0;
  discovery.onChange(() => calls++);
  await Promise.all([discovery.start(), discovery.start()]);
  assert.equal(calls, 1);
  await discovery.stop();
  const never = discoveryOf(TWO_JOBS);
  await never.stop();
  await never.start();
  assert.deepStrictEqual(never.targets(), []);
});

test('an unsubscribed listener is not called', async () => {
  const discovery = discoveryOf(TWO_JOBS);
  let calls = 0;
  const unsubscribe = discovery.onChange(() => calls++);
  unsubscribe();
  await discovery.start();
  assert.equal(calls, 0);
  await discovery.stop();
});

test('shards split the targets with the hashmod of each URL: together they hold each target exactly once', async () => {
  const addresses = Array.from({ length: 30 }, (_, i) => `"10.1.0.${i}:1985"`).join(', ');
  const yaml = `fleet:\n  jobs:\n  - name: edge\n    module: default\n    static_targets: [${addresses}]\n`;
  const seen = new Map<string, number>();
  for (const index of [0, 1, 2]) {
    const discovery = discoveryOf(yaml, { total: 3, index });
    await discovery.start();
    for (const target of discovery.targets()) {
      assert.ok(ownsTarget({ total: 3, index }, target.url));
      seen.set(target.url, (seen.get(target.url) ?? 0) + 1);
    }
    await discovery.stop();
  }
  assert.equal(seen.size, 30);
  assert.ok([...seen.values()].every((count) => count === 1));
});

test('a config without fleet gives no targets and no sources', async () => {
  const discovery = createDiscovery(fleetConfig(''), {
    logger: quietLogger(),
    shard: { total: 1, index: 0 },
    configDir: '.',
  });
  await discovery.start();
  assert.deepStrictEqual([discovery.targets(), discovery.sources()], [[], []]);
  await discovery.stop();
});

/**
 * A started discovery of job `edge`: static 10.0.0.1 first, then file_sd from a file holding `fileSd` (static comes
 * first, so its copy of 10.0.0.1 wins over the file's, with no file labels on it). Stopped and removed afterwards.
 */
async function withStaticAndFileSd(
  fileSd: string,
  body: (discovery: Discovery, file: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fje-discovery-'));
  try {
    const file = join(dir, 'edge.yml');
    writeFileSync(file, fileSd);
    const config = fleetConfig(
      'fleet:\n  jobs:\n  - name: edge\n    module: default\n    static_targets: ["10.0.0.1:1985"]\n    file_sd: [edge.yml]\n    file_sd_refresh_interval: 1h\n',
    );
    const discovery = createDiscovery(config, { logger: quietLogger(), shard: { total: 1, index: 0 }, configDir: dir });
    await discovery.start();
    try {
      await body(discovery, file);
    } finally {
      await discovery.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('churn: a source’s change gives listeners the new full list; a URL from two sources is kept once', () =>
  withStaticAndFileSd(
    '- targets: ["10.0.0.1:1985", "10.0.0.2:1985"]\n  labels: { from: file }\n',
    async (discovery, file) => {
      assert.deepStrictEqual(
        discovery.targets().map((t) => [t.url, t.source, t.labels['from']]),
        [
          ['http://10.0.0.1:1985/', 'static', undefined],
          ['http://10.0.0.2:1985/', 'file_sd:edge.yml', 'file'],
        ],
      );
      assert.deepStrictEqual(
        discovery.sources().map((s) => s.targetCount),
        [1, 2],
      );
      const changed = waitForTargets(
        discovery,
        (targets) => targets.length === 2 && targets[1]?.url === 'http://10.0.0.3:1985/',
      );
      writeFileSync(file, '- targets: ["10.0.0.3:1985"]\n');
      assert.deepStrictEqual(urlsOf(await changed), ['http://10.0.0.1:1985/', 'http://10.0.0.3:1985/']);
    },
  ));

test('a source that changed only what another source overrides is not a change of the target list', () =>
  withStaticAndFileSd('- targets: ["10.0.0.1:1985"]\n  labels: { rack: a }\n', async (discovery, file) => {
    const heard: string[][] = [];
    discovery.onChange((targets) => heard.push(targets.map((t) => `${t.url} ${t.labels['rack']}`)));
    const refreshed = discovery.sources()[1]?.lastRefresh ?? 0;
    // The file's list changed (the source tells discovery so, in the same turn as it records the refresh); the
    // merged list did not: the static copy of 10.0.0.1 wins.
    writeFileSync(file, '- targets: ["10.0.0.1:1985"]\n  labels: { rack: b }\n');
    await waitFor(
      'the file to be read again',
      async () => ((discovery.sources()[1]?.lastRefresh ?? 0) > refreshed ? true : undefined),
      20_000,
      20,
    );
    assert.ok((discovery.sources()[1]?.lastRefresh ?? 0) > refreshed, 'the file was read again');
    assert.deepEqual(heard, []);
    const changed = waitForTargets(discovery, (targets) => targets.length === 2);
    writeFileSync(file, '- targets: ["10.0.0.1:1985", "10.0.0.2:1985"]\n  labels: { rack: b }\n');
    await changed;
    assert.deepEqual(heard, [['http://10.0.0.1:1985/ undefined', 'http://10.0.0.2:1985/ b']]);
  }));

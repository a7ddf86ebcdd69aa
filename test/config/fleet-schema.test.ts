// The `fleet:` section: the example loads as written, defaults fill the rest, jobs inherit fleet timings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import type { FleetConfig } from '../../src/config/types.js';
import { readFixture } from '../helpers/fixtures.js';

const MODULES = 'modules:\n  default:\n    metrics:\n    - name: server\n      path: "{.server}"\n';

function fleetOf(yaml: string): FleetConfig {
  const fleet = parseConfig(MODULES + yaml, 'test.yml').fleet;
  assert.ok(fleet, 'the config has a fleet section');
  return fleet;
}

test('the issue’s fleet example loads with every key read', () => {
  const fleet = parseConfig(readFixture('config', 'fleet-example.yml'), 'fleet-example.yml').fleet;
  const expected: FleetConfig = {
    scrapeIntervalMs: 15_000,
    scrapeTimeoutMs: 10_000,
    concurrency: 256,
    maxBodyBytes: 33_554_432,
    shard: { total: 1, index: 0 },
    jobs: [
      {
        name: 'srs-edge',
        module: 'default',
        scrapeIntervalMs: 15_000,
        scrapeTimeoutMs: 10_000,
        labels: { cluster: 'prod' },
        targetUrl: 'http://{{address}}/api/v1/streams/?count=1000',
        staticTargets: ['http://127.0.0.1:1985/api/v1/streams/'],
        fileSd: ['targets/*.yml'],
        fileSdRefreshIntervalMs: 300_000,
        httpSd: { url: 'http://127.0.0.1:9000/targets', refreshIntervalMs: 60_000 },
        dnsSd: { names: ['srs-edge.stu-srs.svc.cluster.local'], type: 'A', port: 1985, refreshIntervalMs: 30_000 },
      },
      {
        name: 'srs-origin',
        module: 'default',
        scrapeIntervalMs: 5_000,
        // min(fleet timeout 10s, job interval 5s)
        scrapeTimeoutMs: 5_000,
        labels: {},
        staticTargets: [],
        fileSd: [],
        fileSdRefreshIntervalMs: 300_000,
        dnsSd: { names: ['_http._tcp.srs-origin.stu-srs.svc.cluster.local'], type: 'SRV', refreshIntervalMs: 30_000 },
      },
    ],
  };
  assert.deepStrictEqual(fleet, expected);
});

test('a minimal fleet gets the documented defaults', () => {
  const fleet = fleetOf('fleet:\n  jobs:\n  - { name: edge, module: default, static_targets: ["10.0.0.1:1985"] }\n');
  assert.equal(fleet.scrapeIntervalMs, 15_000);
  assert.equal(fleet.scrapeTimeoutMs, 10_000);
  assert.equal(fleet.concurrency, 256);
  assert.equal(fleet.maxBodyBytes, 32 * 1024 * 1024);
  assert.deepStrictEqual(fleet.shard, {});
  assert.equal(fleet.jobs[0]?.scrapeIntervalMs, 15_000);
  assert.equal(fleet.jobs[0]?.scrapeTimeoutMs, 10_000);
  assert.equal(fleet.jobs[0]?.targetUrl, undefined);
});

test('a job timeout defaults to the fleet timeout, shortened to the job interval when that is shorter', () => {
  const fleet = fleetOf(
    'fleet:\n  scrape_interval: 30s\n  scrape_timeout: 20s\n  jobs:\n' +
      '  - { name: slow, module: default, static_targets: ["10.0.0.1:1985"] }\n' +
      '  - { name: fast, module: default, scrape_interval: 5s, static_targets: ["10.0.0.1:1985"] }\n' +
      '  - { name: own, module: default, scrape_interval: 5s, scrape_timeout: 2s, static_targets: ["10.0.0.1:1985"] }\n',
  );
  assert.deepStrictEqual(
    fleet.jobs.map((job) => [job.name, job.scrapeIntervalMs, job.scrapeTimeoutMs]),
    [
      ['slow', 30_000, 20_000],
      ['fast', 5_000, 5_000],
      ['own', 5_000, 2_000],
    ],
  );
});

test('static targets may be URLs or host:port, IPv6 in brackets', () => {
  const fleet = fleetOf(
    'fleet:\n  jobs:\n  - name: e\n    module: default\n    static_targets: ["https://srs.example/api", "srs-0.srs:1985", "[::1]:1985"]\n',
  );
  assert.deepStrictEqual(fleet.jobs[0]?.staticTargets, ['https://srs.example/api', 'srs-0.srs:1985', '[::1]:1985']);
});

test('a config without fleet has no fleet key, and a loaded fleet is frozen', () => {
  assert.equal('fleet' in parseConfig(MODULES, 'test.yml'), false);
  const fleet = fleetOf(
    'fleet:\n  jobs:\n  - { name: e, module: default, static_targets: ["10.0.0.1:1985"], labels: { a: b } }\n',
  );
  assert.ok(Object.isFrozen(fleet.jobs[0]?.labels));
  assert.ok(Object.isFrozen(fleet.jobs));
});

test('fleet.scrape_timeout defaults to min(10s, scrape_interval), as Prometheus does', () => {
  const fleet = fleetOf(
    'fleet:\n  scrape_interval: 5s\n  jobs:\n' +
      '  - { name: edge, module: default, static_targets: ["10.0.0.1:1985"] }\n' +
      '  - { name: slow, module: default, scrape_interval: 1m, static_targets: ["10.0.0.2:1985"] }\n',
  );
  assert.equal(fleet.scrapeTimeoutMs, 5_000);
  assert.deepStrictEqual(
    fleet.jobs.map((job) => [job.name, job.scrapeIntervalMs, job.scrapeTimeoutMs]),
    [
      ['edge', 5_000, 5_000],
      // A job's default is the fleet's resolved timeout, shortened to its own interval (Prometheus's rule).
      ['slow', 60_000, 5_000],
    ],
  );
  assert.equal(
    fleetOf(
      'fleet:\n  scrape_interval: 1m\n  jobs:\n  - { name: e, module: default, static_targets: ["10.0.0.1:1985"] }\n',
    ).scrapeTimeoutMs,
    10_000,
  );
});

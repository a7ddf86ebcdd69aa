// From a discovered target to a ScrapeTarget: the URL, and which labels win when a source and the job both set one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildScrapeTarget } from '../../src/discovery/build-target.js';
import { fleetConfig } from '../helpers/discovery.js';

const job = fleetConfig(
  'fleet:\n  jobs:\n  - { name: edge, module: default, labels: { cluster: prod, zone: a }, static_targets: ["x:1"] }\n',
).fleet?.jobs[0];

test('a source label overrides a job label in place; a source `job` label cannot rename the job', () => {
  assert.ok(job);
  const target = buildScrapeTarget(job, {
    address: '10.0.0.1:1985',
    labels: { zone: 'b', job: 'other', rack: 'r1' },
    source: 'http_sd:x',
  });
  assert.deepStrictEqual(Object.entries(target.labels), [
    ['job', 'edge'],
    ['instance', '10.0.0.1:1985'],
    ['cluster', 'prod'],
    ['zone', 'b'],
    ['rack', 'r1'],
  ]);
  assert.equal(target.id, 'edge|http://10.0.0.1:1985/');
  assert.ok(Object.isFrozen(target) && Object.isFrozen(target.labels));
});

test('a URL target’s instance is its host[:port] as the URL spells it', () => {
  assert.ok(job);
  assert.equal(
    buildScrapeTarget(job, { address: 'https://srs.example/api', labels: {}, source: 'static' }).labels['instance'],
    'srs.example',
  );
  assert.equal(
    buildScrapeTarget(job, { address: 'http://[::1]:1985/api', labels: {}, source: 'static' }).labels['instance'],
    '[::1]:1985',
  );
});

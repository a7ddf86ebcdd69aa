// What /targets shows of a target: its URL without the password (/sd, which Prometheus reads, keeps it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TargetStore } from '../../src/fleet/store.js';
import { renderTargetsPage, reportTargets } from '../../src/server/targets-page.js';
import { staticTarget } from '../helpers/discovery.js';

test("/targets (JSON and HTML) shows a target URL's password as xxxxx and nowhere as given", () => {
  const url = 'http://srs:s3cret@10.0.0.1:1985/api/v1/streams/';
  const target = staticTarget(url, 'srs-edge', '10.0.0.1:1985');
  const store = new TargetStore();
  store.upsertTarget(target);
  const report = reportTargets(store.entries(), { total: 1, index: 0 });
  assert.equal(report.targets[0]?.url, 'http://srs:xxxxx@10.0.0.1:1985/api/v1/streams/');
  assert.equal(report.targets[0]?.id, 'srs-edge|http://srs:xxxxx@10.0.0.1:1985/api/v1/streams/');
  assert.ok(!JSON.stringify(report).includes('s3cret'));
  const page = renderTargetsPage(report);
  assert.ok(page.includes('http://srs:xxxxx@10.0.0.1:1985/api/v1/streams/'));
  assert.ok(!page.includes('s3cret'));
});

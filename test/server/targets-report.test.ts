// What /targets shows of a target: its URL without the password (/sd, which Prometheus reads, keeps it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { TargetStore } from '../../src/fleet/store.js';
import { renderTargetsPage, reportTargets } from '../../src/server/targets-page.js';

test("/targets (JSON and HTML) shows a target URL's password as xxxxx and nowhere as given", () => {
  const url = 'http://srs:s3cret@10.0.0.1:1985/api/v1/streams/';
  const target: ScrapeTarget = {
    id: scrapeTargetId('srs-edge', url),
    job: 'srs-edge',
    url,
    module: 'default',
    labels: { job: 'srs-edge', instance: '10.0.0.1:1985' },
    intervalMs: 15_000,
    timeoutMs: 10_000,
    source: 'static',
  };
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

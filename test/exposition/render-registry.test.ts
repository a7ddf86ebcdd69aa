// prom-client metrics rendered as OpenMetrics by us: counters, gauges, histograms, without touching prom-client's names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { renderRegistryOpenMetrics, type RegistryMetric } from '../../src/exposition/render-registry.js';
import { parseExposition } from '../helpers/exposition-parser.js';

test('counters, gauges and histograms as strict OpenMetrics; the text rendering is unchanged afterwards', async () => {
  const registry = new Registry();
  new Counter({ name: 'x_requests_total', help: 'Requests "quoted"', labelNames: ['code'], registers: [registry] }).inc(
    { code: '200' },
    2,
  );
  new Gauge({ name: 'x_up', help: 'Up', registers: [registry] }).set(1);
  new Histogram({ name: 'x_seconds', help: 'Time', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
  const before = await registry.metrics();
  const text =
    renderRegistryOpenMetrics((await registry.getMetricsAsJSON()) as unknown as RegistryMetric[]) + '# EOF\n';
  const families = parseExposition(text, 'openmetrics');
  assert.deepEqual(
    families.map((f) => [f.name, f.type]),
    [
      ['x_requests', 'counter'],
      ['x_up', 'gauge'],
      ['x_seconds', 'histogram'],
    ],
  );
  assert.equal(families[0]?.help, 'Requests "quoted"');
  assert.deepEqual(
    families[0]?.samples.map((s) => [s.name, s.labels, s.value]),
    [['x_requests_total', [['code', '200']], 2]],
  );
  assert.deepEqual(
    families[2]?.samples.map((s) => s.name),
    ['x_seconds_bucket', 'x_seconds_bucket', 'x_seconds_bucket', 'x_seconds_sum', 'x_seconds_count'],
  );
  assert.equal(await registry.metrics(), before, "prom-client's own rendering changed");
});

// KeyedHistogram against prom-client's own Histogram: the same observations give the same exposition and values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { KeyedHistogram } from '../../src/telemetry/keyed-metrics.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function pair(labelNames: string[]): {
  ours: KeyedHistogram<string>;
  theirs: Histogram<string>;
  registries: Registry[];
} {
  const registries = [new Registry(), new Registry()];
  const config = { name: 'probe_duration_seconds', help: 'Time to probe.', labelNames, buckets: BUCKETS };
  const ours = new KeyedHistogram({ ...config, registers: [registries[0] as Registry] });
  const theirs = new Histogram({ ...config, registers: [registries[1] as Registry] });
  return { ours, theirs, registries };
}

/** The text exposition, and the JSON the OpenMetrics answer is rendered from (renderSelfMetrics). */
async function exposition(registry: Registry): Promise<unknown[]> {
  return [await registry.metrics(), await registry.getMetricsAsJSON()];
}

test('with and without labels, any observations expose as prom-client exposes them, as text and as the JSON OpenMetrics is rendered from', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.tuple(
          fc.constantFrom('default', 'srs', 'a"b\\c'),
          fc.constantFrom('success', 'failure'),
          fc.oneof(fc.constantFrom(...BUCKETS, 0, 11, 1e-9), fc.double({ min: 0, max: 20, noNaN: true })),
        ),
        { maxLength: 40 },
      ),
      async (observations) => {
        const labelled = pair(['module', 'result']);
        const plain = pair([]);
        for (const [module, result, value] of observations) {
          labelled.ours.observe({ module, result }, value);
          labelled.theirs.observe({ module, result }, value);
          plain.ours.observe(value);
          plain.theirs.observe(value);
        }
        for (const { ours, theirs, registries } of [labelled, plain]) {
          assert.deepEqual(await exposition(registries[0] as Registry), await exposition(registries[1] as Registry));
          assert.deepEqual(await ours.get(), await theirs.get());
        }
      },
    ),
    { numRuns: 100 },
  );
});

test('labels(), zero, remove and reset act on the series exposed; a label not configured is refused', async () => {
  const { ours, theirs, registries } = pair(['module']);
  for (const histogram of [ours, theirs]) {
    histogram.labels('a').observe(0.2);
    histogram.labels({ module: 'b' }).observe(3);
    histogram.zero({ module: 'c' });
    histogram.observe({ module: 'd' }, 1);
    histogram.remove('d');
  }
  const [text] = await exposition(registries[0] as Registry);
  assert.deepEqual(await exposition(registries[0] as Registry), await exposition(registries[1] as Registry));
  assert.match(String(text), /probe_duration_seconds_count\{module="a"\} 1/);
  assert.match(String(text), /probe_duration_seconds_count\{module="c"\} 0/);
  assert.doesNotMatch(String(text), /module="d"/);
  assert.throws(() => ours.observe({ module: 'e', other: 'x' } as never, 1), /"other" is not included/);
  assert.throws(() => ours.observe({ module: 'e' }, Number.NaN), /not a valid number/);
  assert.throws(
    () => new KeyedHistogram({ name: 'x', help: 'x', buckets: [1], registers: [], collect: () => undefined }),
    /has no collect/,
  );
  ours.reset();
  theirs.reset();
  assert.deepEqual(await exposition(registries[0] as Registry), await exposition(registries[1] as Registry));
});

// KeyedHistogram and KeyedCounter against prom-client's own: the same updates give the same exposition and values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { KeyedCounter, KeyedHistogram } from '../../src/telemetry/keyed-metrics.js';

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

/** Up to 40 updates of a (module, result) series, each by a value from `values`. */
function updates<V>(values: fc.Arbitrary<V>): fc.Arbitrary<[string, string, V][]> {
  const module = fc.constantFrom('default', 'srs', 'a"b\\c');
  return fc.array(fc.tuple(module, fc.constantFrom('success', 'failure'), values), { maxLength: 40 });
}

/** The text exposition, and the JSON the OpenMetrics answer is rendered from (renderSelfMetrics). */
async function exposition(registry: Registry): Promise<unknown[]> {
  return [await registry.metrics(), await registry.getMetricsAsJSON()];
}

test('with and without labels, any observations expose as prom-client exposes them, as text and as the JSON OpenMetrics is rendered from', async () => {
  await fc.assert(
    fc.asyncProperty(
      updates(fc.oneof(fc.constantFrom(...BUCKETS, 0, 11, 1e-9), fc.double({ min: 0, max: 20, noNaN: true }))),
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

test('KeyedCounter: any increments expose as prom-client exposes them; labels(), remove and reset too', async () => {
  await fc.assert(
    fc.asyncProperty(
      updates(
        fc.oneof(fc.constant(undefined), fc.constantFrom(0, 1, 50), fc.double({ min: 0, max: 1e6, noNaN: true })),
      ),
      async (increments) => {
        const registries = [new Registry(), new Registry(), new Registry(), new Registry()];
        const config = { name: 'probes_total', help: 'Probes.', labelNames: ['module', 'result'] };
        const ours = new KeyedCounter({ ...config, registers: [registries[0] as Registry] });
        const theirs = new Counter({ ...config, registers: [registries[1] as Registry] });
        const plainOurs = new KeyedCounter({ name: 'p_total', help: 'P.', registers: [registries[2] as Registry] });
        const plainTheirs = new Counter({ name: 'p_total', help: 'P.', registers: [registries[3] as Registry] });
        for (const [module, result, value] of increments) {
          for (const counter of [ours, theirs]) counter.inc({ module, result }, value);
          for (const counter of [plainOurs, plainTheirs]) counter.inc(value);
        }
        for (const counter of [ours, theirs]) {
          counter.labels('x', 'success').inc(2);
          counter.labels({ module: 'y', result: 'failure' }).inc();
          counter.remove('default', 'success');
        }
        assert.deepEqual(await exposition(registries[0] as Registry), await exposition(registries[1] as Registry));
        assert.deepEqual(await exposition(registries[2] as Registry), await exposition(registries[3] as Registry));
        for (const counter of [ours, theirs, plainOurs, plainTheirs]) counter.reset();
        assert.deepEqual(await exposition(registries[0] as Registry), await exposition(registries[1] as Registry));
        assert.deepEqual(await exposition(registries[2] as Registry), await exposition(registries[3] as Registry));
      },
    ),
    { numRuns: 100 },
  );
  const counter = new KeyedCounter({ name: 'c_total', help: 'C.', labelNames: ['module'], registers: [] });
  assert.throws(() => counter.inc({ module: 'a' }, -1), /not possible to decrease/);
  assert.throws(() => counter.inc({ module: 'a' }, Number.POSITIVE_INFINITY), /not a valid number/);
  assert.throws(() => counter.inc({ other: 'a' } as never), /"other" is not included/);
  assert.throws(
    () => new KeyedCounter({ name: 'y_total', help: 'Y.', registers: [], collect: () => undefined }),
    /has no collect/,
  );
});

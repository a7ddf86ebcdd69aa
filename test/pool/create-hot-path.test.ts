// createHotPath: small bodies inline, large ones in the pool, 0 workers all inline; each task counted by path and outcome.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createHotPath } from '../../src/pool/create-hot-path.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  bytesOf,
  controlledWorkerUrl,
  HOLD_BODY_PADDING,
  holdWorker,
  referenceBody,
  referenceModule,
  taskFor,
} from './pool-fixtures.js';

const module = referenceModule();

/** A sample's value; `name` may be a histogram's `_count` series. */
async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const family = name.endsWith('_count') ? name.slice(0, -'_count'.length) : name;
  const metric = await registry.getSingleMetric(family)?.get();
  const found = metric?.values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? family) === name &&
      Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return found?.value;
}

test('bodies below inlineMaxBytes run inline, the rest in the pool, each counted by path and outcome', async () => {
  const registry = new Registry();
  const body = referenceBody();
  const hotPath = createHotPath({ workers: 1, maxQueue: 2, inlineMaxBytes: body.byteLength, registry });
  try {
    assert.equal(hotPath.routeFor(body.byteLength - 1), 'inline');
    assert.equal(hotPath.routeFor(body.byteLength), 'pool');

    const small = body.slice(0, body.byteLength >> 1);
    // What /probe asks before choosing strings (inline) or bytes (pool) for its answer.
    assert.equal(hotPath.runsInline(taskFor(module, small)), true);
    assert.equal(hotPath.runsInline(taskFor(module, body)), false);
    const inline = await hotPath.run(taskFor(module, small));
    assert.equal(inline.ok ? 'ok' : inline.reason, 'invalid_json', 'a truncated body is not JSON');
    assert.equal(small.byteLength, body.byteLength >> 1, 'an inline body is not transferred');

    const pooled = await hotPath.run(taskFor(module, body));
    assert.equal(pooled.ok, true);
    assert.equal(body.byteLength, 0, 'a pooled body is transferred');

    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', {
        path: 'inline',
        outcome: 'invalid_json',
      }),
      1,
    );
    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', { path: 'pool', outcome: 'ok' }),
      1,
    );
    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_duration_seconds_count', { path: 'pool' }),
      1,
    );
    assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_threads'), 1);
    assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_queue_depth'), 0);
    const utilization = await metricValue(registry, 'fleet_json_exporter_pool_utilization');
    assert.ok(utilization !== undefined && utilization >= 0 && utilization <= 1);
  } finally {
    await hotPath.close();
  }
});

test('with 0 workers every body runs inline and the pool gauges read 0 threads', async () => {
  const registry = new Registry();
  const hotPath = createHotPath({ workers: 0, maxQueue: 0, inlineMaxBytes: 0, registry });
  assert.equal(hotPath.pool, undefined);
  assert.equal(hotPath.routeFor(10_000_000), 'inline');
  const body = referenceBody();
  const result = await hotPath.run(taskFor(module, body));
  assert.equal(result.ok, true);
  assert.ok(body.byteLength > 0, 'nothing was transferred');
  assert.equal(
    await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', { path: 'inline', outcome: 'ok' }),
    1,
  );
  assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_threads'), 0);
  await hotPath.close();
});

test('workers stopped as idle read 0 threads and count in pool_idle_stops_total; the next pooled body starts them', async () => {
  const registry = new Registry();
  // The idle timer checks every millisecond: once the first body is done, the workers go within a few.
  const hotPath = createHotPath({ workers: 1, maxQueue: 1, inlineMaxBytes: 0, idleStopMs: 1, registry });
  try {
    assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_idle_stops_total'), 0);
    const first = await hotPath.run(taskFor(module, referenceBody()));
    assert.equal(first.ok ? 'ok' : first.reason, 'ok');
    await waitFor(
      'the idle workers to be stopped',
      async () => ((await metricValue(registry, 'fleet_json_exporter_pool_idle_stops_total')) === 1 ? true : undefined),
      30_000,
      5,
    );
    assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_threads'), 0);
    const again = await hotPath.run(taskFor(module, referenceBody()));
    assert.equal(again.ok ? 'ok' : again.reason, 'ok');
    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', { path: 'pool', outcome: 'ok' }),
      2,
      'both bodies went to the pool, the second to workers started again',
    );
  } finally {
    await hotPath.close();
  }
});

test('a full pool shows in the queue gauges and counts pool_overloaded; small bodies still run inline meanwhile', async () => {
  const registry = new Registry();
  const hotPath = createHotPath({
    workers: 1,
    maxQueue: 1,
    inlineMaxBytes: 64,
    registry,
    workerUrl: controlledWorkerUrl,
  });
  try {
    const held = await holdWorker(hotPath, module);
    const queued = hotPath.run(taskFor(module, referenceBody()));
    assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_queue_depth'), 1);
    assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_in_flight'), 2);

    const refused = await hotPath.run(taskFor(module, referenceBody()));
    assert.equal(refused.ok ? 'ok' : refused.reason, 'pool_overloaded');
    const tiny = await hotPath.run(taskFor(module, bytesOf('{"streams":[]}')));
    assert.equal(tiny.ok, true, 'an inline body does not wait for the pool');

    assert.equal((await held.release()).ok, true);
    assert.equal((await queued).ok, true);
    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', {
        path: 'pool',
        outcome: 'pool_overloaded',
      }),
      1,
    );
    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', { path: 'pool', outcome: 'ok' }),
      2,
    );
    assert.equal(await metricValue(registry, 'fleet_json_exporter_pool_in_flight'), 0);
  } finally {
    await hotPath.close();
  }
});

test('with idleInlineMaxBytes, a body up to it runs inline while the pool is empty and in the pool while it is busy', async () => {
  // (The other half of "idle", event-loop utilisation under 0.5, starts at 0: the first sample comes after 100 ms.)
  const registry = new Registry();
  // inlineMaxBytes 0: only the idle rule can keep a body on the main thread. The hold body is just over the limit.
  const hotPath = createHotPath({
    workers: 1,
    maxQueue: 4,
    inlineMaxBytes: 0,
    idleInlineMaxBytes: HOLD_BODY_PADDING,
    workerUrl: controlledWorkerUrl,
    registry,
  });
  try {
    const lone = referenceBody();
    assert.ok(lone.byteLength <= HOLD_BODY_PADDING);
    assert.equal(hotPath.routeFor(lone.byteLength), 'inline');
    assert.equal((await hotPath.run(taskFor(module, lone))).ok, true);
    assert.equal(lone.byteLength, referenceBody().byteLength, 'run inline: the body was not transferred');

    const held = await holdWorker(hotPath, module);
    assert.equal(hotPath.routeFor(lone.byteLength), 'pool', 'a body is in the pool: no shortcut');
    const queued = hotPath.run(taskFor(module, referenceBody()));
    await held.release();
    assert.equal((await queued).ok, true);
    assert.equal(hotPath.routeFor(HOLD_BODY_PADDING + 1), 'pool', 'larger bodies always go to the pool');

    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', { path: 'inline', outcome: 'ok' }),
      1,
    );
    assert.equal(
      await metricValue(registry, 'fleet_json_exporter_hot_path_tasks_total', { path: 'pool', outcome: 'ok' }),
      2,
    );
  } finally {
    await hotPath.close();
  }
});

// Merging targets' families: HELP/TYPE once per family, series contiguous in store order, conflicts counted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import type { RenderedFamily } from '../../src/exposition/types.js';
import { planFleetExposition, planFleetExpositionInTurns } from '../../src/fleet/fleet-exposition.js';
import { SLOT_GROUP_MS, TargetStore } from '../../src/fleet/store.js';
import { renderSelfMetrics, selfMetricNames } from '../../src/server/fleet-metrics-route.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';
import { countLoopTurns } from '../helpers/loop-turns.js';
import { checkMetricsWithPromtool } from '../helpers/promtool.js';

function makeTarget(host: string): ScrapeTarget {
  const url = `http://${host}/`;
  return {
    id: scrapeTargetId('j', url),
    job: 'j',
    url,
    module: 'm',
    labels: { job: 'j', instance: host },
    // One slot group (SLOT_GROUP_MS): the store orders these targets by id alone.
    intervalMs: SLOT_GROUP_MS,
    timeoutMs: 1_000,
    source: 'static',
  };
}

function family(name: string, type: RenderedFamily['type'], host: string, help = name): RenderedFamily {
  return { name, help, type, text: `${name}{job="j",instance="${host}"} 1\n` };
}

/** A store with each host's families recorded as one successful scrape, hosts added in the order given. */
function storeWith(scrapes: Array<[string, RenderedFamily[]]>): TargetStore {
  const store = new TargetStore();
  for (const [host, families] of scrapes) {
    const target = makeTarget(host);
    store.upsertTarget(target);
    store.record(
      target,
      { ok: true, families: { text: families, openmetrics: families }, sampleCount: families.length },
      { startedMs: 0, durationMs: 1 },
    );
  }
  return store;
}

function body(store: TargetStore, reserved: Set<string> = new Set()): string {
  return planFleetExposition(store, 'text', reserved)
    .families.map((f) => f.header + f.pieces.map((x) => Buffer.from(x).toString()).join(''))
    .join('');
}

describe('planFleetExposition', () => {
  test('families are merged across targets: one HELP/TYPE, series of all targets contiguous, targets in id order', () => {
    const store = storeWith([
      ['b:1', [family('x', 'gauge', 'b:1'), family('y', 'counter', 'b:1')]],
      ['a:1', [family('x', 'gauge', 'a:1', 'first help wins? no: first target in id order wins')]],
    ]);
    const text = body(store);
    const targetPart = text.slice(0, text.indexOf('# HELP fleet_json_exporter_target_up'));
    assert.equal(
      targetPart,
      '# HELP x first help wins? no: first target in id order wins\n# TYPE x gauge\n' +
        'x{job="j",instance="a:1"} 1\nx{job="j",instance="b:1"} 1\n' +
        '# HELP y y\n# TYPE y counter\ny{job="j",instance="b:1"} 1\n',
    );
    assert.equal(text.match(/# TYPE fleet_json_exporter_target_up gauge/g)?.length, 1);
    assert.ok(checkMetricsWithPromtool(text).parses, checkMetricsWithPromtool(text).output);
  });

  test('a family name seen with two types: the first target in id order wins, the others are left out and counted', () => {
    const store = storeWith([
      ['b:1', [family('x', 'counter', 'b:1')]],
      ['a:1', [family('x', 'gauge', 'a:1')]],
      ['c:1', [family('x', 'counter', 'c:1')]],
    ]);
    const plan = planFleetExposition(store, 'text', new Set());
    const x = plan.families.find((f) => f.name === 'x')!;
    assert.equal(x.type, 'gauge');
    assert.equal(x.pieces.length, 1);
    assert.equal(plan.conflicts, 2);
  });

  test("target families named like the exporter's own or like a health family are left out and counted", () => {
    const store = storeWith([
      [
        'a:1',
        [
          family('process_cpu_seconds_total', 'counter', 'a:1'),
          family('fleet_json_exporter_target_up', 'gauge', 'a:1'),
          family('ok', 'gauge', 'a:1'),
        ],
      ],
    ]);
    const plan = planFleetExposition(store, 'text', new Set(['process_cpu_seconds_total']));
    assert.equal(plan.conflicts, 2);
    assert.deepEqual(
      plan.families.map((f) => f.name).filter((n) => !n.startsWith('fleet_json_exporter_target_')),
      ['ok'],
    );
    assert.equal(plan.families.filter((f) => f.name === 'fleet_json_exporter_target_up').length, 1);
  });

  test("OpenMetrics: a target family whose OpenMetrics family name is taken (the exporter's counter, a health counter, another target family) is left out", async () => {
    const store = storeWith([
      [
        'a:1',
        [
          family('process_cpu_seconds', 'gauge', 'a:1'), // the exporter's process_cpu_seconds_total is family process_cpu_seconds
          family('fleet_json_exporter_target_scrape_errors', 'gauge', 'a:1'), // so is the health counter …_scrape_errors_total
          family('x', 'gauge', 'a:1'),
          family('x_total', 'counter', 'a:1'), // family x in OpenMetrics: the gauge came first
          family('ok', 'gauge', 'a:1'),
        ],
      ],
    ]);
    const failing = makeTarget('b:1');
    store.upsertTarget(failing);
    store.record(failing, { ok: false, reason: 'dns', message: 'nx' }, { startedMs: 0, durationMs: 1 });
    const metrics = createSelfMetrics();
    const plan = planFleetExposition(store, 'openmetrics', selfMetricNames(metrics, 'openmetrics'));
    assert.equal(plan.conflicts, 3);
    assert.deepEqual(
      plan.families.map((f) => f.name).filter((n) => !n.startsWith('fleet_json_exporter_target_')),
      ['ok', 'x'],
    );
    const typeLines = (plan.families.map((f) => f.header).join('') + (await renderSelfMetrics(metrics, 'openmetrics')))
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '));
    assert.equal(
      new Set(typeLines.map((line) => line.split(' ')[2])).size,
      typeLines.length,
      'a family is described twice',
    );
    // Text names stay apart: the gauge x and the counter x_total are two families there.
    assert.equal(
      planFleetExposition(store, 'text', selfMetricNames(metrics, 'text')).families.filter((f) =>
        f.name.startsWith('x'),
      ).length,
      2,
    );
  });

  test('targets are ordered by slot group (when in its interval each is scraped), then by id; each group is one run of a family', () => {
    const store = new TargetStore();
    const hosts = Array.from({ length: 40 }, (_, i) => `h${i}:1`);
    for (const host of hosts) {
      const target = { ...makeTarget(host), intervalMs: 15_000 };
      store.upsertTarget(target);
      const families = [family('x', 'gauge', host)];
      store.record(target, { ok: true, families: { text: families }, sampleCount: 1 }, { startedMs: 0, durationMs: 1 });
    }
    const groups = store.groups();
    assert.ok(groups.length > 1, 'forty targets over 15 s fell in one group');
    const entries = store.entries();
    for (const group of groups) {
      const ids = entries.slice(group.start, group.end).map((entry) => entry.target.id);
      assert.deepEqual(ids, [...ids].sort(), 'a group is not in id order');
      assert.ok(entries.slice(group.start, group.end).every((entry) => entry.group.id === group.key.id));
    }
    const x = planFleetExposition(store, 'text', new Set()).families.find((f) => f.name === 'x')!;
    assert.equal(x.pieces.length, 40);
    assert.deepEqual(
      x.groups.map((run) => run.group.key.id),
      groups.map((group) => group.key.id),
    );
    assert.equal(x.groups.at(-1)?.end, 40);
  });

  test('health families come after the target families in their documented order', () => {
    const store = storeWith([['a:1', [family('zzz', 'gauge', 'a:1')]]]);
    const failing = makeTarget('b:1');
    store.upsertTarget(failing);
    store.record(failing, { ok: false, reason: 'dns', message: 'nx' }, { startedMs: 0, durationMs: 1 });
    assert.deepEqual(
      planFleetExposition(store, 'openmetrics', new Set()).families.map((f) => f.name),
      [
        'zzz',
        'fleet_json_exporter_target_up',
        'fleet_json_exporter_target_scrape_duration_seconds',
        'fleet_json_exporter_target_scrape_samples',
        'fleet_json_exporter_target_last_success_timestamp_seconds',
        'fleet_json_exporter_target_scrape_errors_total',
      ],
    );
  });
});

describe('planFleetExpositionInTurns', () => {
  /** Targets spread over many slot groups (a 60 s interval has 60 of them). */
  function spreadStore(): { store: TargetStore; targets: ScrapeTarget[] } {
    const store = new TargetStore();
    const targets = Array.from({ length: 40 }, (_, i) => ({ ...makeTarget(`h${i}:1`), intervalMs: 60_000 }));
    for (const target of targets) {
      store.upsertTarget(target);
      const families = [family('x', 'gauge', target.labels.instance!)];
      store.record(target, { ok: true, families: { text: families }, sampleCount: 1 }, { startedMs: 0, durationMs: 1 });
    }
    return { store, targets };
  }
  const text = (plan: Awaited<ReturnType<typeof planFleetExpositionInTurns>>): string =>
    plan.families.map((f) => f.header + f.pieces.map((x) => Buffer.from(x).toString()).join('')).join('');

  test('takes a loop turn between slot groups and gives the plan planFleetExposition gives', async () => {
    const { store } = spreadStore();
    const groups = store.groups().length;
    assert.ok(groups > 5, `only ${groups} slot groups of ${SLOT_GROUP_MS} ms`);
    const loop = countLoopTurns();
    const plan = await planFleetExpositionInTurns(store, 'text', new Set(), { turnAfterMs: 0 });
    const turns = loop.stop();
    assert.ok(turns >= groups - 1, `${turns} loop turns for ${groups} groups`);
    assert.equal(text(plan), text(planFleetExposition(store, 'text', new Set())));
  });

  test('a scrape recorded during the walk shows in the groups not walked yet', async () => {
    const { store } = spreadStore();
    const entries = store.entries();
    const last = entries.at(-1)!.target;
    const walking = planFleetExpositionInTurns(store, 'text', new Set(), { turnAfterMs: 0 });
    // Runs at the first turn, before the last group is walked.
    setImmediate(() => {
      const families = [{ ...family('x', 'gauge', last.labels.instance!), text: `x{instance="late"} 2\n` }];
      store.record(last, { ok: true, families: { text: families }, sampleCount: 1 }, { startedMs: 0, durationMs: 1 });
    });
    const plan = await walking;
    const x = plan.families.find((f) => f.name === 'x')!;
    assert.equal(Buffer.from(x.pieces.at(-1)!).toString(), 'x{instance="late"} 2\n');
    assert.equal(x.pieces.length, entries.length);
  });
});

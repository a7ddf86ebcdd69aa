// Gzip for fleet /metrics: members per (family, slot group) reused until the group changes, shared by concurrent
// requests, recompressed in the background once a group settles; the concatenation is one valid gzip body.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import {
  type FleetExposition,
  planFleetExposition,
  planFleetExpositionInTurns,
} from '../../src/fleet/fleet-exposition.js';
import { answerScratch } from '../../src/fleet/answer-scratch.js';
import { compressMember } from '../../src/exposition/gzip-codec.js';
import { GzipExposition, type GzipExpositionOptions } from '../../src/fleet/gzip-exposition.js';
import { TargetStore } from '../../src/fleet/store.js';
import { waitFor } from '../helpers/wait-for.js';

function makeTarget(i: number): ScrapeTarget {
  const url = `http://10.0.0.${i}:1985/api/v1/streams/`;
  return {
    id: scrapeTargetId('srs', url),
    job: 'srs',
    url,
    module: 'default',
    labels: { job: 'srs', instance: `10.0.0.${i}:1985` },
    intervalMs: 15_000,
    timeoutMs: 10_000,
    source: 'static',
  };
}

function scrape(store: TargetStore, target: ScrapeTarget, value: number): void {
  const line = (name: string) => `${name}{job="srs",instance="${target.labels.instance}"} ${value}\n`;
  const families = ['a', 'b'].map((name) => ({ name, help: name, type: 'gauge' as const, text: line(name) }));
  store.record(target, { ok: true, families: { text: families }, sampleCount: 2 }, { startedMs: 0, durationMs: 1 });
}

function fleet(count: number): { store: TargetStore; targets: ScrapeTarget[]; now: { ms: number } } {
  const now = { ms: 1_000 };
  const store = new TargetStore({ now: () => now.ms });
  const targets = Array.from({ length: count }, (_, i) => makeTarget(i));
  for (const target of targets) {
    store.upsertTarget(target);
    scrape(store, target, 1);
  }
  return { store, targets, now };
}

function plainBody(store: TargetStore, tail: string): string {
  const plan = planFleetExposition(store, 'text', new Set());
  return (
    plan.families.map((f) => f.header + f.pieces.map((piece) => Buffer.from(piece).toString()).join('')).join('') + tail
  );
}

/** Background compression driven by the test (settle 300 ms on `now`), each compression's path recorded in order. */
function countingGzip(
  store: TargetStore,
  now: { ms: number },
  maxCompressions: number,
): { gzip: GzipExposition; compressed: Array<'background' | 'request'> } {
  const compressed: Array<'background' | 'request'> = [];
  const gzip = new GzipExposition(store, {
    tickMs: 60_000,
    settleMs: 300,
    maxCompressions,
    now: () => now.ms,
    onCompressed: (path) => compressed.push(path),
  });
  return { gzip, compressed };
}

describe('GzipExposition', () => {
  test('the members concatenate into one gzip stream of exactly the plain body', async () => {
    const { store } = fleet(30);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    const members = await gzip.members(planFleetExposition(store, 'text', new Set()), '# self\n');
    assert.ok(members.length > 3);
    assert.equal(gunzipSync(Buffer.concat(members)).toString(), plainBody(store, '# self\n'));
    gzip.close();
  });

  test('an unchanged group reuses its member; a scrape in a group recompresses that group only', async () => {
    const { store, targets } = fleet(30);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    const first = await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    const again = await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    // The self-metrics tail (last) is compressed per request; every other member is the same object.
    assert.ok(first.slice(0, -1).every((member, i) => member === again[i]));
    scrape(store, targets[3]!, 2);
    const changed = await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    const renewed = first.slice(0, -1).filter((member, i) => member !== changed[i]).length;
    // Families a and b of target 3's group, and its health families (up, duration, samples, last success).
    assert.equal(renewed, 6);
    assert.equal(gunzipSync(Buffer.concat(changed)).toString(), plainBody(store, ''));
    gzip.close();
  });

  test("a request's compressions give their copied input back once done; the next copies into that memory", async () => {
    const { store, targets } = fleet(30);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    const free = answerScratch.freeBytes;
    assert.ok(free > 0, 'the inputs of the compressions went back');
    for (const target of targets) scrape(store, target, 7);
    const renewed = await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    // Each compression took memory given back before, and gave it back again.
    assert.equal(answerScratch.freeBytes, free);
    assert.equal(gunzipSync(Buffer.concat(renewed)).toString(), plainBody(store, ''));
    gzip.close();
  });

  test('concurrent requests share the compressions: the same member objects, compressed once', async () => {
    const { store } = fleet(20);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    const plan = planFleetExposition(store, 'text', new Set());
    const [left, right] = await Promise.all([gzip.members(plan, ''), gzip.members(plan, '')]);
    assert.ok(left.slice(0, -1).every((member, i) => member === right[i]));
    gzip.close();
  });

  test('a group that changed and settled is recompressed in the background; the next request reuses it', async () => {
    const { store, targets, now } = fleet(30);
    const gzip = new GzipExposition(store, { tickMs: 60_000, settleMs: 300, maxCompressions: 100 });
    await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    now.ms = 5_000;
    scrape(store, targets[5]!, 7);
    gzip.compactSettled();
    const pendingTooEarly = await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    assert.equal(gunzipSync(Buffer.concat(pendingTooEarly)).toString(), plainBody(store, ''));
    scrape(store, targets[5]!, 8);
    now.ms = 6_000;
    gzip.compactSettled();
    // Compressed in the background: wait for the thread pool, then a request finds the members ready.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ready = await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    assert.match(gunzipSync(Buffer.concat(ready)).toString(), /^a\{job="srs",instance="10.0.0.5:1985"\} 8$/m);
    assert.equal(gunzipSync(Buffer.concat(ready)).toString(), plainBody(store, ''));
    gzip.close();
  });

  test('a recompressed group leaves out a target family named like a health family, as the plan does', async () => {
    const { store, targets, now } = fleet(10);
    const gzip = new GzipExposition(store, { tickMs: 60_000, settleMs: 300, maxCompressions: 100 });
    await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    const target = targets[2]!;
    const clash = { name: 'fleet_json_exporter_target_up', help: 'x', type: 'gauge' as const, text: 'clash 1\n' };
    store.record(target, { ok: true, families: { text: [clash] }, sampleCount: 1 }, { startedMs: 0, durationMs: 1 });
    now.ms = 5_000;
    gzip.compactSettled();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const body = gunzipSync(
      Buffer.concat(await gzip.members(planFleetExposition(store, 'text', new Set()), '')),
    ).toString();
    assert.doesNotMatch(body, /^clash 1$/m);
    assert.equal(body, plainBody(store, ''));
    gzip.close();
  });

  test('units of families or groups a request no longer uses are dropped', async () => {
    const { store, targets } = fleet(10);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    const before = gzip.unitCount('text');
    for (const target of targets.slice(1)) store.remove(target.id);
    await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    assert.ok(gzip.unitCount('text') < before);
    assert.equal(gzip.unitCount('openmetrics'), 0);
    gzip.close();
  });
});

describe('GzipExposition background compression', () => {
  test('one compactSettled call works through every settled unit, one after another, without further ticks', async () => {
    const { store, targets, now } = fleet(60);
    const { gzip, compressed } = countingGzip(store, now, 1);
    await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    const byRequest = compressed.length;
    assert.ok(byRequest > 0 && compressed.filter((path) => path !== 'request').length === 0);
    // Targets in several slot groups change, then settle.
    now.ms = 5_000;
    for (const target of targets) scrape(store, target, 9);
    now.ms = 6_000;
    gzip.compactSettled();
    // Bounded wait for the chain to finish: each unit's compression starts the next (30 s: zlib's thread pool can
    // be slow on a busy machine; a count of short sleeps would fail there although the chain works).
    const deadline = Date.now() + 30_000;
    while (compressed.length < 2 * byRequest && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(compressed.length - byRequest, byRequest, 'every unit recompressed in the background');
    assert.ok(compressed.slice(byRequest).every((path) => path === 'background'));
    // The next request finds them all ready: it compresses nothing itself.
    const body = gunzipSync(Buffer.concat(await gzip.members(planFleetExposition(store, 'text', new Set()), '')));
    assert.equal(compressed.length, 2 * byRequest);
    assert.equal(body.toString(), plainBody(store, ''));
    gzip.close();
  });
});

describe('GzipExposition background compression, group by group', () => {
  test('a group found up to date is passed over until it changes; units a later request adds join in', async () => {
    const { store, targets, now } = fleet(30);
    const { gzip, compressed } = countingGzip(store, now, 100);
    const background = (): number => compressed.filter((path) => path === 'background').length;
    await gzip.members(planFleetExposition(store, 'text', new Set()), '');
    now.ms = 5_000;
    scrape(store, targets[5]!, 2);
    now.ms = 6_000;
    // Every compression the call starts is counted before it returns (maxCompressions is not reached).
    gzip.compactSettled();
    // Families a and b of target 5's group and its four health families.
    assert.equal(background(), 6);
    gzip.compactSettled();
    assert.equal(background(), 6, 'nothing changed: nothing recompressed');
    // A request for the other format adds its units; the next change of the group recompresses both formats'.
    await gzip.members(planFleetExposition(store, 'openmetrics', new Set()), '# EOF\n');
    now.ms = 7_000;
    scrape(store, targets[5]!, 3);
    now.ms = 8_000;
    gzip.compactSettled();
    // Text's six again, and OpenMetrics' four health families (these scrapes give text families only).
    assert.equal(background(), 6 + 6 + 4);
    gzip.compactSettled();
    assert.equal(background(), 6 + 6 + 4);
    // The next request awaits those compressions instead of compressing anything itself.
    const byRequest = compressed.length - background();
    const body = gunzipSync(Buffer.concat(await gzip.members(planFleetExposition(store, 'text', new Set()), '')));
    assert.equal(compressed.length - background(), byRequest);
    assert.match(body.toString(), /^a\{job="srs",instance="10.0.0.5:1985"\} 3$/m);
    assert.equal(body.toString(), plainBody(store, ''));
    gzip.close();
  });
});

describe('planFleetExpositionInTurns', () => {
  test('gives the same plan as the one-go walk', async () => {
    const { store } = fleet(40);
    const inTurns = await planFleetExpositionInTurns(store, 'text', new Set());
    const inOneGo = planFleetExposition(store, 'text', new Set());
    const flatten = (plan: typeof inOneGo): string =>
      plan.families.map((f) => f.header + f.pieces.map((piece) => Buffer.from(piece).toString()).join('')).join('');
    assert.ok(inOneGo.families.length > 0);
    assert.equal(flatten(inTurns), flatten(inOneGo));
    assert.deepEqual(
      inTurns.families.map((f) => f.groups.map((run) => [run.group.key.id, run.start, run.end])),
      inOneGo.families.map((f) => f.groups.map((run) => [run.group.key.id, run.start, run.end])),
    );
  });

  test('a scrape recorded in a group already walked does not leave stale bytes cached under its new version', async () => {
    const { store } = fleet(60);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    const first = store.entries()[0]!.target;
    // The first slot group is walked before the first turn; the scrape lands while the rest is walked.
    const planning = planFleetExpositionInTurns(store, 'text', new Set());
    scrape(store, first, 42);
    const stalePlan = await planning;
    const staleBody = gunzipSync(Buffer.concat(await gzip.members(stalePlan, ''))).toString();
    assert.doesNotMatch(staleBody, / 42$/m, 'the plan holds the bytes as they were when its group was walked');
    const fresh = gunzipSync(
      Buffer.concat(await gzip.members(planFleetExposition(store, 'text', new Set()), '')),
    ).toString();
    assert.match(fresh, / 42$/m);
    assert.equal(fresh, plainBody(store, ''));
    gzip.close();
  });
});

/** A gzip plan through the shortcut, and how many of its runs came from walked targets (with pieces). */
function shortcutPlan(store: TargetStore, gzip: GzipExposition): { plan: FleetExposition; walkedRuns: number } {
  const plan = planFleetExposition(store, 'text', new Set(), gzip.shortcut('text'));
  const runs = plan.families.flatMap((family) => family.groups);
  for (const run of runs) assert.equal(run.member === undefined, run.end > run.start, 'a run has a member or pieces');
  return { plan, walkedRuns: runs.filter((run) => run.member === undefined).length };
}

/** A fleet of `count` targets and its gzip units after one answer through the shortcut (every group walked then). */
async function answeredOnce(
  count: number,
  options: GzipExpositionOptions = {},
): Promise<ReturnType<typeof fleet> & { gzip: GzipExposition }> {
  const made = fleet(count);
  const gzip = new GzipExposition(made.store, { tickMs: 60_000, ...options });
  await gzip.members(shortcutPlan(made.store, gzip).plan, '');
  return { ...made, gzip };
}

/** What a gzip answer of `plan` decompresses to (no tail). */
async function gzipBody(gzip: GzipExposition, plan: FleetExposition): Promise<string> {
  return gunzipSync(Buffer.concat(await gzip.members(plan, ''))).toString();
}

describe('GzipExposition shortcut: a gzip plan skips the targets of groups whose members are current', () => {
  test('once a plan walked every group and its members exist, the next walks none and gives the same body', async () => {
    const { store } = fleet(30);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    const first = shortcutPlan(store, gzip);
    const total = first.plan.families.reduce((sum, family) => sum + family.groups.length, 0);
    assert.equal(first.walkedRuns, total, 'nothing compressed yet: every group walked');
    await gzip.members(first.plan, '');
    const second = shortcutPlan(store, gzip);
    assert.equal(second.walkedRuns, 0);
    assert.ok(second.plan.families.every((family) => family.pieces.length === 0));
    assert.equal(await gzipBody(gzip, second.plan), plainBody(store, ''));
    gzip.close();
  });

  test('groups recompressed in the background are skipped by the next plan, though no plan walked them since', async () => {
    const { store, targets, now, gzip } = await answeredOnce(30, { settleMs: 300, maxCompressions: 100 });
    now.ms = 5_000;
    for (const target of targets) scrape(store, target, 4);
    now.ms = 6_000;
    gzip.compactSettled();
    // Each compression done starts the next (no tick, no plan): waited for, not timed.
    const plan = await waitFor(
      'every group current: its members compressed in the background',
      async () => {
        const { plan, walkedRuns } = shortcutPlan(store, gzip);
        return walkedRuns === 0 ? plan : undefined;
      },
      30_000,
      10,
    );
    const body = await gzipBody(gzip, plan);
    assert.match(body, /^a\{job="srs",instance="10.0.0.9:1985"\} 4$/m);
    assert.equal(body, plainBody(store, ''));
    gzip.close();
  });

  test('a scrape in one group has that group walked again, and only it', async () => {
    const { store, targets, gzip } = await answeredOnce(30);
    const changed = targets[7]!;
    scrape(store, changed, 5);
    const { plan, walkedRuns } = shortcutPlan(store, gzip);
    // Families a and b and the four health families of target 7's group.
    assert.equal(walkedRuns, 6);
    const group = store.get(changed.id)!.group.id;
    for (const family of plan.families) {
      for (const run of family.groups) assert.equal(run.member === undefined, run.group.key.id === group);
    }
    const body = await gzipBody(gzip, plan);
    assert.match(body, /^a\{job="srs",instance="10.0.0.7:1985"\} 5$/m);
    assert.equal(body, plainBody(store, ''));
    gzip.close();
  });

  test('targets that vanish or arrive between answers: their groups are walked again, and the body is exact', async () => {
    const { store, targets, gzip } = await answeredOnce(30);
    store.remove(targets[4]!.id);
    const arrived = makeTarget(200);
    store.upsertTarget(arrived);
    scrape(store, arrived, 6);
    const { plan, walkedRuns } = shortcutPlan(store, gzip);
    assert.ok(walkedRuns > 0);
    const body = await gzipBody(gzip, plan);
    assert.doesNotMatch(body, /instance="10\.0\.0\.4:1985"/);
    assert.match(body, /^a\{job="srs",instance="10.0.0.200:1985"\} 6$/m);
    assert.equal(body, plainBody(store, ''));
    gzip.close();
  });

  test('a plan keeps the members it took, though the group changes and is recompressed before the answer', async () => {
    const { store, targets, now, gzip } = await answeredOnce(30, { settleMs: 300, maxCompressions: 100 });
    const before = plainBody(store, '');
    const { plan, walkedRuns } = shortcutPlan(store, gzip);
    assert.equal(walkedRuns, 0);
    // Every target changes and its group settles and is recompressed in the background, all before members().
    now.ms = 5_000;
    for (const target of targets) scrape(store, target, 9);
    now.ms = 6_000;
    gzip.compactSettled();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await gzipBody(gzip, plan), before);
    assert.equal(await gzipBody(gzip, shortcutPlan(store, gzip).plan), plainBody(store, ''));
    gzip.close();
  });

  test('a group with a family of two types is walked each time; a family named like a health one still is left out', async () => {
    const { store, targets } = fleet(10);
    const gzip = new GzipExposition(store, { tickMs: 60_000 });
    const [mixed, clashing] = [targets[1]!, targets[2]!];
    const x = (type: 'gauge' | 'counter') => ({ name: 'x', help: 'x', type, text: `x ${type === 'gauge' ? 1 : 2}\n` });
    const clash = { name: 'fleet_json_exporter_target_up', help: 'x', type: 'gauge' as const, text: 'clash 1\n' };
    const timing = { startedMs: 0, durationMs: 1 };
    store.record(mixed, { ok: true, families: { text: [x('gauge'), x('counter')] }, sampleCount: 2 }, timing);
    store.record(clashing, { ok: true, families: { text: [clash] }, sampleCount: 1 }, timing);
    await gzip.members(shortcutPlan(store, gzip).plan, '');
    const { plan } = shortcutPlan(store, gzip);
    const walkedGroups = new Set(
      plan.families.flatMap((f) => f.groups.filter((run) => run.member === undefined).map((run) => run.group.key.id)),
    );
    assert.deepEqual([...walkedGroups], [store.get(mixed.id)!.group.id]);
    const body = await gzipBody(gzip, plan);
    assert.doesNotMatch(body, /^clash 1$/m);
    assert.match(body, /^x 1$/m);
    assert.doesNotMatch(body, /^x 2$/m);
    assert.equal(body, plainBody(store, ''));
    assert.equal(plan.conflicts, 2, 'the counter x and the clashing family, as a walk counts them');
    assert.equal(plan.conflicts, planFleetExposition(store, 'text', new Set()).conflicts);
    gzip.close();
  });
});

describe('compressMember', () => {
  /** Exposition-like lines: a few hundred KB to a few MB, compressing ~10–20× at level 1 as the fleet's text does. */
  function lines(count: number): Buffer {
    let text = '';
    for (let i = 0; i < count; i++)
      text += `stream_clients{job="srs",instance="127.0.0.1:${8000 + (i % 1000)}"} ${i % 97}\n`;
    return Buffer.from(text);
  }

  test('gives one gzip member of the bytes, whatever their size', async () => {
    for (const count of [0, 1, 50, 20_000, 100_000]) {
      const text = lines(count);
      const member = await compressMember(text);
      assert.deepEqual(gunzipSync(member), text);
      // A gzip member: gzip's magic bytes and deflate's method at its start.
      assert.equal(member.indexOf(Buffer.from([0x1f, 0x8b, 0x08])), 0);
    }
  });
});

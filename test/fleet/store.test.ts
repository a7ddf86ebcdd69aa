// The target store: latest fragments per target, meta and health series, removal, gzip members.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { fragmentsText, type FragmentBody } from '../../src/fleet/fragment-gzip.js';
import { TargetStore, type TargetScrapeOutcome } from '../../src/fleet/store.js';

function makeTarget(host: string, labels: Record<string, string> = {}): ScrapeTarget {
  const url = `http://${host}/api/v1/streams/`;
  return {
    id: scrapeTargetId('srs', url),
    job: 'srs',
    url,
    module: 'default',
    labels: { job: 'srs', instance: host, ...labels },
    intervalMs: 15_000,
    timeoutMs: 10_000,
    source: 'static',
  };
}

function success(host: string): TargetScrapeOutcome {
  return {
    ok: true,
    families: {
      text: [
        { name: 'a_empty', help: 'no samples', type: 'gauge', text: '' },
        { name: 'srs_clients', help: 'clients', type: 'gauge', text: `srs_clients{job="srs",instance="${host}"} 3\n` },
      ],
      openmetrics: [
        { name: 'srs_clients', help: 'clients', type: 'gauge', text: `srs_clients{job="srs",instance="${host}"} 3\n` },
      ],
    },
    sampleCount: 1,
  };
}

const timing = { startedMs: 1_700_000_000_000, durationMs: 250 };

describe('TargetStore', () => {
  test('a discovered target has no series and no health series until its first scrape', () => {
    const store = new TargetStore();
    store.upsertTarget(makeTarget('a:1'));
    const entry = store.get(makeTarget('a:1').id)!;
    assert.equal(entry.meta.state, 'unknown');
    assert.deepEqual(entry.families.text, []);
    assert.deepEqual(entry.health.text, []);
  });

  test('a successful scrape keeps the families with series and renders up, duration, samples, last success', () => {
    const store = new TargetStore();
    const target = makeTarget('a:1', { cluster: 'prod' });
    store.upsertTarget(target);
    store.record(target, success('a:1'), timing);
    const entry = store.get(target.id)!;
    assert.deepEqual(
      entry.families.text.map((f) => f.name),
      ['srs_clients'],
    );
    const health = entry.health.text.map((f) => f.body.bytes!.toString()).join('');
    assert.equal(
      health,
      'fleet_json_exporter_target_up{job="srs",instance="a:1",cluster="prod"} 1\n' +
        'fleet_json_exporter_target_scrape_duration_seconds{job="srs",instance="a:1",cluster="prod"} 0.25\n' +
        'fleet_json_exporter_target_scrape_samples{job="srs",instance="a:1",cluster="prod"} 1\n' +
        'fleet_json_exporter_target_last_success_timestamp_seconds{job="srs",instance="a:1",cluster="prod"} 1700000000.25\n',
    );
    assert.equal(entry.meta.sampleCount, 1);
    assert.equal(entry.meta.lastSuccessMs, timing.startedMs + timing.durationMs);
  });

  test('a failed scrape drops the series, keeps the last success time and counts the error by reason', () => {
    const store = new TargetStore();
    const target = makeTarget('a:1');
    store.upsertTarget(target);
    store.record(target, success('a:1'), timing);
    store.record(
      target,
      { ok: false, reason: 'timeout', message: 'too slow' },
      { startedMs: timing.startedMs + 15_000, durationMs: 10_000 },
    );
    store.record(
      target,
      { ok: false, reason: 'timeout', message: 'too slow' },
      { startedMs: timing.startedMs + 30_000, durationMs: 10_000 },
    );
    store.record(
      target,
      { ok: false, reason: 'invalid_json', message: 'not json' },
      { startedMs: timing.startedMs + 45_000, durationMs: 5 },
    );
    const entry = store.get(target.id)!;
    assert.equal(entry.meta.state, 'down');
    assert.deepEqual(entry.families.text, []);
    assert.deepEqual(entry.meta.lastError, { reason: 'invalid_json', message: 'not json' });
    const health = entry.health.text.map((f) => f.body.bytes!.toString()).join('');
    assert.match(health, /^fleet_json_exporter_target_up\{job="srs",instance="a:1"\} 0$/m);
    assert.match(
      health,
      /^fleet_json_exporter_target_last_success_timestamp_seconds\{job="srs",instance="a:1"\} 1700000000.25$/m,
    );
    assert.match(
      health,
      /^fleet_json_exporter_target_scrape_errors_total\{job="srs",instance="a:1",reason="invalid_json"\} 1$/m,
    );
    assert.match(
      health,
      /^fleet_json_exporter_target_scrape_errors_total\{job="srs",instance="a:1",reason="timeout"\} 2$/m,
    );
  });

  test('a target label named reason pushes the error label to exported_reason', () => {
    const store = new TargetStore();
    const target = makeTarget('a:1', { reason: 'maintenance' });
    store.upsertTarget(target);
    store.record(target, { ok: false, reason: 'dns', message: 'no such host' }, timing);
    const errors = store.get(target.id)!.health.text.find((f) => f.name.endsWith('errors_total'))!;
    assert.equal(
      errors.body.bytes!.toString(),
      'fleet_json_exporter_target_scrape_errors_total{job="srs",instance="a:1",reason="maintenance",exported_reason="dns"} 1\n',
    );
  });

  test('entries are sorted by id, removal is immediate, and a late result for a removed target is ignored', () => {
    const store = new TargetStore();
    const [b, a, c] = [makeTarget('b:1'), makeTarget('a:1'), makeTarget('c:1')];
    for (const target of [b, a, c]) store.upsertTarget(target);
    assert.deepEqual(
      store.entries().map((e) => e.target.labels.instance),
      ['a:1', 'b:1', 'c:1'],
    );
    store.remove(b.id);
    assert.deepEqual(
      store.entries().map((e) => e.target.labels.instance),
      ['a:1', 'c:1'],
    );
    store.record(b, success('b:1'), timing);
    assert.equal(store.get(b.id), undefined);
  });

  test('new labels on a known target re-render its health series at once', () => {
    const store = new TargetStore();
    const target = makeTarget('a:1');
    store.upsertTarget(target);
    store.record(target, success('a:1'), timing);
    store.upsertTarget({ ...target, labels: { ...target.labels, zone: 'b' } });
    assert.match(store.get(target.id)!.health.text[0]!.body.bytes!.toString(), /zone="b"/);
  });

  test('a rediscovered target (a new object, same labels) keeps its health fragments; new labels are compressed ahead too', async () => {
    const store = new TargetStore();
    const target = makeTarget('a:1');
    store.upsertTarget(target);
    store.record(target, success('a:1'), timing);
    const health = store.get(target.id)!.health.text;
    await Promise.all(health.map((family) => family.body.pending));
    // Discovery builds new target objects on every change of its list, for every target.
    store.upsertTarget({ ...target, labels: { ...target.labels } });
    assert.equal(store.get(target.id)!.health.text, health, 'health re-rendered for unchanged labels');
    store.upsertTarget({ ...target, labels: { ...target.labels, zone: 'b' } });
    const relabelled = store.get(target.id)!.health.text.map((family) => family.body);
    await Promise.all(relabelled.map((body) => body.pending));
    assert.ok(
      relabelled.every((body) => body.gzip !== undefined && body.bytes === undefined),
      'new health fragments left uncompressed',
    );
    assert.match(await fragmentsText(relabelled), /zone="b"/);
  });

  test('a fragment a newer scrape replaced before its compression got a slot is not compressed; the newer ones are', async () => {
    const store = new TargetStore();
    const target = makeTarget('a:1');
    store.upsertTarget(target);
    const many = (value: number): TargetScrapeOutcome => ({
      ok: true,
      families: {
        text: Array.from({ length: 6 }, (_, i) => ({
          name: `f${i}`,
          help: 'f',
          type: 'gauge' as const,
          text: `f${i}{job="srs"} ${value}\n`,
        })),
        openmetrics: [],
      },
      sampleCount: 6,
    });
    const bodiesOf = (): FragmentBody[] =>
      [...store.get(target.id)!.families.text, ...store.get(target.id)!.health.text].map((family) => family.body);
    store.record(target, many(1), timing);
    const first = bodiesOf();
    // Compressions run two at a time: most of the first scrape's fragments are still waiting when the next arrives.
    store.record(target, many(2), timing);
    const second = bodiesOf();
    await Promise.all([...first, ...second].map((body) => body.pending));
    const compressedFirst = first.filter((body) => body.gzip !== undefined).length;
    assert.ok(compressedFirst <= 2, `${compressedFirst} of ${first.length} replaced fragments were compressed anyway`);
    assert.ok(
      first.every((body) => body.gzip !== undefined || body.bytes !== undefined),
      'a replaced fragment lost its text',
    );
    assert.ok(second.every((body) => body.gzip !== undefined && body.bytes === undefined));
  });

  test('a family whose OpenMetrics lines equal its text lines shares one buffer; one that differs keeps its own', () => {
    const store = new TargetStore();
    const target = makeTarget('a:1');
    store.upsertTarget(target);
    const gauge = { name: 'g', help: 'g', type: 'gauge' as const, text: 'g{job="srs"} 1\n' };
    store.record(
      target,
      {
        ok: true,
        families: {
          text: [gauge, { name: 'c', help: 'c', type: 'counter', text: 'c{job="srs"} 2\n' }],
          openmetrics: [{ ...gauge }, { name: 'c', help: 'c', type: 'counter', text: 'c_total{job="srs"} 2\n' }],
        },
        sampleCount: 2,
      },
      timing,
    );
    const { text, openmetrics } = store.get(target.id)!.families;
    assert.equal(openmetrics[0]!.body, text[0]!.body);
    assert.notEqual(openmetrics[1]!.body, text[1]!.body);
    assert.equal(openmetrics[1]!.body.bytes!.toString(), 'c_total{job="srs"} 2\n');
  });

  test('fragments are kept compressed: once the member is there the plain bytes go, and the text reads back the same', async () => {
    const store = new TargetStore();
    const target = makeTarget('a:1');
    store.upsertTarget(target);
    store.record(target, success('a:1'), timing);
    const bodies = [...store.get(target.id)!.families.text, ...store.get(target.id)!.health.text].map(
      (family) => family.body,
    );
    const expected = bodies.map((body) => body.bytes!.toString()).join('');
    await Promise.all(bodies.map((body) => body.pending));
    assert.ok(bodies.every((body) => body.bytes === undefined && body.gzip !== undefined));
    assert.equal(await fragmentsText(bodies), expected);
  });
});

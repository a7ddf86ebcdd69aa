// The target store: latest families per target as bytes, meta and health series, removal, slot groups.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scrapeTargetId, type ScrapeTarget } from '../../src/discovery/target.js';
import { type EncodedFamilies, familiesWithSeries } from '../../src/exposition/encoded-families.js';
import { REUSE_MIN_BYTES, SLOT_GROUP_MS, TargetStore, type TargetScrapeOutcome } from '../../src/fleet/store.js';
import { healthBuffers } from '../../src/fleet/target-health.js';

/** Names of the families with series. */
const names = (encoded: EncodedFamilies): string[] => familiesWithSeries(encoded).map((family) => family.name);
/** All the lines, in order. */
const text = (encoded: EncodedFamilies): string => new TextDecoder().decode(encoded.bytes);

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
    assert.deepEqual(names(entry.families.text), []);
    assert.deepEqual(names(entry.health.text), []);
  });

  test('a successful scrape keeps the families with series and renders up, duration, samples, last success', () => {
    const store = new TargetStore();
    const target = makeTarget('a:1', { cluster: 'prod' });
    store.upsertTarget(target);
    store.record(target, success('a:1'), timing);
    const entry = store.get(target.id)!;
    assert.deepEqual(names(entry.families.text), ['srs_clients']);
    const health = text(entry.health.text);
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
    assert.deepEqual(names(entry.families.text), []);
    assert.deepEqual(entry.meta.lastError, { reason: 'invalid_json', message: 'not json' });
    const health = text(entry.health.text);
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
    const errors = familiesWithSeries(store.get(target.id)!.health.text).find((f) => f.name.endsWith('errors_total'))!;
    assert.equal(
      Buffer.from(errors.bytes).toString(),
      'fleet_json_exporter_target_scrape_errors_total{job="srs",instance="a:1",reason="maintenance",exported_reason="dns"} 1\n',
    );
  });

  test('entries are sorted by slot group then id, removal is immediate, and a late result for a removed target is ignored', () => {
    const store = new TargetStore();
    // An interval of one slot group's width is one slot group: id order alone.
    const [b, a, c] = [makeTarget('b:1'), makeTarget('a:1'), makeTarget('c:1')].map((t) => ({
      ...t,
      intervalMs: SLOT_GROUP_MS,
    })) as [ScrapeTarget, ScrapeTarget, ScrapeTarget];
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
    assert.match(text(store.get(target.id)!.health.text), /^fleet_json_exporter_target_up\{[^}]*zone="b"/);
  });

  test('a rediscovered target (a new object, same labels) keeps its health bytes; new labels re-render them', () => {
    const store = new TargetStore();
    const target = makeTarget('a:1');
    store.upsertTarget(target);
    store.record(target, success('a:1'), timing);
    const health = store.get(target.id)!.health;
    // Discovery builds new target objects on every change of its list, for every target.
    store.upsertTarget({ ...target, labels: { ...target.labels } });
    assert.equal(store.get(target.id)!.health, health, 'health re-rendered for unchanged labels');
    store.upsertTarget({ ...target, labels: { ...target.labels, zone: 'b' } });
    assert.notEqual(store.get(target.id)!.health, health);
    assert.match(text(store.get(target.id)!.health.text), /zone="b"/);
  });

  test("OpenMetrics shares the text's bytes when every family's lines are equal; otherwise it has its own", () => {
    const store = new TargetStore();
    const [alike, differs] = [makeTarget('a:1'), makeTarget('b:1')];
    const gauge = { name: 'g', help: 'g', type: 'gauge' as const, text: 'g{job="srs"} 1\n' };
    store.upsertTarget(alike);
    store.upsertTarget(differs);
    store.record(alike, { ok: true, families: { text: [gauge], openmetrics: [{ ...gauge }] }, sampleCount: 1 }, timing);
    store.record(
      differs,
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
    assert.equal(store.get(alike.id)!.families.openmetrics, store.get(alike.id)!.families.text);
    const { text: textLines, openmetrics } = store.get(differs.id)!.families;
    assert.notEqual(openmetrics, textLines);
    assert.equal(text(openmetrics), 'g{job="srs"} 1\nc_total{job="srs"} 2\n');
  });

  test("a target's failure counts are its own: one target failing leaves the others' counts empty", () => {
    const store = new TargetStore();
    const [a, b, c] = [makeTarget('a:1'), makeTarget('b:1'), makeTarget('c:1')];
    for (const target of [a, b, c]) store.upsertTarget(target);
    store.record(a, { ok: false, reason: 'timeout', message: 'too slow' }, timing);
    store.record(b, success('b:1'), timing);
    assert.deepEqual([...store.get(a.id)!.meta.errorsByReason], [['timeout', 1]]);
    assert.equal(store.get(b.id)!.meta.errorsByReason.size, 0);
    assert.equal(store.get(c.id)!.meta.errorsByReason.size, 0);
    store.record(c, { ok: false, reason: 'invalid_json', message: 'not json' }, timing);
    assert.deepEqual([...store.get(c.id)!.meta.errorsByReason], [['invalid_json', 1]]);
    assert.deepEqual([...store.get(a.id)!.meta.errorsByReason], [['timeout', 1]]);
    assert.equal(store.get(b.id)!.meta.errorsByReason.size, 0);
  });

  test('targets of one module share one family list; no per-series objects are kept', () => {
    const store = new TargetStore();
    const [a, b] = [makeTarget('a:1'), makeTarget('b:1')];
    for (const target of [a, b]) {
      store.upsertTarget(target);
      store.record(target, success(target.labels.instance!), timing);
    }
    const [left, right] = [store.get(a.id)!.families.text, store.get(b.id)!.families.text];
    assert.equal(left.families, right.families);
    assert.ok(left.bytes instanceof Uint8Array && Array.isArray(left.ends));
    assert.equal(text(left), 'srs_clients{job="srs",instance="a:1"} 3\n');
  });

  test("a scrape bumps its slot group's version and no other group's", () => {
    let now = 1000;
    const store = new TargetStore({ now: () => now });
    const targets = Array.from({ length: 30 }, (_, i) => makeTarget(`h${i}:1`));
    for (const target of targets) store.upsertTarget(target);
    const before = new Map(store.groups().map((group) => [group.key.id, group.version]));
    assert.ok(before.size > 1);
    now = 2000;
    const scraped = targets[7]!;
    store.record(scraped, success('h7:1'), timing);
    const mine = store.get(scraped.id)!.group.id;
    for (const group of store.groups()) {
      if (group.key.id === mine) {
        assert.ok(group.version > before.get(mine)!);
        assert.equal(group.changedMs, 2000);
      } else assert.equal(group.version, before.get(group.key.id));
    }
  });
  describe('the buffer each target keeps', () => {
    /** ~100 bytes a line: 200 streams are ~20 KB, above REUSE_MIN_BYTES. */
    const scrapeWith = (host: string, value: number, streams = 200): TargetScrapeOutcome => ({
      ok: true,
      families: {
        text: [
          {
            name: 'srs_clients',
            help: 'clients',
            type: 'gauge',
            text: Array.from(
              { length: streams },
              (_, i) => `srs_clients{instance="${host}",s="${i}",pad="${'x'.repeat(48)}"} ${value}\n`,
            ).join(''),
          },
        ],
      },
      sampleCount: streams,
    });
    const firstLine = (encoded: EncodedFamilies): string => text(encoded).split('\n')[0] as string;

    test('holds the lines and the health lines, and is rewritten in place scrape after scrape', () => {
      const store = new TargetStore();
      const target = makeTarget('a:1');
      store.upsertTarget(target);
      store.record(target, scrapeWith('a:1', 1), timing);
      const first = store.get(target.id)!;
      assert.ok(first.families.text.bytes.byteLength >= REUSE_MIN_BYTES);
      assert.equal(first.health.text.bytes.buffer, first.families.text.bytes.buffer, 'one buffer per target');
      store.record(target, scrapeWith('a:1', 2), timing);
      const second = store.get(target.id)!;
      assert.equal(second.families.text.bytes.buffer, first.families.text.bytes.buffer, 'a new buffer per scrape');
      assert.match(firstLine(second.families.text), /^srs_clients\{instance="a:1",s="0",pad="x+"\} 2$/);
      assert.match(text(second.health.text), /^fleet_json_exporter_target_up\{[^}]*\} 1\n/);
    });

    test("gives the health lines' own buffer back once they are copied in: the next scrape writes them there", () => {
      const store = new TargetStore();
      const target = makeTarget('a:1');
      store.upsertTarget(target);
      const kept = healthBuffers.size;
      for (let value = 1; value <= 3; value++) store.record(target, scrapeWith('a:1', value), timing);
      assert.equal(healthBuffers.size, Math.max(kept, 1));
      assert.match(text(store.get(target.id)!.health.text), /^fleet_json_exporter_target_up\{[^}]*\} 1\n/);
    });

    test('is not used for targets of fewer bytes: they keep the buffers their scrape gave', () => {
      const store = new TargetStore();
      const target = makeTarget('a:1');
      store.upsertTarget(target);
      store.record(target, scrapeWith('a:1', 1, 2), timing);
      const first = store.get(target.id)!;
      assert.ok(first.families.text.bytes.byteLength < REUSE_MIN_BYTES);
      assert.notEqual(first.health.text.bytes.buffer, first.families.text.bytes.buffer);
      store.record(target, scrapeWith('a:1', 2, 2), timing);
      assert.notEqual(store.get(target.id)!.families.text.bytes.buffer, first.families.text.bytes.buffer);
      assert.match(firstLine(first.families.text), /\} 1$/, 'the earlier scrape kept its bytes');
    });

    test("keeps a pinned reader's bytes as they were: scrapes meanwhile go to new buffers, in place again after release", () => {
      const store = new TargetStore();
      const target = makeTarget('a:1');
      store.upsertTarget(target);
      store.record(target, scrapeWith('a:1', 1), timing);
      const read = store.get(target.id)!;
      const release = store.pin();
      assert.equal(store.pinnedReaders, 1);
      store.record(target, scrapeWith('a:1', 7), timing);
      store.record(target, scrapeWith('a:1', 8), timing);
      assert.match(firstLine(read.families.text), /\} 1$/, 'the reader saw its bytes change');
      const during = store.get(target.id)!;
      assert.notEqual(during.families.text.bytes.buffer, read.families.text.bytes.buffer);
      assert.match(firstLine(during.families.text), /\} 8$/);
      release();
      release();
      assert.equal(store.pinnedReaders, 0, 'a second release counts once');
      store.record(target, scrapeWith('a:1', 9), timing);
      const after = store.get(target.id)!;
      assert.equal(after.families.text.bytes.buffer, during.families.text.bytes.buffer);
      assert.match(firstLine(after.families.text), /\} 9$/);
    });

    test('is replaced when the lines outgrow it or shrink to far less, and dropped with its target', () => {
      const store = new TargetStore();
      const target = makeTarget('a:1');
      store.upsertTarget(target);
      store.record(target, scrapeWith('a:1', 1), timing);
      const small = store.get(target.id)!.families.text.bytes.buffer;
      store.record(target, scrapeWith('a:1', 1, 2_000), timing);
      const grown = store.get(target.id)!.families.text;
      assert.notEqual(grown.bytes.buffer, small);
      assert.equal(text(grown).split('\n').length, 2_001);
      store.record(target, scrapeWith('a:1', 1), timing);
      assert.notEqual(
        store.get(target.id)!.families.text.bytes.buffer,
        grown.bytes.buffer,
        'a 225 KB buffer for 20 KB of lines',
      );
      store.record(target, { ok: false, reason: 'timeout', message: 'late' }, timing);
      assert.match(text(store.get(target.id)!.health.text), /reason="timeout"/);
      store.remove(target.id);
      store.upsertTarget(target);
      assert.equal(store.get(target.id)!.meta.state, 'unknown');
    });
  });
});

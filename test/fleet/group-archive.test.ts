// Settled slot groups kept compressed: the members hold exactly the group's series, the store drops the bytes and
// puts them back before any walk, and /metrics (plain, gzip, OpenMetrics) and /federate answer as before archiving.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ScrapeTarget } from '../../src/discovery/target.js';
import { ARCHIVED_BYTES, FamilyMetaInterner, familyBytes } from '../../src/exposition/encoded-families.js';
import type { ExpositionFormat, RenderedFamily } from '../../src/exposition/types.js';
import { planFleetExposition } from '../../src/fleet/fleet-exposition.js';
import { archiveShortcut, buildGroupArchive } from '../../src/fleet/group-archive.js';
import { MemberInflater } from '../../src/fleet/member-inflater.js';
import { GzipExposition } from '../../src/fleet/gzip-exposition.js';
import { type SlotGroup, type StoredTarget, TargetStore } from '../../src/fleet/store.js';
import { handleFederate } from '../../src/server/federate-route.js';
import { familyLines, handleFleetMetrics } from '../../src/server/fleet-metrics-route.js';
import { createSelfMetrics } from '../../src/telemetry/self-metrics.js';
import { resultBuffers } from '../../src/pool/result-buffers.js';
import { healthBuffers } from '../../src/fleet/target-health.js';
import { staticTarget } from '../helpers/discovery.js';
import { inlineBodyResult } from '../helpers/hot-path-result.js';
import { httpGet, startTestServer, type TestServer } from '../helpers/http.js';

function makeTarget(i: number): ScrapeTarget {
  return staticTarget(`http://10.0.1.${i}:1985/api/v1/streams/`, 'srs', `10.0.1.${i}:1985`);
}

/** Two gauges and a counter per target; the counter's OpenMetrics lines differ (its samples end in _total). */
function scrape(store: TargetStore, target: ScrapeTarget, value: number, withCounter = false): void {
  const labels = `{job="srs",instance="${target.labels.instance}",name="str\u00e9am-${value}"}`;
  const gauges: RenderedFamily[] = ['a', 'b'].map((name) => ({
    name,
    help: `help of ${name}`,
    type: 'gauge',
    text: `${name}${labels} ${value}\n`,
  }));
  if (!withCounter) {
    const families = { text: gauges, openmetrics: gauges };
    store.record(target, { ok: true, families, sampleCount: 2 }, { startedMs: 0, durationMs: 1 });
    return;
  }
  const counter = (text: string): RenderedFamily => ({ name: 'c', help: 'a counter', type: 'counter', text });
  store.record(
    target,
    {
      ok: true,
      families: {
        text: [...gauges, counter(`c${labels} ${value}\n`)],
        openmetrics: [...gauges, counter(`c_total${labels} ${value}\n`)],
      },
      sampleCount: 3,
    },
    { startedMs: 0, durationMs: 1 },
  );
}

/** `count` targets scraped once; `counters` says which also have the counter (their formats' lines differ). */
function fleet(
  count: number,
  counters: (i: number) => boolean = () => false,
): { store: TargetStore; targets: ScrapeTarget[]; now: { ms: number } } {
  const now = { ms: 1_000 };
  const store = new TargetStore({ now: () => now.ms });
  const targets = Array.from({ length: count }, (_, i) => makeTarget(i));
  targets.forEach((target, i) => {
    store.upsertTarget(target);
    scrape(store, target, i, counters(i));
  });
  return { store, targets, now };
}

/** The plain body as a walk of the store gives it (every group walked: archived groups are put back first). */
function walkedBody(store: TargetStore, format: ExpositionFormat): string {
  const plan = planFleetExposition(store, format, new Set());
  return plan.families.map((f) => f.header + f.pieces.map((piece) => Buffer.from(piece).toString()).join('')).join('');
}

/** The plain body as a plain answer gives it: archived groups inflated from their members, never put back. */
function archivedBody(store: TargetStore, format: ExpositionFormat): string {
  const plan = planFleetExposition(store, format, new Set(), archiveShortcut(store, format));
  const decoder = new TextDecoder();
  const inflater = new MemberInflater();
  let body = '';
  for (const family of plan.families) {
    body += family.header;
    for (const lines of familyLines(family, inflater)) body += decoder.decode(lines, { stream: true });
  }
  inflater.close();
  return body + decoder.decode();
}

/**
 * Archives every settled group (settle 300 ms on `now`) and waits, bounded, until the store has them all but
 * `leftOut` (groups unfit for an archive).
 */
async function archiveAll(store: TargetStore, now: { ms: number }, leftOut = 0): Promise<GzipExposition> {
  let told = 0;
  const gzip = new GzipExposition(store, {
    tickMs: 60_000,
    settleMs: 300,
    maxCompressions: 4,
    now: () => now.ms,
    archive: true,
    onArchived: () => told++,
  });
  now.ms += 1_000;
  gzip.compactSettled();
  const groups = store.groups().length - leftOut;
  // Each archive done starts the next; bounded by time, not by a count of short sleeps (a busy machine's thread pool).
  const deadline = Date.now() + 30_000;
  while (store.archiveStats().groups < groups && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(store.archiveStats().groups, groups, 'every group archived');
  // Fleet mode's self metrics (archived groups and bytes) are set when told.
  assert.equal(told, groups);
  return gzip;
}

function isArchived(entry: StoredTarget): boolean {
  return entry.families.text.bytes === ARCHIVED_BYTES && entry.health.text.bytes === ARCHIVED_BYTES;
}

describe('group archives', () => {
  test('an archived group holds exactly its series: the store drops its bytes, and every answer is unchanged', async () => {
    const { store, now } = fleet(40);
    const before = { text: walkedBody(store, 'text'), openmetrics: walkedBody(store, 'openmetrics') };
    const gzip = await archiveAll(store, now);
    assert.ok(store.entries().every(isArchived), 'every target part dropped');
    const stats = store.archiveStats();
    assert.ok(stats.compressedBytes > 0 && stats.plainBytes > stats.compressedBytes);
    for (const format of ['text', 'openmetrics'] as const) {
      // Plain answers inflate the members without putting anything back…
      assert.equal(archivedBody(store, format), before[format]);
      assert.ok(store.entries().every(isArchived), `${format}: a plain answer put bytes back`);
      // …gzip answers are the members as they are…
      const plan = planFleetExposition(store, format, new Set(), gzip.shortcut(format));
      assert.equal(gunzipSync(Buffer.concat(await gzip.members(plan, ''))).toString(), before[format]);
    }
    // …and a walk puts the bytes back exactly as they were.
    assert.equal(walkedBody(store, 'text'), before.text);
    assert.ok(!store.entries().some(isArchived));
    gzip.close();
  });

  test('targets large enough for a buffer of their own keep their bytes; plain answers walk groups of those alone', async () => {
    const now = { ms: 1_000 };
    const store = new TargetStore({ now: () => now.ms });
    const targets = Array.from({ length: 40 }, (_, i) => makeTarget(i));
    const large = (i: number): boolean => i % 2 === 0;
    for (const [i, target] of targets.entries()) {
      store.upsertTarget(target);
      if (!large(i)) {
        scrape(store, target, i);
        continue;
      }
      // ~23 KB of lines: over the size from which the store copies a target into its own buffer (REUSE_MIN_BYTES).
      const text = Array.from({ length: 500 }, (_, k) => `big{instance="${target.labels.instance}",k="${k}"} ${i}\n`);
      const families: RenderedFamily[] = [{ name: 'big', help: 'large', type: 'gauge', text: text.join('') }];
      store.record(
        target,
        { ok: true, families: { text: families, openmetrics: families }, sampleCount: 500 },
        { startedMs: 0, durationMs: 1 },
      );
    }
    const before = { text: walkedBody(store, 'text'), openmetrics: walkedBody(store, 'openmetrics') };
    const gzip = await archiveAll(store, now);
    const entries = store.entries();
    for (const [i, target] of targets.entries()) {
      const entry = store.get(target.id) as StoredTarget;
      assert.ok(entry.archive !== undefined, `${i}: archived`);
      assert.equal(isArchived(entry), !large(i), `${i}: bytes dropped only from a small target`);
      // The archive holds the very parts the store holds (a large target's with their bytes: putting its group back
      // inflates nothing for it).
      const held = entry.archive.targets.find((part) => part.families.text === entry.families.text);
      assert.ok(held !== undefined, `${i}: the archive holds the target's parts`);
      assert.equal(held.families.text.bytes === ARCHIVED_BYTES, !large(i));
    }
    let walked = 0;
    for (const group of store.groups()) {
      const allLarge = entries.slice(group.start, group.end).every((entry) => !isArchived(entry));
      const cached = archiveShortcut(store, 'text').cached(group, entries);
      assert.equal(
        cached === undefined,
        allLarge,
        `group ${group.key.id}: members inflated only where bytes were dropped`,
      );
      if (allLarge) walked++;
    }
    assert.ok(walked > 0 && walked < store.groups().length, 'groups of both kinds');
    for (const format of ['text', 'openmetrics'] as const) {
      assert.equal(archivedBody(store, format), before[format]);
      const plan = planFleetExposition(store, format, new Set(), gzip.shortcut(format));
      assert.equal(gunzipSync(Buffer.concat(await gzip.members(plan, ''))).toString(), before[format]);
    }
    gzip.close();
  });

  test('reading an archived part without putting it back is an error, never an empty family', async () => {
    const { store, now } = fleet(5);
    const gzip = await archiveAll(store, now);
    const entry = store.entries()[0] as StoredTarget;
    assert.throws(() => familyBytes(entry.families.text, 0), /archived/);
    gzip.close();
  });

  test('a target scraped after its group was archived: the group walks, its other targets put back from the archive', async () => {
    const { store, targets, now } = fleet(40);
    const gzip = await archiveAll(store, now);
    const target = targets[7] as ScrapeTarget;
    const groupId = store.get(target.id)?.group.id;
    scrape(store, target, 1_000);
    const group = store.groups().find((candidate) => candidate.key.id === groupId);
    assert.ok(group !== undefined && store.archiveOf(group) === undefined, 'the archive stands no longer');
    const others = store.groups().filter((candidate) => candidate.key.id !== groupId);
    assert.ok(
      others.every((candidate) => store.archiveOf(candidate) !== undefined),
      'other groups keep theirs',
    );
    const expected = fleet(40);
    scrape(expected.store, expected.targets[7] as ScrapeTarget, 1_000);
    // A plain answer walks the changed group (putting its other targets back) and inflates the rest.
    assert.equal(archivedBody(store, 'text'), walkedBody(expected.store, 'text'));
    assert.ok(
      store.entries().every((entry) => (entry.group.id === groupId ? !isArchived(entry) : isArchived(entry))),
      'only the changed group was put back',
    );
    assert.match(archivedBody(store, 'text'), /^a\{job="srs",instance="10\.0\.1\.7:1985",name="stréam-1000"\} 1000$/m);
    gzip.close();
  });

  test('failed targets and targets not scraped yet (no series: one empty part shared) archive and restore alike', async () => {
    const build = (): { store: TargetStore; targets: ScrapeTarget[]; now: { ms: number } } => {
      const built = fleet(40);
      for (const [i, target] of built.targets.entries()) {
        if (i % 3 === 0) {
          const failure = { ok: false, reason: 'http_500', message: 'HTTP 500' } as const;
          built.store.record(target, failure, { startedMs: 0, durationMs: 1 });
        }
      }
      // Known to the store, never scraped: state unknown, no series and no health series.
      for (const i of [40, 41, 42]) built.store.upsertTarget(makeTarget(i));
      return built;
    };
    const { store, targets, now } = build();
    const before = { text: walkedBody(store, 'text'), openmetrics: walkedBody(store, 'openmetrics') };
    assert.match(before.text, /^fleet_json_exporter_target_up\{[^}]*instance="10\.0\.1\.0:1985"[^}]*\} 0$/m);
    const gzip = await archiveAll(store, now);
    assert.equal(archivedBody(store, 'text'), before.text);
    assert.equal(archivedBody(store, 'openmetrics'), before.openmetrics);
    // A failed target's group scraped again: the walk puts the others back, failed ones included.
    const expected = build();
    for (const built of [store, expected.store]) scrape(built, targets[3] as ScrapeTarget, 7);
    assert.equal(archivedBody(store, 'text'), walkedBody(expected.store, 'text'));
    assert.equal(walkedBody(store, 'openmetrics'), walkedBody(expected.store, 'openmetrics'));
    gzip.close();
  });

  test('formats with equal lines share members; a counter, named apart in OpenMetrics, gets members of its own', async () => {
    const cases = [
      { counters: () => false, shared: true },
      { counters: () => true, shared: false },
      // Targets of both kinds in one group: OpenMetrics is put back past parts the text format already put back.
      { counters: (i: number) => i % 2 === 0, shared: false },
    ];
    for (const { counters, shared } of cases) {
      const { store, now } = fleet(40, counters);
      const before = { text: walkedBody(store, 'text'), openmetrics: walkedBody(store, 'openmetrics') };
      const gzip = await archiveAll(store, now);
      const archive = store.archiveOf(store.groups()[0] as SlotGroup);
      const text = [...(archive?.formats.get('text')?.members.values() ?? [])];
      const openMetrics = [...(archive?.formats.get('openmetrics')?.members.values() ?? [])];
      assert.ok(text.length > 0);
      assert.equal(
        text.every((member, i) => member === openMetrics[i]),
        shared,
      );
      assert.equal(archivedBody(store, 'text'), before.text);
      assert.equal(archivedBody(store, 'openmetrics'), before.openmetrics);
      if (!shared) assert.match(before.openmetrics, /^c_total\{/m);
      // Put back per format: each part gets its own lines.
      assert.equal(walkedBody(store, 'openmetrics'), before.openmetrics);
      assert.equal(walkedBody(store, 'text'), before.text);
      gzip.close();
    }
  });

  test('an archive built before a scrape of its group is refused, and the store keeps its bytes', async () => {
    const { store, targets } = fleet(10);
    const target = targets[3] as ScrapeTarget;
    const group = store.groups().find((candidate) => candidate.key.id === store.get(target.id)?.group.id);
    assert.ok(group !== undefined);
    const built = await buildGroupArchive(store, group, async (pieces) => {
      scrape(store, target, 99);
      return gzipSync(Buffer.concat(pieces));
    });
    assert.ok(built !== undefined);
    assert.equal(store.attachArchive(built.archive, built.sources), false);
    assert.ok(!store.entries().some(isArchived));
    assert.match(walkedBody(store, 'text'), /instance="10\.0\.1\.3:1985",name="stréam-99"\} 99$/m);
  });

  test('a group with a family of two types is not archived; its units are compressed as before', async () => {
    const { store, targets, now } = fleet(40);
    // Two targets of one group, family `a` a gauge in one and a counter in the other.
    const byGroup = new Map<string, ScrapeTarget[]>();
    for (const target of targets) {
      const id = store.get(target.id)?.group.id as string;
      byGroup.set(id, [...(byGroup.get(id) ?? []), target]);
    }
    const pair = [...byGroup.values()].find((members) => members.length >= 2) as ScrapeTarget[];
    const mixed = pair[1] as ScrapeTarget;
    const family: RenderedFamily = { name: 'a', help: 'x', type: 'counter', text: `a{instance="mixed"} 5\n` };
    store.record(mixed, { ok: true, families: { text: [family] }, sampleCount: 1 }, { startedMs: 0, durationMs: 1 });
    const before = walkedBody(store, 'text');
    const gzip = await archiveAll(store, now, 1);
    const mixedGroup = store.groups().find((candidate) => candidate.key.id === store.get(mixed.id)?.group.id);
    assert.ok(mixedGroup !== undefined && store.archiveOf(mixedGroup) === undefined);
    assert.equal(archivedBody(store, 'text'), before);
    const plan = planFleetExposition(store, 'text', new Set(), gzip.shortcut('text'));
    assert.equal(gunzipSync(Buffer.concat(await gzip.members(plan, ''))).toString(), before);
    gzip.close();
  });
});

describe("group archives and the inline results' buffers", () => {
  test('archiving gives the buffers of inline results and health lines back for later scrapes, unless a reader holds views of them', async () => {
    const interner = new FamilyMetaInterner();
    for (const pinned of [false, true]) {
      const store = new TargetStore();
      const targets = Array.from({ length: 6 }, (_, i) => makeTarget(100 + i));
      const issued = new Set<ArrayBufferLike>();
      const issuedHealth = new Set<ArrayBufferLike>();
      for (const [i, target] of targets.entries()) {
        store.upsertTarget(target);
        // ~8 KB, as a 10-stream SRS target's lines, through the fleet path of an inline body.
        const decoded = inlineBodyResult(1, 8_000, i, interner);
        assert.ok(decoded?.ok === true);
        issued.add(decoded.encoded.text?.bytes.buffer as ArrayBufferLike);
        store.record(target, { ok: true, encoded: decoded.encoded, sampleCount: 1 }, { startedMs: 0, durationMs: 1 });
        issuedHealth.add(store.get(target.id)?.health.text.bytes.buffer as ArrayBufferLike);
      }
      const before = walkedBody(store, 'text');
      const release = pinned ? store.pin() : undefined;
      const kept = resultBuffers.size;
      const keptHealth = healthBuffers.size;
      for (const group of store.groups()) {
        const built = await buildGroupArchive(store, group, async (pieces) => gzipSync(Buffer.concat(pieces)));
        assert.ok(built !== undefined && store.attachArchive(built.archive, built.sources));
      }
      // Each target's one buffer (both formats' lines in it) back once; none while a reader holds views.
      assert.equal(resultBuffers.size - kept, pinned ? 0 : targets.length);
      assert.equal(healthBuffers.size - keptHealth, pinned ? 0 : targets.length);
      release?.();
      // A later body and later health lines are written into them: the archived series do not change with it.
      const reused = resultBuffers.take(8_030);
      assert.equal(issued.has(reused.buffer), !pinned);
      reused.fill(0x7a);
      const health = store.get(targets[0]?.id as string)?.health.text.ends.at(-1) as number;
      const reusedHealth = healthBuffers.take(health);
      assert.equal(issuedHealth.has(reusedHealth.buffer), !pinned);
      reusedHealth.fill(0x7a);
      assert.equal(archivedBody(store, 'text'), before);
    }
  });
});

describe('group archives over HTTP', () => {
  let server: TestServer | undefined;
  let gzip: GzipExposition | undefined;
  const metrics = createSelfMetrics();
  const { store, now } = fleet(60);
  const before = walkedBody(store, 'text');

  after(async () => {
    gzip?.close();
    await server?.close();
  });

  test('/metrics plain and gzip and /federate answer from archived groups as they did before', async () => {
    const kept = await archiveAll(store, now);
    gzip = kept;
    const source = { store, gzip: kept, metrics };
    const started = await startTestServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/federate') void handleFederate(request, response, url, source);
      else void handleFleetMetrics(request, response, source);
    });
    server = started;
    const plain = await httpGet(`${started.url}/metrics`);
    assert.equal(plain.text.slice(0, before.length), before);
    const zipped = await httpGet(`${started.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gunzipSync(zipped.body).toString().slice(0, before.length), before);
    const federated = await httpGet(
      `${started.url}/federate?match[]=${encodeURIComponent('b{instance="10.0.1.42:1985"}')}`,
    );
    assert.equal(
      federated.text,
      '# HELP b help of b\n# TYPE b gauge\nb{job="srs",instance="10.0.1.42:1985",name="stréam-42"} 42\n',
    );
    assert.ok(store.entries().every(isArchived), 'no answer put bytes back');
  });
});

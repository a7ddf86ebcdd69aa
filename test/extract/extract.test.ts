import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/index.js';
import type { FamilySamples } from '../../src/exposition/types.js';
import { compileModule } from '../../src/extract/compile-module.js';
import { EXTRACT_PROBLEM_REASONS, extractSamples, type ExtractResult } from '../../src/extract/extract.js';
import { parseExposition } from '../helpers/exposition-parser.js';
import { readFixture } from '../helpers/fixtures.js';

function extractWith(yaml: string, doc: unknown, moduleName = 'default'): ExtractResult {
  const module = parseConfig(yaml, 'inline.yml').modules[moduleName];
  assert.ok(module, `module ${moduleName}`);
  return extractSamples(compileModule(module), doc);
}

function extractFixture(configFixture: string, moduleName: string, doc: unknown): ExtractResult {
  return extractWith(readFixture('config', configFixture), doc, moduleName);
}

/** Every sample as `family{a="x",b="y"} value[ @ms]`: a readable form independent of the renderers. */
function seriesOf(families: readonly FamilySamples[]): string[] {
  const lines: string[] = [];
  for (const family of families) {
    for (const sample of family.samples) {
      const labels = family.labelNames.map((name, i) => `${name}="${sample.labelValues[i]}"`).join(',');
      lines.push(
        `${family.name}${labels === '' ? '' : `{${labels}}`} ${sample.value}${sample.timestampMs === undefined ? '' : ` @${sample.timestampMs}`}`,
      );
    }
  }
  return lines;
}

/** json_exporter's documented output read back as families: name, help, type and sorted `labels value` lines. */
function documentedFamilies(exposition: string): Array<{ name: string; help: string; type: string; series: string[] }> {
  return parseExposition(exposition, 'text').map((family) => ({
    name: family.name,
    help: family.help,
    type: family.type,
    series: family.samples
      .map(
        (s) =>
          `${s.labels.map(([k, v]) => `${k}="${v}"`).join(',')} ${s.value}${s.timestampText === undefined ? '' : ` @${s.timestampText}`}`,
      )
      .sort(),
  }));
}

/** Ours in the same shape; series sorted because json_exporter sorts them by label values and we keep document order. */
function ourFamilies(result: ExtractResult): ReturnType<typeof documentedFamilies> {
  return result.families
    .filter((family) => family.samples.length > 0)
    .map((family) => ({
      name: family.name,
      help: family.help,
      type: family.type,
      series: family.samples
        .map(
          (s) =>
            `${family.labelNames.map((k, i) => `${k}="${s.labelValues[i]}"`).join(',')} ${s.value}${s.timestampMs === undefined ? '' : ` @${s.timestampMs}`}`,
        )
        .sort(),
    }));
}

const referenceStreams = (): unknown => JSON.parse(readFixture('srs', 'reference-streams.json'));

test('the reference SRS config on reference-streams.json gives exactly the five livestream samples', () => {
  const result = extractFixture('srs-reference.yml', 'default', referenceStreams());
  assert.deepEqual(seriesOf(result.families), [
    'stream_clients_clients{name="livestream"} 4',
    'stream_clients_frames{name="livestream"} 0',
    'stream_clients_publish{name="livestream"} 0',
    'stream_clients_recv_bytes{name="livestream"} 34930',
    'stream_clients_send_bytes{name="livestream"} 45370',
  ]);
  assert.equal(result.sampleCount, 5);
});

test('the reference SRS config skips the server id as not_numeric, counted once', () => {
  const result = extractFixture('srs-reference.yml', 'default', referenceStreams());
  assert.deepEqual(result.problemCounts, { not_numeric: 1 });
  assert.equal(result.problems.length, 1);
  assert.equal(result.problems[0]?.reason, 'not_numeric');
  assert.equal(result.problems[0]?.metric, 'server');
  assert.match(result.problems[0]?.message ?? '', /vid-69t27o3/);
});

test('every family of the module is in the result, in name order, even without samples', () => {
  const result = extractFixture('srs-reference.yml', 'default', referenceStreams());
  assert.deepEqual(
    result.families.map((f) => [f.name, f.samples.length]),
    [
      ['server', 0],
      ['stream_clients_clients', 1],
      ['stream_clients_frames', 1],
      ['stream_clients_publish', 1],
      ['stream_clients_recv_bytes', 1],
      ['stream_clients_send_bytes', 1],
    ],
  );
});

test('real SRS 6 and SRS 5 stream lists give one series per stream with their counters', () => {
  const srs6 = extractFixture('srs-reference.yml', 'default', JSON.parse(readFixture('srs', 'srs6', 'streams.json')));
  assert.deepEqual(
    seriesOf(
      srs6.families.filter((f) => f.name === 'stream_clients_send_bytes' || f.name === 'stream_clients_publish'),
    ),
    [
      'stream_clients_publish{name="radio"} 1',
      'stream_clients_publish{name="cam2"} 1',
      'stream_clients_publish{name="livestream"} 1',
      'stream_clients_send_bytes{name="radio"} 4386',
      'stream_clients_send_bytes{name="cam2"} 4386',
      'stream_clients_send_bytes{name="livestream"} 13259126',
    ],
  );
  const srs5 = extractFixture('srs-reference.yml', 'default', JSON.parse(readFixture('srs', 'srs5', 'streams.json')));
  assert.deepEqual(seriesOf(srs5.families.filter((f) => f.name === 'stream_clients_frames')), [
    'stream_clients_frames{name="livestream"} 749',
    'stream_clients_frames{name="radio"} 0',
    'stream_clients_frames{name="cam2"} 451',
  ]);
  assert.deepEqual(srs5.problemCounts, { not_numeric: 1 });
});

test('an unpublished SRS stream reports publish 0 beside the published ones', () => {
  const result = extractFixture(
    'srs-reference.yml',
    'default',
    JSON.parse(readFixture('srs', 'srs6', 'streams-with-unpublished.json')),
  );
  const publish = result.families.find((f) => f.name === 'stream_clients_publish');
  assert.deepEqual(seriesOf(publish ? [publish] : []), [
    'stream_clients_publish{name="radio"} 1',
    'stream_clients_publish{name="cam2"} 1',
    'stream_clients_publish{name="livestream"} 1',
    'stream_clients_publish{name="ghost"} 0',
  ]);
});

/** 50 streams in the shape of srs6/streams.json's first stream; numbers are simple functions of i. */
function fiftyStreamBody(): { streams: unknown[] } {
  const real = JSON.parse(readFixture('srs', 'srs6', 'streams.json')) as {
    streams: Array<Record<string, unknown>>;
  } & Record<string, unknown>;
  const shape = real.streams[0];
  assert.ok(shape);
  const streams = Array.from({ length: 50 }, (_, i) => ({
    ...shape,
    id: `vid-${String(i).padStart(7, '0')}`,
    name: `stream-${String(i).padStart(2, '0')}`,
    url: `/live/stream-${String(i).padStart(2, '0')}`,
    clients: (i % 7) + 1,
    frames: i * 100,
    send_bytes: i * 1000 + 1,
    recv_bytes: i * 2000 + 2,
    publish: i % 5 === 4 ? { active: false } : { active: true, cid: `cid${i}` },
  }));
  return { ...real, streams };
}

test('a 50-stream SRS body gives 50 series per family, in stream order, with each stream’s values', () => {
  const result = extractFixture('srs-reference.yml', 'default', fiftyStreamBody());
  const names = Array.from({ length: 50 }, (_, i) => `stream-${String(i).padStart(2, '0')}`);
  for (const family of result.families.filter((f) => f.name.startsWith('stream_clients_'))) {
    assert.equal(family.samples.length, 50, family.name);
    assert.deepEqual(
      family.samples.map((s) => s.labelValues[0]),
      names,
      family.name,
    );
  }
  const valuesOf = (name: string): number[] =>
    result.families.find((f) => f.name === name)?.samples.map((s) => s.value) ?? [];
  assert.deepEqual(
    valuesOf('stream_clients_clients'),
    names.map((_, i) => (i % 7) + 1),
  );
  assert.deepEqual(
    valuesOf('stream_clients_send_bytes'),
    names.map((_, i) => i * 1000 + 1),
  );
  assert.deepEqual(
    valuesOf('stream_clients_recv_bytes'),
    names.map((_, i) => i * 2000 + 2),
  );
  assert.deepEqual(
    valuesOf('stream_clients_frames'),
    names.map((_, i) => i * 100),
  );
  assert.deepEqual(
    valuesOf('stream_clients_publish'),
    names.map((_, i) => (i % 5 === 4 ? 0 : 1)),
  );
  assert.equal(result.sampleCount, 250);
  assert.deepEqual(result.problemCounts, { not_numeric: 1 }, 'only the server id');
});

test("json_exporter's example config on its data gives the README's output for module default", () => {
  const result = extractFixture(
    'json-exporter-example.yml',
    'default',
    JSON.parse(readFixture('json-exporter', 'data.json')),
  );
  assert.deepEqual(ourFamilies(result), documentedFamilies(readFixture('json-exporter', 'README-default.txt')));
});

test("json_exporter's example: the timestamp template finds no timestamp in the element, so the sample is kept without one and timestamp_error counted", () => {
  // `{ .timestamp }` runs on each selected element, which has no `timestamp`; json_exporter logs an error
  // and keeps the sample without a timestamp (the README shows none), and so do we.
  const result = extractFixture(
    'json-exporter-example.yml',
    'default',
    JSON.parse(readFixture('json-exporter', 'data.json')),
  );
  const timestamped = result.families.find((f) => f.name === 'example_timestamped_value_count');
  assert.deepEqual(timestamped?.samples, [{ labelValues: ['beta'], value: 2 }]);
  assert.deepEqual(result.problemCounts, { timestamp_error: 1 });
});

test("json_exporter's example: allow_missing_key leaves example_missing_key out without a problem", () => {
  const result = extractFixture(
    'json-exporter-example.yml',
    'default',
    JSON.parse(readFixture('json-exporter', 'data.json')),
  );
  assert.equal(result.families.find((f) => f.name === 'example_missing_key')?.samples.length, 0);
  assert.ok(!result.problems.some((p) => p.metric === 'example_missing_key'));
});

test("json_exporter's example config gives the README's output for module animals (series in document order, not sorted)", () => {
  const result = extractFixture(
    'json-exporter-example.yml',
    'animals',
    JSON.parse(readFixture('json-exporter', 'animal-data.json')),
  );
  assert.deepEqual(ourFamilies(result), documentedFamilies(readFixture('json-exporter', 'README-animals.txt')));
  // json_exporter sorts series by label values (deer, lion, pigeon); we keep the document's order on purpose.
  assert.deepEqual(
    result.families[0]?.samples.map((s) => s.labelValues[0]),
    ['lion', 'deer', 'pigeon'],
  );
  assert.deepEqual(result.problemCounts, {});
});

test("json_exporter's test/config/good.yml gives test/response/good.txt (gauge and counter types)", () => {
  const result = extractWith(
    readFixture('json-exporter', 'good.yml'),
    JSON.parse(readFixture('json-exporter', 'data.json')),
  );
  assert.deepEqual(ourFamilies(result), documentedFamilies(readFixture('json-exporter', 'good.txt')));
  assert.deepEqual(result.problemCounts, {});
});

test("json_exporter's valueconverter test config gives its expected response (ca13040)", () => {
  const result = extractFixture(
    'json-exporter-converter.yml',
    'default',
    JSON.parse(readFixture('json-exporter', 'test-converter.json')),
  );
  // Upstream's expected file starts with eight spaces; the exposition itself does not.
  assert.deepEqual(
    ourFamilies(result),
    documentedFamilies(readFixture('json-exporter', 'test-converter.txt').trimStart()),
  );
});

test('valueconverter test: values it cannot convert are skipped as not_numeric (test4 entirely, test7 for id-B)', () => {
  const result = extractFixture(
    'json-exporter-converter.yml',
    'default',
    JSON.parse(readFixture('json-exporter', 'test-converter.json')),
  );
  assert.deepEqual(result.problemCounts, { not_numeric: 2 });
  assert.deepEqual(
    result.problems.map((p) => [p.metric, p.reason]),
    [
      ['test4', 'not_numeric'],
      ['test7', 'not_numeric'],
    ],
  );
  assert.match(result.problems[1]?.message ?? '', /INACTIVE/);
});

test("json_exporter's repeat-metric body: the first id-C is kept and each repeat counted as duplicate_series (json_exporter answers 500)", () => {
  const result = extractWith(
    readFixture('json-exporter', 'good.yml'),
    JSON.parse(readFixture('json-exporter', 'repeat-metric.json')),
  );
  assert.deepEqual(seriesOf(result.families.filter((f) => f.name.startsWith('example_value_'))), [
    'example_value_active{environment="beta",id="id-A"} 1',
    'example_value_active{environment="beta",id="id-C"} 1',
    'example_value_boolean{environment="beta",id="id-A"} 1',
    'example_value_boolean{environment="beta",id="id-C"} 1',
    'example_value_count{environment="beta",id="id-A"} 1',
    'example_value_count{environment="beta",id="id-C"} 3',
  ]);
  assert.deepEqual(result.problemCounts, { duplicate_series: 3 });
  assert.ok(result.problems.every((p) => p.metric === 'example_value' && /duplicate series dropped/.test(p.message)));
});

const ITEMS = `
modules:
  default:
    metrics:
    - name: item
      type: object
      path: '{.items[*]}'
      labels: {id: '{.id}'}
      values: {v: '{.v}'}
`;

test('duplicate series across two metrics of one family keep the first metric’s sample', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: up
      path: '{.a}'
      labels: {host: edge}
    - name: up
      path: '{.b}'
      labels: {host: edge}
`,
    { a: 1, b: 2 },
  );
  assert.deepEqual(seriesOf(result.families), ['up{host="edge"} 1']);
  assert.deepEqual(result.problemCounts, { duplicate_series: 1 });
  assert.equal(result.sampleCount, 1);
});

test('allow_missing_key skips a missing value silently; without it missing_key is counted', () => {
  // json_exporter's test/config/allow_missing_key.yml, modules side by side.
  const doc = { values: [{ id: 'a' }] };
  const config = `
modules:
  default:
    metrics:
    - name: global_ok
      allow_missing_key: true
      path: '{ .missing_value }'
    - name: object_ok
      type: object
      allow_missing_key: true
      path: '{.values[0]}'
      values: {missing_value: '{ .missing_value }'}
    - name: elements_ok
      type: object
      allow_missing_key: true
      path: '{.nothing[*]}'
      values: {v: '{.v}'}
  strict:
    metrics:
    - name: global
      path: '{ .missing_value }'
    - name: object
      type: object
      path: '{.values[0]}'
      values: {missing_value: '{ .missing_value }'}
    - name: elements
      type: object
      path: '{.nothing[*]}'
      values: {v: '{.v}'}
`;
  const allowed = extractWith(config, doc, 'default');
  assert.equal(allowed.sampleCount, 0);
  assert.deepEqual(allowed.problemCounts, {});
  assert.deepEqual(allowed.problems, []);
  const strict = extractWith(config, doc, 'strict');
  assert.equal(strict.sampleCount, 0);
  assert.deepEqual(strict.problemCounts, { missing_key: 3 });
  assert.deepEqual(
    strict.problems.map((p) => p.metric),
    ['global', 'object', 'elements'],
  );
});

test('allow_missing_key keeps the values that are present', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: s
      type: object
      allow_missing_key: true
      path: '{.streams[*]}'
      labels: {name: '{.name}'}
      values: {kbps: '{.kbps.recv_30s}'}
`,
    { streams: [{ name: 'a', kbps: { recv_30s: 5 } }, { name: 'b' }, { name: 'c', kbps: { recv_30s: 7 } }] },
  );
  assert.deepEqual(seriesOf(result.families), ['s_kbps{name="a"} 5', 's_kbps{name="c"} 7']);
  assert.deepEqual(result.problemCounts, {});
});

test('a value path matching several values is skipped as several_values', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: clients
      path: '{.streams[*].clients}'
`,
    { streams: [{ clients: 1 }, { clients: 2 }] },
  );
  assert.deepEqual(seriesOf(result.families), []);
  assert.deepEqual(result.problemCounts, { several_values: 1 });
  assert.match(result.problems[0]?.message ?? '', /matched 2 values/);
});

test('a path that matches nothing is no_value; a bad index is jsonpath_error', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: none
      path: '{.streams[*]}'
    - name: index
      path: '{.streams[5]}'
`,
    { streams: [] },
  );
  assert.deepEqual(result.problemCounts, { no_value: 1, jsonpath_error: 1 });
  assert.deepEqual(
    result.problems.map((p) => [p.metric, p.reason]),
    [
      ['none', 'no_value'],
      ['index', 'jsonpath_error'],
    ],
  );
});

test('a label template that fails gives the label "" and counts label_error; the sample is kept', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: s
      type: object
      path: '{.streams[*]}'
      labels: {name: '{.name}', codec: 'c-{.video.codec}'}
      values: {clients: '{.clients}'}
`,
    {
      streams: [
        { name: 'cam2', clients: 1, video: { codec: 'H264' } },
        { name: 'radio', clients: 2, video: null },
        { name: 'x', clients: 3 },
      ],
    },
  );
  assert.deepEqual(seriesOf(result.families), [
    's_clients{codec="c-H264",name="cam2"} 1',
    's_clients{codec="",name="radio"} 2',
    's_clients{codec="",name="x"} 3',
  ]);
  assert.deepEqual(result.problemCounts, { label_error: 2 });
  assert.ok(result.problems.every((p) => p.reason === 'label_error' && p.metric === 's'));
});

test('labels mix literal text with paths, and literal labels stay as written', () => {
  const result = extractFixture('json-exporter-example.yml', 'default', { counter: 7, location: 'mars', values: [] });
  assert.deepEqual(seriesOf(result.families.filter((f) => f.name === 'example_global_value')), [
    'example_global_value{environment="beta",location="planet-mars"} 7',
  ]);
});

test('label names are sorted whatever their order in the config', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: m
      path: '{.v}'
      labels: {zone: z1, app: live, name: '{.n}'}
`,
    { v: 1, n: 'cam2' },
  );
  assert.deepEqual(result.families[0]?.labelNames, ['app', 'name', 'zone']);
  assert.deepEqual(result.families[0]?.samples[0]?.labelValues, ['live', 'cam2', 'z1']);
});

test('a literal value gives that number for every element (active: 1)', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: stream
      type: object
      path: '{.streams[?(@.publish.active == true)]}'
      labels: {name: '{.name}'}
      values: {active: 1, half: '0.5'}
`,
    JSON.parse(readFixture('srs', 'srs6', 'streams-with-unpublished.json')),
  );
  assert.deepEqual(seriesOf(result.families), [
    'stream_active{name="radio"} 1',
    'stream_active{name="cam2"} 1',
    'stream_active{name="livestream"} 1',
    'stream_half{name="radio"} 0.5',
    'stream_half{name="cam2"} 0.5',
    'stream_half{name="livestream"} 0.5',
  ]);
});

test('a value template with literal text around a path is printed, then parsed', () => {
  const result = extractWith(
    `
modules:
  default:
    metrics:
    - name: joined
      path: '{.major}{.minor}'
    - name: prefixed
      path: 'v{.major}'
`,
    { major: 6, minor: 0 },
  );
  assert.deepEqual(seriesOf(result.families), ['joined 60']);
  assert.deepEqual(result.problemCounts, { not_numeric: 1 });
  assert.equal(result.problems[0]?.metric, 'prefixed');
});

test('JSON null values become NaN samples; strings and booleans convert by the Go rules', () => {
  const result = extractWith(ITEMS, {
    items: [
      { id: 'null', v: null },
      { id: 'str', v: '1e3' },
      { id: 'bool', v: true },
      { id: 'word', v: 'yes' },
    ],
  });
  const samples = result.families[0]?.samples ?? [];
  assert.deepEqual(
    samples.map((s) => s.labelValues[0]),
    ['null', 'str', 'bool'],
  );
  assert.ok(Number.isNaN(samples[0]?.value));
  assert.deepEqual(
    samples.slice(1).map((s) => s.value),
    [1000, 1],
  );
  assert.deepEqual(result.problemCounts, { not_numeric: 1 });
});

test('a value of type object or array is not_numeric', () => {
  const result = extractWith(ITEMS, {
    items: [
      { id: 'o', v: { a: 1 } },
      { id: 'a', v: [1] },
    ],
  });
  assert.equal(result.sampleCount, 0);
  assert.deepEqual(result.problemCounts, { not_numeric: 2 });
});

const TIMESTAMPED = `
modules:
  default:
    metrics:
    - name: ev
      type: object
      path: '{.events[*]}'
      epochTimestamp: '{.at}'
      labels: {id: '{.id}'}
      values: {n: '{.n}', m: '{.m}'}
`;

test('epochTimestamp gives each sample of the element its milliseconds', () => {
  const result = extractWith(TIMESTAMPED, {
    events: [
      { id: 'a', n: 1, m: 2, at: 1700000000123 },
      { id: 'b', n: 3, m: 4, at: '1657568506000' },
    ],
  });
  assert.deepEqual(seriesOf(result.families), [
    'ev_m{id="a"} 2 @1700000000123',
    'ev_m{id="b"} 4 @1657568506000',
    'ev_n{id="a"} 1 @1700000000123',
    'ev_n{id="b"} 3 @1657568506000',
  ]);
  assert.deepEqual(result.problemCounts, {});
});

test('a bad epochTimestamp keeps the samples without a timestamp and counts timestamp_error once per element', () => {
  const result = extractWith(TIMESTAMPED, {
    events: [
      { id: 'a', n: 1, m: 2, at: 'soon' },
      { id: 'b', n: 3, m: 4, at: 1.5 },
      { id: 'c', n: 5, m: 6 },
    ],
  });
  assert.deepEqual(seriesOf(result.families), [
    'ev_m{id="a"} 2',
    'ev_m{id="b"} 4',
    'ev_m{id="c"} 6',
    'ev_n{id="a"} 1',
    'ev_n{id="b"} 3',
    'ev_n{id="c"} 5',
  ]);
  assert.deepEqual(result.problemCounts, { timestamp_error: 3 });
  assert.match(result.problems[0]?.message ?? '', /"soon" is not integer epoch milliseconds/);
});

test('labels and timestamp are not evaluated for an element without any value', () => {
  const result = extractWith(TIMESTAMPED, { events: [{ id: 'a', n: 'x', m: 'y', at: 'bad' }] });
  assert.deepEqual(result.problemCounts, { not_numeric: 2 });
});

test('problem details stop at 20 while the counts go on', () => {
  const streams = Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, v: 'n/a' }));
  const result = extractWith(ITEMS, { items: streams });
  assert.deepEqual(result.problemCounts, { not_numeric: 30 });
  assert.equal(result.problems.length, 20);
});

test('a document of the wrong shape is problems, never an exception', () => {
  for (const doc of [null, 42, 'text', [], [1, 2], { streams: 'no' }]) {
    const result = extractFixture('srs-reference.yml', 'default', doc);
    assert.equal(result.sampleCount, 0, JSON.stringify(doc));
    const reasons = Object.keys(result.problemCounts);
    assert.ok(reasons.length > 0, JSON.stringify(doc));
    assert.ok(
      reasons.every((r) => (EXTRACT_PROBLEM_REASONS as readonly string[]).includes(r)),
      reasons.join(),
    );
  }
});

test('the list of problem reasons is stable (they are label values of a self-metric)', () => {
  assert.deepEqual(
    [...EXTRACT_PROBLEM_REASONS],
    [
      'missing_key',
      'jsonpath_error',
      'no_value',
      'several_values',
      'not_numeric',
      'label_error',
      'timestamp_error',
      'duplicate_series',
      'items_truncated',
      'number_out_of_range',
      'invalid_utf8',
    ],
  );
});

test('duplicate_series: sum adds equal series up (elements counted per label), without a duplicate problem', () => {
  const yaml = `modules:
  default:
    metrics:
    - { name: clients, type: object, path: '{.clients[*]}', duplicate_series: sum, labels: { type: '{.type}' }, values: { count: 1, kbps: '{.kbps}' } }
`;
  const result = extractWith(yaml, {
    clients: [
      { type: 'a', kbps: 10 },
      { type: 'b', kbps: 1 },
      { type: 'a', kbps: 5 },
      { type: 'a', kbps: 0 },
    ],
  });
  assert.deepEqual(seriesOf(result.families), [
    'clients_count{type="a"} 3',
    'clients_count{type="b"} 1',
    'clients_kbps{type="a"} 15',
    'clients_kbps{type="b"} 1',
  ]);
  assert.deepEqual(result.problemCounts, {});
  assert.equal(result.sampleCount, 4);
});

test('paging.max_items cuts a longer list and counts one items_truncated problem; a list within the limit is whole', () => {
  const yaml = `modules:
  default:
    paging: { items: '{.streams}', max_items: 3 }
    metrics:
    - { name: stream, type: object, path: '{.streams[*]}', labels: { name: '{.name}' }, values: { clients: '{.clients}' } }
`;
  const streams = (n: number): unknown => ({
    streams: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, clients: i })),
  });
  const cut = extractWith(yaml, streams(4));
  assert.deepEqual(seriesOf(cut.families), [
    'stream_clients{name="s0"} 0',
    'stream_clients{name="s1"} 1',
    'stream_clients{name="s2"} 2',
  ]);
  assert.deepEqual(cut.problemCounts, { items_truncated: 1 });
  assert.match(
    cut.problems[0]?.message ?? '',
    /more than 3 items; the rest are not exported \(raise paging\.max_items\)/,
  );
  const whole = extractWith(yaml, streams(3));
  assert.equal(whole.sampleCount, 3);
  assert.deepEqual(whole.problemCounts, {});
});

const NUMBER_LABELS = `modules:
  default:
    metrics:
    - name: stream_clients
      type: object
      path: '{.streams[*]}'
      labels: { id: '{.id}', started: 'at-{.started}', ratio: '{.ratio}' }
      values: { n: '{.clients}', bytes: '{.bytes}' }
  whole:
    label_number_format: integer
    metrics:
    - name: stream_clients
      type: object
      path: '{.streams[*]}'
      labels: { id: '{.id}', started: 'at-{.started}', ratio: '{.ratio}' }
      values: { n: '{.clients}' }
    - name: stream_go
      label_number_format: go
      path: '{.streams[0].clients}'
      labels: { id: '{.streams[0].id}' }
  per_metric:
    metrics:
    - name: stream_clients
      label_number_format: integer
      type: object
      path: '{.streams[*]}'
      labels: { id: '{.id}' }
      values: { n: '{.clients}' }
`;

const NUMBER_DOC = {
  streams: [{ id: 1681903514993, started: 1234567, ratio: 0.00001, clients: 4, bytes: 45370123456 }],
};

test("labels read from numbers default to json_exporter's text (Go %v: 1.681903514993e+12), values stay whole", () => {
  assert.deepEqual(seriesOf(extractWith(NUMBER_LABELS, NUMBER_DOC).families), [
    'stream_clients_bytes{id="1.681903514993e+12",ratio="1e-05",started="at-1.234567e+06"} 45370123456',
    'stream_clients_n{id="1.681903514993e+12",ratio="1e-05",started="at-1.234567e+06"} 4',
  ]);
});

test('label_number_format: integer (module or metric key) writes integer labels whole; a metric can set go back', () => {
  assert.deepEqual(seriesOf(extractWith(NUMBER_LABELS, NUMBER_DOC, 'whole').families), [
    'stream_clients_n{id="1681903514993",ratio="1e-05",started="at-1234567"} 4',
    'stream_go{id="1.681903514993e+12"} 4',
  ]);
  assert.deepEqual(seriesOf(extractWith(NUMBER_LABELS, NUMBER_DOC, 'per_metric').families), [
    'stream_clients_n{id="1681903514993"} 4',
  ]);
});

test('a numeric epochTimestamp past 1e6 still gives its milliseconds (printed whole, whatever the label format)', () => {
  const result = extractWith(
    "modules:\n  default:\n    metrics:\n    - { name: up, path: '{.up}', epochTimestamp: '{.at}' }\n",
    { up: 1, at: 1700000000123 },
  );
  assert.deepEqual(seriesOf(result.families), ['up 1 @1700000000123']);
});

test('object metrics that share path and labels but not label_number_format each print labels their own way', () => {
  const yaml = `modules:
  default:
    metrics:
    - { name: a, type: object, path: '{.streams[*]}', labels: { id: '{.id}' }, values: { n: '{.clients}' } }
    - name: b
      label_number_format: integer
      type: object
      path: '{.streams[*]}'
      labels: { id: '{.id}' }
      values: { n: '{.clients}' }
    - { name: c, type: object, path: '{.streams[*]}', labels: { id: '{.id}' }, values: { n: '{.clients}' } }
`;
  assert.deepEqual(seriesOf(extractWith(yaml, NUMBER_DOC).families), [
    'a_n{id="1.681903514993e+12"} 4',
    'b_n{id="1681903514993"} 4',
    'c_n{id="1.681903514993e+12"} 4',
  ]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  joinRenderedFamilies,
  renderExposition,
  renderFamily,
  renderHeader,
  renderSeries,
} from '../../src/exposition/render.js';
import type { FamilySamples, MetricType } from '../../src/exposition/types.js';
import { parseExposition } from '../helpers/exposition-parser.js';
import { checkMetricsWithPromtool } from '../helpers/promtool.js';

function family(
  name: string,
  type: MetricType,
  labelNames: string[],
  samples: FamilySamples['samples'],
  help = `${name} help`,
): FamilySamples {
  return { name, help, type, labelNames, samples };
}

const NASTY_VALUES = ['back\\slash', 'say "hi"', 'two\nlines', '\\"\n\\n', 'C:\\new', '}{,=', 'ünïcødé 流 🎥', ''];
const NASTY_HELP = 'Bytes sent "to players" \\ per stream\nsecond line with a \\n literal';

/** A body with every feature: labels with nasty values, NaN/Inf, timestamps, no-label families, counters. */
function nastyFamilies(): FamilySamples[] {
  return [
    family(
      'srs_stream_bytes_sent_total',
      'counter',
      ['name', 'vhost'],
      NASTY_VALUES.map((v, i) => ({ labelValues: [v, `vhost-${i}`], value: i * 1000 })),
    ),
    family(
      'srs_stream_clients',
      'gauge',
      ['name'],
      [
        { labelValues: ['livestream'], value: 4 },
        { labelValues: ['nan'], value: NaN },
        { labelValues: ['up'], value: Infinity },
        { labelValues: ['down'], value: -Infinity },
        { labelValues: ['stamped'], value: 0.5, timestampMs: 1700000000123 },
      ],
      NASTY_HELP,
    ),
    family('srs_up', 'untyped', [], [{ labelValues: [], value: 1 }], 'plain "quoted" help'),
  ];
}

test('text 0.0.4: HELP and TYPE once, then the series with labels in the given order', () => {
  const body = renderExposition(
    [
      family(
        'stream_clients_clients',
        'untyped',
        ['app', 'name'],
        [
          { labelValues: ['live', 'livestream'], value: 4 },
          { labelValues: ['live', 'cam2'], value: 1 },
        ],
        'Example of sub-level value scrapes from a json',
      ),
    ],
    'text',
  );
  assert.equal(
    body,
    '# HELP stream_clients_clients Example of sub-level value scrapes from a json\n' +
      '# TYPE stream_clients_clients untyped\n' +
      'stream_clients_clients{app="live",name="livestream"} 4\n' +
      'stream_clients_clients{app="live",name="cam2"} 1\n',
  );
});

test('a family without labels renders bare sample lines', () => {
  assert.equal(renderSeries(family('up', 'gauge', [], [{ labelValues: [], value: 1 }]), 'text'), 'up 1\n');
});

test('label values are escaped in sample lines of both formats', () => {
  const f = family('x', 'gauge', ['v'], [{ labelValues: ['a\\b"c\nd'], value: 1 }]);
  assert.equal(renderSeries(f, 'text'), 'x{v="a\\\\b\\"c\\nd"} 1\n');
  assert.equal(renderSeries(f, 'openmetrics'), 'x{v="a\\\\b\\"c\\nd"} 1\n');
});

test('HELP keeps double quotes in text 0.0.4 and escapes them in OpenMetrics', () => {
  const header = { name: 'x', help: 'say "hi"\\\nbye', type: 'gauge' as const };
  assert.equal(renderHeader(header, 'text'), '# HELP x say "hi"\\\\\\nbye\n# TYPE x gauge\n');
  assert.equal(renderHeader(header, 'openmetrics'), '# HELP x say \\"hi\\"\\\\\\nbye\n# TYPE x gauge\n');
});

test('NaN and infinities are written NaN, +Inf and -Inf', () => {
  const f = family(
    'x',
    'gauge',
    [],
    [
      { labelValues: [], value: NaN },
      { labelValues: [], value: Infinity },
      { labelValues: [], value: -Infinity },
    ],
  );
  assert.equal(renderSeries(f, 'text'), 'x NaN\nx +Inf\nx -Inf\n');
  assert.equal(renderSeries(f, 'openmetrics'), 'x NaN\nx +Inf\nx -Inf\n');
});

test('timestamps are milliseconds in text 0.0.4 and seconds in OpenMetrics', () => {
  const f = family(
    'x',
    'gauge',
    ['id'],
    [
      { labelValues: ['a'], value: 2, timestampMs: 1657568506123 },
      { labelValues: ['b'], value: 3 },
    ],
  );
  assert.equal(renderSeries(f, 'text'), 'x{id="a"} 2 1657568506123\nx{id="b"} 3\n');
  assert.equal(renderSeries(f, 'openmetrics'), 'x{id="a"} 2 1657568506.123\nx{id="b"} 3\n');
});

test('OpenMetrics names a counter family without _total and its samples with it', () => {
  const f = family('foo', 'counter', [], [{ labelValues: [], value: 7 }]);
  assert.equal(renderExposition([f], 'openmetrics'), '# HELP foo foo help\n# TYPE foo counter\nfoo_total 7\n# EOF\n');
});

test('OpenMetrics drops _total from a counter family name that has it and keeps it on the samples', () => {
  const f = family('foo_total', 'counter', [], [{ labelValues: [], value: 7 }], 'h');
  assert.equal(renderExposition([f], 'openmetrics'), '# HELP foo h\n# TYPE foo counter\nfoo_total 7\n# EOF\n');
});

test('text 0.0.4 keeps a counter name exactly as configured, as json_exporter does', () => {
  assert.equal(
    renderExposition([family('foo', 'counter', [], [{ labelValues: [], value: 7 }], 'h')], 'text'),
    '# HELP foo h\n# TYPE foo counter\nfoo 7\n',
  );
  assert.equal(
    renderExposition([family('foo_total', 'counter', [], [{ labelValues: [], value: 7 }], 'h')], 'text'),
    '# HELP foo_total h\n# TYPE foo_total counter\nfoo_total 7\n',
  );
});

test('a gauge named like a counter keeps its name in OpenMetrics', () => {
  assert.equal(
    renderExposition([family('odd_total', 'gauge', [], [{ labelValues: [], value: 1 }], 'h')], 'openmetrics'),
    '# HELP odd_total h\n# TYPE odd_total gauge\nodd_total 1\n# EOF\n',
  );
});

test('untyped is "unknown" in OpenMetrics and "untyped" in text 0.0.4', () => {
  const header = { name: 'x', help: 'h', type: 'untyped' as const };
  assert.equal(renderHeader(header, 'openmetrics'), '# HELP x h\n# TYPE x unknown\n');
  assert.equal(renderHeader(header, 'text'), '# HELP x h\n# TYPE x untyped\n');
});

test('OpenMetrics ends with # EOF, even with no families; text 0.0.4 has no terminator', () => {
  assert.equal(renderExposition([], 'openmetrics'), '# EOF\n');
  assert.equal(renderExposition([], 'text'), '');
  assert.ok(renderExposition(nastyFamilies(), 'openmetrics').endsWith('\n# EOF\n'));
  assert.ok(!renderExposition(nastyFamilies(), 'text').includes('# EOF'));
});

test('families with no samples are left out, HELP and TYPE included', () => {
  const body = renderExposition(
    [
      family('a', 'gauge', [], [{ labelValues: [], value: 1 }]),
      family('b', 'gauge', ['name'], []),
      family('c', 'gauge', [], [{ labelValues: [], value: 3 }]),
    ],
    'text',
  );
  assert.equal(body, '# HELP a a help\n# TYPE a gauge\na 1\n# HELP c c help\n# TYPE c gauge\nc 3\n');
});

test('families are written in the order given (sorting is the caller’s job)', () => {
  const body = renderExposition(
    [
      family('z', 'gauge', [], [{ labelValues: [], value: 1 }]),
      family('a', 'gauge', [], [{ labelValues: [], value: 2 }]),
    ],
    'text',
  );
  assert.ok(body.indexOf('# HELP z') < body.indexOf('# HELP a'));
});

test('extra labels come first, before the family’s own labels', () => {
  const f = family('x', 'gauge', ['name'], [{ labelValues: ['cam2'], value: 1 }]);
  assert.equal(
    renderSeries(f, 'text', 'instance="srs-1",region="eu"'),
    'x{instance="srs-1",region="eu",name="cam2"} 1\n',
  );
});

test('extra labels on a family without labels make a label set of their own', () => {
  const f = family('x', 'gauge', [], [{ labelValues: [], value: 1 }]);
  assert.equal(renderSeries(f, 'openmetrics', 'instance="srs-1"'), 'x{instance="srs-1"} 1\n');
});

test('a missing label value renders as the empty string', () => {
  const f = family('x', 'gauge', ['a', 'b'], [{ labelValues: ['only-a'], value: 1 }]);
  assert.equal(renderSeries(f, 'text'), 'x{a="only-a",b=""} 1\n');
});

test('renderFamily keeps the header fields and the series text for later joining', () => {
  const f = family('foo', 'counter', ['k'], [{ labelValues: ['v'], value: 1 }], 'h');
  const rendered = renderFamily(f, 'openmetrics', 'i="1"');
  assert.deepEqual(rendered, { name: 'foo', help: 'h', type: 'counter', text: 'foo_total{i="1",k="v"} 1\n' });
  assert.equal(
    joinRenderedFamilies([rendered], 'openmetrics'),
    '# HELP foo h\n# TYPE foo counter\nfoo_total{i="1",k="v"} 1\n# EOF\n',
  );
});

test('joinRenderedFamilies skips families whose series text is empty', () => {
  const body = joinRenderedFamilies(
    [
      { name: 'a', help: 'h', type: 'gauge', text: '' },
      { name: 'b', help: 'h', type: 'gauge', text: 'b 1\n' },
    ],
    'text',
  );
  assert.equal(body, '# HELP b h\n# TYPE b gauge\nb 1\n');
});

test('promtool tells a parse error from a lint finding (calibration of the helper)', () => {
  const broken = checkMetricsWithPromtool('x{a="b} 1\n');
  assert.equal(broken.parses, false, broken.output);
  const unlinted = checkMetricsWithPromtool('x 1\n');
  assert.equal(unlinted.parses, true, unlinted.output);
  assert.equal(unlinted.lintClean, false, unlinted.output);
  assert.match(unlinted.output, /no help text/);
});

test('text 0.0.4 with nasty label values, HELP, NaN/Inf and timestamps passes promtool check metrics', () => {
  const body = renderExposition(nastyFamilies(), 'text');
  const check = checkMetricsWithPromtool(body);
  assert.ok(check.ok, `promtool exit ${check.exitCode}:\n${check.output}\n${body}`);
});

test('text 0.0.4 with extra labels passes promtool check metrics', () => {
  const body = joinRenderedFamilies(
    nastyFamilies().map((f) => renderFamily(f, 'text', 'instance="srs-\\"1\\"",job="srs"')),
    'text',
  );
  const check = checkMetricsWithPromtool(body);
  assert.ok(check.ok, `promtool exit ${check.exitCode}:\n${check.output}\n${body}`);
});

test('promtool does not read OpenMetrics, so our OpenMetrics output is checked structurally against the 1.0 grammar', () => {
  const body = renderExposition(nastyFamilies(), 'openmetrics');
  // promtool 2.42 reads text 0.0.4 only: `# TYPE … unknown` is a parse error there.
  assert.equal(checkMetricsWithPromtool(body).parses, false);
  const families = parseExposition(body, 'openmetrics');
  assert.deepEqual(
    families.map((f) => [f.name, f.type]),
    [
      ['srs_stream_bytes_sent', 'counter'],
      ['srs_stream_clients', 'gauge'],
      ['srs_up', 'unknown'],
    ],
  );
  assert.equal(families[1]?.help, NASTY_HELP);
  assert.deepEqual(
    families[0]?.samples.map((s) => s.labels[0]?.[1]),
    NASTY_VALUES,
  );
  assert.ok(families[0]?.samples.every((s) => s.name === 'srs_stream_bytes_sent_total'));
  assert.deepEqual(
    families[1]?.samples.map((s) => s.valueText),
    ['4', 'NaN', '+Inf', '-Inf', '0.5'],
  );
  assert.equal(families[1]?.samples[4]?.timestampText, '1700000000.123');
});

test('nasty label values and HELP read back unchanged from text 0.0.4', () => {
  const families = parseExposition(renderExposition(nastyFamilies(), 'text'), 'text');
  assert.equal(families[1]?.help, NASTY_HELP);
  assert.deepEqual(
    families[0]?.samples.map((s) => s.labels[0]?.[1]),
    NASTY_VALUES,
  );
  assert.equal(families[1]?.samples[4]?.timestampText, '1700000000123');
});

test('any label values, HELP and values read back unchanged in both formats (property)', () => {
  const text = fc.string({
    unit: fc.oneof(fc.constantFrom('\\', '"', '\n', 'n', ' ', '}', ','), fc.string({ unit: 'grapheme', maxLength: 1 })),
  });
  const value = fc.oneof(fc.double(), fc.integer());
  fc.assert(
    fc.property(
      text,
      fc.array(fc.tuple(text, value), { maxLength: 5 }),
      fc.constantFrom<MetricType>('gauge', 'counter', 'untyped'),
      (help, rows, type) => {
        const f = family(
          'm',
          type,
          ['v'],
          rows.map(([v, x]) => ({ labelValues: [v], value: x })),
          help,
        );
        for (const format of ['text', 'openmetrics'] as const) {
          const parsed = parseExposition(renderExposition([f], format), format);
          if (rows.length === 0) {
            assert.equal(parsed.length, 0);
            continue;
          }
          assert.equal(parsed[0]?.help, help);
          assert.deepEqual(
            parsed[0]?.samples.map((s) => s.labels[0]?.[1]),
            rows.map(([v]) => v),
          );
          // -0 is written 0 (see format-number.test.ts); compare the rest exactly.
          assert.deepEqual(
            parsed[0]?.samples.map((s) => s.value),
            rows.map(([, x]) => (x === 0 ? 0 : x)),
          );
        }
      },
    ),
  );
});

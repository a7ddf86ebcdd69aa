import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BYTES_FROM_SAMPLES, LabelBlockCache, renderSeries, writeFamilyBytes } from '../../src/exposition/render.js';
import { SeriesByteWriter } from '../../src/exposition/series-bytes.js';
import type { ExpositionFormat, FamilySamples, MetricType, Sample } from '../../src/exposition/types.js';

// A family of BYTES_FROM_SAMPLES samples or more is written as bytes (series-bytes.ts); one sample at a time it takes
// the string path. Both must give the same bytes on the wire (the text is UTF-8 encoded wherever it goes).

function family(type: MetricType, labelNames: string[], samples: Sample[], name = 'srs_stream_send_bytes_total') {
  return { name, help: 'h', type, labelNames, samples } satisfies FamilySamples;
}

/** The family's lines, one sample at a time: every call is below the threshold, so the string path renders it. */
function linesOneByOne(f: FamilySamples, format: ExpositionFormat, extra: string): string {
  let out = '';
  for (const sample of f.samples) out += renderSeries({ ...f, samples: [sample] }, format, extra);
  return out;
}

/** Pads samples up to the threshold by repeating them (a family under it would not take the byte path). */
function padded(samples: Sample[]): Sample[] {
  // An empty list would never reach the threshold: refuse it rather than loop forever.
  if (samples.length === 0) throw new Error('padded() needs at least one sample');
  const out: Sample[] = [];
  while (out.length < BYTES_FROM_SAMPLES) out.push(...samples);
  return out;
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

test('large families are written as the string path writes them: values, escapes, timestamps, both formats', () => {
  const samples: Sample[] = [
    { labelValues: ['cam-1', 'live'], value: 0 },
    { labelValues: ['back\\slash', 'say "hi"'], value: -0 },
    { labelValues: ['two\nlines', ''], value: 1099511627776 },
    { labelValues: ['ünïcødé 流 🎥', 'x'], value: -42 },
    { labelValues: ['max', 'safe'], value: Number.MAX_SAFE_INTEGER },
    { labelValues: ['over', 'safe'], value: 2 ** 53 + 2 },
    { labelValues: ['big', 'float'], value: 1e21 },
    { labelValues: ['frac', 'float'], value: 0.1 },
    { labelValues: ['tiny', 'float'], value: -1.5e-7 },
    { labelValues: ['int32', 'edge'], value: 2147483647 },
    { labelValues: ['int32', 'over'], value: 2147483648 },
    { labelValues: ['nan', ''], value: NaN },
    { labelValues: ['up', ''], value: Infinity },
    { labelValues: ['down', ''], value: -Infinity },
    { labelValues: ['stamped', ''], value: 7, timestampMs: 1700000000123 },
  ];
  for (const type of ['counter', 'gauge'] as const) {
    const f = family(type, ['stream', 'app'], padded(samples));
    for (const format of ['text', 'openmetrics'] as const) {
      for (const extra of ['', 'job="srs",instance="edge-0:1985"']) {
        const text = renderSeries(f, format, extra);
        assert.equal(text, linesOneByOne(f, format, extra), `${type} ${format} extra=${extra}`);
        assert.ok(text.includes('1099511627776\n') && text.includes('9007199254740991\n'));
      }
    }
  }
});

test('a large family without labels, with and without target labels', () => {
  const f = family('gauge', [], padded([{ labelValues: [], value: 3 }]));
  assert.equal(renderSeries(f, 'text', ''), linesOneByOne(f, 'text', ''));
  assert.equal(renderSeries(f, 'text', 'job="srs"'), linesOneByOne(f, 'text', 'job="srs"'));
  assert.ok(renderSeries(f, 'text', 'job="srs"').startsWith('srs_stream_send_bytes_total{job="srs"} 3\n'));
});

test('a lone surrogate in a label value reaches the wire as U+FFFD either way', () => {
  const f = family('gauge', ['stream'], padded([{ labelValues: ['a\ud800b'], value: 1 }]));
  assert.deepEqual(utf8(renderSeries(f, 'text')), utf8(linesOneByOne(f, 'text', '')));
});

test('families sharing label arrays share byte blocks and render as they do alone', () => {
  const labels = Array.from({ length: BYTES_FROM_SAMPLES + 3 }, (_, i) => [`s-${i}`, i % 7 === 0 ? 'é"' : 'live']);
  const first = family(
    'counter',
    ['stream', 'app'],
    labels.map((labelValues, i) => ({ labelValues, value: i })),
    'a_total',
  );
  const second = family(
    'gauge',
    ['stream', 'app'],
    labels.map((labelValues, i) => ({ labelValues, value: i * 2 })),
    'b',
  );
  const blocks = new LabelBlockCache();
  for (const f of [first, second, first]) {
    assert.equal(renderSeries(f, 'text', 'job="j"', blocks), renderSeries(f, 'text', 'job="j"'));
    assert.equal(renderSeries(f, 'text', 'job="j"', blocks), linesOneByOne(f, 'text', 'job="j"'));
  }
});

test('a label value far larger than the writer buffer is written whole, and the next family still renders', () => {
  const huge = 'x"'.repeat(200_000);
  const rest: Sample[] = Array.from({ length: BYTES_FROM_SAMPLES - 1 }, () => ({ labelValues: ['a'], value: 1 }));
  const f = family('gauge', ['stream'], [{ labelValues: [huge], value: 5 }, ...rest]);
  const text = renderSeries(f, 'text');
  assert.ok(text.startsWith(`srs_stream_send_bytes_total{stream="${'x\\"'.repeat(200_000)}"} 5\n`));
  assert.equal(text, linesOneByOne(f, 'text', ''));
  const small = family('gauge', ['stream'], padded([{ labelValues: ['a'], value: 1 }]));
  assert.equal(renderSeries(small, 'text'), linesOneByOne(small, 'text', ''));
});

test('any label values and values give the same bytes as bytes and as strings (property)', () => {
  const text = fc.string({
    unit: fc.oneof(fc.constantFrom('\\', '"', '\n', 'n', ' ', '}', ','), fc.string({ unit: 'grapheme', maxLength: 1 })),
  });
  const value = fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, 2 ** 31, -(2 ** 31)));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(text, text, value), { minLength: 1, maxLength: 8 }),
      fc.constantFrom<ExpositionFormat>('text', 'openmetrics'),
      (rows, format) => {
        const f = family('counter', ['a', 'b'], padded(rows.map(([x, y, v]) => ({ labelValues: [x, y], value: v }))));
        assert.deepEqual(utf8(renderSeries(f, format, 'job="srs"')), utf8(linesOneByOne(f, format, 'job="srs"')));
      },
    ),
    { numRuns: 60 },
  );
});

// writeFamilyBytes: a fleet body's families written one after the other into one sink, as bytes, whatever their size.

/** The families written in turn into one sink with one block cache (as a body's are), and the bytes it holds. */
function written(families: readonly FamilySamples[], format: ExpositionFormat, extra: string): Buffer {
  const sink = new SeriesByteWriter();
  const blocks = new LabelBlockCache();
  for (const f of families) writeFamilyBytes(sink, f, format, extra, blocks);
  return Buffer.from(sink.view());
}

test('families written into one sink are the bytes of their text, blocks shared or not, any labels (property)', () => {
  const text = fc.string({
    unit: fc.oneof(fc.constantFrom('\\', '"', '\n', ' ', '}', ','), fc.string({ unit: 'grapheme', maxLength: 1 })),
    maxLength: 8,
  });
  const value = fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, 2 ** 40 + 3));
  const timestamp = fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(text, text, value, timestamp), { minLength: 1, maxLength: 6 }),
      fc.constantFrom<ExpositionFormat>('text', 'openmetrics'),
      fc.constantFrom('', 'job="srs",instance="edge:1985"', 'job="ünï"', 'a="\\"'),
      (rows, format, extra) => {
        // The label arrays are shared by the families, as a group's metrics share an element's labels.
        const labels = rows.map(([x, y]) => [x, y]);
        const sent = family(
          'counter',
          ['stream', 'app'],
          rows.map(([, , v, ts], i) => ({ labelValues: labels[i] as string[], value: v, timestampMs: ts })),
          'sent_total',
        );
        const clients = family(
          'gauge',
          ['stream', 'app'],
          rows.map(([, , v], i) => ({ labelValues: labels[i] as string[], value: -v })),
          'clients',
        );
        const bare = family('untyped', [], [{ labelValues: [], value: rows.length }], 'streams');
        const families = [sent, clients, bare, sent];
        const expected = families.map((f) => renderSeries(f, format, extra)).join('');
        assert.deepEqual(written(families, format, extra), utf8(expected));
      },
    ),
    { numRuns: 300 },
  );
});

test('a block written again is copied from where the sink has it, after the sink grew under it', () => {
  // The first family's blocks are written near the start; the huge label of the second one grows the sink's buffer
  // before the third copies them.
  const labels = Array.from({ length: 40 }, (_, i) => [`stream-${i}`]);
  const first = family(
    'gauge',
    ['s'],
    labels.map((labelValues) => ({ labelValues, value: 1 })),
    'a',
  );
  const huge = family('gauge', ['s'], [{ labelValues: ['x'.repeat(100_000)], value: 2 }], 'b');
  const third = family(
    'gauge',
    ['s'],
    labels.map((labelValues) => ({ labelValues, value: 3 })),
    'c',
  );
  const expected = [first, huge, third].map((f) => renderSeries(f, 'text', 'job="j"')).join('');
  assert.deepEqual(written([first, huge, third], 'text', 'job="j"'), utf8(expected));
});

test('sample names are written right however many names the process meets, ASCII or not, after the cache clears', () => {
  const labels = [['s1'], ['s2']];
  // More distinct names than the name cache keeps (it clears when full), a non-ASCII one, and the first one again.
  const names = Array.from({ length: 5000 }, (_, i) => `m_${i}_${'x'.repeat(i % 7)}`);
  names.push('métrique', 'm_0_');
  for (const name of names) {
    const f = family(
      'gauge',
      ['s'],
      labels.map((labelValues) => ({ labelValues, value: 1 })),
      name,
    );
    assert.deepEqual(written([f], 'text', 'job="j"'), utf8(renderSeries(f, 'text', 'job="j"')), name);
  }
});

// runHotPathInline: each requested format rendered, OpenMetrics reusing the text rendering where the lines are equal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { renderFamily } from '../../src/exposition/render.js';
import { compileModule } from '../../src/extract/compile-module.js';
import { extractSamples } from '../../src/extract/extract.js';
import { labelBlocksRecur, runHotPathInline } from '../../src/pool/hot-path.js';
import { bytesOf } from './pool-fixtures.js';

const CONFIG = `modules:
  m:
    metrics:
    - { name: g, help: a gauge, valuetype: gauge, path: '{.v}' }
    - { name: c, help: a counter named without _total, valuetype: counter, path: '{.v}' }
    - { name: d_total, help: a counter named with _total, valuetype: counter, path: '{.v}' }
    - { name: u, help: untyped, path: '{.v}' }
    - { name: t, help: a gauge with a timestamp, valuetype: gauge, path: '{.v}', epochTimestamp: '{.ts}' }
`;

test('OpenMetrics lines equal to the text lines are rendered once and shared; the others are rendered for OpenMetrics', () => {
  const compiled = compileModule(parseConfig(CONFIG, 'm.yml').modules['m']!);
  const body = bytesOf('{"v": 3, "ts": 1700000000123}');
  const labels = { job: 'j', instance: 'i' };
  const result = runHotPathInline(compiled, { body, targetLabels: labels, formats: ['text', 'openmetrics'] });
  assert.ok(result.ok);
  const text = result.families.text!;
  const openMetrics = result.families.openmetrics!;
  // What rendering each format on its own gives: the output must not change.
  const prefix = 'job="j",instance="i"';
  const extracted = extractSamples(compiled, JSON.parse('{"v": 3, "ts": 1700000000123}')).families;
  assert.deepEqual(
    openMetrics,
    extracted.map((family) => renderFamily(family, 'openmetrics', prefix)),
  );
  assert.deepEqual(
    text,
    extracted.map((family) => renderFamily(family, 'text', prefix)),
  );
  const shared = text.filter((family, i) => openMetrics[i] === family).map((family) => family.name);
  assert.deepEqual(shared, ['d_total', 'g', 'u']);
});

const SERIES_CONFIG = `modules:
  one:
    metrics:
    - { name: item, type: object, path: '{[*]}', labels: { name: '{.name}' }, values: { value: '{.value}' } }
  two_values:
    metrics:
    - { name: item, type: object, path: '{[*]}', labels: { name: '{.name}' }, values: { a: '{.a}', b: '{.b}' } }
  two_metrics:
    metrics:
    - { name: a, type: object, path: '{[*]}', labels: { name: '{.name}' }, values: { v: '{.a}' } }
    - { name: b, type: object, path: '{[*]}', labels: { name: '{.name}' }, values: { v: '{.b}' } }
  mixed:
    metrics:
    - { name: item, type: object, path: '{[*]}', labels: { name: '{.name}' }, values: { a: '{.a}', b: '{.b}' } }
    - { name: odd, type: object, path: '{[?(@.odd)]}', labels: { name: '{.name}' }, values: { v: '{.value}' } }
`;

test('label blocks are cached only where one can serve twice: two formats, or two families of one element', () => {
  const modules = parseConfig(SERIES_CONFIG, 'series.yml').modules;
  const compiled = (name: string) => compileModule(modules[name]!);
  // One value per element in one format: each block would be used once and only held memory (issue 17).
  assert.equal(labelBlocksRecur(compiled('one'), ['text']), false);
  assert.equal(labelBlocksRecur(compiled('one'), ['text', 'openmetrics']), true);
  assert.equal(labelBlocksRecur(compiled('two_values'), ['text']), true);
  assert.equal(labelBlocksRecur(compiled('two_metrics'), ['text']), true);
  // Per family: the two values of `item` share each element's labels; `odd`'s blocks serve one line each.
  const mixed = compiled('mixed');
  assert.deepEqual(
    mixed.families.map((family) => family.name),
    ['item_a', 'item_b', 'odd_v'],
  );
  assert.deepEqual(
    [0, 1, 2].map((family) => labelBlocksRecur(mixed, ['text'], family)),
    [true, true, false],
  );
  assert.equal(labelBlocksRecur(mixed, ['text', 'openmetrics'], 2), true);
});

test('a module whose blocks are not cached renders the same lines', () => {
  const modules = parseConfig(SERIES_CONFIG, 'series.yml').modules;
  const json = '[{"name":"x","value":1,"a":2,"b":3,"odd":true},{"name":"y\\"z","value":4,"a":5,"b":6}]';
  for (const name of ['one', 'two_values', 'two_metrics', 'mixed']) {
    const compiled = compileModule(modules[name]!);
    const result = runHotPathInline(compiled, { body: bytesOf(json), targetLabels: { job: 'j' }, formats: ['text'] });
    assert.ok(result.ok);
    const expected = extractSamples(compiled, JSON.parse(json)).families.map((family) =>
      renderFamily(family, 'text', 'job="j"'),
    );
    assert.deepEqual(result.families.text, expected, name);
  }
});

test('afterExtract runs once, between extraction and rendering, and not for a body that fails to parse', () => {
  const compiled = compileModule(parseConfig(CONFIG, 'm.yml').modules['m']!);
  const body = bytesOf('{"v": 3, "ts": 1700000000123}');
  let calls = 0;
  const result = runHotPathInline(compiled, {
    body,
    targetLabels: {},
    formats: ['text'],
    afterExtract: () => {
      calls++;
      // The body may be released here (a worker detaches it): rendering must not read it again.
      body.fill(0);
    },
  });
  assert.equal(calls, 1);
  assert.ok(result.ok);
  assert.equal(result.families.text?.find((family) => family.name === 'g')?.text, 'g 3\n');
  const failed = runHotPathInline(compiled, {
    body: bytesOf('{"v": '),
    targetLabels: {},
    formats: ['text'],
    afterExtract: () => calls++,
  });
  assert.equal(failed.ok, false);
  assert.equal(calls, 1);
});

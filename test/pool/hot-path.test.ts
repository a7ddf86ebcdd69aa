// runHotPathInline: each requested format rendered, OpenMetrics reusing the text rendering where the lines are equal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { renderFamily } from '../../src/exposition/render.js';
import { compileModule } from '../../src/extract/compile-module.js';
import { extractSamples } from '../../src/extract/extract.js';
import { runHotPathInline } from '../../src/pool/hot-path.js';
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

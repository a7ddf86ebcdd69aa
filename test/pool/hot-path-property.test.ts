// Property test of the whole hot path: whatever the body (generated JSON, or bytes that are not), the result is a
// value, and when it succeeds its exposition parses with the strict reader in both formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../src/config/load.js';
import { joinRenderedFamilies } from '../../src/exposition/render.js';
import { runHotPathInline } from '../../src/pool/hot-path.js';
import { prepareConfig } from '../../src/scrape/prepared-config.js';
import { parseExposition } from '../helpers/exposition-parser.js';

const CONFIG = `
modules:
  m:
    metrics:
    - { name: top, path: '{.x}' }
    - name: item
      type: object
      path: '{.items[*]}'
      labels: { name: '{.name}', nested: '{.a}', instance: '{.x}' }
      values: { x: '{.x}', flag: '{.flag}' }
      epochTimestamp: '{.ts}'
    - name: everything
      type: object
      path: '{..items}'
      values: { count: '{[0].x}' }
      allow_missing_key: true
`;
const module = prepareConfig(parseConfig(CONFIG, '<property>', 1)).modules.get('m')?.hotPath;

const anyText = fc.string({
  unit: fc.oneof(fc.constantFrom('\\', '"', '\n', '}', '{', ','), fc.string({ unit: 'grapheme', maxLength: 1 })),
  maxLength: 12,
});
const scalar = fc.oneof(fc.double(), fc.integer(), anyText, fc.boolean(), fc.constant(null));
const item = fc.record(
  { name: anyText, a: fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 })), x: scalar, flag: scalar, ts: scalar },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc
    .record({ x: scalar, items: fc.array(item, { maxLength: 8 }) }, { requiredKeys: [] })
    .map((doc) => JSON.stringify(doc)),
  fc.jsonValue({ maxDepth: 4 }).map((doc) => JSON.stringify(doc)),
  fc.string({ maxLength: 40 }),
);
const labelValue = fc.string({ maxLength: 10 });

test('any body gives a result value; a success renders exposition the strict reader accepts, both formats', () => {
  assert.ok(module);
  fc.assert(
    fc.property(body, fc.record({ job: labelValue, instance: labelValue }), (text, targetLabels) => {
      const result = runHotPathInline(module.compiled, {
        body: new TextEncoder().encode(text),
        targetLabels,
        formats: ['text', 'openmetrics'],
      });
      if (!result.ok) {
        assert.equal(typeof result.reason, 'string');
        return;
      }
      for (const format of ['text', 'openmetrics'] as const) {
        const exposition = joinRenderedFamilies(result.families[format] ?? [], format);
        const families = parseExposition(exposition, format);
        const samples = families.reduce((sum, family) => sum + family.samples.length, 0);
        assert.equal(samples, result.sampleCount, exposition);
      }
    }),
    { numRuns: 1000 },
  );
});

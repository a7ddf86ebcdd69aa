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
import { propertyBody, propertyModuleConfig } from '../helpers/hot-path-bodies.js';

const module = prepareConfig(parseConfig(propertyModuleConfig(), '<property>', 1)).modules.get('m')?.hotPath;

const labelValue = fc.string({ maxLength: 10 });

test('any body gives a result value; a success renders exposition the strict reader accepts, both formats', () => {
  assert.ok(module);
  fc.assert(
    fc.property(propertyBody, fc.record({ job: labelValue, instance: labelValue }), (text, targetLabels) => {
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

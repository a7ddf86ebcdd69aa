// encodeBatch writes each body's families straight into bytes (render.ts writeFamilyBytes): they must be the bytes
// of the text runHotPathInline renders, family by family and format by format, whatever the body and target labels;
// a body that fails (bad JSON, cancelled half way through its lines) leaves no bytes of its own in the batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../src/config/load.js';
import { FamilyMetaInterner, familyBytes } from '../../src/exposition/encoded-families.js';
import type { ExpositionFormat } from '../../src/exposition/types.js';
import { decodeBatch, encodeBatch, type HotPathBatchItem } from '../../src/pool/hot-path-batch.js';
import { runHotPathInline } from '../../src/pool/hot-path.js';
import { prepareConfig } from '../../src/scrape/prepared-config.js';
import { propertyBody, propertyModuleConfig } from '../helpers/hot-path-bodies.js';

// The property tests' module, and a counter family (OpenMetrics spells its lines differently).
const CONFIG = propertyModuleConfig(`    - name: sent
      type: object
      valuetype: counter
      path: '{.items[*]}'
      labels: { name: '{.name}' }
      values: { bytes: '{.x}' }
`);
const compiled = prepareConfig(parseConfig(CONFIG, '<encode-batch>', 1)).modules.get('m')?.hotPath.compiled;
const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics'];
const decoder = new TextDecoder();
const encoder = new TextEncoder();

// ASCII target labels (the byte path) and any text (the fallback through the string renderer).
const labelValue = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const batchItem = fc
  .tuple(propertyBody, fc.record({ job: labelValue, instance: labelValue }))
  .map(([text, targetLabels]): HotPathBatchItem => ({ body: encoder.encode(text), targetLabels }));

/** Each item's families as text per format, or its failure reason, read back from an encoded batch. */
function decoded(items: readonly HotPathBatchItem[], isCancelled?: () => boolean) {
  assert.ok(compiled);
  const batch = encodeBatch(compiled, items, FORMATS, isCancelled);
  return {
    bytes: batch.bytes.byteLength,
    items: decodeBatch(batch, new FamilyMetaInterner()).map((result) => {
      if (!result.ok) return { reason: result.reason };
      return Object.fromEntries(
        FORMATS.map((format) => {
          const families = result.encoded[format];
          assert.ok(families !== undefined, format);
          return [format, families.ends.map((_, i) => decoder.decode(familyBytes(families, i)))];
        }),
      );
    }),
  };
}

/** The same, rendered as text by runHotPathInline, one body at a time. */
function rendered(item: HotPathBatchItem) {
  assert.ok(compiled);
  const result = runHotPathInline(compiled, { ...item, formats: FORMATS });
  if (!result.ok) return { reason: result.reason };
  return Object.fromEntries(
    FORMATS.map((format) => [format, (result.families[format] ?? []).map((family) => family.text)]),
  );
}

test('a batch holds the bytes of the text each body renders, per family and format, failures in between', () => {
  fc.assert(
    fc.property(fc.array(batchItem, { minLength: 1, maxLength: 4 }), (items) => {
      const batch = decoded(items);
      assert.deepEqual(batch.items, items.map(rendered));
      // Nothing but the lines of the bodies that succeeded (OpenMetrics equal to text is not written twice).
      let lines = 0;
      for (const result of batch.items) {
        if ('reason' in result) continue;
        const text = (result.text as string[]).join('');
        const openMetrics = (result.openmetrics as string[]).join('');
        lines += Buffer.byteLength(text) + (openMetrics === text ? 0 : Buffer.byteLength(openMetrics));
      }
      assert.ok(batch.bytes >= lines && batch.bytes <= 2 * lines, `${batch.bytes} bytes for ${lines} of lines`);
    }),
    { numRuns: 500 },
  );
});

test('a body cancelled half way through its lines leaves none of them; the bodies after it are whole', () => {
  const doc = {
    x: 1,
    items: Array.from({ length: 6 }, (_, i) => ({ name: `s${i}`, a: 'v', x: i * 1000, flag: true, ts: 1.7e12 })),
  };
  const item: HotPathBatchItem = {
    body: encoder.encode(JSON.stringify(doc)),
    targetLabels: { job: 'srs', instance: 'edge:1985' },
  };
  const whole = rendered(item);
  const bodyBytes = decoded([item]).bytes;
  // Every check the budget makes over three bodies, each in turn the one that says "cancelled" (once).
  let checks = 0;
  decoded([item, item, item], () => {
    checks++;
    return false;
  });
  // Each body is checked while parsing, extracting and before each family of each format: some of the checks
  // come after a body's first lines are written.
  assert.ok(checks > 9, `${checks} checks`);
  for (let k = 1; k <= checks; k++) {
    let calls = 0;
    const batch = decoded([item, item, item], () => ++calls === k);
    const failed = batch.items.filter((result) => 'reason' in result);
    assert.deepEqual(failed, [{ reason: 'aborted' }], `check ${k}`);
    for (const result of batch.items) if (!('reason' in result)) assert.deepEqual(result, whole, `check ${k}`);
    assert.equal(batch.bytes, 2 * bodyBytes, `check ${k}: bytes of the cancelled body were left in the batch`);
  }
});

// A fleet target's health lines: the bytes written directly are exactly what the general path (sample objects through
// renderFamily, label clashes resolved) writes, for any labels, state, numbers and error reasons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveLabelClashes } from '../../src/exposition/label-clash.js';
import { renderFamily } from '../../src/exposition/render.js';
import type { FamilySamples, RenderedFamily } from '../../src/exposition/types.js';
import type { TargetMeta } from '../../src/fleet/store.js';
import { type EncodedFamilies, familyBytes } from '../../src/exposition/encoded-families.js';
import { encodeTargetHealth, TARGET_HEALTH_FAMILIES } from '../../src/fleet/target-health.js';
import { renderTargetLabels } from '../../src/pool/hot-path.js';

/** The oracle: each family as samples, rendered by the exposition's general renderer. */
function generalHealth(labels: Readonly<Record<string, string>>, meta: TargetMeta): RenderedFamily[] {
  const gauge = (key: 'up' | 'duration' | 'samples' | 'lastSuccess', value: number): FamilySamples => ({
    ...TARGET_HEALTH_FAMILIES[key],
    labelNames: [],
    samples: [{ labelValues: [], value }],
  });
  const families = [
    gauge('up', meta.state === 'up' ? 1 : 0),
    gauge('duration', Math.round((meta.lastDurationMs ?? 0) * 1000) / 1e6),
    gauge('samples', meta.sampleCount),
  ];
  if (meta.lastSuccessMs !== undefined) families.push(gauge('lastSuccess', meta.lastSuccessMs / 1000));
  if (meta.errorsByReason.size > 0) {
    families.push({
      ...TARGET_HEALTH_FAMILIES.errors,
      labelNames: ['reason'],
      samples: [...meta.errorsByReason]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([reason, count]) => ({ labelValues: [reason], value: count })),
    });
  }
  const prefix = renderTargetLabels(labels);
  return families.map((family) => renderFamily(resolveLabelClashes(family, labels), 'text', prefix));
}

// `reason` is drawn often: a target label of that name renames the errors family's own label.
const labelName = fc.oneof(fc.constant('reason'), fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/));
const metaArb: fc.Arbitrary<TargetMeta> = fc.record({
  state: fc.constantFrom('up' as const, 'down' as const),
  lastScrapeMs: fc.option(fc.integer({ min: 0, max: 2e12 }), { nil: undefined }),
  lastDurationMs: fc.option(fc.double({ min: 0, max: 1e5, noNaN: true }), { nil: undefined }),
  lastError: fc.constant(undefined),
  lastSuccessMs: fc.option(fc.double({ min: 0, max: 2e12, noNaN: true }), { nil: undefined }),
  sampleCount: fc.nat(),
  errorsByReason: fc
    .array(fc.tuple(fc.string({ maxLength: 12 }), fc.integer({ min: 1, max: 1e9 })), { maxLength: 4 })
    .map((pairs) => new Map(pairs)),
});

/** The encoded families as rendered ones: metadata and each family's lines decoded. */
function decoded(encoded: EncodedFamilies): RenderedFamily[] {
  return encoded.families.map((family, i) => ({
    name: family.name,
    help: family.help,
    type: family.type,
    text: new TextDecoder().decode(familyBytes(encoded, i)),
  }));
}

test('the direct health lines equal the general renderer’s for any labels (a `reason` one too) and meta', () => {
  fc.assert(
    fc.property(
      fc.dictionary(labelName, fc.string({ maxLength: 10, unit: 'binary' }), { maxKeys: 4 }),
      metaArb,
      (labels, meta) => {
        const encoded = encodeTargetHealth(labels, meta);
        assert.equal(encoded.ends.length, encoded.families.length);
        // Written again for the same labels object (its label block kept), then for other labels: each its own bytes.
        const again = encodeTargetHealth(labels, { ...meta, state: meta.state === 'up' ? 'down' : 'up' });
        const other = encodeTargetHealth({ ...labels, other: 'x' }, meta);
        assert.deepEqual(decoded(encoded), generalHealth(labels, meta));
        assert.deepEqual(
          decoded(again),
          generalHealth(labels, { ...meta, state: meta.state === 'up' ? 'down' : 'up' }),
        );
        assert.deepEqual(decoded(other), generalHealth({ ...labels, other: 'x' }, meta));
      },
    ),
    { numRuns: 500 },
  );
});

test('a target label named reason keeps the general path: the errors family’s own label is renamed', () => {
  const meta: TargetMeta = {
    state: 'down',
    lastScrapeMs: 1,
    lastDurationMs: 2,
    lastError: undefined,
    lastSuccessMs: undefined,
    sampleCount: 0,
    errorsByReason: new Map([['timeout', 3]]),
  };
  const text = decoded(encodeTargetHealth({ job: 'srs', reason: 'x' }, meta));
  assert.match(
    text.at(-1)?.text ?? '',
    /^fleet_json_exporter_target_scrape_errors_total\{job="srs",reason="x",exported_reason="timeout"\} 3\n$/,
  );
});

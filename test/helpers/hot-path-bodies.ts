// The hot path's property tests share one module and one family of generated bodies: a gauge without labels of its
// own; an object metric with a label named like a target label (renamed exported_instance), a nested value and epoch
// timestamps; a recursive-descent metric; and bodies that are JSON of that shape, any JSON, or not JSON at all.
import fc from 'fast-check';

/** The module `m` (extra metrics may follow: each line of `extraMetrics` is indented as a metric list item). */
export function propertyModuleConfig(extraMetrics = ''): string {
  return `
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
${extraMetrics}`;
}

/** Text with the characters exposition escapes, and any grapheme. */
export const anyText = fc.string({
  unit: fc.oneof(fc.constantFrom('\\', '"', '\n', '}', '{', ','), fc.string({ unit: 'grapheme', maxLength: 1 })),
  maxLength: 12,
});
const scalar = fc.oneof(fc.double(), fc.integer(), fc.constant(2 ** 40 + 7), anyText, fc.boolean(), fc.constant(null));
const item = fc.record(
  { name: anyText, a: fc.oneof(scalar, fc.jsonValue({ maxDepth: 2 })), x: scalar, flag: scalar, ts: scalar },
  { requiredKeys: [] },
);

/** A body as text: the module's shape, any JSON, or any string (mostly not JSON). */
export const propertyBody = fc.oneof(
  fc
    .record({ x: scalar, items: fc.array(item, { maxLength: 8 }) }, { requiredKeys: [] })
    .map((doc) => JSON.stringify(doc)),
  fc.jsonValue({ maxDepth: 4 }).map((doc) => JSON.stringify(doc)),
  fc.string({ maxLength: 40 }),
);

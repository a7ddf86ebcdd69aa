// Grouped extraction (metrics sharing a selection and labels run per element) gives exactly what metric-by-metric
// extraction gives: samples, their order, duplicates, and every problem in the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConfig } from '../../src/config/index.js';
import { compileModule } from '../../src/extract/compile-module.js';
import { extractSamples } from '../../src/extract/extract.js';

/**
 * Four metrics over the same streams with the same labels. With `spaced`, each path is written with a different
 * number of spaces inside the braces: the same selection, but texts that differ, so nothing is grouped.
 */
function moduleYaml(spaced: boolean, sum = false): string {
  const path = (i: number): string => `'{${spaced ? ' '.repeat(i) : ''}.streams[*]}'`;
  const dup = sum ? ', duplicate_series: sum' : '';
  return `modules:
  default:
    metrics:
    - { name: s, type: object, path: ${path(0)}${dup}, labels: &l { name: '{.name}', app: '{.app.id}' }, values: { clients: '{.clients}' } }
    - { name: s, type: object, path: ${path(1)}${dup}, labels: *l, values: { bytes: '{.bytes}', kbps: '{.kbps.send}' } }
    - { name: s, type: object, path: ${path(2)}${dup}, labels: *l, allow_missing_key: false, values: { active: '{.active}' } }
    - { name: t, path: '{.total}' }
    - { name: s, type: object, path: ${path(3)}${dup}, labels: *l, values: { info: 1 } }
`;
}

function extractBoth(doc: unknown, sum = false): [unknown, unknown] {
  const run = (spaced: boolean): unknown => {
    const module = parseConfig(moduleYaml(spaced, sum), 'inline.yml').modules.default;
    assert.ok(module);
    const compiled = compileModule(module);
    const result = extractSamples(compiled, structuredClone(doc));
    // Key order of the counts is part of what must not change; messages quote the path, spaces and all.
    const problems = result.problems.map((p) => ({ ...p, message: p.message.replace(/\{ +/g, '{') }));
    return { ...result, problems, countOrder: Object.keys(result.problemCounts), groups: compiled.plan.length };
  };
  return [run(false), run(true)];
}

test('the grouped plan puts consecutive metrics with one path and one label set in one group', () => {
  const grouped = compileModule(parseConfig(moduleYaml(false), 'inline.yml').modules.default as never);
  assert.deepEqual(
    grouped.plan.map((group) => [group.metrics.length, group.shared]),
    [
      [3, true],
      [1, false],
      [1, true],
    ],
  );
});

const value = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom('7', 'x', true, null, undefined, { a: 1 }, [1, 2]),
);
const stream = fc.record(
  {
    name: fc.oneof(fc.constantFrom('a', 'b', 'c"q', 'd\\n'), fc.constant(undefined), fc.constant(3)),
    app: fc.oneof(fc.record({ id: fc.constantFrom('live', 'x') }), fc.constant(null), fc.constant(undefined)),
    clients: value,
    bytes: value,
    kbps: fc.oneof(fc.record({ send: value }), fc.constant(undefined)),
    active: value,
  },
  { requiredKeys: [] },
);
const doc = fc.record({ streams: fc.oneof(fc.array(stream, { maxLength: 12 }), fc.constant('nope')), total: value });

test('grouped and ungrouped extraction agree on samples, duplicates and problems (property)', () => {
  fc.assert(
    fc.property(doc, fc.boolean(), (d, sum) => {
      const [grouped, alone] = extractBoth(d, sum) as [Record<string, unknown>, Record<string, unknown>];
      assert.deepEqual({ ...grouped, groups: 0 }, { ...alone, groups: 0 });
      assert.notEqual(grouped.groups, alone.groups);
    }),
    { numRuns: 300 },
  );
});

test('a label that fails is counted once per metric that uses it, as when each metric runs alone', () => {
  const d = { streams: [{ name: 'a', clients: 1, bytes: 2, kbps: { send: 3 }, active: true }], total: 1 };
  const [grouped, alone] = extractBoth(d) as [Record<string, unknown>, Record<string, unknown>];
  assert.deepEqual((grouped as { problemCounts: unknown }).problemCounts, { label_error: 4 });
  assert.deepEqual({ ...grouped, groups: 0 }, { ...alone, groups: 0 });
});

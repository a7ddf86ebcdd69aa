// Property tests: plain chains agree with direct access; printed JSON round-trips through JSON.parse.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplate, formatValue } from '../../src/jsonpath/index.js';

// Keys a template can name without escaping: letters, digits, _ and -, not starting with a digit or sign.
const plainKey = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,8}$/).filter((key) => key !== 'range' && key !== 'end');

// Small documents over a few keys, so that random paths often hit, miss, index out of range or meet null.
const { small: smallDocument } = fc.letrec<{ small: unknown }>((tie) => ({
  small: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.integer({ min: -5, max: 5 }),
    fc.constantFrom('', 'x'),
    fc.boolean(),
    fc.array(tie('small'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('small'), { maxKeys: 3 }),
  ),
}));
const singularPath = fc
  .array(
    fc.oneof(
      fc.constantFrom('.a', '.b', '.c'),
      fc.integer({ min: -3, max: 3 }).map((i) => `[${i}]`),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((steps) => steps.join(''));

describe('properties', () => {
  test('the direct walk for fields and indices agrees with the general list evaluator', () => {
    fc.assert(
      fc.property(singularPath, smallDocument, fc.boolean(), (path, doc, allowMissingKeys) => {
        const direct = compileTemplate(`{${path}}`).print(doc, { allowMissingKeys });
        // Literal text makes the template general: every step then runs on lists.
        const general = compileTemplate(`>{${path}}`).print(doc, { allowMissingKeys });
        if (direct.ok) assert.deepEqual(general, { ok: true, text: `>${direct.text}` });
        else assert.deepEqual(general, direct);
      }),
      { numRuns: 2000 },
    );
  });

  test('{.k1.k2…} selects exactly what direct property access finds', () => {
    fc.assert(
      fc.property(fc.array(plainKey, { minLength: 1, maxLength: 4 }), fc.jsonValue(), (keys, leaf) => {
        let doc: unknown = leaf;
        for (let i = keys.length - 1; i >= 0; i--) doc = { [keys[i] as string]: doc };
        const result = compileTemplate(`{.${keys.join('.')}}`).select(doc);
        assert.deepEqual(result, { ok: true, values: [leaf] });
      }),
    );
  });

  test('a plain chain on an arbitrary document finds the value or reports the first missing key', () => {
    fc.assert(
      fc.property(fc.array(plainKey, { minLength: 1, maxLength: 3 }), fc.jsonValue({ maxDepth: 3 }), (keys, doc) => {
        let value: unknown = doc;
        let missing: string | undefined;
        for (const key of keys) {
          if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key)) {
            value = (value as Record<string, unknown>)[key];
          } else {
            missing = key;
            break;
          }
        }
        const result = compileTemplate(`{.${keys.join('.')}}`).select(doc);
        if (missing === undefined) assert.deepEqual(result, { ok: true, values: [value] });
        else assert.deepEqual(result, { ok: false, error: `${missing} is not found`, missing: true });
      }),
    );
  });

  test('formatValue of an object or array is JSON that parses back to the same value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue())), (value) => {
        // -0 prints as Go's "-0"; JSON.parse reads it back as -0, which deepEqual tells from 0: normalise.
        const normalised: unknown = JSON.parse(JSON.stringify(value));
        assert.deepEqual(JSON.parse(formatValue(normalised)), normalised);
      }),
    );
  });

  test('formatValue writes object keys in sorted order at every level', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.integer())), (value) => {
        const text = formatValue(value);
        const parsed = JSON.parse(text) as Record<string, Record<string, number>>;
        // JSON.parse lists integer-like keys first whatever the text order: compare the others.
        const keys = Object.keys(parsed).filter((key) => !/^(0|[1-9]\d*)$/.test(key));
        assert.deepEqual(keys, [...keys].sort(byCodePoint));
      }),
    );
  });

  test('with numbers: integer, top-level integers print as their decimal digits', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        assert.equal(formatValue(n, 'integer'), Object.is(n, -0) ? '-0' : BigInt(n).toString());
      }),
    );
  });

  test('top-level numbers parse back to the same float', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        assert.equal(Number(formatValue(n)), n);
      }),
    );
  });
});

function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

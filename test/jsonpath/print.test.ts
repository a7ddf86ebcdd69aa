// How matches print: scalars as client-go (with our integer rule), objects as Go's encoding/json.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplate, formatValue } from '../../src/jsonpath/index.js';

describe('formatValue: scalars', () => {
  test('strings print raw, without quotes or escaping', () => {
    assert.equal(formatValue('a "b" <c>'), 'a "b" <c>');
    assert.equal(formatValue(''), '');
  });

  test('booleans and null print as true, false, null', () => {
    assert.equal(formatValue(true), 'true');
    assert.equal(formatValue(false), 'false');
    assert.equal(formatValue(null), 'null');
  });

  test("integers print as Go's %v by default, json_exporter's label text (client-go's fmt.Fprint of a float64)", () => {
    assert.equal(formatValue(1681903514993), '1.681903514993e+12');
    assert.equal(formatValue(1234567), '1.234567e+06');
    assert.equal(formatValue(1000000), '1e+06');
    assert.equal(formatValue(123456), '123456');
    assert.equal(formatValue(-42), '-42');
    assert.equal(formatValue(0), '0');
    assert.equal(formatValue(2 ** 53 + 2), '9.007199254740994e+15');
    assert.equal(formatValue(1e20), '1e+20');
  });

  test('with numbers: integer, integers below 1e21 print whole, never in exponent form (the opt-in)', () => {
    assert.equal(formatValue(1681903514993, 'integer'), '1681903514993');
    assert.equal(formatValue(1234567, 'integer'), '1234567');
    assert.equal(formatValue(123456, 'integer'), '123456');
    assert.equal(formatValue(-42, 'integer'), '-42');
    assert.equal(formatValue(0, 'integer'), '0');
    assert.equal(formatValue(2 ** 53 + 2, 'integer'), '9007199254740994');
    assert.equal(formatValue(1e20, 'integer'), '100000000000000000000');
    assert.equal(formatValue(1e21, 'integer'), '1e+21');
    assert.equal(formatValue(2.5e6, 'integer'), '2500000');
    assert.equal(formatValue(2.25, 'integer'), '2.25');
    assert.equal(formatValue(0.00001, 'integer'), '1e-05');
  });

  test('integral numbers from 1e21 print as Go %v does, in exponent form', () => {
    assert.equal(formatValue(1e21), '1e+21');
    assert.equal(formatValue(-1.5e300), '-1.5e+300');
  });

  test("every double prints as Go's %v decides from its shortest exponent form (the plain-range shortcut agrees)", () => {
    // The rule spelled out once, the slow way: the shortest digits' decimal exponent picks the form.
    const goText = (value: number): string => {
      if (Object.is(value, -0)) return '-0';
      if (Number.isNaN(value)) return 'NaN';
      if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
      const exponential = value.toExponential();
      const at = exponential.indexOf('e');
      const exponent = Number(exponential.slice(at + 1));
      if (exponent >= -4 && exponent < 6) return String(value);
      const digits = String(Math.abs(exponent)).padStart(2, '0');
      return `${exponential.slice(0, at)}e${exponent < 0 ? '-' : '+'}${digits}`;
    };
    const boundaries = [1e-4, 1e6, 999999.9999999999, 0.00009999999999999999, 5e-324, 1.7976931348623157e308];
    for (const value of boundaries.flatMap((b) => [b, -b])) assert.equal(formatValue(value), goText(value), `${value}`);
    fc.assert(
      fc.property(fc.double(), (value) => formatValue(value) === goText(value)),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.double({ min: -2e6, max: 2e6 }), (value) => formatValue(value) === goText(value)),
      { numRuns: 5000 },
    );
  });

  test('negative zero keeps its sign as in Go', () => {
    assert.equal(formatValue(-0), '-0');
  });

  test('non-integers print as Go %v: exponent form below 1e-4 and from 1e6', () => {
    assert.equal(formatValue(0.5), '0.5');
    assert.equal(formatValue(3.3), '3.3');
    assert.equal(formatValue(0.0001), '0.0001');
    assert.equal(formatValue(0.00001), '1e-05');
    assert.equal(formatValue(0.000012345), '1.2345e-05');
    assert.equal(formatValue(123456.5), '123456.5');
    assert.equal(formatValue(1234567.5), '1.2345675e+06');
    assert.equal(formatValue(-1234567.5), '-1.2345675e+06');
    assert.equal(formatValue(1.5e300), '1.5e+300');
    assert.equal(formatValue(2.5e-300), '2.5e-300');
  });
});

describe('formatValue: objects and arrays', () => {
  test('objects print as compact JSON with keys sorted', () => {
    assert.equal(formatValue({ b: 1, a: { d: true, c: null } }), '{"a":{"c":null,"d":true},"b":1}');
  });

  test('arrays keep their order', () => {
    assert.equal(formatValue([3, 'x', [true], {}]), '[3,"x",[true],{}]');
  });

  test('< > & are escaped as \\u003c \\u003e \\u0026, as Go encoding/json does', () => {
    assert.equal(
      formatValue({ html: '<a href="x">&</a>' }),
      '{"html":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}',
    );
    assert.equal(formatValue(['<&>']), '["\\u003c\\u0026\\u003e"]');
  });

  test('U+2028 and U+2029 are escaped too', () => {
    assert.equal(formatValue(['\u2028\u2029']), '["\\u2028\\u2029"]');
  });

  test('control characters use JSON escapes', () => {
    assert.equal(formatValue(['a\nb\t\u0001']), '["a\\nb\\t\\u0001"]');
  });

  test('numbers inside objects use JSON form (no Go %v exponent)', () => {
    assert.equal(
      formatValue({ ts: 1681903514993, f: 1234567.5, tiny: 0.00001, big: 1e21 }),
      '{"big":1e+21,"f":1234567.5,"tiny":0.00001,"ts":1681903514993}',
    );
  });

  test('keys sort by code point (UTF-8 byte order), not UTF-16 units', () => {
    // U+FF01 sorts before U+1F600 in UTF-8 although its UTF-16 unit is larger than the surrogate's.
    assert.equal(formatValue({ '\u{1F600}': 1, '\uFF01': 2, a: 3 }), '{"a":3,"\uFF01":2,"\u{1F600}":1}');
  });
});

describe('print: joining matches', () => {
  test('several matches of one block are joined by one space, no trailing space', () => {
    assert.deepEqual(compileTemplate('{.a[*]}').print({ a: ['x', 'y', 'z'] }), { ok: true, text: 'x y z' });
  });

  test('an empty string match still counts', () => {
    assert.deepEqual(compileTemplate('{.a[*]}').print({ a: ['a', ''] }), { ok: true, text: 'a ' });
  });

  test("top-level numbers in a list each print as Go's %v, or whole with numbers: integer", () => {
    assert.deepEqual(compileTemplate('{.a[*]}').print({ a: [1681903514993, 0.00001, 2.5] }), {
      ok: true,
      text: '1.681903514993e+12 1e-05 2.5',
    });
    assert.deepEqual(compileTemplate('{.a[*]}').print({ a: [1681903514993, 0.00001, 2.5] }, { numbers: 'integer' }), {
      ok: true,
      text: '1681903514993 1e-05 2.5',
    });
    assert.deepEqual(compileTemplate('id-{.a[0]}').print({ a: [1681903514993] }, { numbers: 'integer' }), {
      ok: true,
      text: 'id-1681903514993',
    });
    assert.deepEqual(compileTemplate('{.a}').print({ a: 1681903514993 }), { ok: true, text: '1.681903514993e+12' });
  });

  test('a selected object prints as sorted JSON', () => {
    assert.deepEqual(compileTemplate('{.o}').print({ o: { z: 1, a: [1, 2] } }), {
      ok: true,
      text: '{"a":[1,2],"z":1}',
    });
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatSampleValue, formatTimestamp } from '../../src/exposition/format-number.js';

test('NaN and the infinities are spelled as Go spells them: NaN, +Inf, -Inf', () => {
  assert.equal(formatSampleValue(NaN), 'NaN');
  assert.equal(formatSampleValue(Infinity), '+Inf');
  assert.equal(formatSampleValue(-Infinity), '-Inf');
});

test('finite values use the shortest form that reads back to the same number', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [4, '4'],
    [-3, '-3'],
    [45370, '45370'],
    [0.1, '0.1'],
    [1681903514993, '1681903514993'],
    [1.5e-7, '1.5e-7'],
    [1e21, '1e+21'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
  ];
  for (const [value, text] of cases) assert.equal(formatSampleValue(value), text, String(value));
});

test('every finite double survives formatting and reading back (property)', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
      const read = Number(formatSampleValue(value));
      assert.ok(read === value, `${value} → ${formatSampleValue(value)}`);
    }),
  );
});

test('negative zero is written 0 (Go writes -0; Prometheus reads both as zero)', () => {
  assert.equal(formatSampleValue(-0), '0');
});

test('text 0.0.4 timestamps are integer milliseconds', () => {
  assert.equal(formatTimestamp(1657568506000, false), '1657568506000');
  assert.equal(formatTimestamp(1700000000123, false), '1700000000123');
  assert.equal(formatTimestamp(0, false), '0');
});

test('a fractional millisecond timestamp is truncated in text 0.0.4', () => {
  assert.equal(formatTimestamp(1700000000123.9, false), '1700000000123');
});

test('OpenMetrics timestamps are seconds, with the milliseconds as a fraction', () => {
  assert.equal(formatTimestamp(1700000000123, true), '1700000000.123');
  assert.equal(formatTimestamp(1700000000000, true), '1700000000');
  assert.equal(formatTimestamp(1657568506, true), '1657568.506');
  assert.equal(formatTimestamp(5, true), '0.005');
});

test('OpenMetrics seconds read back to the exact millisecond (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
      const seconds = formatTimestamp(ms, true);
      assert.match(seconds, /^\d+(\.\d{1,3})?$/);
      assert.equal(Math.round(Number(seconds) * 1000), ms);
    }),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  convertText,
  convertValue,
  parseEpochMillis,
  parseNumericString,
  type ValueConverter,
} from '../../src/extract/convert-value.js';

/** Go's strconv.ParseFloat, then strconv.ParseBool(strings.ToLower(s)), as json_exporter's SanitizeValue runs them. */
const GO_SPELLINGS: Array<[string, number | undefined]> = [
  ['0', 0],
  ['1', 1],
  ['-3', -3],
  ['+5', 5],
  ['45370', 45370],
  ['1681903514993', 1681903514993],
  ['1e3', 1000],
  ['1E3', 1000],
  ['1e+3', 1000],
  ['2.5e-3', 0.0025],
  ['.5', 0.5],
  ['5.', 5],
  ['-.5', -0.5],
  ['0.1', 0.1],
  ['007', 7],
  ['1.681903514993e+12', 1681903514993],
  ['Inf', Infinity],
  ['+Inf', Infinity],
  ['-Inf', -Infinity],
  ['inf', Infinity],
  ['INF', Infinity],
  ['infinity', Infinity],
  ['+Infinity', Infinity],
  ['-INFINITY', -Infinity],
  ['nan', NaN],
  ['NaN', NaN],
  ['NAN', NaN],
  ['true', 1],
  ['TRUE', 1],
  ['True', 1],
  ['tRuE', 1],
  ['t', 1],
  ['T', 1],
  ['false', 0],
  ['FALSE', 0],
  ['False', 0],
  ['f', 0],
  ['F', 0],
  // Rejected by both ParseFloat and ParseBool.
  ['', undefined],
  [' 1', undefined],
  ['1 ', undefined],
  ['1_000', undefined],
  ['0x10', undefined],
  ['1e', undefined],
  ['e3', undefined],
  ['.', undefined],
  ['+', undefined],
  ['--1', undefined],
  ['1,5', undefined],
  ['1.2.3', undefined],
  ['+nan', undefined],
  ['-NaN', undefined],
  ['infin', undefined],
  ['infinityy', undefined],
  ['yes', undefined],
  ['on', undefined],
  ['null', undefined],
  ['<nil>', undefined],
  ['vid-69t27o3', undefined],
  ['１', undefined],
];

test('strings parse with Go ParseFloat then ParseBool rules (table of spellings)', () => {
  for (const [text, expected] of GO_SPELLINGS) {
    assert.deepEqual(parseNumericString(text), expected, JSON.stringify(text));
  }
});

test('a decimal out of float64 range is rejected, as Go ParseFloat reports ErrRange', () => {
  assert.equal(parseNumericString('1e400'), undefined);
  assert.equal(parseNumericString('-1e400'), undefined);
});

test('a decimal below the smallest float64 reads as zero, as in Go', () => {
  assert.equal(parseNumericString('1e-400'), 0);
});

test('every double printed by JavaScript parses back to itself (property)', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
      // String(-0) is '0': compare with === so that zero's sign does not count.
      assert.ok(parseNumericString(String(value)) === value, String(value));
    }),
  );
});

test('JSON numbers are sample values as they are', () => {
  assert.equal(convertValue(4, undefined), 4);
  assert.equal(convertValue(-0.25, undefined), -0.25);
  assert.equal(convertValue(1681903514993, undefined), 1681903514993);
});

test('JSON booleans are 1 and 0', () => {
  assert.equal(convertValue(true, undefined), 1);
  assert.equal(convertValue(false, undefined), 0);
});

test('JSON strings are parsed with the Go rules', () => {
  assert.equal(convertValue('1e3', undefined), 1000);
  assert.equal(convertValue('True', undefined), 1);
  assert.equal(convertValue(' 1', undefined), undefined);
  assert.equal(convertValue('vid-69t27o3', undefined), undefined);
});

test('JSON null is NaN', () => {
  assert.ok(Number.isNaN(convertValue(null, undefined)));
});

test('objects and arrays are not sample values', () => {
  assert.equal(convertValue({ active: true }, undefined), undefined);
  assert.equal(convertValue([1], undefined), undefined);
  assert.equal(convertValue([], undefined), undefined);
});

const STATE: ValueConverter = new Map([
  ['active', '1'],
  ['inactive', '2'],
  ['true', '5'],
  ['42', '-1'],
  ['broken', 'not a number'],
]);

test('valueconverter maps a string whatever its case', () => {
  assert.equal(convertValue('ACTIVE', STATE), 1);
  assert.equal(convertValue('active', STATE), 1);
  assert.equal(convertValue('Inactive', STATE), 2);
});

test('valueconverter applies to the printed form of booleans and numbers', () => {
  assert.equal(convertValue(true, STATE), 5);
  assert.equal(convertValue(42, STATE), -1);
});

test('values valueconverter does not map convert as without it', () => {
  assert.equal(convertValue('7', STATE), 7);
  assert.equal(convertValue(false, STATE), 0);
  assert.equal(convertValue(3.5, STATE), 3.5);
  assert.equal(convertValue('DOWN', STATE), undefined);
  assert.equal(convertValue({ state: 'active' }, STATE), undefined);
});

test('JSON null is NaN with a valueconverter that does not map it, as without one', () => {
  assert.ok(Number.isNaN(convertValue(null, STATE)));
});

test('a valueconverter mapping to something that is not a number gives no value', () => {
  assert.equal(convertValue('broken', STATE), undefined);
});

test('printed template output is converted then parsed', () => {
  assert.equal(convertText('ACTIVE', STATE), 1);
  assert.equal(convertText('12', undefined), 12);
  assert.equal(convertText('planet-mars', undefined), undefined);
  assert.equal(convertText('1 2', undefined), undefined);
});

test('printed null is NaN', () => {
  assert.ok(Number.isNaN(convertText('null', undefined)));
});

test('epoch timestamps are base-10 integers of milliseconds (Go ParseInt)', () => {
  const cases: Array<[string, number | undefined]> = [
    ['1657568506', 1657568506],
    ['1700000000123', 1700000000123],
    ['+5', 5],
    ['-5', -5],
    ['0', 0],
    ['1.5', undefined],
    ['1.657568506e+12', undefined],
    ['1_000', undefined],
    ['0x10', undefined],
    [' 1', undefined],
    ['', undefined],
    ['null', undefined],
    ['99999999999999999999', undefined],
  ];
  for (const [text, expected] of cases) assert.equal(parseEpochMillis(text), expected, JSON.stringify(text));
});

test('valueconverter looks a number up by its whole-integer text, as a general template prints it', () => {
  const big: ValueConverter = new Map([['1000000', '1']]);
  assert.equal(convertValue(1_000_000, big), 1);
});

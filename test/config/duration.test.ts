import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationSyntaxError, parseDuration } from '../../src/config/duration.js';

const VALID: ReadonlyArray<readonly [string, number]> = [
  ['0', 0],
  ['0s', 0],
  ['500ms', 500],
  ['10s', 10_000],
  ['1m', 60_000],
  ['1m30s', 90_000],
  ['2h', 7_200_000],
  ['1d2h3m4s5ms', 93_784_005],
  ['1w', 604_800_000],
  ['1y', 31_536_000_000],
  ['1m1ms', 60_001],
];

const INVALID: readonly string[] = [
  '',
  '10',
  '10 s',
  '1.5s',
  '-1s',
  's',
  '1s1m',
  '1s1s',
  '1ms1s',
  '10S',
  ' 10s',
  '1h 30m',
  '10sec',
];

for (const [text, ms] of VALID) {
  test(`duration "${text}" is ${ms} ms`, () => {
    assert.equal(parseDuration(text), ms);
  });
}

for (const text of INVALID) {
  test(`duration "${text}" is rejected`, () => {
    assert.throws(() => parseDuration(text), DurationSyntaxError);
  });
}

test('a duration error says how to write one', () => {
  assert.throws(() => parseDuration('1s1m'), {
    message:
      'invalid duration "1s1m": unit "m" is repeated or out of order; write an integer and a unit (y, w, d, h, m, s, ms), largest unit first, e.g. 10s, 1m30s or 500ms',
  });
});

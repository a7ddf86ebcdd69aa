import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeHelp, escapeLabelValue } from '../../src/exposition/escape.js';

/** The reading side of both formats' label values: \\ \" \n are the only escapes. */
function unescapeLabelValue(escaped: string): string {
  return escaped.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c));
}

test('label values escape backslash, double quote and newline', () => {
  assert.equal(escapeLabelValue('a\\b'), 'a\\\\b');
  assert.equal(escapeLabelValue('say "hi"'), 'say \\"hi\\"');
  assert.equal(escapeLabelValue('two\nlines'), 'two\\nlines');
  assert.equal(escapeLabelValue('\\"\n'), '\\\\\\"\\n');
});

test('a backslash before n in a label value stays a backslash, not a newline escape', () => {
  assert.equal(escapeLabelValue('C:\\new'), 'C:\\\\new');
});

test('label values without special characters come back unchanged', () => {
  for (const value of [
    '',
    'livestream',
    'planet-mars',
    'a,b=c}{',
    'tab\there',
    'carriage\rreturn',
    'ünïcødé 流',
    "it's",
  ]) {
    assert.equal(escapeLabelValue(value), value);
  }
});

test('HELP in text 0.0.4 escapes backslash and newline but leaves double quotes alone', () => {
  assert.equal(escapeHelp('path C:\\x\nsecond "line"', false), 'path C:\\\\x\\nsecond "line"');
});

test('HELP in OpenMetrics escapes backslash, newline and double quotes', () => {
  assert.equal(escapeHelp('path C:\\x\nsecond "line"', true), 'path C:\\\\x\\nsecond \\"line\\"');
});

test('HELP without special characters is unchanged in both formats', () => {
  const help = 'Example of sub-level value scrapes from a json';
  assert.equal(escapeHelp(help, false), help);
  assert.equal(escapeHelp(help, true), help);
});

test('an escaped label value has no raw newline and reads back to the original (property)', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('a', '\\', '"', '\n', 'n', ' ', 'é') }),
      fc.string({ unit: 'grapheme' }),
      (nasty, unicode) => {
        for (const value of [nasty, unicode, nasty + unicode]) {
          const escaped = escapeLabelValue(value);
          assert.ok(!escaped.includes('\n'));
          // Every double quote left is escaped: it follows an odd run of backslashes.
          assert.ok(!/(^|[^\\])(\\\\)*"/.test(escaped), escaped);
          assert.equal(unescapeLabelValue(escaped), value);
        }
      },
    ),
  );
});

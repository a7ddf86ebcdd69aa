// Prometheus selector syntax: what parses, what does not (with the position), and which series each one matches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SelectorError } from '../../src/exposition/errors.js';
import { matchesSelector, parseSelector } from '../../src/exposition/selector.js';
import { parseSeriesLine } from '../../src/exposition/series-line.js';

/** Series as lines, the way /federate reads them from the store. */
const SERIES = [
  'srs_clients{job="srs-edge",instance="10.0.0.1:1985",name="live/a"} 3',
  'srs_clients{job="srs-edge",instance="10.0.0.2:1985",name="live/b"} 1',
  'srs_clients{job="srs-origin",instance="10.0.1.1:1985",name="live/a"} 9',
  'srs_send_bytes{job="srs-edge",instance="10.0.0.1:1985",name="live/a"} 100',
  'fleet_json_exporter_target_up{job="srs-edge",instance="10.0.0.3:1985"} 0',
  'odd{job="x",quote="say \\"hi\\"",path="C:\\\\srs",multi="a\\nb"} 1',
  'bare 7',
];

function matching(selector: string): string[] {
  const parsed = parseSelector(selector);
  return SERIES.filter((line) => {
    const series = parseSeriesLine(line);
    return matchesSelector(parsed, series.name, (name) => series.labels.get(name));
  }).map((line) => line.slice(0, line.lastIndexOf(' ')));
}

describe('selector matching', () => {
  const cases: Array<[string, number[]]> = [
    ['srs_clients', [0, 1, 2]],
    ['srs_clients{}', [0, 1, 2]],
    ['srs_clients{job="srs-edge"}', [0, 1]],
    ['srs_clients{ job = "srs-edge" , name = "live/a" , }', [0]],
    ['srs_clients{job!="srs-edge"}', [2]],
    ['srs_clients{job=~"srs-.*"}', [0, 1, 2]],
    ['srs_clients{job=~"srs"}', []], // anchored: a substring does not match
    ['srs_clients{job=~"edge"}', []],
    ['srs_clients{job!~"srs-e.*"}', [2]],
    ['srs_clients{instance=~"10\\\\.0\\\\.0\\\\..*"}', [0, 1]],
    ['{__name__=~"srs_.*"}', [0, 1, 2, 3]],
    ['{__name__="bare"}', [6]],
    ['{__name__=~"srs_.*", name="live/a"}', [0, 2, 3]],
    ['{job="srs-edge"}', [0, 1, 3, 4]],
    ['{name=""}', []], // matches only series without `name`, but a selector must not match everything: see errors
    ['srs_clients{missing=""}', [0, 1, 2]], // an absent label is the empty string
    ['srs_clients{missing!=""}', []],
    ['{quote="say \\"hi\\""}', [5]],
    ['{quote=\'say "hi"\'}', [5]],
    ['{path=`C:\\srs`}', [5]],
    ['{multi="a\\nb"}', [5]],
    ['{job=~"(?i)SRS-ORIGIN"}', [2]],
    ['{job=~"srs-edge|srs-origin", __name__!="srs_send_bytes"}', [0, 1, 2, 4]],
    ['{multi=~"a.b"}', [5]], // . matches a newline, as Prometheus's (?s)
  ];
  for (const [selector, expected] of cases) {
    test(`${selector} selects series ${expected.join(',') || 'none'}`, () => {
      if (selector === '{name=""}') {
        assert.throws(() => parseSelector(selector), SelectorError);
        return;
      }
      assert.deepEqual(
        matching(selector),
        expected.map((i) => SERIES[i]!.slice(0, SERIES[i]!.lastIndexOf(' '))),
      );
    });
  }
});

describe('selector errors', () => {
  const errors: Array<[string, RegExp]> = [
    ['', /empty selector|expected a name/],
    ['{}', /empty selector/],
    ['{job=~".*"}', /at least one non-empty matcher/],
    ['{job!=""}', /./], // parses: != "" excludes the empty string, so this one is fine (checked below)
    ['srs_clients{job="a"', /expected , or \}/],
    ['srs_clients{job}', /expected one of =, !=, =~, !~/],
    ['srs_clients{job=a}', /expected a quoted value/],
    ['srs_clients{job="a}', /unterminated string/],
    ['srs_clients{job=~"("}', /invalid regular expression/],
    // Unbalanced on its own, balanced once wrapped in the anchors' group: it must not slip through unanchored.
    ['srs_clients{job=~"srs)|(x"}', /invalid regular expression/],
    ['srs_clients{job!~"a)|(b"}', /invalid regular expression/],
    ['srs_clients{__name__="x"}', /metric name must not be set twice/],
    ['srs_clients{job="a"} extra', /after the selector/],
    ['rate(srs_clients[5m])', /after the selector/],
    ['srs_clients{9job="a"}', /expected a name/],
    ['srs_clients{job:x="a"}', /not a valid label name/],
    ['srs_clients{job="\\q"}', /unknown escape/],
  ];
  for (const [selector, message] of errors) {
    if (selector === '{job!=""}') {
      test('{job!=""} parses: it does not match the empty string', () => {
        assert.equal(parseSelector(selector).matchers.length, 1);
      });
      continue;
    }
    test(`${JSON.stringify(selector)} is refused with a clear message`, () => {
      assert.throws(
        () => parseSelector(selector),
        (err: unknown) => {
          assert.ok(err instanceof SelectorError);
          assert.equal(err.code, 'FJE_SELECTOR');
          assert.match(err.message, message);
          assert.match(err.message, /at character \d+/);
          return true;
        },
      );
    });
  }
});

describe('parseSeriesLine', () => {
  test('reads names and unescaped label values back', () => {
    const series = parseSeriesLine(SERIES[5]!);
    assert.equal(series.name, 'odd');
    assert.deepEqual(
      [...series.labels],
      [
        ['job', 'x'],
        ['quote', 'say "hi"'],
        ['path', 'C:\\srs'],
        ['multi', 'a\nb'],
      ],
    );
    assert.deepEqual(parseSeriesLine('bare 7'), { name: 'bare', labels: new Map() });
  });
});

// Body template: json_exporter's documented and tested examples, each supported function, syntax and errors.
process.env.TZ = 'UTC'; // `date` formats in the local zone, as Sprig's "Local"

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BODY_TEMPLATE_FUNCTIONS,
  BodyTemplateError,
  compileBodyTemplate,
  type BodyTemplateParams,
} from '../../src/body-template/index.js';

function render(content: string, params: BodyTemplateParams = {}): string {
  const result = compileBodyTemplate(content).render(params);
  if (!result.ok) assert.fail(`render failed: ${result.error}`);
  return result.body;
}

function renderError(content: string, params: BodyTemplateParams = {}): string {
  const result = compileBodyTemplate(content).render(params);
  assert.equal(result.ok, false, `expected a render failure for ${content}`);
  return result.ok ? '' : result.error;
}

function compileError(content: string): BodyTemplateError {
  try {
    compileBodyTemplate(content);
  } catch (error) {
    assert.ok(error instanceof BodyTemplateError, `expected BodyTemplateError, got ${String(error)}`);
    return error;
  }
  return assert.fail(`expected ${content} not to compile`);
}

describe('json_exporter README and cmd/main_test.go examples render the same bytes', () => {
  const cases: Array<[string, BodyTemplateParams, string]> = [
    [
      '{"time_diff": "{{ duration `95` }}","anotherVar": "{{ .myVal | first }}"}',
      { myVal: ['something'] },
      '{"time_diff": "1m35s","anotherVar": "something"}',
    ],
    [
      'templatized mutated value: {{ upper `hello` }} is now all caps',
      {},
      'templatized mutated value: HELLO is now all caps',
    ],
    ['value should be {{ lower `All Small` | trunc 3 }}', {}, 'value should be all'],
    ['pi has {{ .piValue | first }} value', { piValue: ['3.14'] }, 'pi has 3.14 value'],
    ['{ "pi": "{{ .piValue | first }}" }', { piValue: ['3.14'] }, '{ "pi": "3.14" }'],
    [
      'pi has {{ .anotherQuery | first }} value',
      { piValue: ['3.14'], anotherQuery: ['very high'] },
      'pi has very high value',
    ],
    ['pi has {{ .piValue }} value', { piValue: ['3.14'], anotherQuery: ['dummy value'] }, 'pi has [3.14] value'],
    [
      'value of {{ upper `pi` | repeat 3 }} is {{ .anotherQuery | first }}',
      { anotherQuery: ['dummy value'] },
      'value of PIPIPI is dummy value',
    ],
    // missingkey=zero on url.Values: the zero value is a nil []string, which prints as "[]"; `first` of it is nil → "<no value>".
    ['pi has {{ .piValue }} value', {}, 'pi has [] value'],
    ['pi has {{ .piValue | first }} value', {}, 'pi has <no value> value'],
    ['value of pi is 3.14', {}, 'value of pi is 3.14'],
  ];
  for (const [content, params, expected] of cases) {
    test(content, () => assert.equal(render(content, params), expected));
  }

  test('randInt 12 30 gives an int in [12, 30)', () => {
    for (let i = 0; i < 50; i++) {
      const value = Number(render('{{ randInt 12 30 }}'));
      assert.ok(Number.isInteger(value) && value >= 12 && value < 30, String(value));
    }
  });

  test('params may be a Map as well as a record, with several values per name', () => {
    assert.equal(render('{{ .a | last }} {{ .a }}', new Map([['a', ['1', '2']]])), '2 [1 2]');
  });
});

describe('each supported function', () => {
  const params = { list: ['x', 'y', 'z'], one: ['7'], empty: [], text: ['  padded  '] };
  const cases: Array<[string, string]> = [
    // Go builtins
    ['{{ index .list 1 }}', 'y'],
    ['{{ index . "one" }}', '[7]'],
    ['{{ index . "nope" }}', '[]'],
    ['{{ len .list }} {{ len "héllo" }} {{ len . }}', '3 6 4'],
    ['{{ print "a" 1 2 "b" }}', 'a1 2b'],
    ['{{ println "a" 1 }}', 'a 1\n'],
    ['{{ printf "%s-%d-%v-%q-%5.1f-%x-%t-%%" "s" 42 .list "q" 3.14159 255 true }}', 's-42-[x y z]-"q"-  3.1-ff-true-%'],
    ['{{ printf "%d" "notint" }}', '%!d(string=notint)'],
    ['{{ printf "%s %s" "one" }}', 'one %!s(MISSING)'],
    [
      '{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }}',
      'true true true true true true false',
    ],
    ['{{ and 1 0 }} {{ and 1 "x" }} {{ or 0 "" }} {{ or 0 "y" }} {{ not .empty }}', '0 x  y true'],
    ['{{ urlquery "a b&c/é" }}', 'a+b%26c%2F%C3%A9'],
    // Sprig: lists and defaults
    ['{{ .list | first }} {{ .list | last }} {{ .list | join "," }} {{ join "-" "solo" }}', 'x z x,y,z solo'],
    [
      '{{ .missing | default "fallback" }} {{ .one | first | default "unused" }} {{ "" | default "d" }}',
      'fallback 7 d',
    ],
    ['{{ empty .empty }} {{ empty .list }} {{ empty 0 }} {{ empty "x" }}', 'true false true false'],
    ['{{ toJson . }}', '{"empty":[],"list":["x","y","z"],"one":["7"],"text":["  padded  "]}'],
    ['{{ .missing | toJson }} {{ toJson "<a&b>" }} {{ toJson 3 }}', 'null "\\u003ca\\u0026b\\u003e" 3'],
    // Sprig: strings
    ['{{ quote "a\\"b" 1 }} {{ squote "a" }} {{ .list | first | quote }}', '"a\\"b" "1" \'a\' "x"'],
    ['{{ upper "abc" }} {{ lower "ABC" }} [{{ .text | first | trim }}]', 'ABC abc [padded]'],
    ['{{ trimPrefix "ab" "abc" }} {{ trimSuffix "bc" "abc" }} {{ replace "a" "o" "banana" }}', 'c a bonono'],
    ['{{ contains "an" "banana" }} {{ hasPrefix "ba" "banana" }} {{ hasSuffix "x" "banana" }}', 'true true false'],
    ['{{ repeat 2 "ab" }} {{ trunc 2 "abc" }} {{ trunc -2 "abc" }}', 'abab ab bc'],
    [
      '{{ toString 5 }} {{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b64dec "!!" }}',
      '5 aGVsbG8= hello illegal base64 data at input byte 0',
    ],
    // Sprig: numbers (int64 results)
    ['{{ add 1 2 3 }} {{ add1 1 }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}', '6 2 -2 24 3 1'],
    [
      '{{ add "40" 2 }} {{ int "12" }} {{ int 3.9 }} {{ int64 "0x10" }} {{ atoi "42" }} {{ atoi "4.2" }}',
      '42 12 3 16 42 0',
    ],
    ['{{ .one | first | atoi | add 1 }}', '8'],
    // Sprig: dates and durations
    [
      '{{ duration "95" }} {{ duration "3600" }} {{ duration "0" }} {{ duration "-61" }} {{ duration (add 95 0) }}',
      '1m35s 1h0m0s 0s -1m1s 1m35s',
    ],
    // Sprig's duration reads only a string or an int64: a plain int literal gives 0s, as in Go.
    ['{{ duration 95 }}', '0s'],
    [
      '{{ date "2006-01-02T15:04:05Z07:00 Mon Jan _2 03:04:05 PM" 86400 }}',
      '1970-01-02T00:00:00Z Fri Jan  2 12:00:00 AM',
    ],
    [
      '{{ date "2006-01-02" 1700000000 }} {{ date "Monday January 2 15:04 MST" 1700000000 }}',
      '2023-11-14 Tuesday November 14 22:13 UTC',
    ],
  ];
  for (const [content, expected] of cases) {
    test(content, () => assert.equal(render(content, params), expected));
  }

  test('now, unixEpoch and date work together', () => {
    const seconds = Number(render('{{ now | unixEpoch }}'));
    assert.ok(Math.abs(seconds - Date.now() / 1000) < 60);
    assert.match(render('{{ now | date "2006-01-02" }}'), /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(render('{{ (now).Unix }}'), String(seconds));
    assert.match(render('{{ now }}'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? \+0000 UTC$/);
  });

  test('randAlphaNum and uuidv4 produce their shapes', () => {
    assert.match(render('{{ randAlphaNum 12 }}'), /^[A-Za-z0-9]{12}$/);
    assert.match(render('{{ uuidv4 }}'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('the exported list names every function, sorted, without env', () => {
    assert.deepEqual([...BODY_TEMPLATE_FUNCTIONS], [...BODY_TEMPLATE_FUNCTIONS].sort());
    assert.ok(!BODY_TEMPLATE_FUNCTIONS.includes('env') && !BODY_TEMPLATE_FUNCTIONS.includes('expandenv'));
    for (const name of BODY_TEMPLATE_FUNCTIONS) {
      // Every listed name compiles as a function call (arity errors surface only at render time, as in Go).
      assert.doesNotThrow(() => compileBodyTemplate(`{{ ${name} }}`), name);
    }
  });
});

describe('syntax', () => {
  const cases: Array<[string, BodyTemplateParams, string]> = [
    ['a  {{- "b" -}}  c', {}, 'abc'],
    ['a\n\t{{- /* a comment */ -}}\n b', {}, 'ab'],
    ['x{{/* comment */}}y', {}, 'xy'],
    ['{{-3}}', {}, '-3'],
    ['{{ if .a }}yes{{ else }}no{{ end }}|{{ if .b }}yes{{ else }}no{{ end }}', { a: ['1'] }, 'yes|no'],
    ['{{ if eq (.a | first) "2" }}two{{ else if .a }}some{{ else }}none{{ end }}', { a: ['1'] }, 'some'],
    ['{{ range .a }}<{{ . }}>{{ end }}', { a: ['1', '2'] }, '<1><2>'],
    ['{{ range $i, $v := .a }}{{ $i }}={{ $v }};{{ end }}', { a: ['x', 'y'] }, '0=x;1=y;'],
    ['{{ range .none }}x{{ else }}empty{{ end }}', {}, 'empty'],
    ['{{ range $k, $v := . }}{{ $k }}:{{ $v | first }} {{ end }}', { b: ['2'], a: ['1'] }, 'a:1 b:2 '],
    ['{{ range 3 }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ . }}{{ end }}', {}, '02'],
    ['{{ range .a }}{{ if eq . "stop" }}{{ break }}{{ end }}{{ . }}{{ end }}', { a: ['1', 'stop', '3'] }, '1'],
    ['{{ with .a }}{{ first . }}{{ end }}{{ with .b }}never{{ else }}!{{ end }}', { a: ['w'] }, 'w!'],
    ['{{ $x := .a | first }}{{ $x }}{{ $x = "changed" }} {{ $x }}', { a: ['v'] }, 'v changed'],
    ['{{ $.a }} {{ range .a }}{{ $.b | first }}{{ end }}', { a: ['1'], b: ['B'] }, '[1] B'],
    ['{{ printf "%s-%s" (first .a) (.a | last | upper) }}', { a: ['p', 'q'] }, 'p-Q'],
    [
      '{{ "raw" }} {{ `back\\tick` }} {{ "tab\\t" }} {{ 0x10 }} {{ 1_000 }} {{ 1.5 }} {{ 1e6 }} {{ \'a\' }} {{ true }}',
      {},
      'raw back\\tick tab\t 16 1000 1.5 1e+06 97 true',
    ],
    ['{{ . }}', { b: ['2'], a: ['1', 'x'] }, 'map[a:[1 x] b:[2]]'],
    ['{{\n  .a\n  | first\n}}', { a: ['multi-line'] }, 'multi-line'],
  ];
  for (const [content, params, expected] of cases) {
    test(JSON.stringify(content), () => assert.equal(render(content, params), expected));
  }
});

describe('compile errors are raised at config load with a code and a position', () => {
  test('an unknown function is FJE_BODY_TEMPLATE_UNSUPPORTED, named, with the supported list', () => {
    const error = compileError('{"a": "{{ nosuch 1 }}"}');
    assert.equal(error.code, 'FJE_BODY_TEMPLATE_UNSUPPORTED');
    assert.equal(
      error.message,
      `body template 1:11: function "nosuch" not defined; supported functions: ${BODY_TEMPLATE_FUNCTIONS.join(', ')}`,
    );
    assert.deepEqual([error.line, error.column], [1, 11]);
  });

  test('env and expandenv are refused: they would leak the environment', () => {
    for (const name of ['env', 'expandenv']) {
      const error = compileError(`{{ ${name} "HOME" }}`);
      assert.equal(error.code, 'FJE_BODY_TEMPLATE_UNSUPPORTED');
      assert.equal(
        error.message,
        `body template 1:4: function "${name}" is not allowed: it would copy the exporter's environment (often secrets) into requests; supported functions: ${BODY_TEMPLATE_FUNCTIONS.join(', ')}`,
      );
    }
  });

  test('a Sprig function outside the subset says so', () => {
    const error = compileError('x\n{{ sha256sum "a" }}');
    assert.equal(error.code, 'FJE_BODY_TEMPLATE_UNSUPPORTED');
    assert.match(
      error.message,
      /^body template 2:4: function "sha256sum" is not supported \(a Sprig or Go template function outside this exporter's subset\); supported functions: add, /,
    );
  });

  test('define and template are unsupported', () => {
    assert.equal(compileError('{{ define "x" }}{{ end }}').code, 'FJE_BODY_TEMPLATE_UNSUPPORTED');
  });

  const syntax: Array<[string, string]> = [
    ['{{ if .a }}x', 'body template 1:13: unexpected EOF: {{if}} has no {{end}}'],
    ['a {{ .a ', 'body template 1:3: unclosed action'],
    ['{{ $x }}', 'body template 1:4: undefined variable "$x"'],
    ['{{ end }}', 'body template 1:4: unexpected {{end}}'],
    ['{{ else }}', 'body template 1:4: unexpected {{else}}'],
    ['{{ "abc }}', 'body template 1:4: unterminated quoted string'],
    ['{{ /* open', 'body template 1:4: unrecognized character in action: "/"'],
    ['{{/* open', 'body template 1:1: unclosed comment'],
    ['{{}}', 'body template 1:3: missing value for command'],
    ['{{ .a | }}', 'body template 1:9: missing command after | in command'],
    ['{{ .a | "x" }}', 'body template 1:9: non executable command in pipeline stage 2'],
    ['{{ break }}', 'body template 1:4: {{break}} outside {{range}}'],
    ['{{ 3x }}', 'body template 1:4: bad number syntax: "3x"'],
    ['{{ (.a }}', 'body template 1:8: unexpected "}}" in parenthesized pipeline'],
    ['{{ .a"b" }}', 'body template 1:6: unexpected "b" in operand'],
  ];
  for (const [content, message] of syntax) {
    test(`${JSON.stringify(content)} → ${message}`, () => {
      const error = compileError(content);
      assert.equal(error.code, 'FJE_BODY_TEMPLATE_SYNTAX');
      assert.equal(error.message, message);
    });
  }
});

describe('runtime errors are values, for the caller to fall back to the static content', () => {
  const cases: Array<[string, BodyTemplateParams, string]> = [
    [
      '{{ index .a 5 }}',
      { a: ['x'] },
      'body template 1:4: executing at <index>: error calling index: index out of range: 5',
    ],
    [
      '{{ .a | upper }}',
      { a: ['x'] },
      'body template 1:9: executing at <upper>: wrong type for value; expected string; got []string',
    ],
    [
      '{{ first "s" }}',
      {},
      'body template 1:4: executing at <first>: error calling first: Cannot find first on type string',
    ],
    ['{{ upper }}', {}, 'body template 1:4: executing at <upper>: wrong number of args for upper: want 1 got 0'],
    [
      '{{ randInt 5 5 }}',
      {},
      'body template 1:4: executing at <randInt>: error calling randInt: invalid argument to Intn',
    ],
    [
      '{{ div 1 0 }}',
      {},
      'body template 1:4: executing at <div>: error calling div: runtime error: integer divide by zero',
    ],
    ['{{ .a.b }}', { a: ['x'] }, "body template 1:4: can't evaluate field b in type []string"],
    [
      '{{ eq .a "x" }}',
      { a: ['x'] },
      'body template 1:4: executing at <eq>: error calling eq: incompatible types for comparison',
    ],
    ['{{ .a "arg" }}', { a: ['x'] }, 'body template 1:4: a is not a method but has arguments'],
    ['{{ range "s" }}{{ end }}', {}, "body template 1:4: range can't iterate over s"],
    [
      '{{ repeat 100000000 "abc" }}',
      {},
      'body template 1:4: executing at <repeat>: error calling repeat: result exceeds 16777216 characters',
    ],
  ];
  for (const [content, params, message] of cases) {
    test(content, () => assert.equal(renderError(content, params), message));
  }

  test('a param named like an Object.prototype member is an ordinary missing key', () => {
    assert.equal(render('{{ .constructor }} {{ .toString }}'), '[] []');
  });
});

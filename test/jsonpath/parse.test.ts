// Template grammar: what parses into which AST, and which errors (code, offset, message) the rest produce.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, JsonPathSyntaxError } from '../../src/jsonpath/index.js';
import { parseTemplate } from '../../src/jsonpath/parse.js';

function parts(text: string): unknown {
  return parseTemplate(text).parts;
}

function syntaxError(text: string): JsonPathSyntaxError {
  try {
    compileTemplate(text);
  } catch (error) {
    assert.ok(error instanceof JsonPathSyntaxError, `expected JsonPathSyntaxError, got ${String(error)}`);
    return error;
  }
  assert.fail(`template ${JSON.stringify(text)} parsed without error`);
}

describe('parseTemplate: accepted grammar', () => {
  test('a plain field chain is a list of field steps', () => {
    assert.deepEqual(parts('{.a.b}'), [
      {
        kind: 'block',
        path: [
          { kind: 'field', name: 'a' },
          { kind: 'field', name: 'b' },
        ],
      },
    ]);
  });

  test('text without braces is one literal text part', () => {
    assert.deepEqual(parts('hello jsonpath'), [{ kind: 'text', text: 'hello jsonpath' }]);
  });

  test('literal text around and between blocks is kept in order', () => {
    assert.deepEqual(parts('planet-{.location}/{.a}-{.b}'), [
      { kind: 'text', text: 'planet-' },
      { kind: 'block', path: [{ kind: 'field', name: 'location' }] },
      { kind: 'text', text: '/' },
      { kind: 'block', path: [{ kind: 'field', name: 'a' }] },
      { kind: 'text', text: '-' },
      { kind: 'block', path: [{ kind: 'field', name: 'b' }] },
    ]);
  });

  test('index, negative index, [*], slices and steps parse to index/slice steps', () => {
    assert.deepEqual(parts('{[0][-1][*][1:3][::2][-2:][:4:2]}'), [
      {
        kind: 'block',
        path: [
          { kind: 'index', index: 0 },
          { kind: 'index', index: -1 },
          { kind: 'slice' },
          { kind: 'slice', start: 1, end: 3 },
          { kind: 'slice', step: 2 },
          { kind: 'slice', start: -2 },
          { kind: 'slice', end: 4, step: 2 },
        ],
      },
    ]);
  });

  test('an empty subscript [] reads as [0], as in client-go', () => {
    assert.deepEqual(parts('{.a[]}'), [
      {
        kind: 'block',
        path: [
          { kind: 'field', name: 'a' },
          { kind: 'index', index: 0 },
        ],
      },
    ]);
  });

  test("['a.b'] is the path a → b, not the key a.b", () => {
    assert.deepEqual(parts("{['a.b']}"), [
      {
        kind: 'block',
        path: [
          { kind: 'field', name: 'a' },
          { kind: 'field', name: 'b' },
        ],
      },
    ]);
  });

  test('escaped dot and space belong to the key: a\\.b and a\\ b', () => {
    assert.deepEqual(parts('{.a\\.b.c\\ d}'), [
      {
        kind: 'block',
        path: [
          { kind: 'field', name: 'a.b' },
          { kind: 'field', name: 'c d' },
        ],
      },
    ]);
  });

  test('dashes and slashes are part of a field name (.x-y, .web/html)', () => {
    assert.deepEqual(parts('{.x-y.web/html}'), [
      {
        kind: 'block',
        path: [
          { kind: 'field', name: 'x-y' },
          { kind: 'field', name: 'web/html' },
        ],
      },
    ]);
  });

  test('a union holds one path per branch', () => {
    assert.deepEqual(parts("{['name', 'clients'][0,2]}"), [
      {
        kind: 'block',
        path: [
          { kind: 'union', branches: [[{ kind: 'field', name: 'name' }], [{ kind: 'field', name: 'clients' }]] },
          { kind: 'union', branches: [[{ kind: 'index', index: 0 }], [{ kind: 'index', index: 2 }]] },
        ],
      },
    ]);
  });

  test('recursive descent, .* and ..* parse', () => {
    assert.deepEqual(parts('{..name}{.a.*}{..*}'), [
      { kind: 'block', path: [{ kind: 'recursive' }, { kind: 'field', name: 'name' }] },
      { kind: 'block', path: [{ kind: 'field', name: 'a' }, { kind: 'wildcard' }] },
      { kind: 'block', path: [{ kind: 'recursive' }, { kind: 'wildcard' }] },
    ]);
  });

  test('filters parse operands as paths or literals (string, integer, float, bool)', () => {
    assert.deepEqual(parts('{[?(@.a=="x")][?(@.b > 1)][?(@.c<=1.5)][?(@.d!=false)][?(@.e)]}'), [
      {
        kind: 'block',
        path: [
          {
            kind: 'filter',
            left: [{ kind: 'field', name: 'a' }],
            operator: '==',
            right: [{ kind: 'literal', value: 'x' }],
          },
          {
            kind: 'filter',
            left: [{ kind: 'field', name: 'b' }],
            operator: '>',
            right: [{ kind: 'literal', value: 1 }],
          },
          {
            kind: 'filter',
            left: [{ kind: 'field', name: 'c' }],
            operator: '<=',
            right: [{ kind: 'literal', value: 1.5 }],
          },
          {
            kind: 'filter',
            left: [{ kind: 'field', name: 'd' }],
            operator: '!=',
            right: [{ kind: 'literal', value: false }],
          },
          { kind: 'exists', path: [{ kind: 'field', name: 'e' }] },
        ],
      },
    ]);
  });

  test('parentheses and quotes inside a filter string literal do not end the filter', () => {
    assert.deepEqual(parts('{[?(@.os == "{[()]}")]}'), [
      {
        kind: 'block',
        path: [
          {
            kind: 'filter',
            left: [{ kind: 'field', name: 'os' }],
            operator: '==',
            right: [{ kind: 'literal', value: '{[()]}' }],
          },
        ],
      },
    ]);
  });

  test('quoted literals take Go escapes: {"\\t"} is a tab', () => {
    assert.deepEqual(parts('{"\\t"}'), [{ kind: 'block', path: [{ kind: 'literal', value: '\t' }] }]);
  });

  test('quoted literals decode \\xHH, \\uHHHH and escaped quotes', () => {
    assert.deepEqual(parts('{"\\x41\\u00e9\\"\\\\"}'), [
      { kind: 'block', path: [{ kind: 'literal', value: 'Aé"\\' }] },
    ]);
    assert.deepEqual(parts("{'it\\'s'}"), [{ kind: 'block', path: [{ kind: 'literal', value: "it's" }] }]);
  });

  test('range/end nest their body', () => {
    assert.deepEqual(parts('{range .items[*]}[{.name}]{end}!'), [
      {
        kind: 'range',
        path: [{ kind: 'field', name: 'items' }, { kind: 'slice' }],
        body: [
          { kind: 'text', text: '[' },
          { kind: 'block', path: [{ kind: 'field', name: 'name' }] },
          { kind: 'text', text: ']' },
        ],
      },
      { kind: 'text', text: '!' },
    ]);
  });

  test('roots {$}, {@} and {} are an empty path', () => {
    for (const text of ['{$}', '{@}', '{}', '{ }']) assert.deepEqual(parts(text), [{ kind: 'block', path: [] }], text);
  });

  test('spaces inside braces are ignored', () => {
    assert.deepEqual(parts('{ .server }'), [{ kind: 'block', path: [{ kind: 'field', name: 'server' }] }]);
  });

  test('a stray } outside a block is literal text', () => {
    assert.deepEqual(parts('a}b{.c}}'), [
      { kind: 'text', text: 'a}b' },
      { kind: 'block', path: [{ kind: 'field', name: 'c' }] },
      { kind: 'text', text: '}' },
    ]);
  });

  test('balanced parentheses inside a filter are kept for the fallback expression', () => {
    assert.deepEqual(parts('{[?((@.a==1 || @.b) && @.c)]}'), [
      {
        kind: 'block',
        path: [{ kind: 'fallbackFilter', expression: '(@.a==1 || @.b) && @.c', position: 4 }],
      },
    ]);
  });

  test('&& and || in a filter become a fallback filter step', () => {
    assert.deepEqual(parts('{[?(@.a==1 && @.b=="x||y")]}'), [
      {
        kind: 'block',
        path: [{ kind: 'fallbackFilter', expression: '@.a==1 && @.b=="x||y"', position: 4 }],
      },
    ]);
  });
});

describe('parse errors: code, offset and message', () => {
  const cases: { text: string; position: number; reason: RegExp }[] = [
    { text: '{.a[}', position: 4, reason: /unterminated array subscript/ },
    { text: '{.a[1', position: 5, reason: /unterminated array subscript/ },
    { text: '{.hello', position: 0, reason: /unclosed block/ },
    { text: 'x{.a}{.b', position: 5, reason: /unclosed block/ },
    { text: '{.a\t}', position: 3, reason: /tab inside/ },
    { text: '{.a\n}', position: 3, reason: /line break inside/ },
    { text: '{["x"]}', position: 2, reason: /single quotes/ },
    { text: '{*}', position: 1, reason: /unrecognized character "\*"/ },
    { text: '{hello}', position: 1, reason: /unrecognized identifier "hello"/ },
    { text: '{+12.3.0}', position: 1, reason: /cannot parse number \+12\.3\.0/ },
    { text: '{[?(.price]}', position: 1, reason: /unterminated filter/ },
    { text: '{[?(@.a)x}', position: 8, reason: /filter must end with "\)\]"/ },
    { text: '{........}', position: 3, reason: /invalid multiple recursive descent/ },
    { text: '{.a[?(@.p<>10)]}', position: 9, reason: /unrecognized filter operator <>/ },
    { text: '{.a[?(@.p==)]}', position: 9, reason: /no right operand/ },
    { text: '{.a[?((@.p==1))]}', position: 6, reason: /unrecognized character "\("/ },
    { text: '{.a[x]}', position: 4, reason: /invalid array subscript "x"/ },
    { text: '{.a[::0]}', position: 4, reason: /step must be > 0/ },
    { text: '{.a[::-1]}', position: 4, reason: /step must be > 0/ },
    { text: '{"abc}', position: 1, reason: /unterminated quoted string/ },
    { text: '{"a\\qb"}', position: 3, reason: /invalid escape sequence/ },
    { text: '{range .items[*]}{.name}', position: 0, reason: /without a matching \{end\}/ },
    { text: '{.a}{end}', position: 4, reason: /\{end\} without a matching \{range/ },
    { text: '{.a range .b}', position: 4, reason: /"range" must be the first word/ },
  ];
  for (const { text, position, reason } of cases) {
    test(`${JSON.stringify(text)} fails at offset ${position} with ${reason.source}`, () => {
      const error = syntaxError(text);
      assert.equal(error.code, 'FJE_JSONPATH_SYNTAX');
      assert.equal(error.position, position);
      assert.equal(error.template, text);
      assert.match(error.reason, reason);
    });
  }

  test('the message names the template, the offset and the reason', () => {
    assert.equal(
      syntaxError('{.a[}').message,
      'invalid JSONPath template "{.a[}" at offset 4: unterminated array subscript: missing "]"',
    );
  });

  test('a tab in the template is shown escaped in the message', () => {
    assert.match(syntaxError('{.a\t}').message, /"\{\.a\\t\}"/);
  });

  test('a JsonPathSyntaxError is an FjeError with the stable code', async () => {
    const { FjeError } = await import('../../src/errors.js');
    assert.ok(syntaxError('{').constructor.name === 'JsonPathSyntaxError');
    assert.ok(syntaxError('{') instanceof FjeError);
  });
});

// Selection semantics: fields, indices, slices, unions, wildcards, recursion, range, missing keys and nulls.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, type EvalOptions } from '../../src/jsonpath/index.js';

function printed(template: string, doc: unknown, options?: EvalOptions): string {
  const result = compileTemplate(template).print(doc, options);
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  return result.text;
}

function selected(template: string, doc: unknown, options?: EvalOptions): unknown[] {
  const result = compileTemplate(template).select(doc, options);
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  return result.values;
}

function failure(template: string, doc: unknown, options?: EvalOptions): { error: string; missing: boolean } {
  const result = compileTemplate(template).print(doc, options);
  assert.ok(!result.ok, `expected failure, got ${JSON.stringify(result)}`);
  const selection = compileTemplate(template).select(doc, options);
  assert.deepEqual(selection, result, 'select and print fail the same way');
  return { error: result.error, missing: result.missing };
}

const pod = {
  spec: {
    containers: [
      { name: 'fake0', image: 'busybox' },
      { name: 'fake1', image: 'busybox' },
      { name: 'fake2', image: 'busybox' },
      { name: 'fake3', image: 'busybox' },
    ],
  },
};

describe('fields', () => {
  test('a plain chain selects the nested value', () => {
    assert.deepEqual(selected('{.a.b.c}', { a: { b: { c: 7 } } }), [7]);
  });

  test('a key with a dot is written with a backslash', () => {
    assert.equal(printed('{.labels.kubernetes\\.io/hostname}', { labels: { 'kubernetes.io/hostname': 'n1' } }), 'n1');
  });

  test('a key with a space is written a\\ b', () => {
    assert.equal(printed('{.a\\ b}', { 'a b': 1 }), '1');
  });

  test('a double backslash in a key is one literal backslash', () => {
    assert.equal(printed('{.a\\\\b}', { 'a\\b': 'slash' }), 'slash');
  });

  test("keys with dashes work both as .x-y and ['x-y']", () => {
    const doc = { 'x-y': 'dash', labels: { 'k8s-app': 20 } };
    assert.equal(printed('{.x-y}', doc), 'dash');
    assert.equal(printed("{['x-y']}", doc), 'dash');
    assert.equal(printed('{.labels.k8s-app}', doc), '20');
  });

  test("['a.b'] walks a then b", () => {
    assert.equal(printed("{['a.b']}", { a: { b: 'nested' }, 'a.b': 'flat' }), 'nested');
  });

  test('a missing key fails with "<key> is not found" and missing: true', () => {
    assert.deepEqual(failure('{.a.nope}', { a: {} }), { error: 'nope is not found', missing: true });
  });

  test('allowMissingKeys turns a missing key into an empty result', () => {
    assert.deepEqual(compileTemplate('{.a.nope}').print({ a: {} }, { allowMissingKeys: true }), { ok: true, text: '' });
    assert.deepEqual(compileTemplate('{.a.nope}').select({ a: {} }, { allowMissingKeys: true }), {
      ok: true,
      values: [],
    });
  });

  test('a key missing in some elements is skipped silently', () => {
    assert.equal(printed('{.items[*].name}', { items: [{ name: 'a' }, {}, { name: 'c' }] }), 'a c');
  });

  test('a key missing in every element is an error', () => {
    assert.deepEqual(failure('{.items[*].name}', { items: [{}, {}] }), { error: 'name is not found', missing: true });
  });

  test('inherited Object.prototype members are not keys', () => {
    assert.equal(failure('{.constructor}', {}).error, 'constructor is not found');
    assert.equal(failure('{.a[*].toString}', { a: [{}] }).error, 'toString is not found');
    assert.equal(printed('{.constructor}', JSON.parse('{"constructor":"own"}')), 'own');
  });

  test('{.} fails as client-go: the empty key " is not found"', () => {
    assert.deepEqual(failure('{.}', { a: 1 }), { error: ' is not found', missing: true });
  });

  test('a field of a scalar or an array is not found', () => {
    assert.equal(failure('{.a.b}', { a: 3 }).error, 'b is not found');
    assert.equal(failure('{.a.length}', { a: [1, 2] }).error, 'length is not found');
  });

  test('roots {$}, {@} and {} select the whole document', () => {
    for (const root of ['{$}', '{@}', '{}']) assert.deepEqual(selected(root, { a: 1 }), [{ a: 1 }]);
  });
});

describe('null', () => {
  const doc = { a: null, list: [null, { x: 1 }] };

  test('a field under null is not found', () => {
    assert.deepEqual(failure('{.a.b}', doc), { error: 'b is not found', missing: true });
  });

  test('[0], [*] and .* under null are silently empty', () => {
    assert.equal(printed('{.a[0]}', doc), '');
    assert.equal(printed('{.a[*]}', doc), '');
    assert.equal(printed('{.a.*}', doc), '');
  });

  test('a null value prints as null', () => {
    assert.equal(printed('{.a}', doc), 'null');
    assert.equal(printed('{.list[0]}', doc), 'null');
  });

  test('null elements are skipped by a following field', () => {
    assert.equal(printed('{.list[*].x}', doc), '1');
  });

  test('a null document: fields are not found, [0] is empty', () => {
    assert.equal(failure('{.a}', null).error, 'a is not found');
    assert.equal(printed('{[0]}', null), '');
    assert.equal(printed('{$}', null), 'null');
  });
});

describe('indices and slices', () => {
  test('[n] and negative indices count from the start and the end', () => {
    assert.equal(printed('{.spec.containers[0].name}', pod), 'fake0');
    assert.equal(printed('{.spec.containers[-1].name}', pod), 'fake3');
    assert.equal(printed('{.spec.containers[-4].name}', pod), 'fake0');
  });

  test('an index out of range is an error even with allowMissingKeys', () => {
    for (const options of [{}, { allowMissingKeys: true }]) {
      assert.deepEqual(failure('{.spec.containers[4].name}', pod, options), {
        error: 'array index out of bounds: index 4, length 4',
        missing: false,
      });
      assert.deepEqual(failure('{.spec.containers[-5].name}', pod, options), {
        error: 'array index out of bounds: index -1, length 4',
        missing: false,
      });
      assert.deepEqual(failure('{.a[0]}', { a: [] }, options), {
        error: 'array index out of bounds: index 0, length 0',
        missing: false,
      });
    }
  });

  test('slices select [start, end) with an optional step', () => {
    assert.equal(printed('{.spec.containers[1:3].name}', pod), 'fake1 fake2');
    assert.equal(printed('{.spec.containers[::2].name}', pod), 'fake0 fake2');
    assert.equal(printed('{.spec.containers[1::2].name}', pod), 'fake1 fake3');
    assert.equal(printed('{.spec.containers[:2].name}', pod), 'fake0 fake1');
    assert.equal(printed('{.spec.containers[-2:].name}', pod), 'fake2 fake3');
    assert.equal(printed('{.spec.containers[0:-1].name}', pod), 'fake0 fake1 fake2');
    assert.equal(printed('{.spec.containers[1:4:4].name}', pod), 'fake1');
  });

  test('an empty slice (start == end) is empty, not an error', () => {
    assert.equal(printed('{.spec.containers[0:0].name}', pod), '');
    assert.equal(printed('{.spec.containers[5:5].name}', pod), '');
    assert.equal(printed('{.spec.containers[-5:-5].name}', pod), '');
  });

  test('slices are not clamped: past the end is an error', () => {
    assert.deepEqual(failure('{.spec.containers[0:10]}', pod), {
      error: 'array index out of bounds: index 9, length 4',
      missing: false,
    });
  });

  test('a start after the end is an error', () => {
    assert.equal(failure('{.spec.containers[3:1]}', pod).error, 'starting index 3 is greater than ending index 1');
    assert.equal(failure('{.spec.containers[-1:-2]}', pod).error, 'starting index 3 is greater than ending index 2');
    assert.ok(!compileTemplate('{.spec.containers[-1:0]}').print(pod).ok);
  });

  test('[*] on an empty array is empty, no error', () => {
    assert.deepEqual(compileTemplate('{.a[*]}').print({ a: [] }), { ok: true, text: '' });
  });

  test('an empty inner array does not hide the arrays after it', () => {
    assert.equal(printed('{.a[*].tags[*]}', { a: [{ tags: ['x'] }, { tags: [] }, { tags: ['y', 'z'] }] }), 'x y z');
  });

  test('[*] and [0] on an object are errors', () => {
    assert.deepEqual(failure('{.a[*]}', { a: { b: 1 } }), {
      error: 'map[string]interface {} is not array or slice',
      missing: false,
    });
    assert.equal(failure('{.a[0]}', { a: 'str' }).error, 'string is not array or slice');
  });

  test('arrays of arrays index level by level', () => {
    const doc = {
      m: [
        [1, 2],
        [3, 4, 5],
      ],
    };
    assert.equal(printed('{.m[1][2]}', doc), '5');
    assert.equal(printed('{.m[*][0]}', doc), '1 3');
    assert.equal(printed('{.m[*][*]}', doc), '1 2 3 4 5');
    assert.equal(printed('{.m[-1]}', doc), '[3,4,5]');
  });
});

describe('unions', () => {
  const doc = {
    s: [
      { name: 'a', clients: 4 },
      { name: 'b', clients: 1 },
    ],
  };

  test('a union of keys groups results by branch, not by element', () => {
    assert.equal(printed("{.s[*]['name','clients']}", doc), 'a b 4 1');
    assert.deepEqual(selected("{.s[*]['name', 'clients']}", doc), ['a', 'b', 4, 1]);
  });

  test('a union of indices selects each index in order', () => {
    assert.equal(printed('{[1,3,4]}', [0, 1, 2, 3, 4]), '1 3 4');
    assert.equal(printed('{.s[1,0].name}', doc), 'b a');
  });

  test('a branch missing in every input fails the union', () => {
    assert.equal(failure("{.s[*]['name','nope']}", doc).error, 'nope is not found');
  });
});

describe('wildcards and recursive descent', () => {
  test('.* on an object yields its values in document order', () => {
    assert.equal(printed('{.o.*}', { o: { b: 2, a: 1, c: 3 } }), '2 1 3');
  });

  test('.* on an array yields its elements, on a string its UTF-8 bytes', () => {
    assert.equal(printed('{.a.*}', { a: [1, 'x'] }), '1 x');
    assert.equal(printed('{.s.*}', { s: 'hé' }), '104 195 169');
  });

  test('.* on a number yields nothing', () => {
    assert.equal(printed('{.n.*}', { n: 3 }), '');
  });

  test('..name finds every name, depth first', () => {
    const doc = { name: 'root', items: [{ name: 'a', sub: { name: 'b' } }, { name: 'c' }] };
    assert.equal(printed('{..name}', doc), 'root a b c');
  });

  test('{..} alone yields every value that has children', () => {
    assert.equal(printed('{..}', [1, 2, 3]), '[1,2,3]');
  });

  test('...name is the same as ..name', () => {
    assert.equal(printed('{...x}', { a: { x: 1 } }), '1');
  });

  test('..[0] takes the first element of every nested array', () => {
    assert.equal(printed('{..items[0]}', { items: [{ items: ['x'] }] }), '{"items":["x"]} x');
  });
});

describe('literals inside blocks', () => {
  test('a quoted literal prints as itself, once per input', () => {
    assert.equal(printed('{"{"}', null), '{');
    assert.equal(printed('{.a[*] "x"}', { a: [1, 2] }), 'x x');
  });
});

describe('range / end', () => {
  const nodes = {
    kind: 'List',
    items: [
      { metadata: { name: '127.0.0.1' }, status: { addresses: [{ address: '127.0.0.1' }], capacity: { cpu: '4' } } },
      {
        metadata: { name: '127.0.0.2' },
        status: { addresses: [{ address: '127.0.0.2' }, { address: '127.0.0.3' }], capacity: { cpu: '8' } },
      },
    ],
  };

  test('range iterates elements and text inside repeats per element', () => {
    assert.equal(printed('{range .items[*]}{.metadata.name}, {end}{.kind}', nodes), '127.0.0.1, 127.0.0.2, List');
    assert.equal(
      printed('{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}', nodes),
      '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] ',
    );
  });

  test('quoted escapes in a range body print the character', () => {
    assert.equal(printed('{range .items[*]}{.metadata.name}{"\\t"}{end}', nodes), '127.0.0.1\t127.0.0.2\t');
  });

  test('ranges nest', () => {
    assert.equal(
      printed('{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}', nodes),
      '127.0.0.1, 127.0.0.2, 127.0.0.3, ',
    );
  });

  test('range without [*] runs once on the array itself', () => {
    assert.equal(printed('{range .items}{@[1].metadata.name}{end}', nodes), '127.0.0.2');
  });

  test('a range over nothing prints nothing, even without allowMissingKeys', () => {
    assert.deepEqual(compileTemplate('{range .items[*]}{.metadata.name}{":"}{end}').print({ items: [] }), {
      ok: true,
      text: '',
    });
  });

  test('an error inside the body fails the whole template', () => {
    assert.equal(failure('{range .items[*]}{.metadata.nope}{end}', nodes).error, 'nope is not found');
  });

  test('select on a range returns text and values in print order', () => {
    assert.deepEqual(selected('{range .items[*]}{.metadata.name};{end}', nodes), ['127.0.0.1', ';', '127.0.0.2', ';']);
  });
});

describe('templates with literal text', () => {
  test('literal text and blocks concatenate with nothing between', () => {
    assert.equal(printed('planet-{.location}', { location: 'mars' }), 'planet-mars');
    assert.equal(printed('{.a}-{.b}', { a: 1, b: 2 }), '1-2');
  });

  test('a missing key with allowMissingKeys leaves the literal text', () => {
    assert.equal(printed('before-{.hello}after', {}, { allowMissingKeys: true }), 'before-after');
  });

  test('one failing block fails the whole template', () => {
    assert.equal(failure('x{.a}{.b}', { a: 1 }).error, 'b is not found');
  });

  test('isSingleBlock is true only for one block without text or range', () => {
    assert.equal(compileTemplate('{.a.b}').isSingleBlock, true);
    assert.equal(compileTemplate('{.a[*].b}').isSingleBlock, true);
    assert.equal(compileTemplate('{.a}{.b}').isSingleBlock, false);
    assert.equal(compileTemplate('x{.a}').isSingleBlock, false);
    assert.equal(compileTemplate('{range .a[*]}{.b}{end}').isSingleBlock, false);
    assert.equal(compileTemplate('plain').isSingleBlock, false);
  });

  test('a template without blocks prints its text', () => {
    assert.equal(printed('hello jsonpath', null), 'hello jsonpath');
  });
});

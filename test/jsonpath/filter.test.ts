// Filters [?(…)]: comparisons, numeric literals, existence, missing keys, and the SRS stream filters.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, type EvalOptions } from '../../src/jsonpath/index.js';
import { readFixture } from '../helpers/fixtures.js';

function printed(template: string, doc: unknown, options?: EvalOptions): string {
  const result = compileTemplate(template).print(doc, options);
  assert.ok(result.ok, `expected success, got ${JSON.stringify(result)}`);
  return result.text;
}

function failure(template: string, doc: unknown, options?: EvalOptions): { error: string; missing: boolean } {
  const result = compileTemplate(template).print(doc, options);
  assert.ok(!result.ok, `expected failure, got ${JSON.stringify(result)}`);
  return { error: result.error, missing: result.missing };
}

const srsStreams: unknown = JSON.parse(readFixture('srs', 'srs6', 'streams.json'));

const servers = {
  s: [
    { name: 'a', clients: 4, ratio: 0.5, up: true, zone: 'eu' },
    { name: 'b', clients: 1, ratio: 1.5, up: false, zone: 'us' },
    { name: 'c', clients: 10, ratio: 2, up: true, zone: 'eu' },
  ],
};

describe('comparison filters', () => {
  test('strings compare with == and !=, single or double quotes', () => {
    assert.equal(printed('{.s[?(@.zone=="eu")].name}', servers), 'a c');
    assert.equal(printed("{.s[?(@.zone=='eu')].name}", servers), 'a c');
    assert.equal(printed('{.s[?(@.zone != "eu")].name}', servers), 'b');
  });

  test('numbers compare numerically with integer literals (a superset of client-go)', () => {
    assert.equal(printed('{.s[?(@.clients > 1)].name}', servers), 'a c');
    assert.equal(printed('{.s[?(@.clients==4)].name}', servers), 'a');
    assert.equal(printed('{.s[?(@.clients >= 4)].name}', servers), 'a c');
    assert.equal(printed('{.s[?(@.clients < 4)].name}', servers), 'b');
    assert.equal(printed('{.s[?(@.clients <= 4)].name}', servers), 'a b');
  });

  test('float literals and integer values compare by value', () => {
    assert.equal(printed('{.s[?(@.ratio > 1.0)].name}', servers), 'b c');
    assert.equal(printed('{.s[?(@.ratio == 2.0)].name}', servers), 'c');
    assert.equal(printed('{.s[?(@.clients == 10.0)].name}', servers), 'c');
  });

  test('strings order by code point with < and >', () => {
    assert.equal(printed('{.s[?(@.name < "b")].name}', servers), 'a');
    assert.equal(printed('{.s[?(@.name >= "b")].name}', servers), 'b c');
  });

  test('booleans compare with == and !=', () => {
    assert.equal(printed('{.s[?(@.up==true)].name}', servers), 'a c');
    assert.equal(printed('{.s[?(@.up != true)].name}', servers), 'b');
  });

  test('< on booleans fails', () => {
    assert.match(failure('{.s[?(@.up < true)]}', servers).error, /invalid type for comparison/);
  });

  test('comparing a string with a number fails', () => {
    assert.match(failure('{.s[?(@.name == 1)]}', servers).error, /incompatible types for comparison/);
  });

  test('comparing null or an object fails', () => {
    assert.match(failure('{.a[?(@.x == "y")]}', { a: [{ x: null }] }).error, /invalid type for comparison/);
    assert.match(failure('{.a[?(@.x == "y")]}', { a: [{ x: {} }] }).error, /invalid type for comparison/);
  });

  test('both operands may be paths into the element', () => {
    assert.equal(
      printed('{.p[?(@.x > @.y)].id}', {
        p: [
          { id: 1, x: 2, y: 1 },
          { id: 2, x: 1, y: 2 },
        ],
      }),
      '1',
    );
  });

  test('@ alone is the element itself', () => {
    assert.equal(printed('{[?(@<5)]}', [2, 6, 3, 7]), '2 3');
  });

  test('the left operand may omit @ (.status.phase)', () => {
    const doc = {
      items: [
        { status: { phase: 'Running' }, n: 1 },
        { status: { phase: 'Failed' }, n: 2 },
      ],
    };
    assert.equal(printed('{.items[?(.status.phase=="Running")].n}', doc), '1');
  });

  test('escaped keys work inside filters', () => {
    const doc = {
      items: [
        { l: { 'k.io/h': 'x' }, kind: 'None' },
        { l: { 'k.io/h': 'y' }, kind: 'Other' },
      ],
    };
    assert.equal(printed('{.items[?(@.l.k\\.io/h=="x")].kind}', doc), 'None');
  });

  test('an operand matching several values fails', () => {
    assert.equal(
      failure('{.a[?(@.v[*] == 1)]}', { a: [{ v: [1, 2] }] }).error,
      'can only compare one element at a time',
    );
  });

  test('a filter over a non-array fails, including null', () => {
    assert.equal(
      failure('{.o[?(@.x == 1)]}', { o: { x: 1 } }).error,
      'map[string]interface {} is not array or slice and cannot be filtered',
    );
    assert.equal(failure('{.o[?(@.x == 1)]}', { o: null }).error, '<nil> is not array or slice and cannot be filtered');
  });

  test('a recursive operand works (..ready)', () => {
    const doc = {
      items: [
        { n: 'a', status: { ready: true } },
        { n: 'b', status: { ready: false } },
      ],
    };
    assert.equal(printed('{.items[?(@..ready==true)].n}', doc), 'a');
  });
});

describe('missing keys in filters', () => {
  const pods = {
    items: [
      { name: 'pod1', annotations: { color: 'blue' } },
      { name: 'pod2' },
      { name: 'pod3', annotations: { color: 'green' } },
      { name: 'pod4', annotations: { color: 'blue' } },
    ],
  };

  test('an element lacking the compared key fails the whole template', () => {
    assert.deepEqual(failure('{.items[?(@.annotations.color=="blue")].name}', pods), {
      error: 'annotations is not found',
      missing: true,
    });
  });

  test('with allowMissingKeys the element lacking the key just does not match', () => {
    assert.equal(
      printed('{.items[?(@.annotations.color=="blue")].name}', pods, { allowMissingKeys: true }),
      'pod1 pod4',
    );
  });
});

describe('existence filters', () => {
  const points = [{ id: 'i1', z: 1 }, { id: 'i2' }, { id: 'i3', z: null }, { id: 'i4', z: false }, { id: 'i5', z: 0 }];

  test('[?(@.z)] tests presence: it matches null, false and 0 values', () => {
    assert.equal(printed('{[?(@.z)].id}', points), 'i1 i3 i4 i5');
  });

  test('a nested existence test through null does not match and does not fail', () => {
    assert.equal(
      printed('{[?(@.a.b)].id}', [
        { id: 1, a: null },
        { id: 2, a: { b: 0 } },
      ]),
      '2',
    );
  });

  test('an existence test with an index out of range simply does not match', () => {
    assert.equal(
      printed('{[?(@.v[2])].id}', [
        { id: 1, v: [1] },
        { id: 2, v: [1, 2, 3] },
      ]),
      '2',
    );
  });
});

describe('SRS streams fixture', () => {
  test('{.streams[?(@.name!="")]} selects every named stream', () => {
    const result = compileTemplate('{.streams[?(@.name!="")]}').select(srsStreams);
    assert.ok(result.ok);
    assert.deepEqual(
      result.values.map((s) => (s as { name: string }).name),
      ['radio', 'cam2', 'livestream'],
    );
  });

  test('{.streams[?(@.video.codec=="H264")]} fails where one stream has video: null', () => {
    assert.deepEqual(failure('{.streams[?(@.video.codec=="H264")]}', srsStreams), {
      error: 'codec is not found',
      missing: true,
    });
  });

  test('{.streams[?(@.video.codec=="H264")]} with allowMissingKeys matches only the H264 streams', () => {
    const result = compileTemplate('{.streams[?(@.video.codec=="H264")]}').select(srsStreams, {
      allowMissingKeys: true,
    });
    assert.ok(result.ok);
    assert.deepEqual(
      result.values.map((s) => (s as { name: string }).name),
      ['cam2', 'livestream'],
    );
  });

  test('a filter then a field prints the matching names', () => {
    assert.equal(printed('{.streams[?(@.clients > 1)].name}', srsStreams), 'livestream');
  });
});

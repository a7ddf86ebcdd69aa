import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_NESTING_DEPTH, nestsDeeperThan, parseJsonBody } from '../../src/extract/parse-json.js';
import { readFixture } from '../helpers/fixtures.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test('a real SRS body parses to its JSON value', () => {
  const text = readFixture('srs', 'srs6', 'streams.json');
  const result = parseJsonBody(bytes(text));
  assert.deepEqual(result, { ok: true, value: JSON.parse(text) });
});

test('an empty body is an error that says so', () => {
  assert.deepEqual(parseJsonBody(new Uint8Array(0)), { ok: false, reason: 'invalid_json', error: 'empty body' });
});

test('a body of whitespace only is invalid JSON, not empty', () => {
  const result = parseJsonBody(bytes('  \n'));
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error, /^invalid JSON: /);
});

test('a truncated body is invalid JSON with the parser’s reason', () => {
  const text = readFixture('srs', 'srs6', 'streams.json');
  const result = parseJsonBody(bytes(text.slice(0, text.length / 2)));
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error, /^invalid JSON: .+/);
});

test('an HTML error page is invalid JSON, never an exception', () => {
  const result = parseJsonBody(bytes('<html><body>502 Bad Gateway</body></html>'));
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error, /^invalid JSON: /);
});

test('JSON scalars are valid bodies', () => {
  assert.deepEqual(parseJsonBody(bytes('null')), { ok: true, value: null });
  assert.deepEqual(parseJsonBody(bytes('42')), { ok: true, value: 42 });
  assert.deepEqual(parseJsonBody(bytes('"x"')), { ok: true, value: 'x' });
});

test('a UTF-8 byte order mark before the JSON is ignored', () => {
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"code":0}')]);
  assert.deepEqual(parseJsonBody(withBom), { ok: true, value: { code: 0 } });
});

test('invalid UTF-8 fails the body with reason invalid_utf8 by default, naming the opt-out', () => {
  const body = new Uint8Array([...bytes('{"name":"a'), 0xff, ...bytes('b"}')]);
  const result = parseJsonBody(body);
  assert.equal(result.ok ? 'ok' : result.reason, 'invalid_utf8');
  assert.match(result.ok ? '' : result.error, /invalid_utf8: replace/);
});

test('with invalid_utf8: replace, invalid UTF-8 becomes U+FFFD (as Go decodes it) and the result says so', () => {
  const body = new Uint8Array([...bytes('{"name":"a'), 0xff, ...bytes('b"}')]);
  assert.deepEqual(parseJsonBody(body, { invalidUtf8: 'replace' }), {
    ok: true,
    value: { name: 'a\ufffdb' },
    replacedInvalidUtf8: true,
  });
});

test('nesting deeper than Go’s 10,000 levels fails with reason too_deep; 10,000 levels parse', () => {
  const deep = (levels: number): Uint8Array => bytes('['.repeat(levels) + ']'.repeat(levels));
  const refused = parseJsonBody(deep(200_000));
  assert.equal(refused.ok ? 'ok' : refused.reason, 'too_deep');
  assert.equal(parseJsonBody(deep(MAX_NESTING_DEPTH)).ok, true);
  const objects = bytes('{"a":'.repeat(MAX_NESTING_DEPTH + 1) + '1' + '}'.repeat(MAX_NESTING_DEPTH + 1));
  assert.equal(parseJsonBody(objects).ok ? 'ok' : 'refused', 'refused');
});

test('brackets inside strings, escaped quotes included, do not count as nesting', () => {
  const inString = `{"s":"${'['.repeat(30_000)}\\\\","t":"\\\\\\"${'{'.repeat(30_000)}"}`;
  assert.equal(nestsDeeperThan(bytes(inString), MAX_NESTING_DEPTH), false);
  assert.equal(parseJsonBody(bytes(inString)).ok, true);
  assert.equal(nestsDeeperThan(bytes(`["\\\\"${',['.repeat(20_001)}`), MAX_NESTING_DEPTH), true);
});

/** The deepest nesting outside strings, the slow obvious way: what nestsDeeperThan must agree with. */
function deepestNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return deepest;
}

test('the depth scan agrees with a plain walk on any mix of brackets, quotes and escapes (property)', () => {
  const piece = fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ',', ':', '1', 'é');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 400 }), fc.integer({ min: 0, max: 40 }), (pieces, limit) => {
      const text = pieces.join('');
      const encoded = bytes(text);
      // The scan skips bodies under two bytes per level; compare where it looks.
      if (encoded.byteLength <= 2 * limit) return;
      assert.equal(nestsDeeperThan(encoded, limit), deepestNesting(text) > limit);
    }),
    { numRuns: 2000 },
  );
});

test('a body over 20 KB with few brackets parses without the byte scan, one with many still fails deep nesting', () => {
  const wide = `{"s":"${'x'.repeat(30_000)}","a":[1,2,3]}`;
  assert.equal(parseJsonBody(bytes(wide)).ok, true);
  // Brackets inside strings pass the opener count, so the byte scan decides: shallow.
  const bracketsInStrings = `[${'"{{{{{{{{[[",'.repeat(2_000)}1]`;
  assert.equal(parseJsonBody(bytes(bracketsInStrings)).ok, true);
  const deepAfterStrings = `[${'"{[",'.repeat(3_000)}${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}]`;
  const refused = parseJsonBody(bytes(deepAfterStrings));
  assert.equal(refused.ok ? 'ok' : refused.reason, 'too_deep');
});

test('multi-byte UTF-8 in names decodes exactly', () => {
  assert.deepEqual(parseJsonBody(bytes('{"name":"直播-🎥"}')), { ok: true, value: { name: '直播-🎥' } });
});

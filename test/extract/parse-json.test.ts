import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonBody } from '../../src/extract/parse-json.js';
import { readFixture } from '../helpers/fixtures.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test('a real SRS body parses to its JSON value', () => {
  const text = readFixture('srs', 'srs6', 'streams.json');
  const result = parseJsonBody(bytes(text));
  assert.deepEqual(result, { ok: true, value: JSON.parse(text) });
});

test('an empty body is an error that says so', () => {
  assert.deepEqual(parseJsonBody(new Uint8Array(0)), { ok: false, error: 'empty body' });
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

test('invalid UTF-8 inside a string becomes U+FFFD instead of failing the body', () => {
  const body = new Uint8Array([...bytes('{"name":"a'), 0xff, ...bytes('b"}')]);
  assert.deepEqual(parseJsonBody(body), { ok: true, value: { name: 'a\ufffdb' } });
});

test('multi-byte UTF-8 in names decodes exactly', () => {
  assert.deepEqual(parseJsonBody(bytes('{"name":"直播-🎥"}')), { ok: true, value: { name: '直播-🎥' } });
});

// The jsonpath-plus fallback: `&&` / `||` filters, behind the same CompiledTemplate interface.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, JsonPathSyntaxError } from '../../src/jsonpath/index.js';
import { readFixture } from '../helpers/fixtures.js';

const srsStreams: unknown = JSON.parse(readFixture('srs', 'srs6', 'streams.json'));

describe('fallback filters (&& / ||) via jsonpath-plus', () => {
  test('&& combines two comparisons', () => {
    assert.deepEqual(compileTemplate('{.streams[?(@.clients >= 1 && @.app == "live")].name}').print(srsStreams), {
      ok: true,
      text: 'radio cam2 livestream',
    });
    assert.deepEqual(compileTemplate('{.streams[?(@.clients > 1 && @.app == "live")].name}').print(srsStreams), {
      ok: true,
      text: 'livestream',
    });
  });

  test('|| matches either side, in document order', () => {
    assert.deepEqual(
      compileTemplate("{.streams[?(@.name == 'radio' || @.name == 'livestream')].name}").print(srsStreams),
      {
        ok: true,
        text: 'radio livestream',
      },
    );
  });

  test('&& and || inside quoted strings do not trigger the fallback', () => {
    assert.deepEqual(
      compileTemplate('{.a[?(@.t == "x && y")].n}').print({
        a: [
          { t: 'x && y', n: 1 },
          { t: 'x', n: 2 },
        ],
      }),
      {
        ok: true,
        text: '1',
      },
    );
  });

  test('reading through null fails the template unless allowMissingKeys', () => {
    const template = compileTemplate('{.streams[?(@.video.codec == "H264" && @.clients > 0)].name}');
    const strict = template.print(srsStreams);
    assert.equal(strict.ok, false);
    assert.equal(!strict.ok && strict.missing, true);
    assert.deepEqual(template.print(srsStreams, { allowMissingKeys: true }), { ok: true, text: 'cam2 livestream' });
  });

  test('a fallback filter over a non-array fails like a native filter', () => {
    assert.deepEqual(compileTemplate('{.o[?(@.a == 1 || @.b == 2)]}').print({ o: { a: 1 } }), {
      ok: false,
      error: 'map[string]interface {} is not array or slice and cannot be filtered',
      missing: false,
    });
  });

  test('an expression jsonpath-plus cannot parse is a syntax error at compile time', () => {
    assert.throws(
      () => compileTemplate('{.a[?(@.x == 1 &&& @.y)]}'),
      (error: unknown) => {
        assert.ok(error instanceof JsonPathSyntaxError);
        assert.equal(error.position, 6);
        assert.match(error.reason, /filter expression rejected/);
        return true;
      },
    );
  });

  test('parentheses group && and || expressions', () => {
    const doc = { a: [{ x: 1, y: 1 }, { x: 2 }, { x: 3, y: 1 }] };
    assert.deepEqual(compileTemplate('{.a[?((@.x == 1 || @.x == 2) && @.y)].x}').print(doc), { ok: true, text: '1' });
  });

  test('code in a filter is never run natively: process and constructor escapes are unreachable', () => {
    const doc = { a: [{ x: 1 }, { x: 2 }] };
    const exit = compileTemplate('{.a[?(@.x == 1 || process.exit(1))].x}');
    const strict = exit.print(doc);
    assert.ok(!strict.ok && /process is not defined/.test(strict.error));
    assert.deepEqual(exit.print(doc, { allowMissingKeys: true }), { ok: true, text: '1' });
    const breakout = compileTemplate('{.a[?(@.x == 1 || this.constructor.constructor("return process")().exit(3))].x}');
    assert.equal(breakout.print(doc).ok, false);
  });
});

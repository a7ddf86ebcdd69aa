// The template cache: one compilation per distinct text, bounded, owned by whoever creates it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileTemplate, TemplateCache } from '../../src/jsonpath/index.js';

describe('TemplateCache', () => {
  test('the same text returns the same compiled template', () => {
    const cache = new TemplateCache();
    assert.equal(cache.compile('{.cache.a}'), cache.compile('{.cache.a}'));
    assert.equal(cache.size, 1);
  });

  test('different texts compile separately', () => {
    const cache = new TemplateCache();
    assert.notEqual(cache.compile('{.cache.a}'), cache.compile('{ .cache.a}'));
  });

  test('two caches never share a compiled template (two configs, two servers)', () => {
    assert.notEqual(new TemplateCache().compile('{.cache.b}'), new TemplateCache().compile('{.cache.b}'));
  });

  test('compileTemplate alone compiles afresh each time', () => {
    assert.notEqual(compileTemplate('{.cache.c}'), compileTemplate('{.cache.c}'));
  });

  test('the cache is bounded, dropping the least recently used', () => {
    const cache = new TemplateCache(100);
    const kept = cache.compile('{.kept}');
    for (let i = 0; i < 1000; i++) {
      cache.compile(`{.k${i}}`);
      if (i % 10 === 0) assert.equal(cache.compile('{.kept}'), kept);
    }
    assert.equal(cache.size, 100);
    assert.equal(cache.compile('{.kept}'), kept, 'recently used entry survives');
    const first = cache.compile('{.k0}');
    assert.equal(cache.size, 100);
    assert.notEqual(first, undefined);
  });

  test('a template that fails to parse is not cached and fails every time', () => {
    const cache = new TemplateCache();
    assert.throws(() => cache.compile('{.a['));
    assert.throws(() => cache.compile('{.a['));
    assert.equal(cache.size, 0);
  });
});

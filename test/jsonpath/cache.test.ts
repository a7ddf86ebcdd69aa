// The template cache: one compilation per distinct text, bounded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedTemplateCount, clearTemplateCache, compileTemplate } from '../../src/jsonpath/index.js';

describe('compileTemplate cache', () => {
  test('the same text returns the same compiled template', () => {
    assert.equal(compileTemplate('{.cache.a}'), compileTemplate('{.cache.a}'));
  });

  test('different texts compile separately', () => {
    assert.notEqual(compileTemplate('{.cache.a}'), compileTemplate('{ .cache.a}'));
  });

  test('clearing the cache recompiles on next use', () => {
    const before = compileTemplate('{.cache.b}');
    clearTemplateCache();
    assert.equal(cachedTemplateCount(), 0);
    assert.notEqual(compileTemplate('{.cache.b}'), before);
  });

  test('the cache is bounded at 10 000 templates, dropping the least recently used', () => {
    clearTemplateCache();
    const kept = compileTemplate('{.kept}');
    for (let i = 0; i < 10_000; i++) {
      compileTemplate(`{.k${i}}`);
      if (i % 1000 === 0) assert.equal(compileTemplate('{.kept}'), kept);
    }
    assert.equal(cachedTemplateCount(), 10_000);
    assert.equal(compileTemplate('{.kept}'), kept, 'recently used entry survives');
    clearTemplateCache();
  });

  test('a template that fails to parse is not cached and fails every time', () => {
    clearTemplateCache();
    assert.throws(() => compileTemplate('{.a['));
    assert.throws(() => compileTemplate('{.a['));
    assert.equal(cachedTemplateCount(), 0);
  });
});

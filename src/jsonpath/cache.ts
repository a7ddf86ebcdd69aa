// Compiled templates cached by their text: a config names the same few templates on every scrape.
import { compileAst, type CompiledTemplate } from './compile.js';
import { parseTemplate } from './parse.js';

// Far above any real config; the bound only stops a caller that builds templates from data growing memory.
const MAX_CACHED_TEMPLATES = 10_000;

// A Map keeps insertion order: re-inserting on a hit makes its first key the least recently used.
const cache = new Map<string, CompiledTemplate>();

/** Parse+compile once; cached by template text (LRU, 10 000 entries). Throws JsonPathSyntaxError. */
export function compileTemplate(text: string): CompiledTemplate {
  const hit = cache.get(text);
  if (hit !== undefined) {
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const compiled = compileAst(parseTemplate(text));
  if (cache.size >= MAX_CACHED_TEMPLATES) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(text, compiled);
  return compiled;
}

/** How many compiled templates the cache holds (for tests and self-metrics). */
export function cachedTemplateCount(): number {
  return cache.size;
}

/** Empties the cache, e.g. on config reload. */
export function clearTemplateCache(): void {
  cache.clear();
}

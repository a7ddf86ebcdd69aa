// Compiled templates by their text, for one owner (a compiled module): a config names the same few templates
// many times, and the cache lives as long as its owner does, so two configs or two servers never share one.
import { compileAst, type CompiledTemplate } from './compile.js';
import { parseTemplate } from './parse.js';

// Far above any real config; the bound only stops a caller that builds templates from data growing memory.
const DEFAULT_MAX_TEMPLATES = 10_000;

/** Parses and compiles a template, uncached. Throws JsonPathSyntaxError. */
export function compileTemplate(text: string): CompiledTemplate {
  return compileAst(parseTemplate(text));
}

/** An LRU of compiled templates keyed by text; a template that fails to parse is never cached. */
export class TemplateCache {
  // A Map keeps insertion order: re-inserting on a hit makes its first key the least recently used.
  readonly #templates = new Map<string, CompiledTemplate>();
  readonly #maxTemplates: number;

  constructor(maxTemplates: number = DEFAULT_MAX_TEMPLATES) {
    this.#maxTemplates = maxTemplates;
  }

  /** How many compiled templates the cache holds. */
  get size(): number {
    return this.#templates.size;
  }

  /** Parse+compile once per text. Throws JsonPathSyntaxError. */
  compile(text: string): CompiledTemplate {
    const hit = this.#templates.get(text);
    if (hit !== undefined) {
      this.#templates.delete(text);
      this.#templates.set(text, hit);
      return hit;
    }
    const compiled = compileTemplate(text);
    if (this.#templates.size >= this.#maxTemplates) {
      const oldest = this.#templates.keys().next();
      if (oldest.done !== true) this.#templates.delete(oldest.value);
    }
    this.#templates.set(text, compiled);
    return compiled;
  }
}

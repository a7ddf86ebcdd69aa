// Public surface of the JSONPath module: Kubernetes-style templates, compiled once and cached by text.
export type { CompiledTemplate, EvalOptions, PrintResult, Selection } from './compile.js';
export { cachedTemplateCount, clearTemplateCache, compileTemplate } from './cache.js';
export { JSONPATH_SYNTAX_CODE, JsonPathSyntaxError } from './errors.js';
export { formatValue } from './print.js';

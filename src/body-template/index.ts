// json_exporter's templated POST body (`body.templatize: true`): Go text/template + Sprig, the subset its
// docs and tests use, rendered with the probe URL's query parameters as the data (url.Values).
import { BodyTemplateError } from './errors.js';
import { functionRejection } from './functions.js';
import { parseTemplate } from './parser.js';
import { TemplateRuntimeError, renderTemplate } from './render.js';
import { GoList, GoMap, NIL_STRING_LIST, type GoValue } from './values.js';

export { BODY_TEMPLATE_FUNCTIONS, REJECTED_BODY_TEMPLATE_FUNCTIONS } from './functions.js';
export { RENDER_LIMITS as BODY_TEMPLATE_LIMITS } from './arguments.js';

/** The probe's URL query parameters, each name with all its values (Go's url.Values). */
export type BodyTemplateParams = ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[]>>;

export type BodyRenderResult =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly error: string };

export interface BodyTemplate {
  /** The template text as configured. */
  readonly source: string;
  /**
   * Renders the body. A runtime failure (a function error, an out-of-range index …) is a value, not an
   * exception: json_exporter logs it and sends the static `body.content` instead, and callers must do the same.
   */
  render(params: BodyTemplateParams): BodyRenderResult;
}

/**
 * Compiles `body.content`. Throws BodyTemplateError at config load: FJE_BODY_TEMPLATE_SYNTAX for a parse
 * error, FJE_BODY_TEMPLATE_UNSUPPORTED for a function outside BODY_TEMPLATE_FUNCTIONS (or `define`/`template`).
 */
export function compileBodyTemplate(content: string): BodyTemplate {
  const nodes = parseTemplate(content, { rejectionOf: functionRejection });
  return {
    source: content,
    render(params: BodyTemplateParams): BodyRenderResult {
      try {
        return { ok: true, body: renderTemplate(content, nodes, toUrlValues(params)) };
      } catch (error) {
        if (error instanceof TemplateRuntimeError) return { ok: false, error: error.message };
        // A JS engine limit (string length, stack) is still a failed render, not a crash of the probe.
        return { ok: false, error: `body template: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
  };
}

/**
 * url.Values as template data. Under missingkey=zero a missing key yields the element type's zero value,
 * a nil []string: `{{ .missing }}` prints "[]" and `{{ .missing | first }}` prints "<no value>"
 * (json_exporter's own tests, cmd/main_test.go TestBodyPostQuery, assert both).
 */
function toUrlValues(params: BodyTemplateParams): GoValue {
  const entries = new Map<string, GoValue>();
  const pairs: Iterable<readonly [string, readonly string[]]> =
    params instanceof Map ? params.entries() : Object.entries(params);
  for (const [name, values] of pairs) entries.set(name, new GoList([...values]));
  return new GoMap(entries, 'url.Values', NIL_STRING_LIST);
}

export { BodyTemplateError };

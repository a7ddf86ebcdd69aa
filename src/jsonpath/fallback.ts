// jsonpath-plus as the fallback engine, for the one construct the k8s grammar lacks: `&&` / `||` in filters.
//
// What goes here, exactly: a filter `[?(…)]` whose expression contains `&&` or `||` outside quotes
// (client-go rejects those). Everything else — fields, indices, slices, unions, `..`, `.*`, filters with
// one comparison or an existence test, range/end — is compiled natively and never reaches this file.
// The expression is handed to jsonpath-plus unchanged as `$[?(expression)]` over each filtered array,
// ALWAYS with `eval: 'safe'` (its sandboxed interpreter; never native eval). It is JavaScript-like:
// `@.a.b` is the element's member, `==` is JavaScript's loose equality, and escaped keys (`a\.b`) are
// not understood. A member read through null fails the template (missing: true) unless allowMissingKeys,
// in which case that element just does not match — the same contract as native filters.
import { JSONPath } from 'jsonpath-plus';
import './linear-regexp.js';
import { EvalFailure, goTypeName } from './failure.js';
import type { PathFunction } from './field-walk.js';

/** Why jsonpath-plus cannot parse the filter expression, or undefined when it can. */
export function checkFallbackFilter(expression: string): string | undefined {
  // A dry run makes jsonpath-plus parse the expression now, so a bad one fails at config load.
  try {
    runJsonPathPlus(`$[?(${expression})]`, [{}], true);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Compiles a `&&`/`||` filter already accepted by checkFallbackFilter. */
export function compileFallbackFilter(expression: string): PathFunction {
  const path = `$[?(${expression})]`;
  return (inputs, allowMissingKeys) => {
    const out: unknown[] = [];
    for (const input of inputs) {
      if (!Array.isArray(input)) {
        return new EvalFailure(`${goTypeName(input)} is not array or slice and cannot be filtered`, false);
      }
      let matches: unknown[];
      try {
        matches = runJsonPathPlus(path, input, allowMissingKeys);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return new EvalFailure(message, /Cannot read properties of (null|undefined)/.test(message));
      }
      for (const match of matches) out.push(match);
    }
    return out;
  };
}

function runJsonPathPlus(path: string, json: unknown[], ignoreEvalErrors: boolean): unknown[] {
  const result: unknown = JSONPath({ path, json, eval: 'safe', wrap: true, ignoreEvalErrors });
  return Array.isArray(result) ? result : [];
}

// Public surface of the JSONPath module: Kubernetes-style templates, compiled once (a TemplateCache per owner).
//
// Semantics follow client-go's util/jsonpath as json_exporter runs it (shared/JSONPATH.md). Where we
// differ, on purpose:
// - numbers print as client-go's Go `%v` (`1.681903514993e+12`) unless `numbers: 'integer'` asks for integers
//   whole (`1681903514993`): labels default to Go's text (json_exporter's series identity), values use whole;
// - filters compare numbers numerically whatever the literal's form (`[?(@.clients > 1)]`);
// - `&&` / `||` (with parentheses) in filters work, through jsonpath-plus's safe evaluator (fallback.ts);
// - `..*` parses (recursive descent then wildcard);
// - in a key, a backslash escapes exactly the next character (`a\\b` is the key `a\b`; client-go drops
//   every backslash);
// - a {range} over nothing prints nothing (client-go fails unless allowMissingKeys);
// - an empty array or slice does not drop the inputs after it ({.a[*].tags[*]});
// - mistakes client-go only reports while evaluating fail at parse time: an unknown identifier or
//   filter operator, {end} without {range}, {range} without {end}, a slice step ≤ 0;
// - `.*` on an object yields values in JavaScript property order (document order, integer-like keys first);
//   Go's map order is random.
export type { CompiledTemplate, EvalOptions, PrintResult, Selection } from './compile.js';
export { compileTemplate, TemplateCache } from './cache.js';
export { JSONPATH_SYNTAX_CODE, JsonPathSyntaxError } from './errors.js';
export {
  activeBudget,
  type BudgetStop,
  BudgetStopped,
  DEFAULT_BUDGET_LIMITS,
  EvaluationBudget,
  runWithBudget,
  stopFromThrown,
} from './budget.js';
export { type RootKind, templateTraits } from './traits.js';
export { formatValue } from './print.js';
export { EvalFailure } from './failure.js';
export { NO_VALUE } from './field-walk.js';

// Filters `[?(@.x == "y")]` and `[?(@.x)]`: operands, comparison rules, and client-go's missing-key behaviour.
import type { FilterOperator, Step } from './ast.js';
import { EvalFailure, failure, goTypeName } from './failure.js';
import { compareByCodePoint } from './print.js';
import {
  compileSingularWalk,
  NO_VALUE,
  singularAccessors,
  type PathFunction,
  type SingularWalk,
} from './field-walk.js';

type PathCompiler = (steps: readonly Step[]) => PathFunction;

/** One operand evaluated on one element: a value, NO_VALUE (nothing to compare: no match) or a failure. */
type Operand = SingularWalk;

function compileOperand(steps: readonly Step[], compilePath: PathCompiler): Operand {
  const only = steps.length === 1 ? steps[0] : undefined;
  if (only?.kind === 'literal') {
    const constant = only.value;
    return () => constant;
  }
  const accessors = singularAccessors(steps);
  if (accessors !== undefined) return compileSingularWalk(accessors);
  const path = compilePath(steps);
  return (element, allowMissingKeys) => {
    const values = path([element], allowMissingKeys);
    if (values instanceof EvalFailure) return values;
    if (values.length === 0) return NO_VALUE;
    if (values.length > 1) return failure('can only compare one element at a time');
    return values[0];
  };
}

function notFilterable(value: unknown): EvalFailure {
  return failure(`${goTypeName(value)} is not array or slice and cannot be filtered`);
}

/**
 * `[?(left op right)]`. An operand that fails (a key missing in this element) fails the whole template,
 * as client-go does; with allowMissingKeys the element just does not match.
 */
export function compileFilter(
  step: { readonly left: readonly Step[]; readonly operator: FilterOperator; readonly right: readonly Step[] },
  compilePath: PathCompiler,
): PathFunction {
  const left = compileOperand(step.left, compilePath);
  const right = compileOperand(step.right, compilePath);
  const operator = step.operator;
  return (inputs, allowMissingKeys) => {
    const out: unknown[] = [];
    for (const input of inputs) {
      if (!Array.isArray(input)) return notFilterable(input);
      for (const element of input) {
        const a = left(element, allowMissingKeys);
        if (a === NO_VALUE) continue;
        if (a instanceof EvalFailure) return a;
        const b = right(element, allowMissingKeys);
        if (b === NO_VALUE) continue;
        if (b instanceof EvalFailure) return b;
        const verdict = compareValues(a, operator, b);
        if (verdict === true) out.push(element);
        else if (verdict !== false) return verdict;
      }
    }
    return out;
  };
}

/** `[?(@.x)]`: the element matches when the path finds anything, even null or false; errors just mean no. */
export function compileExistsFilter(path: readonly Step[], compilePath: PathCompiler): PathFunction {
  const accessors = singularAccessors(path);
  const walk = accessors === undefined ? undefined : compileSingularWalk(accessors);
  const general = accessors === undefined ? compilePath(path) : undefined;
  return (inputs) => {
    const out: unknown[] = [];
    for (const input of inputs) {
      if (!Array.isArray(input)) return notFilterable(input);
      for (const element of input) {
        if (walk !== undefined) {
          const found = walk(element, true);
          if (found !== NO_VALUE && !(found instanceof EvalFailure)) out.push(element);
        } else if (general !== undefined) {
          const found = general([element], true);
          if (!(found instanceof EvalFailure) && found.length > 0) out.push(element);
        }
      }
    }
    return out;
  };
}

/**
 * Go template comparison rules, except that numbers compare numerically whatever the literal's form
 * (client-go rejects `@.clients > 1` against a float64: a superset users obviously mean).
 */
export function compareValues(a: unknown, operator: FilterOperator, b: unknown): boolean | EvalFailure {
  const kind = typeof a;
  if (a === null || b === null || kind === 'object' || typeof b === 'object') {
    return failure(`cannot compare ${goTypeName(a)} with ${goTypeName(b)}: invalid type for comparison`);
  }
  if (kind !== typeof b) {
    return failure(`cannot compare ${goTypeName(a)} with ${goTypeName(b)}: incompatible types for comparison`);
  }
  if (operator === '==') return a === b;
  if (operator === '!=') return a !== b;
  let order: number;
  if (kind === 'number') order = (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  else if (kind === 'string') order = compareByCodePoint(a as string, b as string);
  else return failure(`cannot compare ${goTypeName(a)} values with ${operator}: invalid type for comparison`);
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

// Direct property access for plain `.a.b.c` chains, shared by the compiler and filter operands.
import type { Step } from './ast.js';
import { keyNotFound, type EvalFailure } from './failure.js';

/** Maps the values matched so far to the next ones, or fails. Never throws. */
export type PathFunction = (inputs: readonly unknown[], allowMissingKeys: boolean) => unknown[] | EvalFailure;

/** Walks one value down a chain of keys: the value found, NO_VALUE (missing, allowed) or the failure. */
export type FieldWalk = (value: unknown, allowMissingKeys: boolean) => unknown;

/** "Nothing matched, and that is not an error." Never a JSON value. */
export const NO_VALUE: unique symbol = Symbol('no value');

/** The field names of a path made only of `.name` steps, or undefined when it has any other step. */
export function plainFieldChain(steps: readonly Step[]): string[] | undefined {
  const names: string[] = [];
  for (const step of steps) {
    if (step.kind !== 'field') return undefined;
    names.push(step.name);
  }
  return names;
}

// Own keys only: `.constructor` must not find Object.prototype's. Checked only for names that need it.
export function needsOwnCheck(name: string): boolean {
  return name in Object.prototype;
}

/** Direct property access for `.a.b.c`: no intermediate lists. */
export function compileFieldWalk(names: readonly string[]): FieldWalk {
  const guarded = names.map(needsOwnCheck);
  return (value, allowMissingKeys) => {
    for (let k = 0; k < names.length; k++) {
      const name = names[k] as string;
      let next: unknown;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        next = (value as Record<string, unknown>)[name];
        if (guarded[k] === true && !Object.hasOwn(value, name)) next = undefined;
      }
      if (next === undefined) return allowMissingKeys ? NO_VALUE : keyNotFound(name);
      value = next;
    }
    return value;
  };
}


// Direct access for singular paths (`.a.b[0].c`): one value in, at most one out, no intermediate lists.
import type { Step } from './ast.js';
import { failure, goTypeName, indexOutOfBounds, keyNotFound, type EvalFailure } from './failure.js';

/** Maps the values matched so far to the next ones, or fails. Never throws. */
export type PathFunction = (inputs: readonly unknown[], allowMissingKeys: boolean) => unknown[] | EvalFailure;

/** Walks one value down a singular path: the value found, NO_VALUE (empty, not an error) or an EvalFailure. */
export type SingularWalk = (value: unknown, allowMissingKeys: boolean) => unknown;

/** "Nothing matched, and that is not an error." Never a JSON value. */
export const NO_VALUE: unique symbol = Symbol('no value');

/** A key (string) or an index (number). */
export type Accessor = string | number;

/** The accessors of a path made only of `.name` and `[n]` steps, or undefined when it has any other step. */
export function singularAccessors(steps: readonly Step[]): Accessor[] | undefined {
  const accessors: Accessor[] = [];
  for (const step of steps) {
    if (step.kind === 'field') accessors.push(step.name);
    else if (step.kind === 'index') accessors.push(step.index);
    else return undefined;
  }
  return accessors;
}

// Own keys only: `.constructor` must not find Object.prototype's. Checked only for names that need it.
export function needsOwnCheck(name: string): boolean {
  return name in Object.prototype;
}

/**
 * The same rules as the list steps, specialised to one input: a missing key is "not found" (or NO_VALUE
 * with allowMissingKeys), an index under null is silently empty, a bad index always fails.
 */
export function compileSingularWalk(accessors: readonly Accessor[]): SingularWalk {
  if (accessors.length > 0 && accessors.every((accessor) => typeof accessor === 'string' && !needsOwnCheck(accessor))) {
    const walk = compileKeyWalk(accessors as readonly string[]);
    if (walk !== undefined) return walk;
  }
  const guarded = accessors.map((accessor) => typeof accessor === 'string' && needsOwnCheck(accessor));
  return (value, allowMissingKeys) => {
    for (let k = 0; k < accessors.length; k++) {
      const accessor = accessors[k] as Accessor;
      if (typeof accessor === 'number') {
        if (value === null || value === undefined) return NO_VALUE;
        if (!Array.isArray(value)) return failure(`${goTypeName(value)} is not array or slice`);
        const at = accessor < 0 ? accessor + value.length : accessor;
        if (at < 0 || at >= value.length) return indexOutOfBounds(at, value.length);
        value = value[at];
        continue;
      }
      let next: unknown;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        next = (value as Record<string, unknown>)[accessor];
        if (guarded[k] === true && !Object.hasOwn(value, accessor)) next = undefined;
      }
      if (next === undefined) return allowMissingKeys ? NO_VALUE : keyNotFound(accessor);
      value = next;
    }
    return value;
  };
}

/**
 * A walk down keys only (`.a`, `.kbps.send_30s`: every label and value of the SRS presets), none of them a name on
 * Object.prototype, as a function of its own made from source, so each path's property reads keep their own inline
 * caches. Every closure compileSingularWalk returns shares one set of them: with a module's dozen keys read through
 * them they go megamorphic, and a key read becomes a hash lookup. Own code per path made extraction of the
 * `srs_streams` preset on a 50 KB body ~23 % faster (bench/README.md, issue 16, fourth stop). The keys enter the source
 * only as JSON.stringify's string literals, which cannot end early or hold code. Undefined where the process forbids
 * code from strings (`--disallow-code-generation-from-strings`): the caller walks the general way.
 */
function compileKeyWalk(keys: readonly string[]): SingularWalk | undefined {
  let source = 'return function walkKeys(value, allowMissingKeys) {\n  let next;\n';
  for (const key of keys) {
    const literal = JSON.stringify(key);
    source +=
      `  if (value === null || typeof value !== 'object' || Array.isArray(value) || (next = value[${literal}]) === undefined)\n` +
      `    return allowMissingKeys ? NO_VALUE : keyNotFound(${literal});\n` +
      '  value = next;\n';
  }
  source += '  return value;\n};';
  try {
    const make = new Function('NO_VALUE', 'keyNotFound', source) as (
      noValue: typeof NO_VALUE,
      notFound: typeof keyNotFound,
    ) => SingularWalk;
    return make(NO_VALUE, keyNotFound);
  } catch {
    return undefined;
  }
}

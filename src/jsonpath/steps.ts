// Path steps → closures over lists of values, with client-go's rules for missing keys, indices and nulls.
import type { Step } from './ast.js';
import { chargeList } from './budget.js';
import { EvalFailure, failure, goTypeName, indexOutOfBounds, keyNotFound } from './failure.js';
import { compileFallbackFilter } from './fallback.js';
import { compileExistsFilter, compileFilter } from './filter.js';
import { needsOwnCheck, type PathFunction } from './field-walk.js';

/** Compiles a path; runs of `.name` steps are fused into one pass per input. */
export function compilePath(steps: readonly Step[]): PathFunction {
  const functions: PathFunction[] = [];
  for (let i = 0; i < steps.length; ) {
    const names: string[] = [];
    for (let step = steps[i]; step?.kind === 'field'; step = steps[++i]) names.push(step.name);
    if (names.length > 0) {
      functions.push(fieldChainStep(names));
      continue;
    }
    functions.push(compileStep(steps[i] as Step));
    i++;
  }
  if (functions.length === 1) {
    const only = functions[0] as PathFunction;
    return (inputs, allowMissingKeys) => {
      const next = only(inputs, allowMissingKeys);
      if (!(next instanceof EvalFailure)) chargeList(next.length);
      return next;
    };
  }
  return (inputs, allowMissingKeys) => {
    let current: readonly unknown[] = inputs;
    for (const step of functions) {
      // No step produces values or errors from no input.
      if (current.length === 0) return [];
      const next = step(current, allowMissingKeys);
      if (next instanceof EvalFailure) return next;
      // Every list is charged to the evaluation budget: a stop unwinds before the next step multiplies it.
      chargeList(next.length);
      current = next;
    }
    return current as unknown[];
  };
}

function compileStep(step: Step): PathFunction {
  switch (step.kind) {
    case 'field':
      return fieldChainStep([step.name]);
    case 'index':
      return indexStep(step.index);
    case 'slice':
      return step.start === undefined && step.end === undefined && step.step === undefined
        ? allElementsStep
        : sliceStep(step.start, step.end, step.step ?? 1);
    case 'wildcard':
      return wildcardStep;
    case 'recursive':
      return recursiveStep;
    case 'union':
      return unionStep(step.branches.map(compilePath));
    case 'filter':
      return compileFilter(step, compilePath);
    case 'exists':
      return compileExistsFilter(step.path, compilePath);
    case 'fallbackFilter':
      return compileFallbackFilter(step.expression);
    case 'literal': {
      const value = step.value;
      return (inputs) => inputs.map(() => value);
    }
  }
}

// A key is "not found" only when no input has it; inputs without it are skipped (client-go's evalField).
function fieldChainStep(names: readonly string[]): PathFunction {
  const guarded = names.map(needsOwnCheck);
  return (inputs, allowMissingKeys) => {
    const out: unknown[] = [];
    let deepest = 0;
    for (const input of inputs) {
      let value = input;
      let k = 0;
      for (; k < names.length; k++) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) break;
        const name = names[k] as string;
        const next = (value as Record<string, unknown>)[name];
        if (next === undefined || (guarded[k] === true && !Object.hasOwn(value, name))) break;
        value = next;
      }
      if (k === names.length) out.push(value);
      else if (k > deepest) deepest = k;
    }
    if (out.length === 0 && inputs.length > 0 && !allowMissingKeys) return keyNotFound(names[deepest] as string);
    return out;
  };
}

function notAnArray(value: unknown): EvalFailure {
  return failure(`${goTypeName(value)} is not array or slice`);
}

// Index errors are never covered by allowMissingKeys; under null an index is silently empty.
function indexStep(index: number): PathFunction {
  return (inputs) => {
    const out: unknown[] = [];
    for (const input of inputs) {
      if (input === null || input === undefined) continue;
      if (!Array.isArray(input)) return notAnArray(input);
      const at = index < 0 ? index + input.length : index;
      if (at < 0 || at >= input.length) return indexOutOfBounds(at, input.length);
      out.push(input[at]);
    }
    return out;
  };
}

const allElementsStep: PathFunction = (inputs) => {
  // One array in (`{[*]}` on a top-level array, `.items[*]`): one copy of it, not a push per element, which grew the
  // list through a dozen reallocations (27 ms of a fresh worker's time on a 200,000-element array, issue 17).
  const only = inputs.length === 1 ? inputs[0] : undefined;
  if (Array.isArray(only)) return only.slice();
  const out: unknown[] = [];
  for (const input of inputs) {
    if (input === null || input === undefined) continue;
    if (!Array.isArray(input)) return notAnArray(input);
    for (const element of input) out.push(element);
  }
  return out;
};

// Not clamped, as client-go: a bound past the end is an error, an empty range (start == end) is not.
// client-go returns at the first empty range and drops the inputs after it ({.a[*].tags[*]} loses every
// tag after an empty tags list); we go on to the next input.
function sliceStep(start: number | undefined, end: number | undefined, stride: number): PathFunction {
  return (inputs) => {
    const out: unknown[] = [];
    for (const input of inputs) {
      if (input === null || input === undefined) continue;
      if (!Array.isArray(input)) return notAnArray(input);
      const length = input.length;
      let from = start ?? 0;
      if (from < 0) from += length;
      let to = end ?? length;
      if (to < 0) to += length;
      if (from === to) continue;
      if (from < 0 || from >= length) return indexOutOfBounds(from, length);
      if (to < 0 || to > length) return indexOutOfBounds(to - 1, length);
      if (from > to) return failure(`starting index ${from} is greater than ending index ${to}`);
      for (let i = from; i < to; i += stride) out.push(input[i]);
    }
    return out;
  };
}

// Children as `.*` sees them: elements, member values (JS property order), or a string's UTF-8 bytes.
function pushChildren(value: unknown, out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const element of value) out.push(element);
  } else if (typeof value === 'object') {
    for (const member of Object.values(value)) out.push(member);
  } else if (typeof value === 'string') {
    for (const byte of Buffer.from(value, 'utf8')) out.push(byte);
  }
}

const wildcardStep: PathFunction = (inputs) => {
  const out: unknown[] = [];
  for (const input of inputs) pushChildren(input, out);
  return out;
};

// `..` yields every value that has children (including non-empty strings, as client-go), depth first.
function collectDescendants(value: unknown, out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    out.push(value);
    for (const element of value) collectDescendants(element, out);
  } else if (typeof value === 'object') {
    const members = Object.values(value);
    if (members.length === 0) return;
    out.push(value);
    for (const member of members) collectDescendants(member, out);
  } else if (typeof value === 'string' && value.length > 0) {
    out.push(value);
  }
}

// Charged after each input: one input adds at most its own nodes, many inputs (a second `..`) multiply them.
const recursiveStep: PathFunction = (inputs) => {
  const out: unknown[] = [];
  for (const input of inputs) {
    collectDescendants(input, out);
    chargeList(out.length);
  }
  return out;
};

// Each branch runs on all inputs, so results group by branch: {.s[*]['name','clients']} → a b 4 1.
function unionStep(branches: readonly PathFunction[]): PathFunction {
  return (inputs, allowMissingKeys) => {
    const out: unknown[] = [];
    for (const branch of branches) {
      const result = branch(inputs, allowMissingKeys);
      if (result instanceof EvalFailure) return result;
      for (const value of result) out.push(value);
    }
    return out;
  };
}

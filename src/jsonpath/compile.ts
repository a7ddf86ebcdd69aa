// AST → CompiledTemplate: closures that select matches and print them as client-go does.
import type { Step, TemplateAst, TemplatePart } from './ast.js';
import { activeBudget, type BudgetStop, chargeList, enterBudget, leaveBudget, stopFromThrown } from './budget.js';
import { JsonPathSyntaxError } from './errors.js';
import { checkFallbackFilter } from './fallback.js';
import { EvalFailure } from './failure.js';
import {
  compileSingularWalk,
  NO_VALUE,
  singularAccessors,
  type PathFunction,
  type SingularWalk,
} from './field-walk.js';
import { formatValue, type NumberText } from './print.js';
import { compilePath } from './steps.js';

export interface EvalOptions {
  /** A key missing in every input yields an empty result instead of an error (index errors stay errors). */
  readonly allowMissingKeys?: boolean;
  /** How `print` writes a number matched at top level; default `go` (client-go's text). */
  readonly numbers?: NumberText;
}

/** `stopped`: the evaluation budget stopped it (budget.ts); the whole scrape fails with that reason, not one value. */
export type EvalFailed = { ok: false; error: string; missing: boolean; stopped?: BudgetStop };
export type Selection = { ok: true; values: unknown[] } | EvalFailed;
export type PrintResult = { ok: true; text: string } | EvalFailed;

export interface CompiledTemplate {
  readonly text: string;
  /** True when the template is exactly one {…} block with no literal text and no range: its matches are the value. */
  readonly isSingleBlock: boolean;
  /**
   * Set when the template is one singular path (`{.a.b}`, `{.a[0].c}`): the walk itself, giving the value, NO_VALUE
   * (nothing, not an error) or an EvalFailure. What select() and print() do, without their result objects: the
   * hot path calls it ten times per SRS stream.
   */
  readonly walk: SingularWalk | undefined;
  /**
   * Every match, in the order client-go prints them (unions group by branch: {.s[*]['name','clients']} → a b 4 1).
   * Literal text outside blocks counts as a string match, as in client-go's FindResults.
   */
  select(doc: unknown, options?: EvalOptions): Selection;
  /** The string client-go prints (matches of one block joined by one space; blocks and literal text concatenated). */
  print(doc: unknown, options?: EvalOptions): PrintResult;
}

type CompiledPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'block'; readonly path: PathFunction }
  | { readonly kind: 'range'; readonly path: PathFunction; readonly body: readonly CompiledPart[] };

/** Compiles a parsed template. Throws JsonPathSyntaxError for a `&&`/`||` filter jsonpath-plus rejects. */
export function compileAst(ast: TemplateAst): CompiledTemplate {
  checkFallbackFilters(ast.text, ast.parts);
  const only = ast.parts.length === 1 ? ast.parts[0] : undefined;
  if (only?.kind === 'block') {
    const accessors = singularAccessors(only.path);
    if (accessors !== undefined) return new SingularPathTemplate(ast.text, compileSingularWalk(accessors));
    return new SingleBlockTemplate(ast.text, compilePath(only.path));
  }
  return new GeneralTemplate(ast.text, ast.parts.map(compilePart), compileSingularConcat(ast.parts));
}

/** Text and singular blocks only (`{.video.width}x{.video.height}`): the printer walks each block directly. */
type ConcatPrinter = (doc: unknown, allowMissingKeys: boolean, numbers: NumberText | undefined) => string | EvalFailure;

function compileSingularConcat(parts: readonly TemplatePart[]): ConcatPrinter | undefined {
  const pieces: Array<string | SingularWalk> = [];
  for (const part of parts) {
    if (part.kind === 'text') pieces.push(part.text);
    else if (part.kind === 'range') return undefined;
    else {
      const accessors = singularAccessors(part.path);
      if (accessors === undefined) return undefined;
      pieces.push(compileSingularWalk(accessors));
    }
  }
  // The same output as printParts: a block that matches nothing prints '', one that fails fails the template.
  return (doc, allowMissingKeys, numbers) => {
    let text = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        text += piece;
        continue;
      }
      const value = piece(doc, allowMissingKeys);
      if (value instanceof EvalFailure) return value;
      if (value !== NO_VALUE) text += formatValue(value, numbers);
    }
    return text;
  };
}

function compilePart(part: TemplatePart): CompiledPart {
  switch (part.kind) {
    case 'text':
      return part;
    case 'block':
      return { kind: 'block', path: compilePath(part.path) };
    case 'range':
      return { kind: 'range', path: compilePath(part.path), body: part.body.map(compilePart) };
  }
}

function checkFallbackFilters(text: string, parts: readonly TemplatePart[]): void {
  const visit = (steps: readonly Step[]): void => {
    for (const step of steps) {
      if (step.kind === 'fallbackFilter') {
        const problem = checkFallbackFilter(step.expression);
        if (problem !== undefined)
          throw new JsonPathSyntaxError(text, step.position, `filter expression rejected: ${problem}`);
      } else if (step.kind === 'union') {
        step.branches.forEach(visit);
      } else if (step.kind === 'filter') {
        visit(step.left);
        visit(step.right);
      } else if (step.kind === 'exists') {
        visit(step.path);
      }
    }
  };
  for (const part of parts) {
    if (part.kind === 'block') visit(part.path);
    else if (part.kind === 'range') {
      visit(part.path);
      checkFallbackFilters(text, part.body);
    }
  }
}

function failed(failure: EvalFailure): EvalFailed {
  return { ok: false, error: failure.message, missing: failure.missing };
}

/**
 * Runs one evaluation under the thread's budget (a default one when the hot path installed none): a budget stop,
 * a stack exhausted by deep nesting or a V8 size limit becomes a failure value instead of a throw (or a process
 * abort, which is what V8 does past its array limit).
 */
function guarded<T>(evaluate: () => T | EvalFailed): T | EvalFailed {
  const { budget, outer } = enterBudget();
  try {
    return evaluate();
  } catch (thrown) {
    const stop = stopFromThrown(budget, thrown);
    return { ok: false, error: budget.detail, missing: false, stopped: stop.stop };
  } finally {
    leaveBudget(outer);
  }
}

/** The matches of one block, joined by one space as client-go prints them. */
function joinValues(values: readonly unknown[], numbers: NumberText | undefined): string {
  if (values.length === 1) return formatValue(values[0], numbers);
  const budget = activeBudget();
  let text = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ' ';
    text += formatValue(values[i], numbers);
    budget?.chargePrinted(text.length);
  }
  return text;
}

// `{.a.b.c}`, `{.data[0].value}`, `{$}`: the hot case, with no lists at all.
class SingularPathTemplate implements CompiledTemplate {
  readonly isSingleBlock = true;

  constructor(
    readonly text: string,
    readonly walk: SingularWalk,
  ) {}

  select(doc: unknown, options?: EvalOptions): Selection {
    const value = this.walk(doc, options?.allowMissingKeys === true);
    if (value === NO_VALUE) return { ok: true, values: [] };
    if (value instanceof EvalFailure) return failed(value);
    return { ok: true, values: [value] };
  }

  print(doc: unknown, options?: EvalOptions): PrintResult {
    const value = this.walk(doc, options?.allowMissingKeys === true);
    if (value === NO_VALUE) return { ok: true, text: '' };
    if (value instanceof EvalFailure) return failed(value);
    // Scalars print without recursion; an object or array may be nested deeper than the stack allows.
    if (value === null || typeof value !== 'object') return { ok: true, text: formatValue(value, options?.numbers) };
    return guarded((): PrintResult => ({ ok: true, text: formatValue(value, options?.numbers) }));
  }
}

class SingleBlockTemplate implements CompiledTemplate {
  readonly isSingleBlock = true;
  readonly walk = undefined;

  constructor(
    readonly text: string,
    private readonly path: PathFunction,
  ) {}

  select(doc: unknown, options?: EvalOptions): Selection {
    return guarded((): Selection => {
      const values = this.path([doc], options?.allowMissingKeys === true);
      return values instanceof EvalFailure ? failed(values) : { ok: true, values };
    });
  }

  print(doc: unknown, options?: EvalOptions): PrintResult {
    return guarded((): PrintResult => {
      const values = this.path([doc], options?.allowMissingKeys === true);
      return values instanceof EvalFailure ? failed(values) : { ok: true, text: joinValues(values, options?.numbers) };
    });
  }
}

// Literal text, several blocks, {range}…{end}: every part is evaluated before anything is returned,
// so one failing part fails the whole template, as in client-go.
class GeneralTemplate implements CompiledTemplate {
  readonly isSingleBlock = false;
  readonly walk = undefined;

  constructor(
    readonly text: string,
    private readonly parts: readonly CompiledPart[],
    private readonly concat: ConcatPrinter | undefined,
  ) {}

  select(doc: unknown, options?: EvalOptions): Selection {
    return guarded((): Selection => {
      const values: unknown[] = [];
      const failure = selectParts(this.parts, doc, options?.allowMissingKeys === true, values);
      return failure === undefined ? { ok: true, values } : failed(failure);
    });
  }

  print(doc: unknown, options?: EvalOptions): PrintResult {
    return guarded((): PrintResult => {
      const allowMissingKeys = options?.allowMissingKeys === true;
      const numbers = options?.numbers;
      const text =
        this.concat === undefined
          ? printParts(this.parts, doc, allowMissingKeys, numbers)
          : this.concat(doc, allowMissingKeys, numbers);
      return text instanceof EvalFailure ? failed(text) : { ok: true, text };
    });
  }
}

function selectParts(
  parts: readonly CompiledPart[],
  doc: unknown,
  allowMissingKeys: boolean,
  out: unknown[],
): EvalFailure | undefined {
  for (const part of parts) {
    if (part.kind === 'text') {
      out.push(part.text);
      continue;
    }
    const values = part.path([doc], allowMissingKeys);
    if (values instanceof EvalFailure) return values;
    if (part.kind === 'block') {
      for (const value of values) out.push(value);
      chargeList(out.length);
      continue;
    }
    for (const element of values) {
      const failure = selectParts(part.body, element, allowMissingKeys, out);
      if (failure !== undefined) return failure;
    }
  }
  return undefined;
}

function printParts(
  parts: readonly CompiledPart[],
  doc: unknown,
  allowMissingKeys: boolean,
  numbers: NumberText | undefined,
): string | EvalFailure {
  let text = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      text += part.text;
      continue;
    }
    const values = part.path([doc], allowMissingKeys);
    if (values instanceof EvalFailure) return values;
    if (part.kind === 'block') {
      text += joinValues(values, numbers);
      activeBudget()?.chargePrinted(text.length);
      continue;
    }
    // {range}: the body once per element. An empty range prints nothing; client-go instead runs the body
    // once on nil to find {end}, which fails with "… is not found" unless allowMissingKeys.
    for (const element of values) {
      const body = printParts(part.body, element, allowMissingKeys, numbers);
      if (body instanceof EvalFailure) return body;
      text += body;
      activeBudget()?.chargePrinted(text.length);
    }
  }
  return text;
}

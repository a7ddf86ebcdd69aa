// AST → CompiledTemplate: closures that select matches and print them as client-go does.
import type { Step, TemplateAst, TemplatePart } from './ast.js';
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

export type Selection = { ok: true; values: unknown[] } | { ok: false; error: string; missing: boolean };
export type PrintResult = { ok: true; text: string } | { ok: false; error: string; missing: boolean };

export interface CompiledTemplate {
  readonly text: string;
  /** True when the template is exactly one {…} block with no literal text and no range: its matches are the value. */
  readonly isSingleBlock: boolean;
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
  return new GeneralTemplate(ast.text, ast.parts.map(compilePart));
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

function failed(failure: EvalFailure): { ok: false; error: string; missing: boolean } {
  return { ok: false, error: failure.message, missing: failure.missing };
}

/** The matches of one block, joined by one space as client-go prints them. */
function joinValues(values: readonly unknown[], numbers: NumberText | undefined): string {
  if (values.length === 1) return formatValue(values[0], numbers);
  let text = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ' ';
    text += formatValue(values[i], numbers);
  }
  return text;
}

// `{.a.b.c}`, `{.data[0].value}`, `{$}`: the hot case, with no lists at all.
class SingularPathTemplate implements CompiledTemplate {
  readonly isSingleBlock = true;

  constructor(
    readonly text: string,
    private readonly walk: SingularWalk,
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
    return { ok: true, text: formatValue(value, options?.numbers) };
  }
}

class SingleBlockTemplate implements CompiledTemplate {
  readonly isSingleBlock = true;

  constructor(
    readonly text: string,
    private readonly path: PathFunction,
  ) {}

  select(doc: unknown, options?: EvalOptions): Selection {
    const values = this.path([doc], options?.allowMissingKeys === true);
    return values instanceof EvalFailure ? failed(values) : { ok: true, values };
  }

  print(doc: unknown, options?: EvalOptions): PrintResult {
    const values = this.path([doc], options?.allowMissingKeys === true);
    return values instanceof EvalFailure ? failed(values) : { ok: true, text: joinValues(values, options?.numbers) };
  }
}

// Literal text, several blocks, {range}…{end}: every part is evaluated before anything is returned,
// so one failing part fails the whole template, as in client-go.
class GeneralTemplate implements CompiledTemplate {
  readonly isSingleBlock = false;

  constructor(
    readonly text: string,
    private readonly parts: readonly CompiledPart[],
  ) {}

  select(doc: unknown, options?: EvalOptions): Selection {
    const values: unknown[] = [];
    const failure = selectParts(this.parts, doc, options?.allowMissingKeys === true, values);
    return failure === undefined ? { ok: true, values } : failed(failure);
  }

  print(doc: unknown, options?: EvalOptions): PrintResult {
    const text = printParts(this.parts, doc, options?.allowMissingKeys === true, options?.numbers);
    return text instanceof EvalFailure ? failed(text) : { ok: true, text };
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
      continue;
    }
    // {range}: the body once per element. An empty range prints nothing; client-go instead runs the body
    // once on nil to find {end}, which fails with "… is not found" unless allowMissingKeys.
    for (const element of values) {
      const body = printParts(part.body, element, allowMissingKeys, numbers);
      if (body instanceof EvalFailure) return body;
      text += body;
    }
  }
  return text;
}

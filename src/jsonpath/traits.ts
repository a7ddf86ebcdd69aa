// What a template needs of a document before it runs: the kind of root it reads, and whether it hands work to
// jsonpath-plus (whose filter expressions may run regular expressions no budget can interrupt).
import type { Step, TemplatePart } from './ast.js';
import { parseTemplate } from './parse.js';

/** `object`: every block starts with a key; `array`: with an index, slice or filter; `any`: anything else. */
export type RootKind = 'object' | 'array' | 'any';

export interface TemplateTraits {
  readonly root: RootKind;
  /** A `&&`/`||` filter evaluated by jsonpath-plus: JavaScript-like expressions, regular expressions included. */
  readonly usesFallbackFilter: boolean;
}

function firstStepRoot(path: readonly Step[]): RootKind {
  const first = path[0];
  if (first === undefined) return 'any';
  switch (first.kind) {
    case 'field':
      return 'object';
    case 'index':
    case 'slice':
    case 'filter':
    case 'exists':
    case 'fallbackFilter':
      return 'array';
    default:
      return 'any';
  }
}

function usesFallback(steps: readonly Step[]): boolean {
  return steps.some((step) => {
    switch (step.kind) {
      case 'fallbackFilter':
        return true;
      case 'union':
        return step.branches.some(usesFallback);
      case 'filter':
        return usesFallback(step.left) || usesFallback(step.right);
      case 'exists':
        return usesFallback(step.path);
      default:
        return false;
    }
  });
}

function visit(parts: readonly TemplatePart[], roots: Set<RootKind>, fallback: { found: boolean }, top: boolean): void {
  for (const part of parts) {
    if (part.kind === 'text') continue;
    if (top) roots.add(firstStepRoot(part.path));
    if (usesFallback(part.path)) fallback.found = true;
    // A range body runs on the range's elements, not on the document.
    if (part.kind === 'range') visit(part.body, roots, fallback, false);
  }
}

/** The traits of a template the config already validated (a syntax error throws, as compileTemplate does). */
export function templateTraits(text: string): TemplateTraits {
  const roots = new Set<RootKind>();
  const fallback = { found: false };
  visit(parseTemplate(text).parts, roots, fallback, true);
  const root: RootKind = roots.size === 1 ? ([...roots][0] as RootKind) : 'any';
  return { root, usesFallbackFilter: fallback.found };
}

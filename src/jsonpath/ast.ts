// The parsed form of a Kubernetes-style JSONPath template: literal text, {…} blocks and {range}…{end} sections.

/** One step of a path inside {…}; every step maps a list of inputs to a list of outputs. */
export type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'recursive' }
  | { readonly kind: 'index'; readonly index: number }
  /** `[a:b:c]`; an absent bound is undefined (`[*]` is a slice with all three absent). */
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number; readonly step?: number }
  | { readonly kind: 'union'; readonly branches: readonly (readonly Step[])[] }
  | {
      readonly kind: 'filter';
      readonly left: readonly Step[];
      readonly operator: FilterOperator;
      readonly right: readonly Step[];
    }
  | { readonly kind: 'exists'; readonly path: readonly Step[] }
  /** A filter with `&&` / `||`, which the k8s grammar lacks: evaluated by jsonpath-plus (see fallback.ts). */
  | { readonly kind: 'fallbackFilter'; readonly expression: string; readonly position: number }
  /** A quoted string, number or true/false: replaces each input with the constant. */
  | { readonly kind: 'literal'; readonly value: string | number | boolean };

export type FilterOperator = '==' | '!=' | '<' | '>' | '<=' | '>=';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'block'; readonly path: readonly Step[] }
  | { readonly kind: 'range'; readonly path: readonly Step[]; readonly body: readonly TemplatePart[] };

export interface TemplateAst {
  readonly text: string;
  readonly parts: readonly TemplatePart[];
}

// The body template's syntax tree, the shape of Go's text/template/parse nodes that the subset needs.

export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | BreakNode | ContinueNode;

export interface TextNode {
  readonly type: 'text';
  readonly text: string;
}
export interface ActionNode {
  readonly type: 'action';
  readonly offset: number;
  readonly pipe: Pipeline;
}
export interface IfNode {
  readonly type: 'if';
  readonly offset: number;
  readonly pipe: Pipeline;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | undefined;
}
export interface WithNode {
  readonly type: 'with';
  readonly offset: number;
  readonly pipe: Pipeline;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | undefined;
}
export interface RangeNode {
  readonly type: 'range';
  readonly offset: number;
  readonly pipe: Pipeline;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | undefined;
}
export interface BreakNode {
  readonly type: 'break';
  readonly offset: number;
}
export interface ContinueNode {
  readonly type: 'continue';
  readonly offset: number;
}

export interface Pipeline {
  readonly offset: number;
  /** Variables declared (`:=`) or assigned (`=`) by this pipeline. */
  readonly variables: readonly string[];
  readonly isAssign: boolean;
  readonly commands: readonly Command[];
}

export interface Command {
  readonly offset: number;
  readonly args: readonly Operand[];
}

export type Operand =
  | { readonly type: 'field'; readonly offset: number; readonly fields: readonly string[] }
  | { readonly type: 'variable'; readonly offset: number; readonly name: string; readonly fields: readonly string[] }
  | { readonly type: 'function'; readonly offset: number; readonly name: string }
  | { readonly type: 'dot'; readonly offset: number }
  | { readonly type: 'nil'; readonly offset: number }
  | { readonly type: 'string'; readonly offset: number; readonly value: string }
  | { readonly type: 'number'; readonly offset: number; readonly text: string; readonly value: bigint | number }
  | { readonly type: 'bool'; readonly offset: number; readonly value: boolean }
  | { readonly type: 'pipe'; readonly offset: number; readonly pipe: Pipeline }
  | { readonly type: 'chain'; readonly offset: number; readonly node: Operand; readonly fields: readonly string[] };

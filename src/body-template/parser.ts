// Parser for the body template: tokens → syntax tree, with text/template's checks done at compile time
// (undefined variables, unknown functions, stray {{end}}), so a bad template fails at config load.
import type { Command, Node, Operand, Pipeline } from './ast.js';
import { throwTemplateError, tokenize, type Token } from './lexer.js';

export interface FunctionCatalog {
  /** undefined when the function is supported, else why not (the message for the user). */
  readonly rejectionOf: (name: string) => string | undefined;
}

type ListStop = 'eof' | 'end' | 'else';

export function parseTemplate(source: string, functions: FunctionCatalog): readonly Node[] {
  return new Parser(source, tokenize(source), functions).parse();
}

class Parser {
  private pos = 0;
  private readonly variables: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly functions: FunctionCatalog,
  ) {}

  parse(): readonly Node[] {
    const { nodes, stop, offset } = this.parseList();
    if (stop !== 'eof') this.fail(offset, `unexpected {{${stop}}}`);
    return nodes;
  }

  private peek(): Token {
    return this.tokens[this.pos] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const token = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos += 1;
    return token;
  }

  private fail(offset: number, message: string): never {
    throwTemplateError(this.source, offset, message);
  }

  private expect(kind: Token['kind'], context: string): Token {
    const token = this.next();
    if (token.kind !== kind) this.fail(token.offset, `unexpected ${describe(token)} in ${context}`);
    return token;
  }

  private parseList(): { nodes: Node[]; stop: ListStop; offset: number } {
    const nodes: Node[] = [];
    for (;;) {
      const token = this.next();
      if (token.kind === 'eof') return { nodes, stop: 'eof', offset: token.offset };
      if (token.kind === 'text') {
        nodes.push({ type: 'text', text: token.value });
        continue;
      }
      const head = this.peek();
      if (head.kind === 'keyword' && head.value === 'end') {
        this.next();
        this.expect('rightDelim', 'end');
        return { nodes, stop: 'end', offset: head.offset };
      }
      if (head.kind === 'keyword' && head.value === 'else') {
        this.next();
        return { nodes, stop: 'else', offset: head.offset };
      }
      nodes.push(this.parseAction());
    }
  }

  private parseAction(): Node {
    const head = this.peek();
    if (head.kind === 'keyword') {
      this.next();
      switch (head.value) {
        case 'if':
        case 'with':
        case 'range':
          return this.parseControl(head.value, head.offset);
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(head.offset, `{{${head.value}}} outside {{range}}`);
          this.expect('rightDelim', head.value);
          return { type: head.value, offset: head.offset };
        default:
          throwTemplateError(
            this.source,
            head.offset,
            `{{${head.value}}} is not supported in a body template (one template, no sub-templates)`,
            'FJE_BODY_TEMPLATE_UNSUPPORTED',
          );
      }
    }
    return { type: 'action', offset: head.offset, pipe: this.parsePipeline('command', 'rightDelim') };
  }

  private parseControl(kind: 'if' | 'with' | 'range', offset: number): Node {
    const scope = this.variables.length;
    const pipe = this.parsePipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth += 1;
    const body = this.parseList();
    if (kind === 'range') this.rangeDepth -= 1;
    if (body.stop === 'eof') this.fail(body.offset, `unexpected EOF: {{${kind}}} has no {{end}}`);
    let elseList: Node[] | undefined;
    if (body.stop === 'else') {
      const chained = this.peek();
      if (kind !== 'range' && chained.kind === 'keyword' && chained.value === kind) {
        this.next();
        elseList = [this.parseControl(kind, chained.offset)]; // {{else if}} shares the outer {{end}}
      } else {
        this.expect('rightDelim', 'else');
        const alternative = this.parseList();
        if (alternative.stop !== 'end')
          this.fail(
            alternative.offset,
            `expected {{end}}; found {{${alternative.stop === 'eof' ? 'EOF' : alternative.stop}}}`,
          );
        elseList = alternative.nodes;
      }
    }
    this.variables.length = scope;
    return { type: kind, offset, pipe, list: body.nodes, elseList };
  }

  private parsePipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const offset = this.peek().offset;
    const variables: string[] = [];
    let isAssign = false;
    const first = this.peek();
    const after = this.tokens[this.pos + 1];
    if (
      first.kind === 'variable' &&
      after !== undefined &&
      (after.kind === 'declare' || after.kind === 'assign' || (after.kind === 'comma' && context === 'range'))
    ) {
      this.next();
      variables.push(first.value);
      if (this.peek().kind === 'comma') {
        this.next();
        variables.push(this.expect('variable', 'range declaration').value);
      }
      const operator = this.next();
      if (operator.kind !== 'declare' && operator.kind !== 'assign')
        this.fail(operator.offset, `unexpected ${describe(operator)} in ${context}`);
      isAssign = operator.kind === 'assign';
      for (const name of variables) {
        if (isAssign && !this.variables.includes(name)) this.fail(first.offset, `undefined variable "${name}"`);
        if (!isAssign) this.variables.push(name);
      }
    }
    const commands: Command[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === end) break;
      if (token.kind === 'eof' || token.kind === 'rightDelim' || token.kind === 'rightParen')
        this.fail(token.offset, `unexpected ${describe(token)} in ${context}`);
      commands.push(this.parseCommand(context));
      if (this.peek().kind === 'pipe') {
        this.next();
        if (this.peek().kind === end) this.fail(this.peek().offset, `missing command after | in ${context}`);
      }
    }
    const close = this.next();
    if (commands.length === 0) this.fail(close.offset, `missing value for ${context}`);
    commands.forEach((command, stage) => {
      const head = command.args[0];
      if (stage > 0 && head !== undefined && ['dot', 'nil', 'bool', 'number', 'string'].includes(head.type)) {
        this.fail(command.offset, `non executable command in pipeline stage ${stage + 1}`);
      }
    });
    return { offset, variables, isAssign, commands };
  }

  private parseCommand(context: string): Command {
    const offset = this.peek().offset;
    const args: Operand[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'rightDelim' || token.kind === 'rightParen' || token.kind === 'pipe') break;
      if (args.length > 0 && !token.spaceBefore) this.fail(token.offset, `unexpected ${describe(token)} in operand`);
      args.push(this.parseOperand(context));
    }
    return { offset, args };
  }

  private parseOperand(context: string): Operand {
    const term = this.parseTerm(context);
    const fields: string[] = [];
    while (this.peek().kind === 'field' && !this.peek().spaceBefore) fields.push(this.next().value);
    if (fields.length === 0) return term;
    switch (term.type) {
      case 'field':
      case 'variable':
        return { ...term, fields: [...term.fields, ...fields] };
      case 'function':
      case 'pipe':
      case 'chain':
        return { type: 'chain', offset: term.offset, node: term, fields };
      default:
        this.fail(
          term.offset,
          `unexpected . after term "${this.source.slice(term.offset, this.peek().offset).trim()}"`,
        );
    }
  }

  private parseTerm(context: string): Operand {
    const token = this.next();
    const offset = token.offset;
    switch (token.kind) {
      case 'identifier': {
        const rejection = this.functions.rejectionOf(token.value);
        if (rejection !== undefined)
          throwTemplateError(this.source, offset, rejection, 'FJE_BODY_TEMPLATE_UNSUPPORTED');
        return { type: 'function', offset, name: token.value };
      }
      case 'dot':
        return { type: 'dot', offset };
      case 'nil':
        return { type: 'nil', offset };
      case 'variable':
        if (!this.variables.includes(token.value)) this.fail(offset, `undefined variable "${token.value}"`);
        return { type: 'variable', offset, name: token.value, fields: [] };
      case 'field':
        return { type: 'field', offset, fields: [token.value] };
      case 'bool':
        return { type: 'bool', offset, value: token.value === 'true' };
      case 'string':
        return { type: 'string', offset, value: token.value };
      case 'char':
        return { type: 'number', offset, text: token.value, value: BigInt(token.value) };
      case 'number':
        return { type: 'number', offset, text: token.value, value: this.parseNumber(token) };
      case 'leftParen':
        return { type: 'pipe', offset, pipe: this.parsePipeline('parenthesized pipeline', 'rightParen') };
      default:
        this.fail(offset, `unexpected ${describe(token)} in ${context}`);
    }
  }

  /** Go's untyped constants: an integer literal is an int (int64 range), anything with . e p is a float64. */
  private parseNumber(token: Token): bigint | number {
    const text = token.value.replace(/_/g, '');
    if (text.endsWith('i')) this.fail(token.offset, `complex number ${token.value} is not supported`);
    const negative = text.startsWith('-');
    const unsigned = text.replace(/^[+-]/, '');
    const hex = /^0[xX]/.test(unsigned);
    if (!(hex ? /[pP.]/.test(unsigned) : /[.eE]/.test(unsigned))) {
      const legacyOctal = /^0[0-7]+$/.test(unsigned) ? `0o${unsigned.slice(1)}` : unsigned;
      try {
        const magnitude = BigInt(legacyOctal);
        const value = negative ? -magnitude : magnitude;
        if (BigInt.asIntN(64, value) === value) return value;
        return Number(value);
      } catch {
        this.fail(token.offset, `illegal number syntax: "${token.value}"`);
      }
    }
    const value = Number(text);
    if (Number.isNaN(value)) this.fail(token.offset, `illegal number syntax: "${token.value}"`);
    return value;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'EOF';
    case 'rightDelim':
      return '"}}"';
    case 'text':
      return 'text';
    default:
      return JSON.stringify(token.value);
  }
}

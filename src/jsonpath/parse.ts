// Template text → AST, following the grammar of client-go's util/jsonpath parser (see JSONPATH.md).
import type { FilterOperator, Step, TemplateAst, TemplatePart } from './ast.js';
import { JsonPathSyntaxError } from './errors.js';
import { decodeGoEscape, readArraySubscript } from './parse-literals.js';

const FILTER_OPERATORS: ReadonlySet<string> = new Set(['==', '!=', '<', '>', '<=', '>=']);
const WORD_CHARACTER = /^[\p{L}\p{Nd}_]$/u;

/** Parses a whole template. Throws JsonPathSyntaxError with the offset of the problem. */
export function parseTemplate(text: string): TemplateAst {
  return { text, parts: new TemplateParser(text).parseParts() };
}

// Characters that end a field name or identifier, as in client-go's isTerminator.
function isTerminator(c: string | undefined): boolean {
  switch (c) {
    case undefined:
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '.':
    case ',':
    case '[':
    case ']':
    case '$':
    case '@':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

class TemplateParser {
  constructor(private readonly text: string) {}

  private fail(position: number, reason: string): never {
    throw new JsonPathSyntaxError(this.text, position, reason);
  }

  parseParts(): TemplatePart[] {
    const text = this.text;
    const root: TemplatePart[] = [];
    // Open {range} sections: the parts list to resume and where the range block started.
    const open: { outer: TemplatePart[]; path: readonly Step[]; start: number }[] = [];
    let parts = root;
    let pos = 0;
    while (pos < text.length) {
      const brace = text.indexOf('{', pos);
      if (brace === -1) {
        parts.push({ kind: 'text', text: text.slice(pos) });
        break;
      }
      if (brace > pos) parts.push({ kind: 'text', text: text.slice(pos, brace) });
      const keyword = this.readBlockKeyword(brace + 1);
      if (keyword?.word === 'range') {
        const [path, next] = this.parseSteps(keyword.end, text.length, brace);
        open.push({ outer: parts, path, start: brace });
        parts = [];
        pos = next;
      } else if (keyword?.word === 'end') {
        const close = this.skipSpaces(keyword.end);
        if (text[close] !== '}') this.fail(close, '{end} takes nothing else inside its braces');
        const section = open.pop();
        if (section === undefined) this.fail(brace, '{end} without a matching {range …}');
        section.outer.push({ kind: 'range', path: section.path, body: parts });
        parts = section.outer;
        pos = close + 1;
      } else {
        const [path, next] = this.parseSteps(brace + 1, text.length, brace);
        parts.push({ kind: 'block', path });
        pos = next;
      }
    }
    const unclosed = open.pop();
    if (unclosed !== undefined) this.fail(unclosed.start, '{range …} without a matching {end}');
    return root;
  }

  private skipSpaces(pos: number): number {
    while (this.text[pos] === ' ') pos++;
    return pos;
  }

  // `range` and `end` are only keywords as the first word of a block.
  private readBlockKeyword(pos: number): { word: string; end: number } | undefined {
    const start = this.skipSpaces(pos);
    let end = start;
    while (!isTerminator(this.text[end])) end++;
    const word = this.text.slice(start, end);
    return word === 'range' || word === 'end' ? { word, end } : undefined;
  }

  /**
   * Parses steps from `pos` up to `limit`. With `blockStart` set, the steps are the body of a {…} block
   * and end at its `}` (the returned position is just past it); otherwise they run to `limit`.
   */
  private parseSteps(pos: number, limit: number, blockStart?: number): [Step[], number] {
    const text = this.text;
    const steps: Step[] = [];
    for (;;) {
      if (pos >= limit) {
        if (blockStart !== undefined) this.fail(blockStart, 'unclosed block: missing "}"');
        return [steps, pos];
      }
      const c = text[pos] as string;
      if (c === '}' && blockStart !== undefined) return [steps, pos + 1];
      if (text.startsWith('[?(', pos)) {
        pos = this.parseFilter(pos, limit, steps);
        continue;
      }
      if (text.startsWith('..', pos)) {
        if (steps.at(-1)?.kind === 'recursive') this.fail(pos, 'invalid multiple recursive descent');
        steps.push({ kind: 'recursive' });
        pos += 2;
        // `..name` and `..*` need no dot of their own.
        if (text[pos] === '*') {
          steps.push({ kind: 'wildcard' });
          pos++;
        } else if (pos < limit && WORD_CHARACTER.test(text[pos] as string)) {
          pos = this.parseField(pos, limit, steps);
        }
        continue;
      }
      switch (c) {
        case ' ':
        case '@':
        case '$':
          pos++;
          continue;
        case '\t':
          this.fail(pos, 'tab inside a {…} block (only spaces are allowed)');
          break;
        case '\n':
        case '\r':
          this.fail(pos, 'line break inside a {…} block');
          break;
        case '[':
          pos = this.parseSubscript(pos, limit, steps);
          continue;
        case '"':
        case "'":
          pos = this.parseQuoted(pos, limit, steps);
          continue;
        case '.':
          pos = this.parseField(pos + 1, limit, steps);
          continue;
      }
      if (c === '+' || c === '-' || isDigit(c)) {
        pos = this.parseNumber(pos, limit, steps);
        continue;
      }
      if (WORD_CHARACTER.test(c)) {
        let end = pos;
        while (end < limit && !isTerminator(text[end])) end++;
        const word = text.slice(pos, end);
        if (word === 'true' || word === 'false') steps.push({ kind: 'literal', value: word === 'true' });
        else if (word === 'range' || word === 'end') this.fail(pos, `"${word}" must be the first word of its block`);
        else this.fail(pos, `unrecognized identifier "${word}" (a field needs a leading dot: ".${word}")`);
        pos = end;
        continue;
      }
      this.fail(pos, `unrecognized character ${JSON.stringify(c)} in block`);
    }
  }

  // A field name runs to the next terminator; a backslash makes the next character part of the name (`a\.b`).
  private parseField(pos: number, limit: number, steps: Step[]): number {
    const text = this.text;
    let name = '';
    while (pos < limit && !isTerminator(text[pos])) {
      if (text[pos] === '\\' && pos + 1 < limit) pos++;
      name += text[pos];
      pos++;
    }
    steps.push(name === '*' ? { kind: 'wildcard' } : { kind: 'field', name });
    return pos;
  }

  private parseNumber(pos: number, limit: number, steps: Step[]): number {
    const text = this.text;
    let end = pos + 1;
    while (end < limit && (isDigit(text[end]) || text[end] === '.')) end++;
    const literal = text.slice(pos, end);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(literal)) this.fail(pos, `cannot parse number ${literal}`);
    steps.push({ kind: 'literal', value: Number(literal) });
    return end;
  }

  private parseQuoted(pos: number, limit: number, steps: Step[]): number {
    const text = this.text;
    const quote = text[pos];
    let value = '';
    let i = pos + 1;
    for (;;) {
      const c = text[i];
      if (i >= limit || c === '\n' || c === undefined) this.fail(pos, 'unterminated quoted string');
      if (c === quote) break;
      if (c === '\\') {
        const decoded = decodeGoEscape(text, i, limit);
        if (decoded === undefined) this.fail(i, 'invalid escape sequence in quoted string');
        value += decoded.text;
        i = decoded.end;
        continue;
      }
      value += c;
      i++;
    }
    steps.push({ kind: 'literal', value });
    return i + 1;
  }

  private parseSubscript(pos: number, limit: number, steps: Step[]): number {
    const text = this.text;
    let close = pos + 1;
    while (close < limit && text[close] !== ']' && text[close] !== '\n') close++;
    if (close >= limit || text[close] !== ']') {
      // Point at the `}` that ended the block while the subscript was still open, when there is one.
      const brace = text.indexOf('}', pos);
      this.fail(brace !== -1 && brace < close ? brace : close, 'unterminated array subscript: missing "]"');
    }
    const pieces: { start: number; end: number }[] = [];
    let pieceStart = pos + 1;
    for (let i = pos + 1; i <= close; i++) {
      if (i === close || text[i] === ',') {
        pieces.push({ start: pieceStart, end: i });
        pieceStart = i + 1;
      }
    }
    if (pieces.length === 1) {
      this.parseSubscriptContent(pos + 1, close, steps);
    } else {
      // Each branch of a union is evaluated on all inputs: results group by branch.
      steps.push({
        kind: 'union',
        branches: pieces.map((piece) => {
          const branch: Step[] = [];
          this.parseSubscriptContent(piece.start, piece.end, branch);
          return branch;
        }),
      });
    }
    return close + 1;
  }

  private parseSubscriptContent(start: number, end: number, steps: Step[]): void {
    while (start < end && this.text[start] === ' ') start++;
    while (end > start && this.text[end - 1] === ' ') end--;
    const content = this.text.slice(start, end);
    if (content === '*') {
      steps.push({ kind: 'slice' });
      return;
    }
    if (
      content.length >= 2 &&
      content.startsWith("'") &&
      content.endsWith("'") &&
      !content.slice(1, -1).includes("'")
    ) {
      // ['a.b'] is the path a → b, exactly like .a.b (client-go parses the key as ".a.b").
      const keyEnd = end - 1;
      const next = this.parseField(start + 1, keyEnd, steps);
      const [more] = this.parseSteps(next, keyEnd);
      steps.push(...more);
      return;
    }
    if (content.startsWith('"')) this.fail(start, `keys in [] take single quotes: write ['${content.slice(1, -1)}']`);
    const subscript = readArraySubscript(content);
    if (typeof subscript === 'string') this.fail(start, subscript);
    steps.push(subscript);
  }

  private parseFilter(pos: number, limit: number, steps: Step[]): number {
    const text = this.text;
    const exprStart = pos + 3;
    let quote: string | undefined;
    // Balanced parentheses let `&&`/`||` expressions group; client-go has no parentheses at all.
    let depth = 0;
    let i = exprStart;
    for (; ; i++) {
      const c = text[i];
      if (i >= limit || c === undefined || c === '\n') this.fail(pos, 'unterminated filter: missing ")]"');
      if (quote !== undefined) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '(') {
        depth++;
      } else if (c === ')') {
        if (depth === 0) break;
        depth--;
      }
    }
    if (text[i + 1] !== ']') this.fail(i + 1, 'filter must end with ")]"');
    const expression = text.slice(exprStart, i);
    if (/&&|\|\|/.test(expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'))) {
      steps.push({ kind: 'fallbackFilter', expression, position: exprStart });
      return i + 2;
    }
    // As client-go: the left operand is everything before the first run of ! < > = characters.
    const operatorAt = expression.search(/[!<>=]/);
    if (operatorAt === -1) {
      const [path] = this.parseSteps(exprStart, i);
      steps.push({ kind: 'exists', path });
      return i + 2;
    }
    const operator = /^[!<>=]+/.exec(expression.slice(operatorAt))?.[0] ?? '';
    const opPos = exprStart + operatorAt;
    if (!FILTER_OPERATORS.has(operator)) this.fail(opPos, `unrecognized filter operator ${operator}`);
    if (expression.slice(0, operatorAt).trim() === '')
      this.fail(exprStart, `filter operator ${operator} has no left operand`);
    if (expression.slice(operatorAt + operator.length).trim() === '')
      this.fail(opPos, `filter operator ${operator} has no right operand`);
    const [left] = this.parseSteps(exprStart, opPos);
    const [right] = this.parseSteps(opPos + operator.length, i);
    steps.push({ kind: 'filter', left, operator: operator as FilterOperator, right });
    return i + 2;
  }
}

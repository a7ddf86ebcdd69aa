// Lexer for the body template: Go text/template's syntax ({{ }}, trim markers, comments) into a token list.
import { BodyTemplateError, type BodyTemplateErrorCode } from './errors.js';

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'keyword'
  | 'string'
  | 'number'
  | 'char'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'leftParen'
  | 'rightParen'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text; for `text` and `string`, the decoded value. */
  readonly value: string;
  readonly offset: number;
  /** Whitespace precedes the token inside an action: `.a .b` is two operands, `.a.b` one chain. */
  readonly spaceBefore: boolean;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);
const SPACE = /[ \t\r\n]/;
const IDENTIFIER = /[\p{L}\p{Nd}_]+/uy;
const NUMBER =
  /[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oO][0-7_]*|0[bB][01_]*|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?/y;

export function throwTemplateError(
  source: string,
  offset: number,
  message: string,
  code: BodyTemplateErrorCode = 'FJE_BODY_TEMPLATE_SYNTAX',
): never {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  throw new BodyTemplateError(code, message, line, column);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let trimNextText = false;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    let text = source.slice(pos, open < 0 ? source.length : open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text !== '') tokens.push({ kind: 'text', value: text, offset: pos, spaceBefore: false });
      break;
    }
    const trimLeft = source[open + 2] === '-' && SPACE.test(source[open + 3] ?? '');
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text !== '') tokens.push({ kind: 'text', value: text, offset: pos, spaceBefore: false });
    const inside = open + (trimLeft ? 4 : 2);
    if (source.startsWith('/*', inside)) {
      const close = source.indexOf('*/', inside + 2);
      if (close < 0) throwTemplateError(source, open, 'unclosed comment');
      const end = matchRightDelim(source, close + 2);
      if (end === undefined) throwTemplateError(source, open, 'comment ends before closing delimiter');
      pos = end.next;
      trimNextText = end.trimRight;
      continue;
    }
    tokens.push({ kind: 'leftDelim', value: '{{', offset: open, spaceBefore: false });
    const action = lexAction(source, open, inside, tokens);
    pos = action.next;
    trimNextText = action.trimRight;
  }
  tokens.push({ kind: 'eof', value: '', offset: source.length, spaceBefore: false });
  return tokens;
}

function matchRightDelim(source: string, pos: number): { next: number; trimRight: boolean } | undefined {
  if (source.startsWith('}}', pos)) return { next: pos + 2, trimRight: false };
  if (SPACE.test(source[pos] ?? '') && source.startsWith('-}}', pos + 1)) return { next: pos + 4, trimRight: true };
  return undefined;
}

function lexAction(source: string, open: number, start: number, tokens: Token[]): { next: number; trimRight: boolean } {
  let pos = start;
  let spaceBefore = false;
  const push = (kind: TokenKind, value: string, offset: number): void => {
    tokens.push({ kind, value, offset, spaceBefore });
    spaceBefore = false;
  };
  for (;;) {
    const delim = matchRightDelim(source, pos);
    if (delim !== undefined) {
      push('rightDelim', '}}', pos);
      return delim;
    }
    const char = source[pos];
    if (char === undefined) throwTemplateError(source, open, 'unclosed action');
    if (SPACE.test(char)) {
      spaceBefore = true;
      pos += 1;
      continue;
    }
    const next = source[pos + 1] ?? '';
    if (char === '"' || char === '`' || char === "'") {
      const end = char === '`' ? source.indexOf('`', pos + 1) : findQuoteEnd(source, pos, char);
      if (end < 0)
        throwTemplateError(
          source,
          pos,
          char === '`'
            ? 'unterminated raw quoted string'
            : char === '"'
              ? 'unterminated quoted string'
              : 'unterminated character constant',
        );
      const raw = source.slice(pos, end + 1);
      if (char === '`') push('string', raw.slice(1, -1), pos);
      else push(char === '"' ? 'string' : 'char', unquote(source, pos, raw), pos);
      pos = end + 1;
    } else if (char === '.' && !/[0-9]/.test(next)) {
      IDENTIFIER.lastIndex = pos + 1;
      const name = IDENTIFIER.exec(source);
      if (name === null) push('dot', '.', pos);
      else push('field', name[0], pos);
      pos += 1 + (name?.[0].length ?? 0);
    } else if (char === '$') {
      IDENTIFIER.lastIndex = pos + 1;
      const name = IDENTIFIER.exec(source)?.[0] ?? '';
      push('variable', `$${name}`, pos);
      pos += 1 + name.length;
    } else if (/[0-9.]/.test(char) || ((char === '-' || char === '+') && /[0-9.]/.test(next))) {
      NUMBER.lastIndex = pos;
      const number = NUMBER.exec(source)?.[0] ?? char;
      const end = pos + number.length;
      if (/[\p{L}\p{Nd}_]/u.test(source[end] ?? ''))
        throwTemplateError(source, pos, `bad number syntax: "${source.slice(pos, end + 1)}"`);
      push('number', number, pos);
      pos = end;
    } else if (/[\p{L}_]/u.test(char)) {
      IDENTIFIER.lastIndex = pos;
      const word = IDENTIFIER.exec(source)?.[0] ?? char;
      const kind: TokenKind = KEYWORDS.has(word)
        ? 'keyword'
        : word === 'true' || word === 'false'
          ? 'bool'
          : word === 'nil'
            ? 'nil'
            : 'identifier';
      push(kind, word, pos);
      pos += word.length;
    } else if (char === ':' && next === '=') {
      push('declare', ':=', pos);
      pos += 2;
    } else {
      const kind = ({ '(': 'leftParen', ')': 'rightParen', '|': 'pipe', '=': 'assign', ',': 'comma' } as const)[
        char as '('
      ];
      if (kind === undefined)
        throwTemplateError(source, pos, `unrecognized character in action: ${JSON.stringify(char)}`);
      push(kind, char, pos);
      pos += 1;
    }
  }
}

function findQuoteEnd(source: string, start: number, quote: string): number {
  for (let i = start + 1; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') i += 1;
    else if (char === '\n') return -1;
    else if (char === quote) return i;
  }
  return -1;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** strconv.Unquote for "…" strings and '…' characters (a character yields its code point in decimal). */
function unquote(source: string, offset: number, raw: string): string {
  const body = raw.slice(1, -1);
  const decoded = body.replace(
    /\\(?:([abfnrtv\\"'])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|(.))/gs,
    (_all, simple?: string, hex?: string, u4?: string, u8?: string, octal?: string, bad?: string) => {
      if (simple !== undefined) return SIMPLE_ESCAPES[simple] ?? '';
      if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
      if (octal !== undefined) return String.fromCharCode(parseInt(octal, 8));
      const code = parseInt(u4 ?? u8 ?? '', 16);
      if (bad !== undefined || code > 0x10ffff)
        throwTemplateError(source, offset, `invalid syntax in quoted string ${raw}`);
      return String.fromCodePoint(code);
    },
  );
  if (raw[0] !== "'") return decoded;
  const chars = [...decoded];
  if (chars.length !== 1) throwTemplateError(source, offset, `malformed character constant: ${raw}`);
  return String(decoded.codePointAt(0));
}

// Small readers the template parser uses: array subscripts (`[1:3]`, `[-1]`) and Go string escapes.
import type { Step } from './ast.js';

// client-go's slice grammar: `start`, `start:end`, `start:end:step`, each part optional.
const SLICE_PATTERN = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?$/;
const SLICE_HAS_END = /^-?\d*:/;
const SLICE_HAS_STEP = /^-?\d*:-?\d*:/;

type IndexOrSlice = Extract<Step, { kind: 'index' } | { kind: 'slice' }>;

/** `[n]`, `[a:b]`, `[a:b:c]` (content without brackets) → its step, or the reason it is invalid. */
export function readArraySubscript(content: string): IndexOrSlice | string {
  const match = SLICE_PATTERN.exec(content);
  if (match === null) return `invalid array subscript "${content}"`;
  const [startText = '', endText = '', stepText = ''] = match.slice(1);
  if ([startText, endText, stepText].includes('-')) return 'array index - is not a number';
  const read = (part: string): number | undefined => (part === '' ? undefined : Number(part));
  // `[n]`; client-go reads `[]` as `[0]`.
  if (!SLICE_HAS_END.test(content)) return { kind: 'index', index: read(startText) ?? 0 };
  const step = SLICE_HAS_STEP.test(content) ? read(stepText) : undefined;
  if (step !== undefined && step <= 0) return 'slice step must be > 0';
  const slice: { kind: 'slice'; start?: number; end?: number; step?: number } = { kind: 'slice' };
  const start = read(startText);
  const end = read(endText);
  if (start !== undefined) slice.start = start;
  if (end !== undefined) slice.end = end;
  if (step !== undefined) slice.step = step;
  return slice;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/**
 * The Go escape starting at the backslash at `pos` (strconv.Unquote's set: \n \t \\ \" \' \xHH \uHHHH
 * \UHHHHHHHH …), as client-go unquotes literals; undefined when it is not a valid escape.
 */
export function decodeGoEscape(text: string, pos: number, limit: number): { text: string; end: number } | undefined {
  const c = text[pos + 1];
  if (c === undefined || pos + 1 >= limit) return undefined;
  const simple = Object.hasOwn(SIMPLE_ESCAPES, c) ? SIMPLE_ESCAPES[c] : undefined;
  if (simple !== undefined) return { text: simple, end: pos + 2 };
  const hexLength = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  const end = pos + 2 + hexLength;
  const hex = text.slice(pos + 2, end);
  if (hexLength === 0 || end > limit || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) return undefined;
  const code = Number.parseInt(hex, 16);
  return code <= 0x10ffff ? { text: String.fromCodePoint(code), end } : undefined;
}

// Go's fmt printing for the body template: %v of each value type, Sprint/Sprintln/Sprintf, strconv.Quote.
import { formatGoTimeString } from './go-time.js';
import { GoList, GoMap, GoTime, Int64, goTypeName, type GoValue } from './values.js';

/** fmt's %v: `[a b]` for a slice, `map[k:[v]]` with sorted keys for a map, `<nil>` for nil. */
export function formatValue(value: GoValue): string {
  if (value === null) return '<nil>';
  switch (typeof value) {
    case 'string':
      return value;
    case 'bigint':
      return value.toString();
    case 'number':
      return formatFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof Int64) return value.value.toString();
  if (value instanceof GoList) return `[${value.items.map(formatValue).join(' ')}]`;
  if (value instanceof GoMap) {
    const keys = [...value.entries.keys()].sort();
    return `map[${keys.map((key) => `${key}:${formatValue(value.entries.get(key) ?? null)}`).join(' ')}]`;
  }
  if (value instanceof GoTime) return formatGoTimeString(value.date);
  return '';
}

/** strconv.FormatFloat(v, 'g', -1, 64) as fmt's %v uses it: shortest digits, exponent form below 1e-4 and from 1e6. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

/** fmt.Sprint: a space goes between operands when neither side is a string. */
export function sprint(values: readonly GoValue[]): string {
  let out = '';
  values.forEach((value, i) => {
    if (i > 0 && typeof value !== 'string' && typeof values[i - 1] !== 'string') out += ' ';
    out += formatValue(value);
  });
  return out;
}

/** fmt.Sprintln: always a space between operands, and a trailing newline. */
export function sprintln(values: readonly GoValue[]): string {
  return `${values.map(formatValue).join(' ')}\n`;
}

/** strconv.Quote: Go's escapes (\x00, \u2028), not JSON's. */
export function quoteGo(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (NAMED_ESCAPES.has(char)) out += NAMED_ESCAPES.get(char);
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (!isPrintable(code)) {
      out += code < 0x10000 ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
    } else out += char;
  }
  return `${out}"`;
}

const NAMED_ESCAPES = new Map([
  ['\x07', '\\a'],
  ['\b', '\\b'],
  ['\f', '\\f'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
  ['\v', '\\v'],
]);

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Cs}]|[\p{Zs}](?<! )/u;

function isPrintable(code: number): boolean {
  return !NON_PRINTABLE.test(String.fromCodePoint(code));
}

const VERB = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/y;

/** fmt.Sprintf for the verbs body templates use: %v %s %d %q %f %e %g %x %X %t %%, with flags, width, precision. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let next = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    VERB.lastIndex = percent;
    const match = VERB.exec(format);
    if (match === null) {
      out += '%!(NOVERB)';
      break;
    }
    i = VERB.lastIndex;
    const [, flags = '', width, precision, verb = 'v'] = match;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[next++] ?? null;
    const text = formatVerb(verb, arg, precision === undefined ? undefined : Number(precision || '0'), flags);
    out += pad(text, width === undefined ? 0 : Number(width), flags, typeof arg !== 'string');
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args
      .slice(next)
      .map((arg) => `${goTypeName(arg)}=${formatValue(arg)}`)
      .join(', ')})`;
  }
  return out;
}

function formatVerb(verb: string, arg: GoValue, precision: number | undefined, flags: string): string {
  const integer = typeof arg === 'bigint' ? arg : arg instanceof Int64 ? arg.value : undefined;
  const plus = flags.includes('+');
  switch (verb) {
    case 'v':
      return plus && integer !== undefined && integer >= 0n ? `+${integer}` : formatValue(arg);
    case 's':
      if (typeof arg === 'string') return precision === undefined ? arg : [...arg].slice(0, precision).join('');
      if (arg instanceof GoList || arg instanceof GoMap || arg instanceof GoTime) return formatValue(arg);
      break;
    case 'q':
      if (typeof arg === 'string') return quoteGo(arg);
      if (arg instanceof GoList)
        return `[${arg.items.map((item) => (typeof item === 'string' ? quoteGo(item) : formatValue(item))).join(' ')}]`;
      break;
    case 'd':
      if (integer !== undefined) return plus && integer >= 0n ? `+${integer}` : integer.toString();
      break;
    case 'x':
    case 'X': {
      let hex: string | undefined;
      if (integer !== undefined) hex = integer < 0n ? `-${(-integer).toString(16)}` : integer.toString(16);
      else if (typeof arg === 'string') hex = Buffer.from(arg, 'utf8').toString('hex');
      if (hex !== undefined) return verb === 'X' ? hex.toUpperCase() : hex;
      break;
    }
    case 'f':
    case 'F':
      if (typeof arg === 'number') return arg.toFixed(precision ?? 6);
      break;
    case 'e':
      if (typeof arg === 'number') return arg.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      break;
    case 'g':
      if (typeof arg === 'number') return formatFloat(arg);
      break;
    case 't':
      if (typeof arg === 'boolean') return formatValue(arg);
      break;
  }
  return arg === null ? `%!${verb}(<nil>)` : `%!${verb}(${goTypeName(arg)}=${formatValue(arg)})`;
}

function pad(text: string, width: number, flags: string, numeric: boolean): string {
  const length = [...text].length;
  if (length >= width) return text;
  if (flags.includes('-')) return text + ' '.repeat(width - length);
  if (flags.includes('0') && numeric) {
    const sign = /^[+-]/.test(text) ? (text[0] ?? '') : '';
    return sign + '0'.repeat(width - length) + text.slice(sign.length);
  }
  return ' '.repeat(width - length) + text;
}

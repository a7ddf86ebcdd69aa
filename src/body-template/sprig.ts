// The Sprig functions the body template supports, each with Sprig v3's semantics (argument order for
// pipelines, lenient conversions, its quirks: `duration` reads only a string or an int64).
import { randomInt, randomUUID } from 'node:crypto';
import {
  CallError,
  RENDER_LIMITS,
  fixedArity,
  int64,
  intArg,
  minimumArity,
  parseDecimalSaturating,
  parseGoInteger,
  stringArg,
  stringValue,
  timeArg,
  toInt64,
  type TemplateFunction,
} from './arguments.js';
import { marshalGoJson } from './go-json.js';
import { quoteGo } from './go-format.js';
import { formatGoDuration, formatGoTime } from './go-time.js';
import { GoList, GoTime, Int64, goKindName, integerOf, isTruthy, type GoValue } from './values.js';

const str = (name: string, impl: (text: string) => GoValue): TemplateFunction =>
  fixedArity(name, 1, (args) => impl(stringArg(args, 0)));
const str2 = (name: string, impl: (a: string, b: string) => GoValue): TemplateFunction =>
  fixedArity(name, 2, (args) => impl(stringArg(args, 0), stringArg(args, 1)));

function listEnd(name: 'first' | 'last'): TemplateFunction {
  return fixedArity(name, 1, ([list = null]) => {
    if (list === null) throw new CallError('runtime error: invalid memory address or nil pointer dereference');
    if (!(list instanceof GoList)) throw new CallError(`Cannot find ${name} on type ${goKindName(list)}`);
    const item = name === 'first' ? list.items[0] : list.items[list.items.length - 1];
    return item ?? null;
  });
}

/** Sprig's strslice: a list's non-nil items as strings, nil as no items, anything else as one item. */
function toStrings(value: GoValue): string[] {
  if (value === null) return [];
  if (value instanceof GoList) return value.items.filter((item) => item !== null).map(stringValue);
  return [stringValue(value)];
}

/** Go's strings.ToUpper/ToLower map rune by rune; JS may expand one (ß → SS), Go keeps it. */
function mapRunes(text: string, convert: (char: string) => string): string {
  let out = '';
  for (const char of text) {
    const converted = convert(char);
    out += [...converted].length === 1 ? converted : char;
  }
  return out;
}

/** Go's base64.StdEncoding.DecodeString; Sprig returns the error text in place of the result. */
function decodeBase64(text: string): string {
  const input = text.replace(/[\r\n]/g, '');
  const invalid = /[^A-Za-z0-9+/=]|=[^=]|={3}/.exec(input);
  if (invalid !== null)
    return `illegal base64 data at input byte ${invalid.index + (input[invalid.index] === '=' ? 1 : 0)}`;
  if (input.length % 4 !== 0) return `illegal base64 data at input byte ${input.length - (input.length % 4)}`;
  return Buffer.from(input, 'base64').toString('utf8');
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function integerDivision(name: string, operate: (a: bigint, b: bigint) => bigint): TemplateFunction {
  return fixedArity(name, 2, ([a = null, b = null]) => {
    const divisor = toInt64(b);
    if (divisor === 0n) throw new CallError('runtime error: integer divide by zero');
    return int64(operate(toInt64(a), divisor));
  });
}

export const SPRIG_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  // lists
  first: listEnd('first'),
  last: listEnd('last'),
  join: fixedArity('join', 2, (args) => toStrings(args[1] ?? null).join(stringArg(args, 0))),
  // defaults
  default: minimumArity('default', 1, ([fallback = null, ...given]) =>
    given.length === 0 || !isTruthy(given[0] ?? null) ? fallback : (given[0] ?? null),
  ),
  empty: fixedArity('empty', 1, ([value = null]) => !isTruthy(value)),
  toJson: fixedArity('toJson', 1, ([value = null]) => marshalGoJson(value) ?? ''),
  // strings (Sprig puts the subject last, so `.x | first | trimPrefix "a"` reads naturally)
  quote: (args) =>
    args
      .filter((arg) => arg !== null)
      .map((arg) => quoteGo(stringValue(arg)))
      .join(' '),
  squote: (args) =>
    args
      .filter((arg) => arg !== null)
      .map((arg) => `'${stringValue(arg)}'`)
      .join(' '),
  upper: str('upper', (text) => mapRunes(text, (char) => char.toUpperCase())),
  lower: str('lower', (text) => mapRunes(text, (char) => char.toLowerCase())),
  trim: str('trim', (text) => text.trim()),
  trimPrefix: str2('trimPrefix', (prefix, text) => (text.startsWith(prefix) ? text.slice(prefix.length) : text)),
  trimSuffix: str2('trimSuffix', (suffix, text) =>
    suffix !== '' && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text,
  ),
  replace: fixedArity('replace', 3, (args) => stringArg(args, 2).split(stringArg(args, 0)).join(stringArg(args, 1))),
  contains: str2('contains', (part, text) => text.includes(part)),
  hasPrefix: str2('hasPrefix', (prefix, text) => text.startsWith(prefix)),
  hasSuffix: str2('hasSuffix', (suffix, text) => text.endsWith(suffix)),
  repeat: fixedArity('repeat', 2, (args) => {
    const count = intArg(args, 0);
    if (count < 0n) throw new CallError('strings: negative Repeat count');
    const text = stringArg(args, 1);
    if (count * BigInt(text.length) > BigInt(RENDER_LIMITS.maxOutputChars))
      throw new CallError(`result exceeds ${RENDER_LIMITS.maxOutputChars} characters`);
    return text.repeat(Number(count));
  }),
  trunc: fixedArity('trunc', 2, (args) => {
    const count = Number(intArg(args, 0));
    const bytes = Buffer.from(stringArg(args, 1), 'utf8'); // Go slices bytes
    if (count < 0 && bytes.length + count > 0) return bytes.subarray(bytes.length + count).toString('utf8');
    if (count >= 0 && bytes.length > count) return bytes.subarray(0, count).toString('utf8');
    return bytes.toString('utf8');
  }),
  toString: fixedArity('toString', 1, ([value = null]) => stringValue(value)),
  b64enc: str('b64enc', (text) => Buffer.from(text, 'utf8').toString('base64')),
  b64dec: str('b64dec', decodeBase64),
  // numbers: Sprig's arithmetic converts with cast.ToInt64 and returns int64
  add: (args) => int64(args.reduce<bigint>((sum, arg) => sum + toInt64(arg), 0n)),
  add1: fixedArity('add1', 1, ([value = null]) => int64(toInt64(value) + 1n)),
  sub: fixedArity('sub', 2, ([a = null, b = null]) => int64(toInt64(a) - toInt64(b))),
  mul: minimumArity('mul', 1, ([first = null, ...rest]) =>
    int64(rest.reduce<bigint>((product, arg) => BigInt.asIntN(64, product * toInt64(arg)), toInt64(first))),
  ),
  div: integerDivision('div', (a, b) => a / b),
  mod: integerDivision('mod', (a, b) => a % b),
  int: fixedArity('int', 1, ([value = null]) => toInt64(value)),
  int64: fixedArity('int64', 1, ([value = null]) => new Int64(toInt64(value))),
  atoi: str('atoi', (text) =>
    /^[+-]?[0-9]+$/.test(text) ? (parseGoInteger(text.replace(/^([+-]?)0+(?=\d)/, '$1')) ?? 0n) : 0n,
  ),
  randInt: fixedArity('randInt', 2, (args) => {
    const min = intArg(args, 0);
    const span = intArg(args, 1) - min;
    if (span <= 0n) throw new CallError('invalid argument to Intn');
    return min + BigInt(randomInt(Number(span < 2n ** 47n ? span : 2n ** 47n)));
  }),
  randAlphaNum: fixedArity('randAlphaNum', 1, (args) => {
    const count = Number(intArg(args, 0));
    if (count > RENDER_LIMITS.maxOutputChars)
      throw new CallError(`result exceeds ${RENDER_LIMITS.maxOutputChars} characters`);
    let out = '';
    for (let i = 0; i < count; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
    return out;
  }),
  uuidv4: fixedArity('uuidv4', 0, () => randomUUID()),
  // dates, in the process's local time zone as Sprig's "Local"
  now: fixedArity('now', 0, () => new GoTime(new Date())),
  date: fixedArity('date', 2, (args) => {
    const layout = stringArg(args, 0);
    const value = args[1] ?? null;
    const seconds = integerOf(value);
    const date =
      value instanceof GoTime ? value.date : seconds !== undefined ? new Date(Number(seconds) * 1000) : new Date();
    return formatGoTime(date, layout);
  }),
  unixEpoch: fixedArity('unixEpoch', 1, (args) => String(Math.floor(timeArg(args, 0).getTime() / 1000))),
  duration: fixedArity('duration', 1, ([value = null]) => {
    // Sprig reads a string or an int64 only: `duration 95` (an int) is "0s", `duration "95"` is "1m35s".
    const seconds =
      typeof value === 'string' ? parseDecimalSaturating(value) : value instanceof Int64 ? value.value : 0n;
    return formatGoDuration(BigInt.asIntN(64, seconds * 1_000_000_000n));
  }),
};

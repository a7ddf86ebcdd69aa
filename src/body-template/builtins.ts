// text/template's predefined functions, as Go defines them: index, len, print*, urlquery, comparisons, not.
// `and` and `or` short-circuit, so the renderer evaluates them itself (see render.ts).
import { ArgumentError, CallError, fixedArity, minimumArity, stringArg, type TemplateFunction } from './arguments.js';
import { sprint, sprintf, sprintln } from './go-format.js';
import { GoList, GoMap, GoTime, goTypeName, integerOf, isTruthy, type GoValue } from './values.js';

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(value: GoValue): BasicKind {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'float';
  if (typeof value === 'string') return 'string';
  return integerOf(value) !== undefined ? 'int' : 'other';
}

function isNil(value: GoValue): boolean {
  return value === null || (value instanceof GoList && value.isNil);
}

/** Go's eq: basic kinds by value; int and float64 do not mix; slices and maps are not comparable. */
function equals(left: GoValue, right: GoValue): boolean {
  const kind = basicKind(left);
  if (kind !== basicKind(right)) {
    if (left !== null && right !== null) throw new CallError('incompatible types for comparison');
    return false;
  }
  if (kind === 'int') return integerOf(left) === integerOf(right);
  if (kind !== 'other') return left === right;
  if (isNil(left) || isNil(right)) return isNil(left) === isNil(right);
  if (left instanceof GoTime && right instanceof GoTime) return left.date.getTime() === right.date.getTime();
  throw new CallError(`non-comparable type ${goTypeName(left)}`);
}

function lessThan(left: GoValue, right: GoValue): boolean {
  const kind = basicKind(left);
  if (kind === 'other' || kind === 'bool' || basicKind(right) === 'other')
    throw new CallError('invalid type for comparison');
  if (kind !== basicKind(right)) throw new CallError('incompatible types for comparison');
  if (kind === 'int') return (integerOf(left) ?? 0n) < (integerOf(right) ?? 0n);
  return (left as string | number) < (right as string | number);
}

function compare(name: string, test: (left: GoValue, right: GoValue) => boolean): TemplateFunction {
  return fixedArity(name, 2, ([left = null, right = null]) => test(left, right));
}

function index(args: readonly GoValue[]): GoValue {
  let item = args[0] ?? null;
  for (const key of args.slice(1)) {
    if (item instanceof GoList) {
      const position = integerOf(key);
      if (position === undefined) throw new CallError(`cannot index slice/array with type ${goTypeName(key)}`);
      if (position < 0n || position >= BigInt(item.items.length))
        throw new CallError(`index out of range: ${position}`);
      item = item.items[Number(position)] ?? null;
    } else if (item instanceof GoMap) {
      if (typeof key !== 'string') throw new CallError(`value has type ${goTypeName(key)}; should be string`);
      item = item.entries.has(key) ? (item.entries.get(key) ?? null) : item.zero; // missing key → zero value
    } else if (item === null) {
      throw new CallError('index of untyped nil');
    } else {
      throw new CallError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function length(value: GoValue): bigint {
  if (typeof value === 'string') return BigInt(Buffer.byteLength(value, 'utf8')); // Go counts bytes
  if (value instanceof GoList) return BigInt(value.items.length);
  if (value instanceof GoMap) return BigInt(value.entries.size);
  if (value === null) throw new CallError('len of nil pointer');
  throw new CallError(`len of type ${goTypeName(value)}`);
}

/** url.QueryEscape: unreserved characters kept, space as '+', the rest %XX. */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** text/template's evalArgs: one string as is, otherwise fmt.Sprint with nil shown as "<no value>". */
function printArguments(args: readonly GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((arg) => (arg === null ? '<no value>' : arg)));
}

export const BUILTIN_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  eq: minimumArity('eq', 1, ([left = null, ...rest]) => {
    if (rest.length === 0) throw new CallError('missing argument for comparison');
    return rest.some((right) => equals(left, right));
  }),
  ne: compare('ne', (left, right) => !equals(left, right)),
  lt: compare('lt', lessThan),
  le: compare('le', (left, right) => lessThan(left, right) || equals(left, right)),
  gt: compare('gt', (left, right) => !(lessThan(left, right) || equals(left, right))),
  ge: compare('ge', (left, right) => !lessThan(left, right)),
  not: fixedArity('not', 1, ([value = null]) => !isTruthy(value)),
  index: minimumArity('index', 1, index),
  len: fixedArity('len', 1, ([value = null]) => length(value)),
  print: (args) => sprint(args),
  println: (args) => sprintln(args),
  printf: minimumArity('printf', 1, (args) => sprintf(stringArg(args, 0), args.slice(1))),
  urlquery: (args) => queryEscape(printArguments(args)),
};

/** Evaluated by the renderer one argument at a time (Go 1.18+ short-circuits them). */
export const SHORT_CIRCUIT_FUNCTIONS = new Set(['and', 'or']);

export function checkShortCircuitArity(name: string, count: number): void {
  if (count < 1) throw new ArgumentError(`wrong number of args for ${name}: want at least 1 got 0`);
}

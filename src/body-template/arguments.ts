// Calling convention of body template functions: arity and argument type checks with text/template's
// messages, and Sprig's lenient conversions (cast.ToInt64, strval).
import { formatValue } from './go-format.js';
import { GoTime, Int64, goTypeName, integerOf, type GoValue } from './values.js';

/** Bounds that keep a template fed with probe URL parameters from exhausting the process. */
export const RENDER_LIMITS = Object.freeze({ maxOutputChars: 16 * 1024 * 1024, maxRangeOverInt: 1_000_000 });

export type TemplateFunction = (args: readonly GoValue[]) => GoValue;

/** A call rejected before the function runs (arity, argument type): reported as is, like Go does. */
export class ArgumentError extends Error {}

/** A failure inside the function (Go: a returned error or a recovered panic): reported as "error calling f: …". */
export class CallError extends Error {}

export function fixedArity(name: string, arity: number, impl: TemplateFunction): TemplateFunction {
  return (args) => {
    if (args.length !== arity)
      throw new ArgumentError(`wrong number of args for ${name}: want ${arity} got ${args.length}`);
    return impl(args);
  };
}

export function minimumArity(name: string, minimum: number, impl: TemplateFunction): TemplateFunction {
  return (args) => {
    if (args.length < minimum)
      throw new ArgumentError(`wrong number of args for ${name}: want at least ${minimum} got ${args.length}`);
    return impl(args);
  };
}

function wrongType(expected: string, value: GoValue): ArgumentError {
  if (value === null) return new ArgumentError(`invalid value; expected ${expected}`);
  return new ArgumentError(`wrong type for value; expected ${expected}; got ${goTypeName(value)}`);
}

/** A Go `string` parameter: only a string is assignable. */
export function stringArg(args: readonly GoValue[], index: number): string {
  const value = args[index] ?? null;
  if (typeof value !== 'string') throw wrongType('string', value);
  return value;
}

/** A Go `int` parameter: only an int (not an int64, not a float) is assignable. */
export function intArg(args: readonly GoValue[], index: number): bigint {
  const value = args[index] ?? null;
  if (typeof value !== 'bigint') throw wrongType('int', value);
  return value;
}

/** A Go `time.Time` parameter. */
export function timeArg(args: readonly GoValue[], index: number): Date {
  const value = args[index] ?? null;
  if (!(value instanceof GoTime)) throw wrongType('time.Time', value);
  return value.date;
}

/** Sprig's strval: a string as is, a Stringer (time.Time) by its String(), anything else by %v. */
export function stringValue(value: GoValue): string {
  return typeof value === 'string' ? value : formatValue(value);
}

/** cast.ToInt64 as Sprig calls it (errors ignored, so anything unconvertible is 0). */
export function toInt64(value: GoValue): bigint {
  const integer = integerOf(value);
  if (integer !== undefined) return integer;
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt.asIntN(64, BigInt(Math.trunc(value))) : 0n;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'string') return parseGoInteger(trimZeroDecimal(value)) ?? 0n;
  return 0n;
}

/** cast's trimZeroDecimal: "12.00" → "12", so a whole float in a string still converts. */
function trimZeroDecimal(text: string): string {
  const match = /^(.*)\.0+$/s.exec(text);
  return match?.[1] ?? text;
}

/** strconv.ParseInt(text, 0, 64): sign, 0x / 0o / 0b / 0 prefixes, underscores; undefined when invalid or out of range. */
export function parseGoInteger(text: string): bigint | undefined {
  const match =
    /^([+-]?)(0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/.exec(
      text,
    );
  if (match === null) return undefined;
  const digits = (match[2] ?? '').replace(/_/g, '');
  const literal = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits;
  const value = match[1] === '-' ? -BigInt(literal) : BigInt(literal);
  return BigInt.asIntN(64, value) === value ? value : undefined;
}

const INT64_MAX = (1n << 63n) - 1n;

/**
 * strconv.ParseInt(text, 10, 64) with its error ignored, as Sprig's `duration` does: invalid text is 0,
 * and an out-of-range number saturates to the int64 bound (Go returns the bound together with the error).
 */
export function parseDecimalSaturating(text: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(text)) return 0n;
  const value = BigInt(text);
  if (value > INT64_MAX) return INT64_MAX;
  if (value < -INT64_MAX - 1n) return -INT64_MAX - 1n;
  return value;
}

export function int64(value: bigint): Int64 {
  return new Int64(BigInt.asIntN(64, value));
}

// Go runtime values as the body template engine models them: only the types json_exporter's templates meet.
//
// Go types map to JS as: string → string, int → bigint, int64 → Int64, float64 → number, bool → boolean,
// []string → GoList, url.Values → GoMap, time.Time → GoTime, a nil interface ("no value") → null.
// int and int64 are kept apart because Sprig branches on the exact type (`duration 95` is "0s", an int).

export class Int64 {
  constructor(readonly value: bigint) {}
}

export class GoTime {
  constructor(readonly date: Date) {}
}

export class GoList {
  /** `nil` is Go's nil slice: prints `[]` like an empty one, but `toJson` gives `null`. */
  constructor(
    readonly items: readonly GoValue[],
    readonly isNil = false,
  ) {}
}

export class GoMap {
  /** `zero` is what a missing key yields under missingkey=zero: the element type's zero value. */
  constructor(
    readonly entries: ReadonlyMap<string, GoValue>,
    readonly typeName: string,
    readonly zero: GoValue,
  ) {}
}

export type GoValue = string | bigint | Int64 | number | boolean | GoList | GoMap | GoTime | null;

/** The zero value of []string: what `.missing` gives on url.Values with missingkey=zero. */
export const NIL_STRING_LIST = new GoList([], true);

/** Go's type name, as Go writes it in error messages. */
export function goTypeName(value: GoValue): string {
  if (value === null) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
  }
  if (value instanceof Int64) return 'int64';
  if (value instanceof GoList) return '[]string';
  if (value instanceof GoMap) return value.typeName;
  return 'time.Time';
}

/** reflect.Kind name, as Sprig writes it ("Cannot find first on type string"). */
export function goKindName(value: GoValue): string {
  if (value instanceof GoList) return 'slice';
  if (value instanceof GoMap) return 'map';
  if (value instanceof GoTime) return 'struct';
  return goTypeName(value);
}

/** text/template's isTrue, also Sprig's `empty` negated: zero values and empty collections are false. */
export function isTruthy(value: GoValue): boolean {
  if (value === null) return false;
  switch (typeof value) {
    case 'string':
      return value.length > 0;
    case 'bigint':
      return value !== 0n;
    case 'number':
      return value !== 0;
    case 'boolean':
      return value;
  }
  if (value instanceof Int64) return value.value !== 0n;
  if (value instanceof GoList) return value.items.length > 0;
  if (value instanceof GoMap) return value.entries.size > 0;
  return true;
}

/** The integer in an int or int64, or undefined for any other type. */
export function integerOf(value: GoValue): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (value instanceof Int64) return value.value;
  return undefined;
}

/** Wraps like Go's int64 arithmetic does. */
export function wrapInt64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

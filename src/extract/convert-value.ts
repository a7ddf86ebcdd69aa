// Turns an extracted JSON value into a sample value, with json_exporter's rules (SanitizeValue) and valueconverter.
import { formatValue } from '../jsonpath/index.js';

/** Go's strconv.ParseFloat decimal syntax (underscores and hex floats, rare in JSON APIs, are not accepted). */
const GO_FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  nan: NaN,
};
/** Go's strconv.ParseBool spellings. */
const GO_BOOLS: Readonly<Record<string, number>> = {
  '1': 1,
  t: 1,
  T: 1,
  TRUE: 1,
  true: 1,
  True: 1,
  '0': 0,
  f: 0,
  F: 0,
  FALSE: 0,
  false: 0,
  False: 0,
};

/** A string as json_exporter reads it: a float, then a bool (any case of true/false), else undefined. */
export function parseNumericString(text: string): number | undefined {
  if (GO_FLOAT.test(text)) {
    // ParseFloat fails with ErrRange past float64's range ("1e400"), so json_exporter skips the value.
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
  }
  const special = GO_SPECIAL_FLOATS[text.toLowerCase()];
  if (special !== undefined) return special;
  const bool = GO_BOOLS[text] ?? GO_BOOLS[text.toLowerCase()];
  return bool;
}

/** Lower-cased source string → replacement, for one value template. */
export type ValueConverter = ReadonlyMap<string, string>;

function convertString(text: string, converter: ValueConverter | undefined): string {
  if (converter === undefined) return text;
  return converter.get(text.toLowerCase()) ?? text;
}

/**
 * One extracted value → a sample value, or undefined when it cannot be one (an object, an array, a
 * non-numeric string). JSON null becomes NaN, as the issue asks and json_exporter meant (`<nil>` → NaN).
 */
export function convertValue(raw: unknown, converter: ValueConverter | undefined): number | undefined {
  if (converter !== undefined) {
    // json_exporter applies the converter to the printed form, whatever the JSON type; an unmapped value
    // converts as it would without a converter (so null stays NaN).
    // Integers whole, as a general template's print gives them to the same lookup (extract.ts's STRICT).
    const mapped = converter.get((typeof raw === 'string' ? raw : formatValue(raw, 'integer')).toLowerCase());
    if (mapped !== undefined) return parseNumericString(mapped);
  }
  switch (typeof raw) {
    case 'number':
      return raw;
    case 'boolean':
      return raw ? 1 : 0;
    case 'string':
      return parseNumericString(raw);
    default:
      return raw === null ? NaN : undefined;
  }
}

/** Printed template output (literal text, several blocks) → a sample value. */
export function convertText(text: string, converter: ValueConverter | undefined): number | undefined {
  const converted = convertString(text, converter);
  if (converted === 'null') return NaN;
  return parseNumericString(converted);
}

/** epochTimestamp output → integer milliseconds, or undefined (json_exporter: strconv.ParseInt base 10). */
export function parseEpochMillis(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

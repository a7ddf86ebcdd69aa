// How one match prints: client-go's text for scalars and Go encoding/json for objects; numbers in Go's form or whole.

/**
 * How a number matched at top level prints. `go`: as client-go (Go's `%v`: `1681903514993` → `1.681903514993e+12`),
 * the text json_exporter gives a label, so series keep their identity after a switch-over. `integer`: integral
 * numbers print whole (`1681903514993`), others as `go` — an opt-in for labels, and what values and timestamps use.
 */
export type NumberText = 'go' | 'integer';

/**
 * The text client-go prints for one match: strings raw, `true`/`false`, `null`, objects and arrays as
 * compact JSON with sorted keys and `<` `>` `&` escaped, numbers as `numbers` says (default: Go's `%v`).
 */
export function formatValue(value: unknown, numbers: NumberText = 'go'): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatNumber(value, numbers);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : formatJson(value);
    default:
      return String(value);
  }
}

/**
 * A top-level number as Go's `fmt` `%v` prints a float64 (strconv's shortest 'g': exponent form below 1e-4 and
 * from 1e6, at least two exponent digits). With `integer`, integers below 1e21 print plainly (timestamps, ids,
 * byte counters stay readable); past 1e21 a float's integer digits are mostly noise, so those keep Go's form.
 */
function formatNumber(value: number, numbers: NumberText = 'go'): string {
  if (Object.is(value, -0)) return '-0';
  if (numbers === 'integer' && Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  // Go's plain range (decimal exponent −4 to 5), where JS prints the same shortest digits without an exponent: most
  // label numbers (sample rates, widths, channels) skip toExponential, 7 % of the srs_streams preset's hot path.
  const absolute = Math.abs(value);
  if (absolute === 0 || (absolute >= 1e-4 && absolute < 1e6)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  // toExponential() with no argument keeps the shortest round-trip digits, as Go's strconv does.
  const exponential = value.toExponential();
  const at = exponential.indexOf('e');
  const exponent = Number(exponential.slice(at + 1));
  if (exponent < -4 || exponent >= 6) {
    const magnitude = Math.abs(exponent);
    return `${exponential.slice(0, at)}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? '0' : ''}${magnitude}`;
  }
  return String(value);
}

/** Compact JSON as Go's encoding/json writes a decoded document: keys sorted bytewise, HTML characters escaped. */
export function formatJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quoteJsonString(value);
    case 'number':
      // Same thresholds and digits as Go's float encoder, except Go keeps the sign of -0.
      return Object.is(value, -0) ? '-0' : Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += formatJson(value[i]);
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareByCodePoint);
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quoteJsonString(key) + ':' + formatJson(member);
  }
  return out + '}';
}

const GO_EXTRA_ESCAPES = /[<>&\u2028\u2029]/g;
const GO_EXTRA_ESCAPE_TEXT: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

// JSON.stringify escapes like Go except for the characters Go also escapes to stay HTML- and JS-safe.
function quoteJsonString(text: string): string {
  const quoted = JSON.stringify(text);
  GO_EXTRA_ESCAPES.lastIndex = 0;
  return GO_EXTRA_ESCAPES.test(quoted) ? quoted.replace(GO_EXTRA_ESCAPES, (c) => GO_EXTRA_ESCAPE_TEXT[c] ?? c) : quoted;
}

/**
 * Orders strings by code point, which is the UTF-8 byte order Go sorts map keys and compares strings in.
 * Plain UTF-16 order differs only where an astral character meets one in U+E000–U+FFFF.
 */
export function compareByCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

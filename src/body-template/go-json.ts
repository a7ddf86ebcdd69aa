// Go's encoding/json Marshal of template values, as Sprig's toJson uses it (HTML-safe escapes, sorted map keys).
import { formatGoTime } from './go-time.js';
import { GoList, GoMap, GoTime, Int64, type GoValue } from './values.js';

/** The JSON text, or undefined where Go's Marshal fails (NaN, ±Inf); Sprig's toJson then yields "". */
export function marshalGoJson(value: GoValue): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quoteGoJson(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined; // same 'f'/'e' switch points as Go (1e-6, 1e21)
    case 'boolean':
      return String(value);
  }
  if (value instanceof Int64) return value.value.toString();
  if (value instanceof GoTime) return quoteGoJson(formatGoTime(value.date, '2006-01-02T15:04:05.999999999Z07:00'));
  if (value instanceof GoList) {
    if (value.isNil) return 'null';
    const items = value.items.map(marshalGoJson);
    return items.includes(undefined) ? undefined : `[${items.join(',')}]`;
  }
  if (value instanceof GoMap) {
    const members: string[] = [];
    for (const key of [...value.entries.keys()].sort()) {
      const member = marshalGoJson(value.entries.get(key) ?? null);
      if (member === undefined) return undefined;
      members.push(`${quoteGoJson(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  }
  return undefined;
}

const JSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Go escapes <, > and & (HTML safety) and U+2028/U+2029, where JSON.stringify does not. */
function quoteGoJson(text: string): string {
  return `"${text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: Go's JSON encoder escapes exactly these control characters.
    /["\\\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (char) => {
      const named = JSON_ESCAPES[char];
      if (named !== undefined) return named;
      if (char.length === 1 && char >= '\ud800' && char <= '\udfff') return '\\ufffd';
      return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    },
  )}"`;
}

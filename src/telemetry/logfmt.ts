// logfmt lines (`--log.format=logfmt`, json_exporter's default) from pino's JSON records, in the process.
//
// Hand-written on purpose: the `logfmt` package (1.4.0) writes newlines raw (a stack trace breaks the one-line
// record) and objects as "[object Object]"; pino-logfmt runs a worker-thread transport bound to a file descriptor,
// which a test or an embedding caller cannot hand a stream to. This is go-logfmt's quoting, ~40 lines.

/** The keys promslog writes first, in its order; the record's other keys follow in pino's order. */
const LEADING_KEYS = ['time', 'level', 'msg'] as const;

function needsQuotes(text: string): boolean {
  if (text === '') return true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x22 || code === 0x3d || code === 0x5c || code === 0x7f) return true;
  }
  return false;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\${c}`))}"`;
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // pino's error serializer: {type, message, stack}; the message is what an operator greps for.
  if (typeof value === 'object' && 'message' in value && 'stack' in value) return formatValue(value.message);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return needsQuotes(text) ? quote(text) : text;
}

/** One pino JSON record as one logfmt line (newline included). */
export function formatLogfmtLine(record: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of LEADING_KEYS) if (key in record) parts.push(`${key}=${formatValue(record[key])}`);
  for (const [key, value] of Object.entries(record)) {
    if ((LEADING_KEYS as readonly string[]).includes(key)) continue;
    parts.push(`${needsQuotes(key) ? quote(key) : key}=${formatValue(value)}`);
  }
  return `${parts.join(' ')}\n`;
}

/** A pino destination that writes logfmt to `destination` (pino hands it one JSON line per write). */
export function logfmtDestination(destination: NodeJS.WritableStream): { write(line: string): boolean } {
  return {
    write(line: string): boolean {
      return destination.write(formatLogfmtLine(JSON.parse(line) as Record<string, unknown>));
    },
  };
}

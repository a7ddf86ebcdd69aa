// The one `parse(bytes)` seam of the pipeline: body bytes → JSON value, errors as values; refuses what Go's
// encoding/json (json_exporter's decoder) refuses: nesting deeper than 10,000, and (by default) invalid UTF-8.

/** Why a body is not a usable JSON document: each is a scrape failure reason of its own. */
type ParseFailureReason = 'invalid_json' | 'invalid_utf8' | 'too_deep';

export type ParseResult =
  | {
      readonly ok: true;
      readonly value: unknown;
      /** Set when invalid UTF-8 was replaced by U+FFFD (`invalid_utf8: replace`): a counted, logged problem. */
      readonly replacedInvalidUtf8?: boolean;
    }
  | { readonly ok: false; readonly error: string; readonly reason?: ParseFailureReason };

export interface ParseOptions {
  /** `fail` (default): invalid UTF-8 fails the body; `replace`: U+FFFD, as Go's encoding/json decodes it. */
  readonly invalidUtf8?: 'fail' | 'replace';
}

/** The parser seam's signature: anything that turns body bytes into a JSON value can replace parseJsonBody. */
export type JsonBodyParser = (bytes: Uint8Array, options?: ParseOptions) => ParseResult;

/** Go's encoding/json limit (scanner.go maxNestingDepth): json_exporter fails deeper bodies ("exceeded max depth"). */
export const MAX_NESTING_DEPTH = 10_000;

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** Byte classes of the depth scan: 0 for every byte that neither opens, closes, quotes nor escapes. */
const QUOTE = 1;
const BACKSLASH = 2;
const OPENER = 3;
const CLOSER = 4;
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[0x22] = QUOTE;
BYTE_CLASS[0x5c] = BACKSLASH;
BYTE_CLASS[0x5b] = OPENER;
BYTE_CLASS[0x7b] = OPENER;
BYTE_CLASS[0x5d] = CLOSER;
BYTE_CLASS[0x7d] = CLOSER;

/**
 * Whether brackets nest deeper than `limit` outside strings. JSON.parse itself has no limit (V8 parses 200,000
 * levels), but every recursive walk of the value (`..`, printing an object) would exhaust the stack. One table
 * lookup per byte: measured 1.5× faster than skipping strings with indexOf, whose call costs more than the short
 * strings of JSON APIs it skips (bench/README.md, issue 16).
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  // A document needs two bytes per level: smaller bodies cannot exceed the limit.
  if (bytes.byteLength <= 2 * limit) return false;
  let depth = 0;
  let inString = false;
  const length = bytes.byteLength;
  for (let i = 0; i < length; i++) {
    const kind = BYTE_CLASS[bytes[i] as number] as number;
    if (kind === 0) continue;
    if (inString) {
      if (kind === QUOTE) inString = false;
      else if (kind === BACKSLASH) i++; // the escaped character, whatever it is, cannot end the string
      continue;
    }
    if (kind === QUOTE) inString = true;
    else if (kind === OPENER) {
      if (++depth > limit) return true;
    } else if (kind === CLOSER) depth--;
  }
  return false;
}

/**
 * Whether `text` holds at most `limit` brackets that open, inside strings or not: then it cannot nest deeper than
 * `limit`. String indexOf is native and skips the rest: ~4 µs for a 22 KB SRS body, where the byte scan takes 30–45.
 */
function opensAtMost(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ['{', '[']) {
    for (let at = text.indexOf(opener); at !== -1; at = text.indexOf(opener, at + 1)) {
      if (++count > limit) return false;
    }
  }
  return true;
}

/**
 * Parses a response body once per scrape, whatever the number of metrics (json_exporter re-parses it for every
 * path). JSON.parse on a decoded string: faster than the simdjson binding for every body size we measured
 * (bench/README.md); a faster parser can drop in behind the same signature. The strict decoder costs the same as
 * the lenient one (both are simdutf in Node 20), so validating UTF-8 is free.
 */
export function parseJsonBody(bytes: Uint8Array, options?: ParseOptions): ParseResult {
  let text: string;
  let replacedInvalidUtf8 = false;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    if (options?.invalidUtf8 !== 'replace') {
      return {
        ok: false,
        reason: 'invalid_utf8',
        error:
          'the body is not valid UTF-8 (set the module key invalid_utf8: replace to read it with U+FFFD, as json_exporter does)',
      };
    }
    text = lenientDecoder.decode(bytes);
    replacedInvalidUtf8 = true;
  }
  if (!opensAtMost(text, MAX_NESTING_DEPTH) && nestsDeeperThan(bytes, MAX_NESTING_DEPTH)) {
    return {
      ok: false,
      reason: 'too_deep',
      error: `the body nests arrays/objects deeper than ${MAX_NESTING_DEPTH} levels (Go's encoding/json limit)`,
    };
  }
  try {
    const value = JSON.parse(text) as unknown;
    return replacedInvalidUtf8 ? { ok: true, value, replacedInvalidUtf8 } : { ok: true, value };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      reason: 'invalid_json',
      error: bytes.byteLength === 0 ? 'empty body' : `invalid JSON: ${reason}`,
    };
  }
}

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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether brackets nest deeper than `limit` outside strings. JSON.parse itself has no limit (V8 parses 200,000
 * levels), but every recursive walk of the value (`..`, printing an object) would exhaust the stack. Strings are
 * skipped with indexOf (native), so the loop only touches the bytes between them; a string ends at the first
 * quote after an even run of backslashes.
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  // A document needs two bytes per level: smaller bodies cannot exceed the limit.
  if (bytes.byteLength <= 2 * limit) return false;
  let depth = 0;
  const length = bytes.byteLength;
  for (let i = 0; i < length; i++) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      let end = bytes.indexOf(QUOTE, i + 1);
      while (end !== -1) {
        let slashes = 0;
        for (let k = end - 1; bytes[k] === BACKSLASH; k--) slashes++;
        if (slashes % 2 === 0) break;
        end = bytes.indexOf(QUOTE, end + 1);
      }
      if (end === -1) return false; // an unterminated string: JSON.parse reports it
      i = end;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
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
  if (nestsDeeperThan(bytes, MAX_NESTING_DEPTH)) {
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

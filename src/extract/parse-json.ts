// The one `parse(bytes)` seam of the pipeline: body bytes → JSON value, errors as values.

export type ParseResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

/** The parser seam's signature: anything that turns body bytes into a JSON value can replace parseJsonBody. */
export type JsonBodyParser = (bytes: Uint8Array) => ParseResult;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/**
 * Parses a response body once per scrape, whatever the number of metrics (json_exporter re-parses it for every
 * path). JSON.parse on a decoded string: faster than the simdjson binding for every body size we measured
 * (bench/README.md); a faster parser can drop in behind the same signature.
 */
export function parseJsonBody(bytes: Uint8Array): ParseResult {
  try {
    return { ok: true, value: JSON.parse(decoder.decode(bytes)) as unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, error: bytes.byteLength === 0 ? 'empty body' : `invalid JSON: ${reason}` };
  }
}

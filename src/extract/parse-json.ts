// The one `parse(bytes)` seam of the pipeline: body bytes → JSON value, errors as values.

export type ParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/**
 * Parses a response body once per scrape, whatever the number of metrics (json_exporter re-parses it for every
 * path). JSON.parse on a decoded string; issue 3 measures alternatives behind this same signature.
 */
export function parseJsonBody(bytes: Uint8Array): ParseResult {
  try {
    return { ok: true, value: JSON.parse(decoder.decode(bytes)) as unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, error: bytes.byteLength === 0 ? 'empty body' : `invalid JSON: ${reason}` };
  }
}

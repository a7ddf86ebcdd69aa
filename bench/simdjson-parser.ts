// The `simdjson` binding (a devDependency, bench only) behind the pipeline's parse(bytes) seam, loaded only by benches (never by src/).
import type { JsonBodyParser } from '../src/extract/parse-json.js';

interface SimdjsonBinding {
  parse(text: string): unknown;
}

/** How to get the binding when it is not installed (a production install, `npm ci --omit=dev`, leaves it out). */
export const SIMDJSON_INSTALL_HINT =
  'install it by hand with `npm install --no-save simdjson@0.9.2` (needs python3, make and g++ for node-gyp)';

export type SimdjsonLoad =
  | { readonly ok: true; readonly parser: JsonBodyParser }
  | { readonly ok: false; readonly reason: string };

/** Imports the binding dynamically, so a machine where it did not build still runs the JSON.parse cases. */
export async function loadSimdjsonParser(): Promise<SimdjsonLoad> {
  let binding: SimdjsonBinding;
  try {
    // A variable specifier keeps tsc from resolving the dev-only package at build time.
    const specifier = 'simdjson';
    const loaded = (await import(specifier)) as { default?: SimdjsonBinding } & Partial<SimdjsonBinding>;
    binding = loaded.default ?? (loaded as SimdjsonBinding);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why =
      code === 'ERR_MODULE_NOT_FOUND'
        ? 'the simdjson devDependency is not installed (`npm ci --omit=dev` leaves it out)'
        : err instanceof Error
          ? err.message.split('\n')[0]
          : String(err);
    return { ok: false, reason: `${why}; ${SIMDJSON_INSTALL_HINT}` };
  }
  const decoder = new TextDecoder();
  // The binding takes a string, so it pays the same UTF-8 decode as parseJsonBody: the comparison is seam to seam.
  const parser: JsonBodyParser = (bytes) => {
    try {
      return { ok: true, value: binding.parse(decoder.decode(bytes)) };
    } catch (err) {
      return { ok: false, error: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
  };
  return { ok: true, parser };
}

// The optional native addons that tools/build-native.mjs builds at install (build/native/NAME.node): loaded once each,
// or the reason they are not (FJE_NATIVE=off, or not built), for the startup log.
import { createRequire } from 'node:module';

export type LoadedAddon<T> =
  | { readonly addon: T; readonly error?: undefined }
  | { readonly addon: undefined; readonly error: string };

export function loadNativeAddon<T>(name: 'json_prune' | 'gzip_member'): LoadedAddon<T> {
  if (process.env.FJE_NATIVE === 'off') return { addon: undefined, error: 'FJE_NATIVE=off' };
  try {
    // dist/src/ → the package root's build/native/.
    return { addon: createRequire(import.meta.url)(`../../build/native/${name}.node`) as T };
  } catch (err) {
    // The first line says it (Node adds the require stack after it).
    return { addon: undefined, error: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '' };
  }
}

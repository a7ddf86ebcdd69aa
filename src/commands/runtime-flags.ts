// Process-wide V8 settings the serve command applies from its flags, before anything is started.
import { setFlagsFromString } from 'node:v8';

/**
 * `--runtime.heap-growing-percent`: V8's own flag of that name, set at run time. Node refuses it in NODE_OPTIONS, and
 * the image's entrypoint is `node cli.js`, so an exporter flag is the way to reach it from a Deployment's args. V8
 * reads it at each full collection, when it sets the old generation's next limit: setting it after start applies
 * from the next one. Measured (bench/README.md, ninth stop on issue 15): at 10,000 targets × 10 streams, 50 gave a
 * max RSS of 350–375 MB against 394–422 MB, with full collections every ~4 s instead of ~9 s, and up to 1.5 points
 * more CPU of 2 cores (not measurable over 120 s windows).
 */
export function applyRuntimeFlags(
  flags: { readonly runtimeHeapGrowingPercent?: number },
  setFlags: (flag: string) => void = setFlagsFromString,
): string[] {
  if (flags.runtimeHeapGrowingPercent === undefined) return [];
  const flag = `--heap-growing-percent=${flags.runtimeHeapGrowingPercent}`;
  setFlags(flag);
  return [flag];
}

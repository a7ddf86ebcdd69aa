// Process-wide V8 settings the serve command applies from its flags, before anything is started.
import { setFlagsFromString } from 'node:v8';

/**
 * The old generation may grow to 1.5× what the last full collection left alive. V8's own factor let it reach ~1.8×
 * at 10,000 fleet targets × 10 streams: ~65 MB alive, ~120 MB before the next full collection, and the Buffer memory
 * that only a full collection frees piled up meanwhile (~1 MB/s). Measured (bench:fleet, alternated 90 s runs,
 * bench/README.md, fourteenth stop on issue 15): max RSS 272–282 MB in four runs against 285–319 MB in six with
 * V8's factor, for ~0.7 points more CPU of 2 cores (17.2 against 16.5 % on average, within the runs' spread), no
 * change to one large /probe (7.5 MB and 30 MB bodies, three each). 30 gave 265–277 MB for ~1.4 points more CPU.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/**
 * `--runtime.heap-growing-percent`: V8's own flag of that name, set at run time. Node refuses it in NODE_OPTIONS, and
 * the image's entrypoint is `node cli.js`, so an exporter flag is the way to reach it from a Deployment's args. V8
 * reads it at each full collection, when it sets the old generation's next limit: setting it after start applies
 * from the next one. 0 leaves V8's own dynamic factor (nothing is set).
 */
export function applyRuntimeFlags(
  flags: { readonly runtimeHeapGrowingPercent?: number },
  setFlags: (flag: string) => void = setFlagsFromString,
): string[] {
  const percent = flags.runtimeHeapGrowingPercent ?? DEFAULT_HEAP_GROWING_PERCENT;
  if (percent === 0) return [];
  const flag = `--heap-growing-percent=${percent}`;
  setFlags(flag);
  return [flag];
}

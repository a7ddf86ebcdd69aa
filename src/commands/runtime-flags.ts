// Process-wide V8 settings the serve command applies from its flags, before anything is started.
import { setFlagsFromString } from 'node:v8';

/**
 * `--runtime.heap-growing-percent`: V8's own flag of that name, set at run time. Node refuses it in NODE_OPTIONS, and
 * the image's entrypoint is `node cli.js`, so an exporter flag is the way to reach it from a Deployment's args. V8
 * reads it at each full collection, when it sets the old generation's next limit: setting it after start applies
 * from the next one. Measured (bench/README.md, ninth and fourteenth stops on issue 15): at 10,000 targets × 10
 * streams, 50 gave a max RSS of 272–283 MB in nine runs against 285–319 MB in seven with V8's own factor
 * (~1.8× there), for ~0.7 points more CPU of 2 cores and a full collection every ~8 s. It is not the default: the
 * gzip /metrics p99 went over 150 ms in 8 of those 9 runs (3 of 7 with V8's factor), the slow answers overlapping
 * full collections.
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

// Keeps undici's HTTP parser (llhttp, WebAssembly) on V8's baseline compiler, Liftoff. V8 otherwise recompiles the
// parser's main function with TurboFan the first time a response is parsed at length: measured (issue 17,
// `--trace-wasm-compilation-times`) 282 ms of CPU and 29 MB of compiler memory (42 MB allocated in all), left behind
// in a malloc arena beside the body's chunks, which raised a fresh exporter's peak RSS refusing a 300 MB body from
// 131 MB to 166 MB. Liftoff code parses as fast here: 20,000 keep-alive 2 KB responses and 31 MB bodies took the
// same time either way (bench/README.md, bench:large-body). The process's only WebAssembly is undici's parser.
import { setFlagsFromString } from 'node:v8';

let applied = false;

/** Idempotent; must run before undici compiles its parser (on the first connection), hence at module load. */
export function keepHttpParserOnBaselineCompiler(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--liftoff-only');
}

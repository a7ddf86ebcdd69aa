// A module's parser: the body cut down to the keys its templates read (native/json_prune.cc), then parseJsonBody.
// Where the native pruner is not built (no C++ compiler at install) or the module reads bodies whole, parseJsonBody
// alone: the same result either way (tests compare them on every preset and fixture).
import { isUtf8 } from 'node:buffer';
import { loadNativeAddon } from '../native-addon.js';
import type { CompiledModule } from './compile-module.js';
import { moduleProjection, projectionProgram } from './json-projection.js';
import { type JsonBodyParser, parseJsonBody } from './parse-json.js';

export interface NativePruner {
  /** The projected body's length in `output`; -1 not JSON, -2 nests too deep (see native/json_prune.cc). */
  prune(input: Uint8Array, program: Uint8Array, output: Uint8Array): number;
}

/** Which parser modules get: `native` (built and loaded) or `none` (FJE_NATIVE=off, or not built). */
export type PrunerKind = 'native' | 'none';

const loaded = loadNativeAddon<NativePruner>('json_prune');

export const prunerKind: PrunerKind = loaded.addon === undefined ? 'none' : 'native';
/** Why there is no native pruner (for the startup log), when there is none. */
export const prunerError: string | undefined = loaded.error;

/**
 * The pruner's output buffer, reused (a body's projection is never longer than the body). Bodies over the bound get a
 * buffer of their own, so one large /probe body does not stay allocated.
 */
const KEPT_SCRATCH_BYTES = 1 << 20;
let scratch = new Uint8Array(64 << 10);

function outputFor(length: number): Uint8Array {
  if (length > KEPT_SCRATCH_BYTES) return new Uint8Array(length);
  if (scratch.byteLength < length) {
    scratch = new Uint8Array(Math.min(KEPT_SCRATCH_BYTES, Math.max(length, scratch.byteLength * 2)));
  }
  return scratch;
}

/**
 * A parser that cuts a body down to `program`'s keys first. Bodies the pruner refuses (not JSON, too deep) and bodies
 * that are not valid UTF-8 go to parseJsonBody whole, which gives its own error or reads them as the module says.
 */
export function prunedParser(pruner: NativePruner, program: Uint8Array): JsonBodyParser {
  return (bytes, options) => {
    if (!isUtf8(bytes)) return parseJsonBody(bytes, options);
    const output = outputFor(bytes.byteLength);
    const length = pruner.prune(bytes, program, output);
    if (length < 0) return parseJsonBody(bytes, options);
    return parseJsonBody(output.subarray(0, length), options);
  };
}

const parsers = new WeakMap<CompiledModule, JsonBodyParser>();

/** The parser for a module's bodies: pruned to what its templates read where that leaves something out. */
export function moduleParser(compiled: CompiledModule): JsonBodyParser {
  let parser = parsers.get(compiled);
  if (parser === undefined) {
    parser = parserWith(compiled, loaded.addon);
    parsers.set(compiled, parser);
  }
  return parser;
}

/** The same with a given pruner (undefined: none), not cached: for tests and benches. */
export function parserWith(compiled: CompiledModule, pruner: NativePruner | undefined): JsonBodyParser {
  if (pruner === undefined) return parseJsonBody;
  const program = projectionProgram(moduleProjection(compiled));
  return program === undefined ? parseJsonBody : prunedParser(pruner, program);
}

/** The loaded native pruner, for tests and benches; undefined where it is not built. */
export const nativePruner: NativePruner | undefined = loaded.addon;

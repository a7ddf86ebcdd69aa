// `eval`: the exposition a target answering with a given JSON body would give — the quickest way to write a config.
import { readFileSync } from 'node:fs';
import { joinRenderedFamilies } from '../exposition/render.js';
import { runHotPathInline } from '../pool/hot-path.js';
import { closePreparedConfig, prepareConfig, type PreparedConfig } from '../scrape/prepared-config.js';
import type { EvalFlags } from './flags.js';
import { configLoader, describeLoadError } from './load-config.js';

function readBody(file: string): Uint8Array {
  return file === '-' ? readFileSync(0) : readFileSync(file);
}

export async function runEval(
  flags: EvalFlags,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let prepared: PreparedConfig;
  try {
    prepared = prepareConfig(configLoader(flags.configFile)());
  } catch (error) {
    err.write(describeLoadError(error) + '\n');
    return 1;
  }
  try {
    const module = prepared.modules.get(flags.module);
    if (module === undefined) {
      err.write(
        `eval: unknown module "${flags.module}"; modules in ${prepared.config.source}: ${[...prepared.modules.keys()].join(', ')}\n`,
      );
      return 1;
    }
    let bytes: Uint8Array;
    try {
      bytes = readBody(flags.file);
    } catch (error) {
      err.write(`eval: cannot read ${flags.file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    // The same code path as a probe's, so eval shows exactly what /probe would answer.
    const result = runHotPathInline(module.compiled, { body: bytes, targetLabels: {}, formats: [flags.format] });
    if (!result.ok) {
      err.write(`eval: ${flags.file}: ${result.message}\n`);
      return 1;
    }
    out.write(joinRenderedFamilies(result.families[flags.format] ?? [], flags.format));
    for (const problem of result.problems)
      err.write(`skipped (${problem.reason}) in metric ${problem.metric}: ${problem.message}\n`);
    return 0;
  } finally {
    await closePreparedConfig(prepared);
  }
}

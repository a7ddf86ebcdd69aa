// `error_code`: APIs such as SRS answer errors with HTTP 200 and a code in the body; such a body is a failure, not data.
import type { CompiledModule } from './compile-module.js';

/**
 * The failure message when the module's `error_code` is set and the document's code is not 0; undefined when the code
 * is 0 or absent (an absent code says nothing about the body, so the metrics decide).
 */
export function findApiError(module: CompiledModule, doc: unknown): string | undefined {
  const template = module.errorCode;
  if (template === undefined) return undefined;
  const selection = template.select(doc, { allowMissingKeys: true });
  if (!selection.ok || selection.values.length === 0) return undefined;
  const code = selection.values[0];
  if (code === 0 || code === '0' || code === null || code === undefined) return undefined;
  return `the API answered code ${JSON.stringify(code)} (${template.text}), an error rather than data`;
}

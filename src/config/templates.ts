// Template checks at load time: JSONPath templates and body templates are compiled once so mistakes surface with a position.
import type { Node } from 'yaml';
import { compileTemplate } from '../jsonpath/index.js';
import { compileBodyTemplate } from '../scrape/body-template.js';
import { INVALID, text, type Invalid, type Schema, type ValidationContext } from './validate.js';
import type { KeyPath } from './yaml-source.js';

interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly position?: unknown;
  /** The bare reason, without the template and offset the message repeats (JsonPathSyntaxError has it). */
  readonly reason?: unknown;
}

/** The error's reason without the template text and offset: our message says those itself. */
function reasonOf(error: CodedError): string {
  return typeof error.reason === 'string' && error.reason !== '' ? error.reason : error.message;
}

function codedError(error: unknown, codePrefix: string): CodedError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code: unknown = (error as Partial<CodedError>).code;
  return typeof code === 'string' && code.startsWith(codePrefix) ? (error as Error & CodedError) : undefined;
}

/** Offset into the file of the error inside a scalar's text (exact when the scalar is written simply). */
function errorOffset(context: ValidationContext, node: Node | null, error: CodedError): number {
  const index = typeof error.position === 'number' && Number.isInteger(error.position) && error.position >= 0 ? error.position : 0;
  return context.yaml.offsetInScalar(node, index);
}

/** Compiles a JSONPath template; reports FJE_CONFIG_JSONPATH at the failing character and returns false on error. */
export function checkTemplate(template: string, node: Node | null, path: KeyPath, context: ValidationContext): boolean {
  try {
    compileTemplate(template);
    return true;
  } catch (error) {
    const coded = codedError(error, 'FJE_JSONPATH');
    if (coded === undefined) throw error;
    context.reportAt('FJE_CONFIG_JSONPATH', errorOffset(context, node, coded), path, `invalid JSONPath template ${JSON.stringify(template)}: ${reasonOf(coded)}`);
    return false;
  }
}

/** A string that must compile as a JSONPath template (path, label, value, timestamp). Literal numbers are accepted as text. */
export function template(): Schema<string> {
  return text((value, node, path, context): string | Invalid => (checkTemplate(value, node, path, context) ? value : INVALID));
}

/** Compiles a body template (`body.templatize: true`); reports FJE_CONFIG_BODY_TEMPLATE on error. */
export function checkBodyTemplate(content: string, node: Node | null, path: KeyPath, context: ValidationContext): boolean {
  try {
    compileBodyTemplate(content);
    return true;
  } catch (error) {
    const coded = codedError(error, 'FJE_BODY_TEMPLATE');
    if (coded === undefined) throw error;
    context.reportAt('FJE_CONFIG_BODY_TEMPLATE', errorOffset(context, node, coded), path, `invalid body template: ${reasonOf(coded)}`);
    return false;
  }
}

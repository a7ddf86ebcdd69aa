// Template checks at load time: JSONPath templates and body templates are compiled once so mistakes surface with a position.
import type { Node } from 'yaml';
import { compileTemplate } from '../jsonpath/index.js';
import { compileBodyTemplate } from '../body-template/index.js';
import { INVALID, text, type Invalid, type Schema, type ValidationContext } from './validate.js';
import type { KeyPath } from './yaml-source.js';

interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly position?: unknown;
  /** The bare reason, without the template and offset the message repeats (JsonPathSyntaxError has it). */
  readonly reason?: unknown;
  readonly line?: unknown;
  readonly column?: unknown;
}

/** The error's reason without the template and position: our message says those itself (as file:line:col). */
function reasonOf(error: CodedError): string {
  if (typeof error.reason === 'string' && error.reason !== '') return error.reason;
  // BodyTemplateError prefixes its message with its own position in the template.
  return error.message.replace(/^body template \d+:\d+: /, '');
}

function codedError(error: unknown, codePrefix: string): CodedError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code: unknown = (error as Partial<CodedError>).code;
  return typeof code === 'string' && code.startsWith(codePrefix) ? (error as Error & CodedError) : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Offset into the file of the error inside a scalar's text, from the error's `position` (0-based offset,
 * JsonPathSyntaxError) or `line`/`column` (1-based, BodyTemplateError); exact when the scalar is written simply.
 */
function errorOffset(context: ValidationContext, node: Node | null, error: CodedError): number {
  if (isCount(error.line) && isCount(error.column) && error.line > 0 && error.column > 0) {
    return context.yaml.offsetInScalarLines(node, error.line, error.column);
  }
  return context.yaml.offsetInScalar(node, isCount(error.position) ? error.position : 0);
}

/** Compiles a JSONPath template; reports FJE_CONFIG_JSONPATH at the failing character and returns false on error. */
export function checkTemplate(template: string, node: Node | null, path: KeyPath, context: ValidationContext): boolean {
  try {
    compileTemplate(template);
    return true;
  } catch (error) {
    const coded = codedError(error, 'FJE_JSONPATH');
    if (coded === undefined) throw error;
    context.reportAt(
      'FJE_CONFIG_JSONPATH',
      errorOffset(context, node, coded),
      path,
      `invalid JSONPath template ${JSON.stringify(template)}: ${reasonOf(coded)}`,
    );
    return false;
  }
}

/** A string that must compile as a JSONPath template (path, label, value, timestamp). Literal numbers are accepted as text. */
export function template(): Schema<string> {
  return text((value, node, path, context): string | Invalid =>
    checkTemplate(value, node, path, context) ? value : INVALID,
  );
}

/** Compiles a body template (`body.templatize: true`); reports FJE_CONFIG_BODY_TEMPLATE on error. */
export function checkBodyTemplate(
  content: string,
  node: Node | null,
  path: KeyPath,
  context: ValidationContext,
): boolean {
  try {
    compileBodyTemplate(content);
    return true;
  } catch (error) {
    const coded = codedError(error, 'FJE_BODY_TEMPLATE');
    if (coded === undefined) throw error;
    context.reportAt(
      'FJE_CONFIG_BODY_TEMPLATE',
      errorOffset(context, node, coded),
      path,
      `invalid body template: ${reasonOf(coded)}`,
    );
    return false;
  }
}

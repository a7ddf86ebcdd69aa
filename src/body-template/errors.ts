// Errors of the body template language: a template that cannot be compiled, with its stable code.
import { FjeError } from '../errors.js';

export const BODY_TEMPLATE_ERROR_CODES = ['FJE_BODY_TEMPLATE_SYNTAX', 'FJE_BODY_TEMPLATE_UNSUPPORTED'] as const;

export type BodyTemplateErrorCode = (typeof BODY_TEMPLATE_ERROR_CODES)[number];

/** A `body.content` template that cannot be compiled; raised at config load. */
export class BodyTemplateError extends FjeError {
  declare readonly code: BodyTemplateErrorCode;
  /** 1-based line and column in the template text. */
  readonly line: number;
  readonly column: number;

  constructor(code: BodyTemplateErrorCode, message: string, line: number, column: number) {
    super(code, `body template ${line}:${column}: ${message}`);
    this.line = line;
    this.column = column;
  }
}

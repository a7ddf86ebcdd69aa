// The one error the JSONPath module throws: a template that does not parse (evaluation failures are values).
import { FjeError } from '../errors.js';

export const JSONPATH_SYNTAX_CODE = 'FJE_JSONPATH_SYNTAX';

export const JSONPATH_ERROR_CODES = [JSONPATH_SYNTAX_CODE] as const;

/** A template that cannot be parsed; `position` is the 0-based offset in `template` where the problem is. */
export class JsonPathSyntaxError extends FjeError {
  readonly template: string;
  readonly position: number;
  readonly reason: string;

  constructor(template: string, position: number, reason: string, options?: { cause?: unknown }) {
    super(
      JSONPATH_SYNTAX_CODE,
      `invalid JSONPath template "${showControlCharacters(template)}" at offset ${position}: ${reason}`,
      options,
    );
    this.template = template;
    this.position = position;
    this.reason = reason;
  }
}

// A tab or newline is often the very error being reported: make it visible in the message.
function showControlCharacters(text: string): string {
  return text.replace(/[\t\n\r]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

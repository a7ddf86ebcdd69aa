// Errors of the exposition area: a /federate `match[]` selector that does not parse (answered 400).
import { FjeError } from '../errors.js';

export const EXPOSITION_ERROR_CODES = ['FJE_SELECTOR'] as const;

export class SelectorError extends FjeError {
  constructor(selector: string, position: number, problem: string) {
    super('FJE_SELECTOR', `invalid selector ${JSON.stringify(selector)} at character ${position + 1}: ${problem}`);
  }
}

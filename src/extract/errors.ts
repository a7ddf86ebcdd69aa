// Errors of module compilation: a module whose metrics cannot form consistent families (raised at config load).
import { FjeError } from '../errors.js';

export const EXTRACT_ERROR_CODES = ['FJE_MODULE_INCONSISTENT_FAMILY'] as const;

/** Two metrics of one module that would share a family name with different types, help or label names. */
export class ModuleCompileError extends FjeError {
  constructor(message: string) {
    super('FJE_MODULE_INCONSISTENT_FAMILY', message);
  }
}

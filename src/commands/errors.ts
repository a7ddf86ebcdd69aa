// Errors of the command line: a flag or argument that is wrong (exit 2 with the message and a pointer to --help).
import { FjeError } from '../errors.js';

export const COMMAND_ERROR_CODES = ['FJE_USAGE'] as const;

export class UsageError extends FjeError {
  constructor(message: string) {
    super('FJE_USAGE', `${message}\nRun 'fleet-json-exporter --help' for usage.`);
  }
}

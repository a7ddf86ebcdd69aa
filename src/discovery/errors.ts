// Discovery errors: stable codes for problems that stop fleet mode from starting (a target source failing is a status, not one of these).
import { FjeError } from '../errors.js';

export const DISCOVERY_ERROR_CODES = ['FJE_SHARD_INVALID', 'FJE_SHARD_INDEX_UNKNOWN', 'FJE_SHARD_CONFLICT'] as const;

export type DiscoveryErrorCode = (typeof DISCOVERY_ERROR_CODES)[number];

export class DiscoveryError extends FjeError {
  declare readonly code: DiscoveryErrorCode;

  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to this area's codes.
  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

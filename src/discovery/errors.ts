// Discovery errors with stable codes: shard settings that stop fleet mode from starting, and the reasons a target
// source's round fails (a failing source keeps its last good targets and shows the error on /targets).
import { FjeError } from '../errors.js';

export const DISCOVERY_ERROR_CODES = [
  'FJE_SHARD_INVALID',
  'FJE_SHARD_INDEX_UNKNOWN',
  'FJE_SHARD_CONFLICT',
  'FJE_DISCOVERY_TARGET_GROUPS',
  'FJE_DISCOVERY_HTTP_SD',
  'FJE_DISCOVERY_DNS_SD',
] as const;

export type DiscoveryErrorCode = (typeof DISCOVERY_ERROR_CODES)[number];

export class DiscoveryError extends FjeError {
  declare readonly code: DiscoveryErrorCode;

  // biome-ignore lint/complexity/noUselessConstructor: narrows `code` to this area's codes.
  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

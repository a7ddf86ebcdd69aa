// Why a fleet scrape failed before or around the scrape itself: reasons beside the fetch's and the hot path's.

/**
 * `unknown_module`: the job names a module the served config lacks (a reload removed it);
 * `internal`: the scrape function threw, a bug reported in the log, never a target's fault.
 */
export const FLEET_FAILURE_REASONS = ['unknown_module', 'internal'] as const;

export type FleetFailureReason = (typeof FLEET_FAILURE_REASONS)[number];

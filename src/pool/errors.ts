// Why the hot path gave no families for a body: stable reasons, the `reason` label of failed scrapes.

/** `api_error`: the body's `error_code` was not 0; the pool's reasons say it was full or a worker failed. */
export const HOT_PATH_FAILURE_REASONS = ['invalid_json', 'api_error', 'pool_overloaded', 'worker_error'] as const;

export type HotPathFailureReason = (typeof HOT_PATH_FAILURE_REASONS)[number];

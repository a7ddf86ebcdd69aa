// Why the hot path gave no families for a body: stable reasons, the `reason` label of failed scrapes.

/**
 * `api_error`: the body's `error_code` was not 0; `invalid_utf8`, `too_deep`, `unexpected_shape`: a malformed body;
 * `result_too_large`: a template's matches outgrew the evaluation budget; `series_limit`: the module's series_limit;
 * `timeout`/`aborted`: the scrape's deadline passed, or it was cancelled, while the body was handled;
 * `body_too_large`: larger than a worker's heap can handle (a sixteenth of it); `out_of_memory`: the worker handling
 * it hit its heap limit; `pool_overloaded`: the pool was full (queue or memory budget); `worker_error`: it crashed.
 */
export const HOT_PATH_FAILURE_REASONS = [
  'invalid_json',
  'invalid_utf8',
  'too_deep',
  'unexpected_shape',
  'api_error',
  'result_too_large',
  'series_limit',
  'timeout',
  'aborted',
  'pool_overloaded',
  'body_too_large',
  'out_of_memory',
  'worker_error',
] as const;

export type HotPathFailureReason = (typeof HOT_PATH_FAILURE_REASONS)[number];

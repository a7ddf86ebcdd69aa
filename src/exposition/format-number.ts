// Sample values and timestamps as the exposition formats spell them.

/** NaN and infinities are spelled the Go way (`NaN`, `+Inf`, `-Inf`); every other number is JS's shortest round-trip form. */
export function formatSampleValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** Text 0.0.4 timestamps are integer milliseconds; OpenMetrics timestamps are seconds. */
export function formatTimestamp(timestampMs: number, openMetrics: boolean): string {
  if (!openMetrics) return String(Math.trunc(timestampMs));
  return String(timestampMs / 1000);
}

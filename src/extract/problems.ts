// Skipped values, counted by reason with the first few in detail; buffered per metric where metrics run interleaved.

/** Why a sample was not produced (or a label/timestamp fell back). Stable: these are label values of a self-metric. */
export type ExtractProblemReason =
  | 'missing_key'
  | 'jsonpath_error'
  | 'no_value'
  | 'several_values'
  | 'not_numeric'
  | 'label_error'
  | 'timestamp_error'
  | 'duplicate_series'
  | 'items_truncated'
  | 'number_out_of_range'
  | 'invalid_utf8';

export const EXTRACT_PROBLEM_REASONS: readonly ExtractProblemReason[] = [
  'missing_key',
  'jsonpath_error',
  'no_value',
  'several_values',
  'not_numeric',
  'label_error',
  'timestamp_error',
  'duplicate_series',
  'items_truncated',
  'number_out_of_range',
  'invalid_utf8',
];

export interface ExtractProblem {
  readonly reason: ExtractProblemReason;
  readonly metric: string;
  readonly message: string;
}

/** Details kept per scrape (the counts are complete). */
const MAX_PROBLEM_DETAILS = 20;

export interface ProblemSink {
  report(reason: ExtractProblemReason, metric: string, message: string): void;
}

/** A scrape's problems: counts by reason (in order of first occurrence) and the first details. */
export class ProblemTally implements ProblemSink {
  readonly counts: Partial<Record<ExtractProblemReason, number>> = {};
  readonly details: ExtractProblem[] = [];

  report(reason: ExtractProblemReason, metric: string, message: string): void {
    this.add(reason, 1);
    if (this.details.length < MAX_PROBLEM_DETAILS) this.details.push({ reason, metric, message });
  }

  add(reason: ExtractProblemReason, count: number): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + count;
  }

  /** Appends another tally's problems after this one's, as if they had been reported here in that order. */
  append(other: ProblemTally): void {
    for (const [reason, count] of Object.entries(other.counts) as Array<[ExtractProblemReason, number]>) {
      this.add(reason, count);
    }
    for (const detail of other.details) {
      if (this.details.length >= MAX_PROBLEM_DETAILS) break;
      this.details.push(detail);
    }
  }
}

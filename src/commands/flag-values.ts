// Flag values shared by the command's flag groups: durations and whole numbers, refused as usage errors (exit 2).
import { parseDuration } from '../config/duration.js';
import { UsageError } from './errors.js';

/** A Prometheus duration flag (`10s`, `1m30s`) in milliseconds. */
export function durationFlag(name: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`--${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** An optional whole-number flag of at least `min`; undefined when not given. */
export function wholeNumberFlag(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min} (got "${text}")`);
  }
  return value;
}

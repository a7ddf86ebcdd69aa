// Flag parsing shared by the simulator's command lines (cli.ts, demo.ts): strict, with the usage on every mistake.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type FlagValues = Record<string, string | boolean | undefined>;

/** Parses argv strictly; a mistake prints it and the usage, and exits 2. */
export function parseFlags(options: NonNullable<ParseArgsConfig['options']>, usage: string): FlagValues {
  try {
    return parseArgs({ args: process.argv.slice(2), options, strict: true }).values as FlagValues;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

/** A non-negative integer flag, or `fallback` when absent; anything else prints the usage and exits 2. */
export function integerFlag(values: FlagValues, name: string, fallback: number, usage: string): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} must be a non-negative integer (got ${String(raw)})\n${usage}\n`);
    process.exit(2);
  }
  return value;
}

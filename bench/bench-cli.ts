// The benches' shared command line: --help, strict flags (exit 2 with the problem and the usage, no stack trace),
// typed flag values, progress on stderr, and the result files (JSON, SVG charts) every bench writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** Shown in --help; a string flag without a default is optional. */
  readonly default?: string | boolean;
  readonly help: string;
}

export interface BenchSpec {
  /** `hotpath` for `npm run bench:hotpath`; names the result files. */
  readonly name: string;
  /** One line: the question the bench answers. */
  readonly question: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
}

/** Flags every bench has. */
const COMMON_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: { type: 'boolean', default: false, help: 'print the result as JSON on stdout instead of a table' },
  'out-dir': {
    type: 'string',
    default: 'bench-results',
    help: 'where the JSON result file and the SVG charts go (relative to the current directory)',
  },
  quiet: { type: 'boolean', default: false, help: 'no progress on stderr' },
  help: { type: 'boolean', default: false, help: 'this text' },
};

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export function usage(spec: BenchSpec): string {
  const all = { ...spec.flags, ...COMMON_FLAGS };
  const lines = [`usage: npm run bench:${spec.name} -- [flags]`, '', spec.question, '', 'flags:'];
  for (const [name, flag] of Object.entries(all)) {
    const shown =
      flag.type === 'boolean' ? `--${name}` : `--${name}=${flag.default === undefined ? '…' : flag.default}`;
    lines.push(`  ${shown.padEnd(34)} ${flag.help}`);
  }
  return lines.join('\n');
}

/** Prints the problem and the usage on stderr and exits 2: a bad flag is the user's mistake, not a crash. */
export function exitWithUsage(spec: BenchSpec, problem: string): never {
  process.stderr.write(`${problem}\n${usage(spec)}\n`);
  process.exit(2);
}

export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

export interface BenchCli {
  readonly spec: BenchSpec;
  readonly values: FlagValues;
  /** A string flag's value (its default when not given). */
  string(name: string): string;
  /** An optional string flag: undefined when neither given nor defaulted. */
  optional(name: string): string | undefined;
  boolean(name: string): boolean;
  /** A number > 0 (or ≥ 0 with `allowZero`); anything else exits 2. */
  number(name: string, options?: { integer?: boolean; allowZero?: boolean }): number;
  /** A comma-separated list, each item checked by `parse` (which throws a message for a bad item). */
  list<T>(name: string, parse: (item: string) => T): T[];
  /** A line of progress on stderr (not with --json's stdout, nor with --quiet). */
  progress(message: string): void;
  /**
   * Writes `<out-dir>/<stem>.json` (machine, flags, the result; stem defaults to the bench's name) and each chart as
   * `<out-dir>/<file>`; returns the paths.
   */
  writeResults(
    result: unknown,
    charts?: ReadonlyArray<{ readonly file: string; readonly svg: string }>,
    stem?: string,
  ): string[];
}

/** Parses process.argv for a bench: --help prints the usage and exits 0; any mistake exits 2 with the usage. */
export function parseBenchCli(spec: BenchSpec, argv: readonly string[] = process.argv.slice(2)): BenchCli {
  const all = { ...spec.flags, ...COMMON_FLAGS };
  let values: FlagValues;
  try {
    const options = Object.fromEntries(
      Object.entries(all).map(([name, flag]) => [
        name,
        flag.default === undefined ? { type: flag.type } : { type: flag.type, default: flag.default },
      ]),
    ) as NonNullable<ParseArgsConfig['options']>;
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as FlagValues;
  } catch (err) {
    exitWithUsage(spec, (err as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${usage(spec)}\n`);
    process.exit(0);
  }
  const cli: BenchCli = {
    spec,
    values,
    string: (name) => String(values[name] ?? ''),
    optional: (name) => (typeof values[name] === 'string' ? (values[name] as string) : undefined),
    boolean: (name) => values[name] === true,
    number(name, options = {}) {
      const raw = String(values[name]);
      const value = Number(raw);
      const ok =
        raw.trim() !== '' &&
        Number.isFinite(value) &&
        (options.allowZero ? value >= 0 : value > 0) &&
        (!options.integer || Number.isInteger(value));
      if (!ok) {
        const what = `${options.integer ? 'an integer' : 'a number'} ${options.allowZero ? '≥ 0' : '> 0'}`;
        exitWithUsage(spec, `--${name} must be ${what} (got ${raw})`);
      }
      return value;
    },
    list(name, parse) {
      const raw = String(values[name] ?? '');
      const items = raw.split(',').map((item) => item.trim());
      if (items.some((item) => item === ''))
        exitWithUsage(spec, `--${name} must be a comma-separated list (got "${raw}")`);
      return items.map((item) => {
        try {
          return parse(item);
        } catch (err) {
          return exitWithUsage(spec, `--${name}: ${(err as Error).message}`);
        }
      });
    },
    progress(message) {
      if (values.quiet !== true) process.stderr.write(`[bench:${spec.name}] ${message}\n`);
    },
    writeResults(result, charts = [], stem = spec.name) {
      const dir = resolve(String(values['out-dir']));
      mkdirSync(dir, { recursive: true });
      const jsonPath = join(dir, `${stem}.json`);
      const flags = Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'help'));
      writeFileSync(jsonPath, `${JSON.stringify({ bench: spec.name, machine: machine(), flags, result }, null, 2)}\n`);
      const written = [jsonPath];
      for (const chart of charts) {
        const path = join(dir, chart.file);
        writeFileSync(path, chart.svg);
        written.push(path);
      }
      return written;
    },
  };
  return cli;
}

/** What a result file records about where it was measured. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    date: new Date().toISOString(),
  };
}

/** A URL flag (`--url`, `--target`): absolute http(s) only. */
export function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a URL: "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`not an http(s) URL: "${text}"`);
  return url;
}

/** The body a user's JSON API answers now (`--target`), to measure the pipeline on real data. */
export async function fetchTargetBody(url: string): Promise<Uint8Array> {
  parseHttpUrl(url);
  const { request } = await import('undici');
  const answer = await request(url, { headers: { accept: 'application/json' } });
  const body = new Uint8Array(await answer.body.arrayBuffer());
  if (answer.statusCode !== 200) throw new UsageError(`--target ${url} answered ${answer.statusCode}`);
  return body;
}

/** Runs a bench's main; a UsageError found late (say, a bad --url) exits 2 like a bad flag, with no stack trace. */
export async function runBench(spec: BenchSpec, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof UsageError) exitWithUsage(spec, err.message);
    throw err;
  }
}

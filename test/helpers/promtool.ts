// Runs Prometheus's own `promtool check metrics` on exposition text, so tests check our output with the real parser.
//
// promtool reads text format 0.0.4 on stdin and writes every finding to stderr. Exit status (2.42, the Debian
// package CI installs; checked by hand): 0 clean; 3 parsed but lint problems (no HELP, counter without `_total`);
// 1 parse error ("text format parsing error in line N: …"). It does not read OpenMetrics: `# TYPE x unknown`
// is a parse error and a counter's `x_total` sample under `# TYPE x counter` is a lint problem.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface PromtoolResult {
  /** Exit 0: parses and no lint finding. */
  readonly ok: boolean;
  /** The text parses as text format 0.0.4 (lint findings allowed). */
  readonly parses: boolean;
  /** No lint finding (implies parses). */
  readonly lintClean: boolean;
  readonly exitCode: number | null;
  /** stdout and stderr together: the findings, for assertion messages. */
  readonly output: string;
}

const PROMTOOL_EXIT_LINT = 3;

function promtoolPath(): string {
  if (existsSync('/usr/bin/promtool')) return '/usr/bin/promtool';
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path !== '') return path;
  // A missing tool must fail the test, never skip it: CI installs promtool in .ci/run.
  throw new Error(
    'promtool is not installed (looked for /usr/bin/promtool and promtool on PATH); ' +
      'install the Debian package `prometheus` (as .ci/run does) to run the exposition checks',
  );
}

/** `promtool check metrics` with `text` on stdin. Throws when promtool is missing or cannot run. */
export function checkMetricsWithPromtool(text: string): PromtoolResult {
  const result = spawnSync(promtoolPath(), ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (result.error !== undefined) throw new Error(`promtool did not run: ${result.error.message}`);
  const output = (result.stdout ?? '') + (result.stderr ?? '');
  const exitCode = result.status;
  return {
    ok: exitCode === 0,
    parses: exitCode === 0 || exitCode === PROMTOOL_EXIT_LINT,
    lintClean: exitCode === 0,
    exitCode,
    output,
  };
}

/** Any other promtool command (`check rules <file>`, `test rules <file>`): exit code and all output. */
export function runPromtool(args: readonly string[]): { readonly exitCode: number | null; readonly output: string } {
  const result = spawnSync(promtoolPath(), args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error !== undefined) throw new Error(`promtool did not run: ${result.error.message}`);
  return { exitCode: result.status, output: (result.stdout ?? '') + (result.stderr ?? '') };
}

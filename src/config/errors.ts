// Config errors: stable codes, one problem per finding (file:line:col + key path), all of a file's problems in one error.
import { FjeError } from '../errors.js';

/** Every code a config problem can carry; docs and tests are kept in step with this list. */
export const CONFIG_ERROR_CODES = [
  'FJE_CONFIG_READ',
  'FJE_CONFIG_EMPTY',
  'FJE_CONFIG_YAML_SYNTAX',
  'FJE_CONFIG_DUPLICATE_KEY',
  'FJE_CONFIG_UNKNOWN_KEY',
  'FJE_CONFIG_UNSUPPORTED',
  'FJE_CONFIG_TYPE',
  'FJE_CONFIG_REQUIRED',
  'FJE_CONFIG_INVALID_VALUE',
  'FJE_CONFIG_DURATION',
  'FJE_CONFIG_JSONPATH',
  'FJE_CONFIG_BODY_TEMPLATE',
] as const;

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export interface ConfigProblem {
  readonly code: ConfigErrorCode;
  /** The config file path, or the `source` given to parseConfig. */
  readonly file: string;
  /** 1-based; 0 when the problem has no position (e.g. the file cannot be read). */
  readonly line: number;
  /** 1-based; 0 when the problem has no position. */
  readonly column: number;
  /** Where in the config, e.g. `modules.default.metrics[1].valuetype`; empty for the whole file. */
  readonly keyPath: string;
  /** What is wrong and what to do, without the location prefix. */
  readonly message: string;
}

/** `file:line:col: key.path: message`, leaving out the parts a problem does not have. */
export function formatProblem(problem: ConfigProblem): string {
  let where = problem.file;
  if (problem.line > 0) where += `:${problem.line}:${problem.column}`;
  const path = problem.keyPath === '' ? '' : `${problem.keyPath}: `;
  return `${where}: ${path}${problem.message}`;
}

export class ConfigError extends FjeError {
  /** In file order; `code` is the first one's code. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    const first = problems[0];
    if (first === undefined) throw new TypeError('ConfigError needs at least one problem');
    const lines = problems.map(formatProblem);
    const message =
      lines.length === 1 ? (lines[0] ?? '') : `${lines.length} problems in the config:\n${lines.join('\n')}`;
    super(first.code, message, options);
    this.problems = Object.freeze([...problems]);
  }
}

/** One line per code, for docs (`check` output and the README table are generated from it). */
export const CONFIG_ERROR_DESCRIPTIONS: Readonly<Record<ConfigErrorCode, string>> = {
  FJE_CONFIG_READ: 'the config file cannot be read (missing, no permission, a directory)',
  FJE_CONFIG_EMPTY: 'the file has no content (only comments or whitespace)',
  FJE_CONFIG_YAML_SYNTAX: 'the file is not valid YAML; nothing else is checked until it is',
  FJE_CONFIG_DUPLICATE_KEY: 'a key appears twice in one map',
  FJE_CONFIG_UNKNOWN_KEY: 'a key the schema does not know (often a typo; the nearest known key is suggested)',
  FJE_CONFIG_UNSUPPORTED:
    'a key that is valid elsewhere (Prometheus, later versions) but not supported by this version',
  FJE_CONFIG_TYPE: 'a value of the wrong YAML type (a string where a list is expected, …)',
  FJE_CONFIG_REQUIRED: 'a required key is missing or empty',
  FJE_CONFIG_INVALID_VALUE:
    'a value of the right type that is not allowed (bad metric or label name, out of range, conflicting keys, …)',
  FJE_CONFIG_DURATION: 'a duration that does not parse (Prometheus syntax: 10s, 1m30s, 500ms)',
  FJE_CONFIG_JSONPATH:
    'a JSONPath template that does not parse (path, labels, values, epochTimestamp, valueconverter keys)',
  FJE_CONFIG_BODY_TEMPLATE: 'a body template (body.templatize: true) that does not parse',
};

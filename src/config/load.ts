// Loading a config: read the file, parse YAML with positions, validate against the schema, freeze, stamp a generation.
import { readFileSync } from 'node:fs';
import { isMap, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors.js';
import { configSchema } from './schema.js';
import type { Config } from './types.js';
import { INVALID, ValidationContext, type Schema } from './validate.js';
import { describeNode, isNullNode, YamlSource } from './yaml-source.js';

let lastGeneration = 0;

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return a.line - b.line || a.column - b.column;
}

/** Freezes an object graph so no part of the exporter can change a loaded config. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    // Children first, always: schema defaults are shared between loads and may already be frozen.
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** What a document's root must be and what to say when it is empty or not a map. */
export interface DocumentRules<T> {
  readonly schema: Schema<T>;
  /** Message when the file holds nothing; `empty` is returned instead of failing when given. */
  readonly emptyMessage: string;
  readonly empty?: T;
  /** `(got …)` is appended. */
  readonly notMapMessage: string;
}

/**
 * Validates YAML text against a schema: syntax, an empty or non-map root, every schema problem and duplicate
 * keys the walk did not reach, all reported together in one ConfigError, in file order.
 */
export function validateDocument<T>(text: string, source: string, rules: DocumentRules<T>): T {
  const yaml = new YamlSource(text);
  const context = new ValidationContext(yaml, source);
  const syntax = yaml.syntaxProblems();
  const fatal = syntax.filter((problem) => !problem.duplicateKey);
  if (fatal.length > 0) {
    for (const problem of fatal) context.reportAt('FJE_CONFIG_YAML_SYNTAX', problem.offset, [], problem.message);
    throw new ConfigError(context.problems);
  }

  const root = yaml.document.contents as Node | null;
  if (isNullNode(root)) {
    if (rules.empty !== undefined) return rules.empty;
    context.reportAt('FJE_CONFIG_EMPTY', 0, [], rules.emptyMessage);
    throw new ConfigError(context.problems);
  }

  if (!isMap(root)) {
    context.report('FJE_CONFIG_TYPE', root, [], `${rules.notMapMessage} (got ${describeNode(root)})`);
    throw new ConfigError(context.problems);
  }

  const value = rules.schema.read(root, [], context);
  // Duplicate keys the walk did not reach (e.g. inside an unknown key) still count.
  for (const problem of syntax) {
    if (problem.duplicateKey && !context.reportedDuplicates.has(problem.offset)) {
      context.reportAt('FJE_CONFIG_DUPLICATE_KEY', problem.offset, [], problem.message);
    }
  }
  if (value === INVALID || context.problems.length > 0) {
    throw new ConfigError([...context.problems].sort(byPosition));
  }
  return value;
}

/**
 * Validates config text and returns it frozen. Throws ConfigError listing every problem of the text,
 * each with `source:line:column` and the key path. `generation` defaults to one more than the last load's.
 */
export function parseConfig(text: string, source: string, generation?: number): Config {
  const value = validateDocument(text, source, {
    schema: configSchema,
    emptyMessage: "the config is empty; it needs a `modules` map, as json_exporter's does",
    notMapMessage: 'the config must be a map with a `modules` key',
  });

  const stamped = generation ?? lastGeneration + 1;
  lastGeneration = Math.max(lastGeneration, stamped);
  const config: Config = { generation: stamped, source, modules: value.modules };
  return deepFreeze(value.fleet === undefined ? config : { ...config, fleet: value.fleet });
}

/** Reads and validates a config file; FJE_CONFIG_READ when the file cannot be read. */
export function loadConfigFile(path: string, generation?: number): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const problem: ConfigProblem = {
      code: 'FJE_CONFIG_READ',
      file: path,
      line: 0,
      column: 0,
      keyPath: '',
      message: `cannot read the config file (${reason}); check the path given to --config.file`,
    };
    throw new ConfigError([problem], { cause: error });
  }
  return parseConfig(text, path, generation);
}

// The schema building blocks: each reads a YAML node, reports every problem it finds, and returns a typed value.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { DurationSyntaxError, parseDuration } from './duration.js';
import type { ConfigErrorCode, ConfigProblem } from './errors.js';
import {
  describeNode,
  formatKeyPath,
  isNullNode,
  scalarText,
  YamlSource,
  type KeyPath,
  type MapEntry,
} from './yaml-source.js';

/** Returned by a reader whose node had a problem (already reported). */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

/** Collects problems while a file is walked, so one run reports all of them. */
export class ValidationContext {
  readonly problems: ConfigProblem[] = [];
  /** Offsets of duplicate keys already reported with their key path. */
  readonly reportedDuplicates = new Set<number>();

  constructor(
    readonly yaml: YamlSource,
    readonly file: string,
  ) {}

  report(code: ConfigErrorCode, node: Node | null, path: KeyPath, message: string): Invalid {
    this.reportAt(code, node?.range?.[0] ?? 0, path, message);
    return INVALID;
  }

  reportAt(code: ConfigErrorCode, offset: number, path: KeyPath, message: string): Invalid {
    const { line, column } = this.yaml.positionAt(offset);
    this.problems.push({ code, file: this.file, line, column, keyPath: formatKeyPath(path), message });
    return INVALID;
  }
}

export interface Schema<T> {
  /** What the node must be, for type errors: `a string`, `a list`, … */
  readonly expected: string;
  /** Reads a node that is present and not null. */
  read(node: Node, path: KeyPath, context: ValidationContext): T | Invalid;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function typeError(context: ValidationContext, node: Node, path: KeyPath, expected: string): Invalid {
  return context.report('FJE_CONFIG_TYPE', node, path, `must be ${expected} (got ${describeNode(node)})`);
}

/** An entry or item written without a value (`- ` or `key:`), reported at `at` (the item or its key). */
function missingValue(context: ValidationContext, at: Node, path: KeyPath, expected: string): Invalid {
  return context.report('FJE_CONFIG_TYPE', at, path, `must be ${expected} (got null)`);
}

/** A scalar read as text; numbers and booleans become their source spelling (`1` → "1"), as go-yaml does for string fields. */
export function text(): Schema<string>;
export function text<T>(
  check: (value: string, node: Node, path: KeyPath, context: ValidationContext) => T | Invalid,
): Schema<T>;
export function text<T>(
  check?: (value: string, node: Node, path: KeyPath, context: ValidationContext) => T | Invalid,
): Schema<T | string> {
  return {
    expected: 'a string',
    read(node, path, context) {
      if (!isScalar(node)) return typeError(context, node, path, 'a string');
      const value = scalarText(node);
      return check === undefined ? value : check(value, node, path, context);
    },
  };
}

// go-yaml (YAML 1.1) also reads these plain words as booleans; json_exporter configs may use them.
const YAML11_BOOLEANS: Readonly<Record<string, boolean>> = {
  yes: true,
  Yes: true,
  YES: true,
  on: true,
  On: true,
  ON: true,
  no: false,
  No: false,
  NO: false,
  off: false,
  Off: false,
  OFF: false,
};

export function boolean(): Schema<boolean> {
  return {
    expected: 'a boolean',
    read(node, path, context) {
      if (isScalar(node)) {
        if (typeof node.value === 'boolean') return node.value;
        if (typeof node.value === 'string' && node.type === 'PLAIN') {
          const yaml11 = YAML11_BOOLEANS[node.value];
          if (yaml11 !== undefined) return yaml11;
        }
      }
      return typeError(context, node, path, 'true or false');
    },
  };
}

export function integer(min: number, max: number, what: string): Schema<number> {
  return {
    expected: 'an integer',
    read(node, path, context) {
      if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
        return typeError(context, node, path, what);
      }
      if (node.value < min || node.value > max) {
        return context.report('FJE_CONFIG_INVALID_VALUE', node, path, `must be ${what} (got ${node.value})`);
      }
      return node.value;
    },
  };
}

export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  return text((value, node, path, context): V | Invalid =>
    (values as readonly string[]).includes(value)
      ? (value as V)
      : context.report(
          'FJE_CONFIG_INVALID_VALUE',
          node,
          path,
          `must be one of ${values.join(', ')} (got ${JSON.stringify(value)})`,
        ),
  );
}

export interface ListOptions {
  readonly nonEmpty?: boolean;
}

export function listOf<T>(item: Schema<T>, options: ListOptions = {}): Schema<T[]> {
  return {
    expected: 'a list',
    read(node, path, context) {
      if (!isSeq(node)) return typeError(context, node, path, 'a list');
      if (options.nonEmpty === true && node.items.length === 0) {
        return context.report('FJE_CONFIG_REQUIRED', node, path, 'must not be empty');
      }
      const result: T[] = [];
      let valid = true;
      node.items.forEach((raw, index) => {
        const child = context.yaml.resolve(raw);
        const childPath = [...path, index];
        const value = isNullNode(child)
          ? missingValue(context, child ?? node, childPath, item.expected)
          : item.read(child as Node, childPath, context);
        if (value === INVALID) valid = false;
        else result.push(value);
      });
      return valid ? result : INVALID;
    },
  };
}

/** Entries of a map node, each duplicate key reported once (with the key path, unlike the YAML parser's report). */
function uniqueEntries(node: Node, path: KeyPath, context: ValidationContext): MapEntry[] {
  const seen = new Map<string, MapEntry>();
  const entries: MapEntry[] = [];
  for (const entry of context.yaml.entriesOf(node)) {
    const first = seen.get(entry.key);
    if (first !== undefined) {
      const offset = entry.keyNode?.range?.[0] ?? 0;
      context.reportedDuplicates.add(offset);
      const line = context.yaml.positionOf(first.keyNode).line;
      context.reportAt(
        'FJE_CONFIG_DUPLICATE_KEY',
        offset,
        [...path, entry.key],
        `duplicate key ${JSON.stringify(entry.key)} (first defined at line ${line}); keep one of them`,
      );
      continue;
    }
    seen.set(entry.key, entry);
    entries.push(entry);
  }
  return entries;
}

/** Defines `key` even when it is `__proto__`: map keys come from the file, not from us. */
export function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface MapOptions {
  /** Checks a key (e.g. a label name); returns false after reporting a problem. */
  readonly key?: (key: string, keyNode: Node | null, path: KeyPath, context: ValidationContext) => boolean;
  /** Rewrites a key for the result (e.g. lower-case); two keys rewritten alike are a duplicate. */
  readonly normaliseKey?: (key: string) => string;
}

/** A map from names to values; key order as written. */
export function mapOf<T>(value: Schema<T>, options: MapOptions = {}): Schema<Record<string, T>> {
  return {
    expected: 'a map',
    read(node, path, context) {
      if (!isMap(node)) return typeError(context, node, path, 'a map');
      const result: Record<string, T> = {};
      const written = new Map<string, string>();
      let valid = true;
      for (const entry of uniqueEntries(node, path, context)) {
        const entryPath = [...path, entry.key];
        if (options.key !== undefined && !options.key(entry.key, entry.keyNode, entryPath, context)) valid = false;
        const read = isNullNode(entry.value)
          ? missingValue(context, entry.value ?? entry.keyNode ?? node, entryPath, value.expected)
          : value.read(entry.value as Node, entryPath, context);
        if (read === INVALID) {
          valid = false;
          continue;
        }
        const key = options.normaliseKey?.(entry.key) ?? entry.key;
        const earlier = written.get(key);
        if (earlier !== undefined) {
          valid = false;
          context.report(
            'FJE_CONFIG_DUPLICATE_KEY',
            entry.keyNode,
            entryPath,
            `${JSON.stringify(entry.key)} and ${JSON.stringify(earlier)} are the same key here (case does not matter); keep one of them`,
          );
          continue;
        }
        written.set(key, entry.key);
        defineEntry(result, key, read);
      }
      return valid ? result : INVALID;
    },
  };
}

/** A Prometheus duration (`10s`, `1m30s`, `500ms`) in milliseconds; FJE_CONFIG_DURATION when it does not parse. */
export function durationMs(options: { positive?: boolean } = {}): Schema<number> {
  return text((value, node, path, context) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (error) {
      if (!(error instanceof DurationSyntaxError)) throw error;
      return context.report('FJE_CONFIG_DURATION', node, path, error.message);
    }
    if (options.positive === true && ms === 0) {
      return context.report('FJE_CONFIG_DURATION', node, path, `must be longer than 0 (got ${JSON.stringify(value)})`);
    }
    return ms;
  });
}

/** The value a schema gives an empty map: its defaults, taken from the schema itself so they live in one place. */
export function defaultsOf<T>(schema: Schema<T>): T {
  const yaml = new YamlSource('{}');
  const context = new ValidationContext(yaml, '<defaults>');
  const value = schema.read(yaml.document.contents as Node, [], context);
  if (value === INVALID)
    throw new Error(`schema defaults are invalid: ${context.problems.map((problem) => problem.message).join('; ')}`);
  return value;
}

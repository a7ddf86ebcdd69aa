// Object schemas: known keys with required/optional/default, unknown keys rejected with a suggestion, cross-field checks.
import { isMap, type Node } from 'yaml';
import { defineEntry, INVALID, type ValidationContext, type Invalid, type Schema } from './validate.js';
import { describeNode, isNullNode, type KeyPath, type MapEntry } from './yaml-source.js';

type Presence = 'always' | 'maybe';

export interface FieldSpec<T, P extends Presence> {
  /** The key as written in YAML. */
  readonly key: string;
  /** Other spellings accepted for compatibility. */
  readonly aliases: readonly string[];
  readonly schema: Schema<T>;
  readonly required: boolean;
  readonly presence: P;
  readonly defaultValue?: T;
}

export function required<T>(key: string, schema: Schema<T>): FieldSpec<T, 'always'> {
  return { key, aliases: [], schema, required: true, presence: 'always' };
}

export function optional<T>(key: string, schema: Schema<T>, aliases: readonly string[] = []): FieldSpec<T, 'maybe'> {
  return { key, aliases, schema, required: false, presence: 'maybe' };
}

export function withDefault<T>(key: string, schema: Schema<T>, defaultValue: T): FieldSpec<T, 'always'> {
  return { key, aliases: [], schema, required: false, presence: 'always', defaultValue };
}

type Fields = Record<string, FieldSpec<unknown, Presence>>;

/** The typed result of an object schema: required and defaulted fields are always there, optional ones may be absent. */
export type ObjectOutput<F extends Fields> = {
  [K in keyof F as F[K] extends FieldSpec<unknown, 'always'> ? K : never]: F[K] extends FieldSpec<infer T, Presence>
    ? T
    : never;
} & {
  [K in keyof F as F[K] extends FieldSpec<unknown, 'always'> ? never : K]?: F[K] extends FieldSpec<infer T, Presence>
    ? T
    : never;
};

export interface ObjectOptions<F extends Fields, R> {
  /** Keys the file may not use yet → why (reported as FJE_CONFIG_UNSUPPORTED rather than unknown). */
  readonly unsupported?: Readonly<Record<string, string>>;
  /** Cross-field checks and normalisation, run when every field read cleanly. */
  readonly refine?: (value: ObjectOutput<F>, node: Node, path: KeyPath, context: ValidationContext) => R | Invalid;
}

/** The value node of `key` in a map (for positions in cross-field checks), or null. */
export function entryNode(context: ValidationContext, node: Node, key: string): Node | null {
  return context.yaml.entriesOf(node).find((entry) => entry.key === key)?.value ?? null;
}

/** The key node of `key` in a map, for problems about the key being there at all (conflicts); or null. */
export function keyNodeOf(context: ValidationContext, node: Node, key: string): Node | null {
  return context.yaml.entriesOf(node).find((entry) => entry.key === key)?.keyNode ?? null;
}

export function objectOf<F extends Fields, R = ObjectOutput<F>>(
  fields: F,
  options: ObjectOptions<F, R> = {},
): Schema<R> {
  const byKey = new Map<string, [string, FieldSpec<unknown, Presence>]>();
  for (const [name, field] of Object.entries(fields)) {
    for (const key of [field.key, ...field.aliases]) byKey.set(key, [name, field]);
  }
  const knownKeys = Object.values(fields).map((field) => field.key);
  return {
    expected: 'a map',
    read(node, path, context) {
      if (!isMap(node)) {
        return context.report('FJE_CONFIG_TYPE', node, path, `must be a map (got ${describeNode(node)})`);
      }
      const output: Record<string, unknown> = {};
      const seen = new Map<string, MapEntry>();
      let valid = true;
      for (const entry of context.yaml.entriesOf(node)) {
        const entryPath = [...path, entry.key];
        const unsupported = options.unsupported?.[entry.key];
        if (unsupported !== undefined) {
          valid = false;
          context.report('FJE_CONFIG_UNSUPPORTED', entry.keyNode, entryPath, unsupported);
          continue;
        }
        const known = byKey.get(entry.key);
        if (known === undefined) {
          valid = false;
          context.report('FJE_CONFIG_UNKNOWN_KEY', entry.keyNode, entryPath, unknownKeyMessage(entry.key, knownKeys));
          continue;
        }
        const [name, field] = known;
        const earlier = seen.get(name);
        if (earlier !== undefined) {
          valid = false;
          const offset = entry.keyNode?.range?.[0] ?? 0;
          context.reportedDuplicates.add(offset);
          const line = context.yaml.positionOf(earlier.keyNode).line;
          const message =
            earlier.key === entry.key
              ? `duplicate key ${JSON.stringify(entry.key)} (first defined at line ${line}); keep one of them`
              : `${JSON.stringify(entry.key)} repeats ${JSON.stringify(earlier.key)} (line ${line}); keep one of them`;
          context.reportAt('FJE_CONFIG_DUPLICATE_KEY', offset, entryPath, message);
          continue;
        }
        seen.set(name, entry);
        // A key with no value (`help:`) means "not set", as go-yaml leaves the field at its zero value.
        if (isNullNode(entry.value)) continue;
        const value = field.schema.read(entry.value as Node, [...path, entry.key], context);
        if (value === INVALID) valid = false;
        else defineEntry(output, name, value);
      }
      for (const [name, field] of Object.entries(fields)) {
        if (Object.hasOwn(output, name)) continue;
        if (field.required) {
          valid = false;
          const written = seen.get(name);
          if (written === undefined)
            context.report('FJE_CONFIG_REQUIRED', node, path, `missing required key ${JSON.stringify(field.key)}`);
          else if (isNullNode(written.value))
            context.report('FJE_CONFIG_REQUIRED', written.keyNode, [...path, written.key], 'must have a value');
          // Otherwise the value was read and its problem is already reported.
        } else if (field.defaultValue !== undefined) {
          output[name] = field.defaultValue;
        }
      }
      if (!valid) return INVALID;
      const value = output as ObjectOutput<F>;
      return options.refine === undefined ? (value as R) : options.refine(value, node, path, context);
    },
  };
}

function unknownKeyMessage(key: string, knownKeys: readonly string[]): string {
  const suggestion = nearestKey(key, knownKeys);
  if (suggestion !== undefined)
    return `unknown key ${JSON.stringify(key)}; did you mean ${JSON.stringify(suggestion)}?`;
  return `unknown key ${JSON.stringify(key)}; known keys are ${knownKeys.join(', ')}`;
}

/** The known key closest to a misspelling, when it is close enough to be a likely typo. */
export function nearestKey(key: string, knownKeys: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of knownKeys) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Damerau–Levenshtein (optimal string alignment): a swapped pair of letters (`lables`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const previous = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
      row.push(distance);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}

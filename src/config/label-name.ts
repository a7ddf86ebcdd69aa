// Prometheus label names: what is valid, what is reserved; shared by module labels, job labels and discovered labels.
import type { Node } from 'yaml';
import type { ValidationContext } from './validate.js';
import type { KeyPath } from './yaml-source.js';

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Why `name` cannot be a label of our output, or undefined when it can. */
export function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME.test(name))
    return `${JSON.stringify(name)} is not a valid label name; use letters, digits and _, not starting with a digit`;
  if (name.startsWith('__'))
    return `label names starting with "__" are reserved for Prometheus; rename ${JSON.stringify(name)}`;
  return undefined;
}

/** A map-key check for label maps: reports and returns false when the name is not allowed. */
export function checkLabelName(name: string, keyNode: Node | null, path: KeyPath, context: ValidationContext): boolean {
  const problem = labelNameProblem(name);
  if (problem === undefined) return true;
  context.report('FJE_CONFIG_INVALID_VALUE', keyNode, path, problem);
  return false;
}

// Evaluation failures as values (the hot path never throws), with client-go's wording.

/** Why a template could not be evaluated on a document; `missing` marks a "… is not found" key error. */
export class EvalFailure {
  constructor(
    readonly message: string,
    readonly missing: boolean,
  ) {}
}

export function keyNotFound(name: string): EvalFailure {
  return new EvalFailure(`${name} is not found`, true);
}

export function failure(message: string): EvalFailure {
  return new EvalFailure(message, false);
}

export function indexOutOfBounds(index: number, length: number): EvalFailure {
  return new EvalFailure(`array index out of bounds: index ${index}, length ${length}`, false);
}

/** The Go type client-go names in its messages for a value decoded by encoding/json. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  switch (typeof value) {
    case 'object':
      return 'map[string]interface {}';
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    default:
      return typeof value;
  }
}

// YAML text → document with source positions: line/column of nodes, key paths, map entries with merges and aliases resolved.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';

/** A path into the config: map keys and list indexes. */
export type KeyPath = readonly (string | number)[];

const SIMPLE_KEY = /^[A-Za-z0-9_-]+$/;

/** `modules.default.metrics[1].valuetype`; keys that are not simple words are quoted: `valueconverter["{.state}"]`. */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (SIMPLE_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface YamlSyntaxProblem extends Position {
  readonly duplicateKey: boolean;
  readonly offset: number;
  readonly message: string;
}

/** A map entry as the config sees it: the key as text, its node (for positions) and its value node. */
export interface MapEntry {
  readonly key: string;
  readonly keyNode: Node | null;
  readonly value: Node | null;
}

/** Parser messages that speak to the library's caller rather than to whoever edits the file. */
const REWORDED: Partial<Record<string, string>> = {
  MULTIPLE_DOCS: 'the file holds more than one YAML document (a second `---`); a config is one document',
};

export class YamlSource {
  readonly text: string;
  readonly document: Document.Parsed;
  private readonly lineCounter: LineCounter;

  constructor(text: string) {
    this.text = text;
    this.lineCounter = new LineCounter();
    // merge: json_exporter's YAML library (go-yaml) honours `<<: *anchor`, so configs in the wild use it.
    this.document = parseDocument(text, {
      lineCounter: this.lineCounter,
      prettyErrors: true,
      uniqueKeys: true,
      merge: true,
    });
  }

  /** The parser's errors, with the pretty-printed context stripped (the caller adds its own location). */
  syntaxProblems(): YamlSyntaxProblem[] {
    return this.document.errors.map((error) => {
      const offset = error.pos[0];
      const firstLine = error.message.split('\n')[0] ?? error.message;
      return {
        ...this.positionAt(offset),
        offset,
        duplicateKey: error.code === 'DUPLICATE_KEY',
        message: REWORDED[error.code] ?? firstLine.replace(/ at line \d+, column \d+:?$/, ''),
      };
    });
  }

  positionAt(offset: number): Position {
    const position = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: position.line, column: position.col };
  }

  /** Where a node starts; the document start when the node has no range. */
  positionOf(node: Node | null | undefined): Position {
    const offset = node?.range?.[0];
    return this.positionAt(offset ?? 0);
  }

  /**
   * The source offset of character `index` of a scalar's value, when the value appears verbatim in the
   * source (plain or simply quoted, on one line); otherwise the scalar's start. Best effort, for pointing
   * at the exact column of a template error.
   */
  offsetInScalar(node: Node | null, index: number): number {
    const range = node?.range;
    if (node === null || range === undefined || range === null) return 0;
    if (!isScalar(node) || typeof node.value !== 'string') return range[0];
    const raw = this.text.slice(range[0], range[1]);
    const value = node.value;
    if (raw.includes('\n')) return range[0];
    if (raw === value) return range[0] + index;
    const quote = raw[0];
    if ((quote === '"' || quote === "'") && raw === `${quote}${value}${quote}`) return range[0] + 1 + index;
    return range[0];
  }

  /**
   * The source offset of 1-based (`line`, `column`) inside a scalar's value: exact for one-line plain or
   * simply quoted scalars and for literal block scalars (`|`), else the scalar's start. Best effort.
   */
  offsetInScalarLines(node: Node | null, line: number, column: number): number {
    if (line === 1) return this.offsetInScalar(node, column - 1);
    const start = node?.range?.[0];
    if (node === null || start === undefined || !isScalar(node) || node.type !== 'BLOCK_LITERAL') return start ?? 0;
    const headerLine = this.positionAt(start).line;
    const lineStart = this.lineCounter.lineStarts[headerLine + line - 1];
    const firstContent = this.text.slice(this.lineCounter.lineStarts[headerLine] ?? 0).match(/^(?:[ ]*\r?\n)*([ ]*)/);
    if (lineStart === undefined || firstContent === null) return start;
    return lineStart + (firstContent[1] ?? '').length + column - 1;
  }

  /** Follows an alias to the node it names. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.document) as Node | undefined) ?? null;
    return (node as Node | null | undefined) ?? null;
  }

  /** A map's entries in source order; `<<` merges expanded, keys written explicitly win over merged ones. */
  entriesOf(node: Node): MapEntry[] {
    const explicit: MapEntry[] = [];
    const merged: MapEntry[] = [];
    if (!isMap(node)) return explicit;
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        for (const source of this.mergeSources(pair.value)) merged.push(...this.entriesOf(source));
        continue;
      }
      explicit.push({ key: keyText(keyNode), keyNode, value: this.resolve(pair.value) });
    }
    const seen = new Set(explicit.map((entry) => entry.key));
    const result = [...explicit];
    for (const entry of merged) {
      if (seen.has(entry.key)) continue;
      seen.add(entry.key);
      result.push(entry);
    }
    return result;
  }

  private mergeSources(value: unknown): Node[] {
    const node = this.resolve(value);
    if (isMap(node)) return [node];
    if (isSeq(node)) return node.items.map((item) => this.resolve(item)).filter((item): item is Node => isMap(item));
    return [];
  }
}

function keyText(node: Node | null): string {
  if (node === null) return '';
  if (isScalar(node)) return scalarText(node);
  return String(node.toJSON());
}

/** A scalar as text the way go-yaml decodes it into a Go string: numbers and booleans keep their source spelling. */
export function scalarText(node: Scalar): string {
  const value: unknown = node.value;
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return node.source ?? String(value);
}

/** `a map`, `a list`, `a string "x"`, `a number 5`, … for "(got …)" in messages. */
export function describeNode(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value: unknown = node.value;
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'string') return `a string ${JSON.stringify(truncate(value))}`;
    if (typeof value === 'number' || typeof value === 'bigint') return `a number ${scalarText(node)}`;
    if (typeof value === 'boolean') return `a boolean ${scalarText(node)}`;
  }
  return 'an unsupported YAML value';
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function isNullNode(node: Node | null): boolean {
  return node === null || (isScalar(node) && (node.value === null || node.value === undefined));
}

// The keys of a body that a module's templates can read, as a tree, and that tree as the program of the native
// pruner (native/json_prune.cc): a body cut down to them parses in 0.40–0.51× the time (bench:parse) and gives every
// template the same result.
import type { Step } from '../jsonpath/ast.js';
import { parseTemplate } from '../jsonpath/parse.js';
import type { CompiledModule } from './compile-module.js';

/**
 * A node of the projection: `whole` keeps the value as it is; otherwise an object keeps only the listed keys (each
 * projected by its child) and an array keeps every element, each projected by this same node. Scalars are kept.
 */
export interface ProjectionNode {
  whole: boolean;
  readonly keys: Map<string, ProjectionNode>;
}

function newNode(): ProjectionNode {
  return { whole: false, keys: new Map() };
}

/**
 * The nodes a path's values come from, starting at `from` (a template's inputs). Arrays are transparent to the
 * projection (an index, a slice or a filter keeps the node), so every step but `.name` stays where it is; a step
 * that reads every key of an object (`*`, `..`, a jsonpath-plus filter) keeps the node whole.
 */
function reach(from: readonly ProjectionNode[], steps: readonly Step[]): ProjectionNode[] {
  let nodes = [...from];
  for (const step of steps) {
    switch (step.kind) {
      case 'field':
        nodes = nodes.map((node) => {
          if (node.whole) return node;
          let child = node.keys.get(step.name);
          if (child === undefined) {
            child = newNode();
            node.keys.set(step.name, child);
          }
          return child;
        });
        break;
      case 'index':
      case 'slice':
        break;
      case 'wildcard':
      case 'recursive':
      case 'fallbackFilter':
        for (const node of nodes) node.whole = true;
        break;
      case 'union':
        nodes = step.branches.flatMap((branch) => reach(nodes, branch));
        break;
      case 'filter':
        // Both operands read each element; what they compare is read whole (its type names a failure).
        for (const operand of [step.left, step.right]) keepWhole(reach(nodes, operand));
        break;
      case 'exists':
        keepWhole(reach(nodes, step.path));
        break;
      case 'literal':
        // A constant replaces each input: what follows reads no document.
        nodes = [];
        break;
    }
  }
  return nodes;
}

function keepWhole(nodes: readonly ProjectionNode[]): void {
  for (const node of nodes) node.whole = true;
}

/**
 * A template read on `inputs`: every value its blocks print, and a range's items, are kept whole. `printed: false`
 * (paging's list, of which only its being an array and its length count) keeps a single block's values as other
 * templates project them, which keeps every array's length.
 */
function addTemplate(inputs: readonly ProjectionNode[], text: string, printed = true): void {
  const parts = parseTemplate(text).parts;
  for (const part of parts) {
    if (part.kind === 'text') continue;
    const reached = reach(inputs, part.path);
    if (printed || part.kind === 'range' || parts.length > 1) keepWhole(reached);
  }
}

/** The projection of everything `compiled` reads of a body: element paths lead to what their labels and values read. */
export function moduleProjection(compiled: CompiledModule): ProjectionNode {
  const root = newNode();
  for (const metric of compiled.metrics) {
    const onElements = [
      ...metric.labels.map((label) => label.text),
      ...metric.values.map((value) => value.template.text),
      ...(metric.timestamp === undefined ? [] : [metric.timestamp.text]),
    ];
    if (metric.elements === undefined) {
      for (const text of onElements) addTemplate([root], text);
      continue;
    }
    const parts = parseTemplate(metric.elements.text).parts;
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only?.kind !== 'block') {
      // Literal text or a range as the element selector: its elements are printed matches, read whole.
      addTemplate([root], metric.elements.text);
      continue;
    }
    const elements = reach([root], only.path);
    for (const text of onElements) addTemplate(elements, text);
  }
  if (compiled.errorCode !== undefined) addTemplate([root], compiled.errorCode.text);
  if (compiled.paging !== undefined) addTemplate([root], compiled.paging.items.text, false);
  return root;
}

/** A node's header: kind (u8), key count (u16), the filter of its keys (u64). */
const NODE_HEADER = 11;

/** A key's bit in its node's filter: the native side tests it before it compares any key (json_prune.cc key_bit). */
function keyBit(bytes: Uint8Array): bigint {
  return 1n << BigInt((bytes.byteLength * 7 + (bytes[0] ?? 0)) & 63);
}

/** Keys longer than this are not worth a program entry of their own: such a module is not pruned. */
const MAX_KEY_BYTES = 0xffff;

/**
 * The program native/json_prune.cc runs (its header describes the layout), or undefined when nothing can be left
 * out (the root is read whole, or a key is too long to encode).
 */
export function projectionProgram(root: ProjectionNode): Uint8Array | undefined {
  if (root.whole) return undefined;
  const encoder = new TextEncoder();
  // Offsets first: the root at 0, one shared "whole" node after it, then every other node depth-first.
  const order: ProjectionNode[] = [];
  const keyBytes = new Map<ProjectionNode, Array<[Uint8Array, ProjectionNode]>>();
  const collect = (node: ProjectionNode): boolean => {
    order.push(node);
    const entries: Array<[Uint8Array, ProjectionNode]> = [];
    for (const [key, child] of node.keys) {
      const bytes = encoder.encode(key);
      if (bytes.byteLength > MAX_KEY_BYTES) return false;
      entries.push([bytes, child]);
    }
    keyBytes.set(node, entries);
    for (const [, child] of entries) if (!child.whole && !collect(child)) return false;
    return true;
  };
  if (!collect(root)) return undefined;
  const sizeOf = (node: ProjectionNode): number =>
    NODE_HEADER + (keyBytes.get(node) ?? []).reduce((sum, [bytes]) => sum + 2 + bytes.byteLength + 4, 0);
  const offsets = new Map<ProjectionNode, number>();
  let size = sizeOf(root);
  offsets.set(root, 0);
  const wholeOffset = size;
  size += NODE_HEADER;
  for (const node of order.slice(1)) {
    offsets.set(node, size);
    size += sizeOf(node);
  }
  const program = new Uint8Array(size);
  const view = new DataView(program.buffer);
  for (const node of order) {
    let at = offsets.get(node) as number;
    const entries = keyBytes.get(node) ?? [];
    program[at] = 1;
    view.setUint16(at + 1, entries.length, true);
    let filter = 0n;
    for (const [bytes] of entries) filter |= keyBit(bytes);
    view.setBigUint64(at + 3, filter, true);
    at += NODE_HEADER;
    for (const [bytes, child] of entries) {
      view.setUint16(at, bytes.byteLength, true);
      program.set(bytes, at + 2);
      at += 2 + bytes.byteLength;
      view.setUint32(at, child.whole ? wholeOffset : (offsets.get(child) as number), true);
      at += 4;
    }
  }
  // The shared whole node: kind 0 (its bytes are already 0).
  return program;
}

// Executes a parsed body template against its data, with text/template's semantics under missingkey=zero.
import type { Command, Node, Operand, Pipeline } from './ast.js';
import { ArgumentError, CallError, RENDER_LIMITS, int64 } from './arguments.js';
import { SHORT_CIRCUIT_FUNCTIONS, checkShortCircuitArity } from './builtins.js';
import { lookupFunction } from './functions.js';
import { formatValue } from './go-format.js';
import { formatGoTime, formatGoTimeString } from './go-time.js';
import { GoList, GoMap, GoTime, goTypeName, isTruthy, type GoValue } from './values.js';

/** A failure while rendering; the message carries the template position. */
export class TemplateRuntimeError extends Error {}

const MISSING = Symbol('no piped value');
type Final = GoValue | typeof MISSING;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

interface Variable {
  readonly name: string;
  value: GoValue;
}

export function renderTemplate(source: string, nodes: readonly Node[], data: GoValue): string {
  const renderer = new Renderer(source, data);
  renderer.walkList(nodes, data);
  return renderer.output;
}

class Renderer {
  output = '';
  private readonly variables: Variable[];

  constructor(
    private readonly source: string,
    root: GoValue,
  ) {
    this.variables = [{ name: '$', value: root }];
  }

  private fail(offset: number, message: string): never {
    const before = this.source.slice(0, offset);
    const column = offset - before.lastIndexOf('\n');
    throw new TemplateRuntimeError(`body template ${before.split('\n').length}:${column}: ${message}`);
  }

  private write(text: string, offset: number): void {
    if (this.output.length + text.length > RENDER_LIMITS.maxOutputChars)
      this.fail(offset, `output exceeds ${RENDER_LIMITS.maxOutputChars} characters`);
    this.output += text;
  }

  walkList(nodes: readonly Node[], dot: GoValue): void {
    for (const node of nodes) this.walk(node, dot);
  }

  private walk(node: Node, dot: GoValue): void {
    switch (node.type) {
      case 'text':
        this.write(node.text, 0);
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        // Go prints an invalid value (a nil interface, e.g. `first` of an empty list) as "<no value>".
        if (node.pipe.variables.length === 0)
          this.write(value === null ? '<no value>' : formatValue(value), node.offset);
        return;
      }
      case 'if':
      case 'with': {
        const scope = this.variables.length;
        const value = this.evalPipeline(dot, node.pipe);
        if (isTruthy(value)) this.walkList(node.list, node.type === 'with' ? value : dot);
        else if (node.elseList !== undefined) this.walkList(node.elseList, dot);
        this.variables.length = scope;
        return;
      }
      case 'range':
        this.walkRange(node, dot);
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private walkRange(node: Extract<Node, { type: 'range' }>, dot: GoValue): void {
    const scope = this.variables.length;
    const value = this.evalPipeline(dot, node.pipe);
    const pairs: Array<[GoValue, GoValue]> = [];
    if (value instanceof GoList) for (const [i, item] of value.items.entries()) pairs.push([BigInt(i), item]);
    else if (value instanceof GoMap)
      for (const key of [...value.entries.keys()].sort()) pairs.push([key, value.entries.get(key) ?? null]);
    else if (typeof value === 'bigint') {
      if (node.pipe.variables.length > 1)
        this.fail(node.offset, `can't use ${value} to iterate over more than one variable`);
      if (value > BigInt(RENDER_LIMITS.maxRangeOverInt))
        this.fail(node.offset, `range over ${value} exceeds ${RENDER_LIMITS.maxRangeOverInt} iterations`);
      for (let i = 0n; i < value; i++) pairs.push([i, i]);
    } else if (value !== null) this.fail(node.offset, `range can't iterate over ${formatValue(value)}`);
    if (pairs.length === 0 && node.elseList !== undefined) this.walkList(node.elseList, dot);
    for (const [key, element] of pairs) {
      const iterationScope = this.variables.length;
      this.bindRangeVariables(node.pipe, key, element);
      try {
        this.walkList(node.list, element);
      } catch (signal) {
        if (signal === BREAK) break;
        if (signal !== CONTINUE) throw signal;
      } finally {
        this.variables.length = iterationScope;
      }
    }
    this.variables.length = scope;
  }

  /** One variable takes the element; two take key and element (as Go's setTopVar does). */
  private bindRangeVariables(pipe: Pipeline, key: GoValue, element: GoValue): void {
    const [first, second] = pipe.variables;
    if (first === undefined) return;
    const values: Array<[string, GoValue]> =
      second === undefined
        ? [[first, element]]
        : [
            [first, key],
            [second, element],
          ];
    for (const [name, value] of values) {
      const variable = this.findVariable(name);
      if (variable !== undefined) variable.value = value;
    }
  }

  private findVariable(name: string): Variable | undefined {
    for (let i = this.variables.length - 1; i >= 0; i--) if (this.variables[i]?.name === name) return this.variables[i];
    return undefined;
  }

  private evalPipeline(dot: GoValue, pipe: Pipeline): GoValue {
    let value: Final = MISSING;
    for (const command of pipe.commands) value = this.evalCommand(dot, command, value);
    const result = value === MISSING ? null : value;
    for (const name of pipe.variables) {
      const variable = pipe.isAssign ? this.findVariable(name) : undefined;
      if (variable !== undefined) variable.value = result;
      else this.variables.push({ name, value: result });
    }
    return result;
  }

  private evalCommand(dot: GoValue, command: Command, final: Final): GoValue {
    const [head] = command.args;
    if (head === undefined) this.fail(command.offset, 'empty command');
    switch (head.type) {
      case 'field':
        return this.evalFieldChain(dot, dot, head.fields, command.args, final, head.offset);
      case 'chain':
        return this.evalFieldChain(dot, this.evalArg(dot, head.node), head.fields, command.args, final, head.offset);
      case 'variable': {
        const value = this.findVariable(head.name)?.value ?? null;
        if (head.fields.length > 0)
          return this.evalFieldChain(dot, value, head.fields, command.args, final, head.offset);
        this.rejectArguments(command.args, final, head.offset, head.name);
        return value;
      }
      case 'function':
        return this.evalFunction(dot, head.name, head.offset, command.args.slice(1), final);
      case 'pipe':
        this.rejectArguments(command.args, final, head.offset, '(pipeline)');
        return this.evalPipeline(dot, head.pipe);
      case 'nil':
        return this.fail(head.offset, 'nil is not a command');
      default:
        this.rejectArguments(
          command.args,
          final,
          head.offset,
          this.source.slice(head.offset).split(/[\s|)}]/)[0] ?? '',
        );
        return this.evalArg(dot, head);
    }
  }

  private rejectArguments(args: readonly Operand[], final: Final, offset: number, name: string): void {
    if (args.length > 1 || final !== MISSING) this.fail(offset, `can't give argument to non-function ${name}`);
  }

  private evalArg(dot: GoValue, node: Operand): GoValue {
    switch (node.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'string':
      case 'bool':
      case 'number':
        return node.value;
      case 'field':
        return this.evalFieldChain(dot, dot, node.fields, [node], MISSING, node.offset);
      case 'variable': {
        const value = this.findVariable(node.name)?.value ?? null;
        return node.fields.length === 0
          ? value
          : this.evalFieldChain(dot, value, node.fields, [node], MISSING, node.offset);
      }
      case 'chain':
        return this.evalFieldChain(dot, this.evalArg(dot, node.node), node.fields, [node], MISSING, node.offset);
      case 'pipe':
        return this.evalPipeline(dot, node.pipe);
      case 'function':
        return this.evalFunction(dot, node.name, node.offset, [], MISSING);
    }
  }

  private evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    fields: readonly string[],
    args: readonly Operand[],
    final: Final,
    offset: number,
  ): GoValue {
    let value = receiver;
    fields.forEach((field, i) => {
      const last = i === fields.length - 1;
      value = this.evalField(dot, field, last ? args.slice(1) : [], last ? final : MISSING, value, offset);
    });
    return value;
  }

  private evalField(
    dot: GoValue,
    name: string,
    args: readonly Operand[],
    final: Final,
    receiver: GoValue,
    offset: number,
  ): GoValue {
    if (receiver === null) this.fail(offset, `nil data; no entry for key "${name}"`);
    if (receiver instanceof GoMap) {
      if (args.length > 0 || final !== MISSING) this.fail(offset, `${name} is not a method but has arguments`);
      // missingkey=zero: a missing key gives the element type's zero value (for url.Values a nil []string).
      return receiver.entries.has(name) ? (receiver.entries.get(name) ?? null) : receiver.zero;
    }
    if (receiver instanceof GoTime) {
      const values = args.map((arg) => this.evalArg(dot, arg));
      if (final !== MISSING) values.push(final);
      const method = TIME_METHODS[name];
      if (method === undefined || !Object.hasOwn(TIME_METHODS, name))
        this.fail(offset, `can't evaluate field ${name} in type time.Time`);
      return this.call(name, offset, () => method(receiver.date, values));
    }
    return this.fail(offset, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: GoValue, name: string, offset: number, args: readonly Operand[], final: Final): GoValue {
    if (SHORT_CIRCUIT_FUNCTIONS.has(name)) {
      const count = args.length + (final === MISSING ? 0 : 1);
      this.call(name, offset, () => checkShortCircuitArity(name, count));
      let value: GoValue = null;
      for (let i = 0; i < count; i++) {
        const arg = args[i];
        value = arg === undefined ? (final as GoValue) : this.evalArg(dot, arg);
        if (isTruthy(value) === (name === 'or')) return value;
      }
      return value;
    }
    const implementation = lookupFunction(name);
    if (implementation === undefined) this.fail(offset, `function "${name}" not defined`);
    const values = args.map((arg) => this.evalArg(dot, arg));
    if (final !== MISSING) values.push(final);
    return this.call(name, offset, () => implementation(values));
  }

  private call<T>(name: string, offset: number, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ArgumentError) this.fail(offset, `executing at <${name}>: ${error.message}`);
      if (error instanceof CallError)
        this.fail(offset, `executing at <${name}>: error calling ${name}: ${error.message}`);
      throw error;
    }
  }
}

const TIME_METHODS: Readonly<Record<string, (date: Date, args: readonly GoValue[]) => GoValue>> = {
  Unix: (date, args) => {
    noArgs('Unix', args);
    return int64(BigInt(Math.floor(date.getTime() / 1000)));
  },
  UnixMilli: (date, args) => {
    noArgs('UnixMilli', args);
    return int64(BigInt(date.getTime()));
  },
  String: (date, args) => {
    noArgs('String', args);
    return formatGoTimeString(date);
  },
  Format: (date, args) => {
    const [layout] = args;
    if (args.length !== 1) throw new ArgumentError(`wrong number of args for Format: want 1 got ${args.length}`);
    if (typeof layout !== 'string')
      throw new ArgumentError(`wrong type for value; expected string; got ${goTypeName(layout ?? null)}`);
    return formatGoTime(date, layout);
  },
};

function noArgs(name: string, args: readonly GoValue[]): void {
  if (args.length > 0) throw new ArgumentError(`wrong number of args for ${name}: want 0 got ${args.length}`);
}

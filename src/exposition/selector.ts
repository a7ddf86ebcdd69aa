// Prometheus instant-vector selectors (`metric{a="v", b=~"re", c!="x", d!~"re"}`), parsed once, matched per series.
import { SelectorError } from './errors.js';

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOperator;
  readonly value: string;
  /** For =~ and !~: the value fully anchored, as Prometheus anchors it (`^(?s:…)$`). */
  readonly regex?: RegExp;
}

export interface Selector {
  readonly text: string;
  /** The metric name, when given before the braces, is the matcher `__name__="…"`. */
  readonly matchers: readonly LabelMatcher[];
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

class SelectorParser {
  #pos = 0;

  constructor(private readonly text: string) {}

  fail(problem: string, position = this.#pos): never {
    throw new SelectorError(this.text, position, problem);
  }

  skipSpace(): void {
    while (this.#pos < this.text.length && /\s/.test(this.text[this.#pos] as string)) this.#pos++;
  }

  peek(): string | undefined {
    return this.text[this.#pos];
  }

  identifier(): string {
    const start = this.#pos;
    if (!NAME_START.test(this.peek() ?? '')) this.fail(`expected a name, found ${this.describeHere()}`);
    while (this.#pos < this.text.length && NAME_CHAR.test(this.text[this.#pos] as string)) this.#pos++;
    return this.text.slice(start, this.#pos);
  }

  describeHere(): string {
    const c = this.peek();
    return c === undefined ? 'the end' : JSON.stringify(c);
  }

  /** A PromQL string: "…" and '…' with Go escapes, or `…` raw. */
  string(): string {
    const quote = this.peek();
    if (quote !== '"' && quote !== "'" && quote !== '`')
      this.fail(`expected a quoted value, found ${this.describeHere()}`);
    const start = this.#pos;
    this.#pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.#pos];
      if (c === undefined) this.fail('unterminated string', start);
      this.#pos++;
      if (c === quote) return out;
      if (c === '\\' && quote !== '`') out += this.escape();
      else if (c === '\n' && quote !== '`') this.fail('newline in a string', this.#pos - 1);
      else out += c;
    }
  }

  escape(): string {
    const c = this.text[this.#pos];
    const at = this.#pos - 1;
    if (c === undefined) this.fail('unterminated escape', at);
    this.#pos++;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return simple;
    const hexLength = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.text.slice(this.#pos, this.#pos + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) this.fail(`invalid escape \\${c}${hex}`, at);
      this.#pos += hexLength;
      return String.fromCodePoint(Number.parseInt(hex, 16));
    }
    if (/[0-7]/.test(c)) {
      const octal = c + this.text.slice(this.#pos, this.#pos + 2);
      if (!/^[0-7]{3}$/.test(octal)) this.fail(`invalid escape \\${octal}`, at);
      this.#pos += 2;
      return String.fromCodePoint(Number.parseInt(octal, 8));
    }
    return this.fail(`unknown escape \\${c}`, at);
  }

  operator(): MatchOperator {
    const two = this.text.slice(this.#pos, this.#pos + 2);
    if (two === '=~' || two === '!=' || two === '!~') {
      this.#pos += 2;
      return two;
    }
    if (this.peek() === '=') {
      this.#pos++;
      return '=';
    }
    return this.fail(`expected one of =, !=, =~, !~, found ${this.describeHere()}`);
  }

  matcher(): LabelMatcher {
    const at = this.#pos;
    const name = this.identifier();
    if (!LABEL_NAME.test(name)) this.fail(`${JSON.stringify(name)} is not a valid label name`, at);
    this.skipSpace();
    const op = this.operator();
    this.skipSpace();
    const valueAt = this.#pos;
    const value = this.string();
    if (op === '=~' || op === '!~') {
      // RE2's leading (?i), common in PromQL, is a flag in JavaScript (Node 20 has no inline modifiers).
      const caseless = value.startsWith('(?i)');
      const pattern = caseless ? value.slice(4) : value;
      try {
        // Compiled alone first: `a)|(b` is invalid, but wrapped it becomes `^(?:a)|(b)$`, valid and unanchored.
        new RegExp(pattern, 's');
        return { name, op, value, regex: new RegExp(`^(?:${pattern})$`, caseless ? 'si' : 's') };
      } catch (err) {
        this.fail(
          `invalid regular expression ${JSON.stringify(value)}: ${err instanceof Error ? err.message : String(err)}`,
          valueAt,
        );
      }
    }
    return { name, op, value };
  }

  selector(): Selector {
    const matchers: LabelMatcher[] = [];
    this.skipSpace();
    const namedBeforeBraces = this.peek() !== '{';
    if (namedBeforeBraces) {
      matchers.push({ name: '__name__', op: '=', value: this.identifier() });
      this.skipSpace();
    }
    if (this.peek() === '{') {
      this.#pos++;
      this.skipSpace();
      while (this.peek() !== '}') {
        const at = this.#pos;
        const matcher = this.matcher();
        if (matcher.name === '__name__' && namedBeforeBraces) this.fail('metric name must not be set twice', at);
        matchers.push(matcher);
        this.skipSpace();
        if (this.peek() === ',') {
          this.#pos++;
          this.skipSpace();
        } else if (this.peek() !== '}') this.fail(`expected , or } after a matcher, found ${this.describeHere()}`);
      }
      this.#pos++;
      this.skipSpace();
    }
    if (this.#pos < this.text.length)
      this.fail(`unexpected ${this.describeHere()} after the selector (only instant-vector selectors are allowed)`);
    if (matchers.length === 0) this.fail('empty selector', 0);
    // Prometheus: a selector matching everything (every matcher matches "") would select the whole database.
    if (matchers.every((m) => matchesValue(m, '')))
      this.fail('vector selector must contain at least one non-empty matcher', 0);
    return { text: this.text, matchers };
  }
}

/** Parses one `match[]` value; throws SelectorError naming the character where it went wrong. */
export function parseSelector(text: string): Selector {
  return new SelectorParser(text).selector();
}

function matchesValue(matcher: LabelMatcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return (matcher.regex as RegExp).test(value);
    case '!~':
      return !(matcher.regex as RegExp).test(value);
  }
}

/** Label lookup of one series; an absent label is the empty string, as in Prometheus. */
export type SeriesLabels = (name: string) => string | undefined;

export function matchesSelector(selector: Selector, metricName: string, labels: SeriesLabels): boolean {
  for (const matcher of selector.matchers) {
    const value = matcher.name === '__name__' ? metricName : (labels(matcher.name) ?? '');
    if (!matchesValue(matcher, value)) return false;
  }
  return true;
}

/** Whether a selector can match a series named `metricName` at all, judging by its `__name__` matchers only. */
export function selectorMayMatchName(selector: Selector, metricName: string): boolean {
  return selector.matchers.every((matcher) => matcher.name !== '__name__' || matchesValue(matcher, metricName));
}

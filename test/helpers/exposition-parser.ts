// A strict reader of the exposition we emit, text 0.0.4 or OpenMetrics 1.0, that decodes it back to families.
//
// promtool 2.42 only reads text 0.0.4, so OpenMetrics output is checked with this reader instead: it follows
// the OpenMetrics 1.0 ABNF for what we produce (HELP, TYPE, samples with optional timestamps, `# EOF`) and
// throws on anything else, naming the line. Decoding escapes lets tests compare label values and HELP with
// what went in.

export type ExpositionFormat = 'text' | 'openmetrics';

export interface ParsedSample {
  readonly name: string;
  readonly labels: ReadonlyArray<readonly [string, string]>;
  /** The value as written (`NaN`, `+Inf`, `1234`), and as a number. */
  readonly valueText: string;
  readonly value: number;
  readonly timestampText: string | undefined;
}

export interface ParsedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const REAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;
const TYPES: Record<ExpositionFormat, readonly string[]> = {
  text: ['counter', 'gauge', 'untyped', 'summary', 'histogram'],
  openmetrics: ['counter', 'gauge', 'unknown', 'stateset', 'info', 'summary', 'histogram', 'gaugehistogram'],
};

class ExpositionSyntaxError extends Error {
  constructor(lineNumber: number, line: string, problem: string) {
    super(`line ${lineNumber}: ${problem}: ${JSON.stringify(line)}`);
  }
}

/** Decodes an escaped string; `quotes` says whether `\"` is an escape (label values; OpenMetrics HELP). */
function unescapeText(text: string, quotes: boolean, fail: (problem: string) => never): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') fail('raw newline');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[i + 1];
    i++;
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && quotes) out += '"';
    else fail(`invalid escape \\${next ?? '(end)'}`);
  }
  return out;
}

function parseValue(text: string, fail: (problem: string) => never): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!REAL_NUMBER.test(text)) fail(`bad number ${JSON.stringify(text)}`);
  return Number(text);
}

/** Reads `{a="b",c="d"}` from the start of `rest`; returns the labels and what follows the closing brace. */
function parseLabels(
  rest: string,
  fail: (problem: string) => never,
): { labels: Array<[string, string]>; after: string } {
  const labels: Array<[string, string]> = [];
  let i = 1;
  if (rest[i] === '}') return { labels, after: rest.slice(i + 1) };
  for (;;) {
    const eq = rest.indexOf('=', i);
    if (eq < 0) fail('label without =');
    const name = rest.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(`bad label name ${JSON.stringify(name)}`);
    if (rest[eq + 1] !== '"') fail('label value not quoted');
    let j = eq + 2;
    let raw = '';
    for (;;) {
      const c = rest[j];
      if (c === undefined) fail('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        raw += c + (rest[j + 1] ?? '');
        j += 2;
        continue;
      }
      raw += c;
      j++;
    }
    labels.push([name, unescapeText(raw, true, fail)]);
    j++;
    if (rest[j] === '}') return { labels, after: rest.slice(j + 1) };
    if (rest[j] !== ',') fail('expected , or } after a label');
    i = j + 1;
  }
}

/** The sample names a family may hold: histograms and summaries (the exporter's own metrics) have suffixed series. */
function sampleNames(family: ParsedFamily, openMetrics: boolean): string[] {
  if (family.type === 'counter') return [openMetrics ? family.name + '_total' : family.name];
  if (family.type === 'histogram') return ['_bucket', '_sum', '_count'].map((suffix) => family.name + suffix);
  if (family.type === 'summary') return [family.name, family.name + '_sum', family.name + '_count'];
  return [family.name];
}

/** Parses a whole exposition body; throws naming the first line that is not what the format allows. */
export function parseExposition(body: string, format: ExpositionFormat): ParsedFamily[] {
  const openMetrics = format === 'openmetrics';
  if (body !== '' && !body.endsWith('\n')) throw new Error('the body does not end with a newline');
  const lines = body === '' ? [] : body.slice(0, -1).split('\n');
  if (openMetrics) {
    if (lines.at(-1) !== '# EOF')
      throw new Error(`OpenMetrics must end with "# EOF\\n" (last line: ${JSON.stringify(lines.at(-1))})`);
    lines.pop();
  }
  const families: ParsedFamily[] = [];
  const seen = new Set<string>();
  let pendingHelp: { name: string; help: string } | undefined;
  let current: ParsedFamily | undefined;

  lines.forEach((line, index) => {
    const fail: (problem: string) => never = (problem) => {
      throw new ExpositionSyntaxError(index + 1, line, problem);
    };
    if (line.startsWith('# HELP ')) {
      const rest = line.slice('# HELP '.length);
      const space = rest.indexOf(' ');
      const name = space < 0 ? rest : rest.slice(0, space);
      if (!METRIC_NAME.test(name)) fail('bad metric name in HELP');
      if (seen.has(name)) fail(`family ${name} described twice`);
      pendingHelp = { name, help: unescapeText(space < 0 ? '' : rest.slice(space + 1), openMetrics, fail) };
      current = undefined;
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const [name = '', type = '', extra] = line.slice('# TYPE '.length).split(' ');
      if (extra !== undefined) fail('TYPE line with extra words');
      if (pendingHelp?.name !== name)
        fail('TYPE without the HELP of the same family just before (we always write both)');
      if (!TYPES[format].includes(type)) fail(`type ${JSON.stringify(type)} does not exist in ${format}`);
      if (openMetrics && type === 'counter' && name.endsWith('_total'))
        fail('an OpenMetrics counter family name must not end in _total');
      current = { name, help: pendingHelp.help, type, samples: [] };
      families.push(current);
      seen.add(name);
      pendingHelp = undefined;
      return;
    }
    if (line.startsWith('#')) fail(openMetrics ? 'unexpected comment or line after # EOF' : 'unexpected comment');
    if (current === undefined) fail('sample outside a family (no HELP/TYPE before it)');
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd < 0) fail('sample without a value');
    const name = line.slice(0, nameEnd);
    const expectedNames = sampleNames(current, openMetrics);
    if (!expectedNames.includes(name))
      fail(`sample name ${name} does not belong to family ${current.name} (${current.type})`);
    let rest = line.slice(nameEnd);
    let labels: Array<[string, string]> = [];
    if (rest.startsWith('{')) ({ labels, after: rest } = parseLabels(rest, fail));
    if (!rest.startsWith(' ')) fail('no space before the value');
    const words = rest.slice(1).split(' ');
    if (words.length > 2) fail('more than a value and a timestamp');
    const [valueText = '', timestampText] = words;
    const value = parseValue(valueText, fail);
    if (timestampText !== undefined) {
      if (openMetrics) {
        if (!REAL_NUMBER.test(timestampText)) fail('OpenMetrics timestamp is not a number of seconds');
      } else if (!INTEGER.test(timestampText)) fail('text 0.0.4 timestamp is not integer milliseconds');
    }
    current.samples.push({ name, labels, valueText, value, timestampText });
  });
  if (pendingHelp !== undefined) throw new Error(`HELP of ${pendingHelp.name} without TYPE`);
  return families;
}

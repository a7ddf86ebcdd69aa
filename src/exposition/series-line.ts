// Reads the name and labels back from one series line we rendered (`name{a="v",…} value`), for /federate filtering.

export interface SeriesLine {
  readonly name: string;
  /** Label name → unescaped value. */
  readonly labels: ReadonlyMap<string, string>;
}

function unescapeLabelValue(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * Only lines of our own renderer come here (label values escaped with `\\`, `\"`, `\n`), so the scanner needs no
 * error reporting: a malformed line yields what could be read.
 */
export function parseSeriesLine(line: string): SeriesLine {
  const labels = new Map<string, string>();
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  if (brace < 0 || (space >= 0 && space < brace)) return { name: space < 0 ? line : line.slice(0, space), labels };
  let i = brace + 1;
  while (i < line.length && line[i] !== '}') {
    const eq = line.indexOf('="', i);
    if (eq < 0) break;
    const name = line.slice(i, eq);
    let j = eq + 2;
    let raw = '';
    while (j < line.length && line[j] !== '"') {
      if (line[j] === '\\') {
        raw += line.slice(j, j + 2);
        j += 2;
      } else raw += line[j++];
    }
    labels.set(name, unescapeLabelValue(raw));
    i = line[j + 1] === ',' ? j + 2 : j + 1;
  }
  return { name: line.slice(0, brace), labels };
}
